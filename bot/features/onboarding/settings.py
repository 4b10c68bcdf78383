"""Newcomer onboarding: introductions, suggested contacts, nudges, the animators' digest, the directory.

Part of a community's settings (``community.onboarding`` in the YAML, changed by animators with
``/agora onboarding``, the command the core builds from this model, stored in the database). Three fields keep
the shorter option names the command always had: ``digest``, ``window`` and ``page_size``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.i18n import N_
from bot.settings.types import CHANNEL, Duration, OffOrCron, OffOrDelay

__all__ = ["OnboardingSettings"]


def _channel_or_none(value: Any) -> str | None:
    return None if value is None else str(CHANNEL.read(value))


# A channel, or none (the YAML's default): the digest's channel.
ChannelOrNone = Annotated[str | None, BeforeValidator(_channel_or_none), CHANNEL]

# The refusal of a number out of its bounds, the same for both counts.
_OUT_OF_RANGE = N_("“{value}” is out of range for {option}: choose between {minimum} and {maximum}.")


class OnboardingSettings(BaseModel):
    """Newcomer onboarding: introductions, suggested contacts, nudges, the animators' digest, the directory."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True, description=N_("Invite newcomers to introduce themselves once they accept the charter")
    )
    # One reminder when the introduction is not done (None: never).
    nudge_after: OffOrDelay = Field(
        default="3d",
        validate_default=True,
        description=N_("Delay before the one reminder to introduce oneself, e.g. 3d, or off"),
        json_schema_extra={
            "error": N_("“{value}” is not a delay I understand. Examples: 3d, 36h, 1w, or off.")
        },
    )
    suggestions: int = Field(
        default=3,
        ge=0,
        le=5,
        description=N_("How many members an introduction suggests meeting (0 to 5)"),
        json_schema_extra={"range_error": _OUT_OF_RANGE},
    )
    # When the animators get the newcomers digest (None: never).
    digest_cron: OffOrCron = Field(
        default="0 9 * * mon",
        description=N_('When animators get the newcomers digest: a cron rule ("0 9 * * mon") or off'),
        json_schema_extra={
            "option": "digest",
            "error": N_(
                "“{value}” is not a schedule I understand. Write a cron rule in quotes, e.g. "
                '"0 9 * * mon" (Mondays at 9:00), or off.'
            ),
        },
    )
    # DM each animator in ``animators``, or post in ``digest_channel``.
    digest_to: Literal["animators", "channel"] = Field(
        default="animators", description=N_("Send the digest to each animator by DM, or to a channel")
    )
    digest_channel: ChannelOrNone = Field(default=None, description=N_("Channel for the digest"))
    # How long a member counts as a newcomer in the digest.
    newcomer_window: Duration = Field(
        default="30d",
        validate_default=True,
        description=N_("How long someone counts as a newcomer in the digest, e.g. 30d"),
        json_schema_extra={
            "option": "window",
            "error": N_("“{value}” is not a duration I understand. Examples: 30d, 2w."),
        },
    )
    directory_page_size: int = Field(
        default=6,
        ge=1,
        le=20,
        description=N_("Members per page in /agora members (1 to 20)"),
        json_schema_extra={"option": "page_size", "range_error": _OUT_OF_RANGE},
    )
