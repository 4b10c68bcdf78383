"""The charter's settings: how it changes (animator, committee or community vote) and re-acceptance.

The ``community.charter_rules`` section of the configuration (declared by the charter feature),
changed by animators in the database with ``/agora charter rules``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.settings.types import Duration

__all__ = ["CHARTER_MODES", "CharterRulesSettings"]

CHARTER_MODES = ("animator", "committee", "community")


class CharterRulesSettings(BaseModel):
    """How the charter changes (animator, committee or community vote) and re-acceptance."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["animator", "committee", "community"] = Field(
        default="animator",
        description="animator: the animators edit it; committee: the committee proposes and approves; "
        "community: any member proposes, members vote",
    )
    committee: list[str] = Field(default_factory=list, description="member ids of the charter committee")
    quorum: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="share of the members who accepted the charter who must take part in a vote (community)",
    )
    majority: float = Field(
        default=0.5,
        ge=0.5,
        le=1,
        description="an amendment needs more than this share of the votes cast, abstentions excluded "
        "(of the committee's members in committee mode); 1 means unanimity",
    )
    vote_duration: Duration = timedelta(days=7)
    grace_period: Duration = timedelta(days=14)
    reacceptance_reminder_after: Duration = timedelta(days=3)

    @field_validator("vote_duration")
    @classmethod
    def _long_enough_to_vote(cls, value: timedelta) -> timedelta:
        if value < timedelta(hours=1):
            raise ValueError("a vote lasts at least 1h")
        return value

    @field_validator("grace_period")
    @classmethod
    def _some_grace(cls, value: timedelta) -> timedelta:
        if value < timedelta(hours=1):
            raise ValueError("the grace period lasts at least 1h")
        return value

    @model_validator(mode="after")
    def _reminder_within_grace(self) -> CharterRulesSettings:
        if self.reacceptance_reminder_after >= self.grace_period:
            raise ValueError("reacceptance_reminder_after must be shorter than grace_period")
        return self
