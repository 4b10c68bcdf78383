"""A community's settings: what ``/agora setup`` changes. The YAML gives the defaults; the database keeps
each community's own values (only those it changed), so a new default in the config reaches every community
that did not override it.

The general settings are here; each feature declares its own section (``Feature.settings``), and
:func:`settings_model` builds the whole model from those declarations, so the core never lists a feature's
settings."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from bot.durations import parse_duration
from bot.i18n import LOCALES, LocaleName
from bot.settings.types import Timezone

if TYPE_CHECKING:
    from bot.feature import Feature

__all__ = [
    "CHANNEL_PURPOSES",
    "LOCALES",
    "CharterDefaults",
    "CharterPerson",
    "CommunitySettings",
    "settings_model",
]

# The channels features post in, named by what they are for.
CHANNEL_PURPOSES = (
    "welcome",
    "announcements",
    "introductions",
    "icebreakers",
    "debates",
    "meetings",
    "rounds",
    "help",
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
    locale: LocaleName = "en"
    timezone: Timezone = "Europe/Paris"
    animators: list[str] = Field(
        default_factory=list, description="member ids who animate (ids only: anyone can take a display name)"
    )
    animator_role: str | None = Field(
        default=None, description="role id or name (Discord) / user group (Slack)"
    )
    member_role: str | None = Field(default=None, description="role granted when the charter is accepted")
    member_channels: list[str] = Field(
        default_factory=list, description="channels a member is invited to on acceptance (Slack)"
    )
    channels: dict[str, str] = Field(default_factory=dict, description="purpose -> channel id")
    charter_reminder_after: timedelta = timedelta(days=2)
    # Each feature's section (``onboarding``, ``debates``...) is added by :func:`settings_model`.

    if TYPE_CHECKING:
        # The sections exist on the model settings_model() builds; their type is the feature's own model.
        def __getattr__(self, name: str) -> Any: ...

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
        return self.overridden(type(self), overrides)

    def overridden(self, model: type[CommunitySettings], overrides: dict[str, Any]) -> CommunitySettings:
        """These settings, with ``overrides``, as ``model`` (which may know more feature sections)."""
        return model.model_validate(_merge(self.model_dump(), overrides))

    def section(self, name: str) -> BaseModel:
        """A feature's section of the settings."""
        value = getattr(self, name)
        assert isinstance(value, BaseModel)
        return value


@cache
def settings_model(extra: tuple[type[Feature], ...] = ()) -> type[CommunitySettings]:
    """The settings of a community: the general ones, and one section per feature that declares settings (every
    feature Agora ships, and ``extra`` ones an app was built with)."""
    from bot.feature import feature_classes

    sections: dict[str, Any] = {}
    for feature in dict.fromkeys([*feature_classes(), *extra]):
        if feature.settings is not None:
            name = feature.settings_section()
            if name in sections or name in CommunitySettings.model_fields:
                raise ValueError(f"settings section {name!r} is declared twice")
            sections[name] = (feature.settings, Field(default_factory=feature.settings))
    return create_model("CommunitySettings", __base__=CommunitySettings, __module__=__name__, **sections)


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "channels":
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
