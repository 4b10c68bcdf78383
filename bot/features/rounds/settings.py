"""Grouping rounds' settings: cadence, group size, odd counts, follow-up.

Part of a community's settings (``community.rounds`` in the YAML, changed by animators in the database with
``/agora round settings``, the command the core builds from this model).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.i18n import N_
from bot.settings.types import Delay, TimeOfDay

__all__ = ["CADENCES", "DAYS", "ODD_POLICIES", "RoundSettings"]

CADENCES = ("weekly", "biweekly", "monthly")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ODD_POLICIES = ("bigger", "smaller")


class RoundSettings(BaseModel):
    """Grouping rounds: cadence, group size, odd counts, follow-up, the planner's time budget."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description=N_("Whether rounds run on their schedule"))
    cadence: Literal["weekly", "biweekly", "monthly"] = Field(
        default="weekly", description=N_("How often: weekly, biweekly or monthly")
    )
    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        default="mon", description=N_("Day of the round: mon, tue, wed, thu, fri, sat or sun")
    )
    time: TimeOfDay = Field(
        default="09:00",
        description=N_("Local time of the round, e.g. 09:00"),
        json_schema_extra={
            "error": N_("“{value}” is not a time of day I understand. Examples: 09:00, 12:30.")
        },
    )
    group_size: int = Field(
        default=2,
        ge=2,
        le=4,
        description=N_("Members per group, 2 to 4"),
        json_schema_extra={
            "error": N_("Groups have 2 to 4 members: “{value}” won't do."),
            "range_error": N_("Groups have 2 to 4 members: “{value}” won't do."),
        },
    )
    odd: Literal["bigger", "smaller"] = Field(
        default="bigger", description=N_("When the count is odd: bigger (a group of one more) or smaller")
    )
    follow_up_after: Delay = Field(
        default=timedelta(days=3),
        description=N_("Delay before asking whether the group met, e.g. 3d"),
        json_schema_extra={"error": N_("“{value}” is not a delay I understand. Examples: 2d, 36h, 1h30m.")},
    )
    planning_budget: Delay = Field(
        default=timedelta(seconds=10),
        le=timedelta(minutes=1),
        description=N_("How long the planner may search for groups of people who have not met, e.g. 10s"),
        json_schema_extra={
            "error": N_("“{value}” is not a duration I understand. Examples: 10s, 30s, 1m."),
            "range_error": N_("The planner searches for one minute at most: “{value}” won't do."),
        },
    )

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
