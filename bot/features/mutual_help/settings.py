"""Mutual help's settings (``community.mutual_help`` in the YAML, ``/agora asks settings`` for animators)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.i18n import N_
from bot.settings.types import Duration

__all__ = ["MutualHelpSettings"]

_OUT_OF_RANGE = N_("“{value}” is out of range for {option}: choose between {minimum} and {maximum}.")


class MutualHelpSettings(BaseModel):
    """Members ask the network for help; Agora asks the members who could help, with a double opt-in."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True, description=N_("Let members ask the network for help with /agora ask")
    )
    suggestions: int = Field(
        default=3,
        ge=1,
        le=3,
        description=N_("How many members Agora asks on behalf of each ask (1 to 3)"),
        json_schema_extra={"range_error": _OUT_OF_RANGE},
    )
    asks_per_week: int = Field(
        default=1,
        ge=1,
        le=7,
        description=N_("How many times a week a member may be asked to help, at most (1 to 7)"),
        json_schema_extra={"option": "per_week", "range_error": _OUT_OF_RANGE},
    )
    quiet_after: Duration = Field(
        default="3d",
        validate_default=True,
        description=N_("When nobody has accepted after this long, the asker is told, e.g. 3d"),
        json_schema_extra={"error": N_("“{value}” is not a duration I understand. Examples: 3d, 2w.")},
    )
    follow_up_after: Duration = Field(
        default="14d",
        validate_default=True,
        description=N_("Without a date, when Agora asks once whether an ask is solved, e.g. 14d"),
        json_schema_extra={"error": N_("“{value}” is not a duration I understand. Examples: 3d, 2w.")},
    )
