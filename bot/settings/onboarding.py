"""Newcomer onboarding: introductions, suggested contacts, nudges, the animators' digest, the directory.

Part of a community's settings (``community.onboarding`` in the YAML, changed by animators with
``/agora onboarding``, stored in the database).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.durations import parse_duration
from bot.scheduler import cron_trigger

__all__ = ["OFF_WORDS", "OnboardingSettings"]

# What an animator may write to switch a delay or a schedule off (in either language).
OFF_WORDS = frozenset({"off", "never", "none", "no", "non", "jamais", "aucun", "désactivé", "desactive"})


class OnboardingSettings(BaseModel):
    """Newcomer onboarding: introductions, suggested contacts, nudges, the animators' digest, the directory."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True, description="invite each newcomer to introduce themselves once they accept the charter"
    )
    nudge_after: timedelta | None = Field(
        default=timedelta(days=3), description="one reminder when the introduction is not done (None: never)"
    )
    suggestions: int = Field(
        default=3, ge=0, le=5, description="members suggested to meet in an introduction"
    )
    digest_cron: str | None = Field(
        default="0 9 * * mon", description="when the animators get the newcomers digest (None: never)"
    )
    digest_to: Literal["animators", "channel"] = Field(
        default="animators", description="DM each animator in `animators`, or post in digest_channel"
    )
    digest_channel: str | None = Field(default=None, description="channel id for the digest")
    newcomer_window: timedelta = Field(
        default=timedelta(days=30), description="how long a member counts as a newcomer in the digest"
    )
    directory_page_size: int = Field(default=6, ge=1, le=20, description="members per page of /agora members")

    @field_validator("nudge_after", mode="before")
    @classmethod
    def _delay_or_off(cls, value: Any) -> timedelta | None:
        if value is None or (isinstance(value, str) and value.strip().lower() in OFF_WORDS):
            return None
        return parse_duration(value)

    @field_validator("newcomer_window", mode="before")
    @classmethod
    def _window(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("digest_cron", mode="before")
    @classmethod
    def _cron_or_off(cls, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and value.strip().lower() in OFF_WORDS):
            return None
        rule = " ".join(str(value).split())
        cron_trigger(rule, "UTC")  # raises ValueError naming the bad rule
        return rule
