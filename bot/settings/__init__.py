"""A community's settings: what ``/agora setup`` changes. The YAML gives the defaults; the database keeps
each community's own values (only those it changed), so a new default in the config reaches every community
that did not override it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.durations import parse_duration
from bot.settings.charter_rules import CharterRulesSettings
from bot.settings.debates import DebateSettings
from bot.settings.icebreakers import IcebreakerSettings
from bot.settings.meetings import MeetingSettings
from bot.settings.onboarding import OnboardingSettings
from bot.settings.rounds import RoundSettings

__all__ = ["CHANNEL_PURPOSES", "LOCALES", "CharterDefaults", "CharterPerson", "CommunitySettings"]

LOCALES = ("fr", "en")
# The channels features post in, named by what they are for.
CHANNEL_PURPOSES = (
    "welcome",
    "announcements",
    "introductions",
    "icebreakers",
    "debates",
    "meetings",
    "rounds",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CharterPerson(_Strict):
    """An animator as the charter presents them: who they are and why they run the group."""

    name: str
    motivation: str = ""


class CharterDefaults(_Strict):
    """The charter a new community starts with (version 1), until its animators change it."""

    objective: str = ""
    animators: list[CharterPerson] = Field(default_factory=list)
    rights: list[str] = Field(default_factory=list)
    duties: list[str] = Field(default_factory=list)


def _duration(value: Any) -> timedelta:
    return parse_duration(value)


class CommunitySettings(_Strict):
    """Settings of one community."""

    name: str = ""
    locale: Literal["fr", "en"] = "en"
    timezone: str = "Europe/Paris"
    animators: list[str] = Field(default_factory=list, description="member ids (or user names) who animate")
    animator_role: str | None = Field(
        default=None, description="role id or name (Discord) / user group (Slack)"
    )
    member_role: str | None = Field(default=None, description="role granted when the charter is accepted")
    member_channels: list[str] = Field(
        default_factory=list, description="channels a member is invited to on acceptance (Slack)"
    )
    channels: dict[str, str] = Field(default_factory=dict, description="purpose -> channel id")
    charter_reminder_after: timedelta = timedelta(days=2)
    # One section per feature, each defined in its own module beside this one.
    onboarding: OnboardingSettings = Field(default_factory=OnboardingSettings)
    charter_rules: CharterRulesSettings = Field(default_factory=CharterRulesSettings)
    icebreakers: IcebreakerSettings = Field(default_factory=IcebreakerSettings)
    rounds: RoundSettings = Field(default_factory=RoundSettings)
    debates: DebateSettings = Field(default_factory=DebateSettings)
    meetings: MeetingSettings = Field(default_factory=MeetingSettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (examples: Europe/Paris, America/Montreal, UTC)"
            ) from None
        return value

    @field_validator("charter_reminder_after", mode="before")
    @classmethod
    def _parse_delay(cls, value: Any) -> timedelta:
        return _duration(value)

    @field_validator("channels")
    @classmethod
    def _known_purposes(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(CHANNEL_PURPOSES))
        if unknown:
            raise ValueError(f"unknown channel purpose {unknown[0]!r} (known: {', '.join(CHANNEL_PURPOSES)})")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def channel(self, purpose: str) -> str | None:
        """The channel configured for ``purpose``; announcements fall back to welcome and back."""
        return (
            self.channels.get(purpose) or self.channels.get("announcements") or self.channels.get("welcome")
        )

    def with_overrides(self, overrides: dict[str, Any]) -> CommunitySettings:
        """These settings with a community's stored overrides applied (validated). Sections merge key by key,
        so an override of one key of ``rounds`` keeps the YAML's other ``rounds`` keys."""
        return CommunitySettings.model_validate(_merge(self.model_dump(), overrides))


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "channels":
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
