"""Debate prompts: schedule, positions, closing and the rotating lead.

Part of a community's settings (``community.debates`` in the YAML, changed by animators in the database with
``/agora debate settings``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from bot.durations import parse_duration
from bot.scheduler import cron_trigger

__all__ = ["MAX_DEBATE_DURATION", "MIN_DEBATE_DURATION", "NO_SCHEDULE", "DebateSettings"]

# Words that mean "no recurring debate" in a config file or a command, in both languages.
NO_SCHEDULE = frozenset({"", "none", "off", "no", "never", "aucun", "aucune", "non", "jamais"})
MIN_DEBATE_DURATION = timedelta(minutes=10)
MAX_DEBATE_DURATION = timedelta(days=60)


class DebateSettings(BaseModel):
    """Debate prompts: schedule, positions, closing and the rotating lead."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    # A cron rule in the community's time zone ("0 18 * * thu"), or None for debates started by hand only.
    schedule: str | None = None
    duration: timedelta = timedelta(days=3)
    anonymous: bool = True
    rotating_lead: bool = False
    # How long a volunteer has to accept leading a debate before the next volunteer is asked.
    lead_answer_within: timedelta = timedelta(days=1)

    @field_validator("schedule", mode="before")
    @classmethod
    def _cron_or_none(cls, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and value.strip().lower() in NO_SCHEDULE):
            return None
        rule = " ".join(str(value).split())
        cron_trigger(rule, "UTC")  # raises ValueError naming the bad rule
        return rule

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        delta = parse_duration(value)
        if not MIN_DEBATE_DURATION <= delta <= MAX_DEBATE_DURATION:
            raise ValueError("a debate lasts between 10 minutes (10m) and 60 days (60d)")
        return delta

    @field_validator("lead_answer_within", mode="before")
    @classmethod
    def _delay(cls, value: Any) -> timedelta:
        delta = parse_duration(value)
        if delta <= timedelta(0):
            raise ValueError("the delay must be longer than zero")
        return delta
