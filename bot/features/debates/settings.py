"""Debate prompts: schedule, positions, closing and the rotating lead.

Part of a community's settings (``community.debates`` in the YAML, changed by animators in the database with
``/agora debate settings``, the command the core builds from this model).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from bot.durations import format_duration
from bot.i18n import N_
from bot.settings.types import DURATION, Delay, Kind, OffOrCron

__all__ = [
    "DEBATE_DURATION",
    "MAX_DEBATE_DURATION",
    "MIN_DEBATE_DURATION",
    "DebateDuration",
    "DebateSettings",
]

MIN_DEBATE_DURATION = timedelta(minutes=10)
MAX_DEBATE_DURATION = timedelta(days=60)


def _debate_duration(raw: object) -> timedelta:
    duration: timedelta = DURATION.parse(raw)
    if not MIN_DEBATE_DURATION <= duration <= MAX_DEBATE_DURATION:
        raise ValueError("a debate lasts between 10 minutes (10m) and 60 days (60d)")
    return duration


# A duration with the debate's bounds: its refusal says them, as members always read it.
DEBATE_DURATION = Kind(
    "debate duration",
    "string",
    _debate_duration,
    N_("A debate lasts between 10 minutes (10m) and 60 days (60d); “{value}” is not."),
    show=format_duration,
)
DebateDuration = Annotated[
    timedelta,
    BeforeValidator(DEBATE_DURATION.read),
    PlainSerializer(format_duration, when_used="json"),
    DEBATE_DURATION,
]


class DebateSettings(BaseModel):
    """Debate prompts: schedule, positions, closing and the rotating lead."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description=N_("Yes or no: debates in this community"))
    # A cron rule in the community's time zone ("0 18 * * thu"), or None for debates started by hand only.
    schedule: OffOrCron = Field(
        default=None,
        description=N_('A cron rule such as "0 18 * * thu" (Thursdays 18:00), or none'),
        json_schema_extra={
            "error": N_(
                "“{value}” is not a schedule I understand. Write a cron rule in quotes, e.g. "
                '"0 18 * * thu" for Thursdays at 18:00, or none for no regular debate.'
            )
        },
    )
    duration: DebateDuration = Field(
        default=timedelta(days=3), description=N_("How long a debate stays open, e.g. 3d")
    )
    anonymous: bool = Field(default=True, description=N_("Yes for summaries without names"))
    rotating_lead: bool = Field(default=False, description=N_("Yes to ask a volunteer to lead each debate"))
    # How long a volunteer has to accept leading a debate before the next volunteer is asked.
    lead_answer_within: Delay = Field(
        default=timedelta(days=1),
        description=N_("How long a volunteer has to answer, e.g. 1d"),
        json_schema_extra={"error": N_("“{value}” is not a delay I understand. Examples: 2d, 36h, 1h30m.")},
    )
