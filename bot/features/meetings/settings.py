"""Meeting polls and meetings: deadlines, nudges, reminders, recaps, the next date.

Part of a community's settings (``community.meetings`` in the YAML, changed by animators in the database with
``/agora meeting settings``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.durations import format_duration, parse_duration

__all__ = ["MeetingSettings", "parse_cadence"]

_OFF = ("off", "none", "never", "no", "non", "jamais", "")


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


class MeetingSettings(BaseModel):
    """Meeting polls and meetings: deadlines, nudges, reminders, recaps, the next date."""

    model_config = ConfigDict(extra="forbid")

    poll_duration: timedelta = Field(default=timedelta(days=3), description="how long a poll stays open")
    nudge_after: timedelta | None = Field(
        default=timedelta(days=1),
        description="one nudge to who hasn't answered, this long after the poll opens",
    )
    reminders: list[timedelta] = Field(
        default_factory=lambda: [timedelta(hours=24), timedelta(hours=1)],
        description="reminders to who is going, this long before the meeting",
    )
    recap_within: timedelta = Field(default=timedelta(days=1), description="when to remind about the recap")
    next_poll: Literal["auto", "same_slot", "off"] = Field(
        default="auto", description="after a meeting: open the next poll, schedule the same slot, or nothing"
    )
    cadence: str = Field(default="4w", description="how far the next meeting is: 1w, 2w, 4w ... or monthly")
    capacity: int | None = Field(default=None, ge=1, description="places per meeting; none for no limit")
    duration: timedelta = Field(default=timedelta(hours=2), description="a meeting's length when not given")

    @field_validator("poll_duration", "recap_within", "duration", mode="before")
    @classmethod
    def _delay(cls, value: Any) -> timedelta:
        delay = parse_duration(value)
        if delay <= timedelta():
            raise ValueError("must be longer than zero")
        return delay

    @field_validator("nudge_after", mode="before")
    @classmethod
    def _optional_delay(cls, value: Any) -> timedelta | None:
        if value is None or (isinstance(value, str) and value.strip().lower() in _OFF):
            return None
        return parse_duration(value)

    @field_validator("reminders", mode="before")
    @classmethod
    def _delays(cls, value: Any) -> list[timedelta]:
        if value is None or (isinstance(value, str) and value.strip().lower() in _OFF):
            return []
        items = value.split(",") if isinstance(value, str) else list(value)
        delays = sorted({parse_duration(item.strip() if isinstance(item, str) else item) for item in items})
        return list(reversed(delays))

    @field_validator("cadence", mode="before")
    @classmethod
    def _known_cadence(cls, value: Any) -> str:
        return parse_cadence(value)

    @field_validator("capacity", mode="before")
    @classmethod
    def _no_limit(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.strip().lower() in _OFF):
            return None
        return value
