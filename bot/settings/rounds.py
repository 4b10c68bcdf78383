"""Grouping rounds: cadence, group size, odd counts, follow-up.

Part of a community's settings (``community.rounds`` in the YAML, changed by animators in the database with
``/agora round settings``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.durations import parse_duration

__all__ = ["CADENCES", "DAYS", "ODD_POLICIES", "RoundSettings"]

CADENCES = ("weekly", "biweekly", "monthly")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ODD_POLICIES = ("bigger", "smaller")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


class RoundSettings(BaseModel):
    """Grouping rounds: cadence, group size, odd counts, follow-up."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    cadence: Literal["weekly", "biweekly", "monthly"] = "weekly"
    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    time: str = Field(default="09:00", description="local time of the round, HH:MM")
    group_size: int = Field(default=2, ge=2, le=4)
    odd: Literal["bigger", "smaller"] = "bigger"
    follow_up_after: timedelta = timedelta(days=3)

    @field_validator("time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        match = _TIME.match(str(value).strip())
        if not match:
            raise ValueError(f"{value!r} is not a time of day (examples: 09:00, 12:30)")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    @field_validator("follow_up_after", mode="before")
    @classmethod
    def _delay(cls, value: Any) -> timedelta:
        return parse_duration(value)

    def cron(self) -> str:
        """The recurring rule in the community's time zone. Every two weeks is a weekly rule whose odd weeks the
        feature skips (cron has no "every other week"); monthly is the first such day of the month."""
        hour, minute = (int(part) for part in self.time.split(":"))
        if self.cadence == "monthly":
            return f"{minute} {hour} 1-7 * {self.day}"
        return f"{minute} {hour} * * {self.day}"

    @property
    def min_gap(self) -> timedelta:
        """A scheduled round is skipped when the previous one is more recent than this (a round started by hand
        the day before, or the odd week of a fortnightly cadence)."""
        return {"weekly": timedelta(days=3), "biweekly": timedelta(days=10), "monthly": timedelta(days=20)}[
            self.cadence
        ]
