"""Meeting polls and meetings: deadlines, nudges, reminders, recaps, the next date.

Part of a community's settings (``community.meetings`` in the YAML, changed by animators in the database with
``/agora meeting settings``, the command the core builds from this model).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator

from bot.durations import format_duration, parse_duration
from bot.i18n import N_
from bot.settings.types import Delay, Kind, OffOrDuration, is_off

__all__ = ["CADENCE", "REMINDERS", "Cadence", "MeetingSettings", "Reminders", "parse_cadence"]


def parse_cadence(value: str | timedelta) -> str:
    """A cadence as stored: ``"monthly"`` (the same weekday of the month: a 2nd Tuesday gives the next 2nd
    Tuesday) or a duration of at least a day (``"1w"``, ``"2w"``, ``"4w"``, ``"10d"``). Raises ValueError."""
    if isinstance(value, str) and value.strip().lower() in ("monthly", "month", "mensuel", "mois"):
        return "monthly"
    delta = parse_duration(value)
    if delta < timedelta(days=1):
        raise ValueError(f"{value!r} is too short for a cadence (at least 1d)")
    # Kept as typed ("4w" reads better than "28d"), once it is known to parse.
    return value.strip().lower().replace(" ", "") if isinstance(value, str) else format_duration(delta)


def parse_reminders(value: Any) -> list[timedelta]:
    """Delays before a meeting, longest first: ``"24h,1h"`` (or a list), none for ``off``. Raises ValueError."""
    if is_off(value):
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    delays = {parse_duration(item.strip() if isinstance(item, str) else item) for item in items}
    if any(delay <= timedelta() for delay in delays):
        raise ValueError("a reminder comes some time before the meeting")
    return sorted(delays, reverse=True)


def show_reminders(value: list[timedelta]) -> str:
    """Reminders as an animator would type them: ``"1d,1h"``, or ``off``."""
    return ",".join(format_duration(delay) for delay in value) or "off"


# The two kinds only meetings have; their refusals are the ones the settings command always gave.
CADENCE = Kind(
    "cadence",
    "string",
    parse_cadence,
    N_("“{value}” doesn't work for {option}. Examples: 1w, 2w, 4w, or monthly."),
)
REMINDERS = Kind(
    "reminders",
    "string",
    parse_reminders,
    N_("“{value}” doesn't work for {option}. Examples: 24h,1h or 2d or off."),
    show=show_reminders,
    off=True,
)
Cadence = Annotated[str, BeforeValidator(parse_cadence), CADENCE]
Reminders = Annotated[
    list[timedelta],
    BeforeValidator(parse_reminders),
    PlainSerializer(show_reminders, when_used="json"),
    REMINDERS,
]


class MeetingSettings(BaseModel):
    """Meeting polls and meetings: deadlines, nudges, reminders, recaps, the next date."""

    model_config = ConfigDict(extra="forbid")

    poll_duration: Delay = Field(
        default=timedelta(days=3), description=N_("How long a date poll stays open, e.g. 3d")
    )
    lead_time: Delay = Field(
        default=timedelta(hours=24),
        description=N_(
            "How long before its first date a poll closes at the latest, to announce the date, e.g. 24h"
        ),
    )
    nudge_after: OffOrDuration = Field(
        default=timedelta(days=1),
        description=N_("When to nudge who hasn't answered a poll, e.g. 1d, or off"),
    )
    reminders: Reminders = Field(
        default_factory=lambda: [timedelta(hours=24), timedelta(hours=1)],
        description=N_("Reminders before a meeting, e.g. 24h,1h, or off"),
    )
    recap_within: Delay = Field(
        default=timedelta(days=1), description=N_("When to remind about the recap, e.g. 1d")
    )
    next_poll: Literal["auto", "same_slot", "off"] = Field(
        default="auto", description=N_("After a meeting: auto (a new poll), same_slot, or off")
    )
    cadence: Cadence = Field(
        default="4w", description=N_("How far apart meetings are: 1w, 2w, 4w or monthly")
    )
    capacity: int | None = Field(
        default=None, ge=1, description=N_("Places per meeting by default: a number, or none")
    )
    duration: Delay = Field(
        default=timedelta(hours=2), description=N_("A meeting's length by default, e.g. 2h")
    )

    @field_validator("capacity", mode="before")
    @classmethod
    def _no_limit(cls, value: Any) -> Any:
        # "none" (or any off word) in the YAML: no limit, as the command reads it.
        return None if is_off(value) else value
