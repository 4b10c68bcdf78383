"""Icebreaker questions: their schedule and how members answer.

Part of a community's settings (``community.icebreakers`` in the YAML, changed by animators in the database
with ``/agora icebreaker schedule|pause|resume|tags|credit``, which all save through one path).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from bot.content import load_bank
from bot.scheduler import cron_trigger

__all__ = ["DEFAULT_SCHEDULE", "KINDS", "IcebreakerSettings", "bank_tags"]

DEFAULT_SCHEDULE = "30 9 * * tue"


KINDS = ("light", "professional", "reflective")


@cache
def bank_tags() -> tuple[str, ...]:
    """Every tag of the question banks (the same in every language): the three kinds of question first, then
    what the questions are about, alphabetically."""
    tags = {
        tag for language in ("en", "fr") for item in load_bank("icebreakers", language) for tag in item.tags
    }
    return tuple(sorted(tags, key=lambda tag: (KINDS.index(tag) if tag in KINDS else len(KINDS), tag)))


@cache
def _checked_rule(rule: str) -> str:
    # Settings are validated on every event: parse each distinct rule once.
    cron_trigger(rule, "UTC")  # raises ValueError naming the bad rule
    return rule


class IcebreakerSettings(BaseModel):
    """Icebreaker questions: their schedule and how members answer."""

    model_config = ConfigDict(extra="forbid")

    # False is what /agora icebreaker pause stores; resume sets it back.
    enabled: bool = True
    # A cron rule in the community's time zone: minute hour day month weekday.
    schedule: str = DEFAULT_SCHEDULE
    # Draw the bank's questions from these tags only (empty: every tag). The community's own questions are
    # always in the draw.
    tags: list[str] = []
    # Name the member who suggested a question when it is asked ("Question suggested by @alex").
    credit_authors: bool = True
    # True once an animator started the questions (/agora icebreaker schedule or resume): they then run in the
    # fallback channel (announcements) too. Without it, they start on their own only with an icebreakers
    # channel of their own. Kept here, not in the schedule row, so the declared schedule reads it.
    started: bool = False

    @field_validator("schedule", mode="before")
    @classmethod
    def _cron_rule(cls, value: Any) -> str:
        return _checked_rule(" ".join(str(value).split()))

    @field_validator("tags", mode="before")
    @classmethod
    def _known_tags(cls, value: Any) -> list[str]:
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        tags = [str(tag).strip().lower() for tag in value or []]
        unknown = [tag for tag in tags if tag not in bank_tags()]
        if unknown:
            raise ValueError(f"unknown icebreaker tag {unknown[0]!r} (known: {', '.join(bank_tags())})")
        return list(dict.fromkeys(tags))
