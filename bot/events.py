"""Inbound events: what happened on a platform, in the core's words.

Adapters build these from platform payloads; the scheduler builds ``TimerFired``. Every event names its
community, and carries the platform's delivery id where there is one, so a repeat has no second effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "BotStarted",
    "ButtonPressed",
    "ChannelRef",
    "CharterAccepted",
    "CommandInvoked",
    "CommunityRef",
    "Event",
    "FormSubmitted",
    "MemberJoined",
    "MemberLeft",
    "MemberRef",
    "MessageRef",
    "PostFailed",
    "ReactionChanged",
    "SettingsChanged",
    "TimerFired",
]


@dataclass(frozen=True)
class CommunityRef:
    """A community on a platform: a Discord guild, a Slack workspace (or one channel of it), a console room."""

    platform: str
    id: str
    name: str = ""


@dataclass(frozen=True)
class MemberRef:
    """A member as the platform sees them at the time of the event.

    ``roles`` holds the platform's role (or user group) ids *and* names the member has, so that an animator role
    can be configured either way. ``is_admin`` is the platform's own administrator flag (guild owner or
    Administrator permission on Discord, workspace admin on Slack), which always counts as an animator so a
    fresh install can be set up.
    """

    platform: str
    id: str
    display_name: str = ""
    roles: frozenset[str] = frozenset()
    is_admin: bool = False
    is_bot: bool = False
    # What the platform says of the member's language (``fr``, ``en-US``) and time zone (``Europe/Paris``), when
    # this event carries it: Agora speaks to them alone in it (``Context.translator_for``).
    locale: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class ChannelRef:
    """A channel, thread or conversation on a platform."""

    platform: str
    id: str
    name: str = ""


@dataclass(frozen=True)
class MessageRef:
    """A message the bot or a member posted, addressable for updates and reactions."""

    platform: str
    channel_id: str
    id: str


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every inbound event."""

    community: CommunityRef
    delivery_id: str | None = None

    @property
    def event_type(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, kw_only=True)
class MemberJoined(Event):
    """A member joined the community (or the channel that scopes it)."""

    member: MemberRef


@dataclass(frozen=True, kw_only=True)
class MemberLeft(Event):
    """A member left or was removed."""

    member: MemberRef


@dataclass(frozen=True, kw_only=True)
class CommandInvoked(Event):
    """A member ran ``/agora <name> ...``. ``name`` may have several words (``"meeting poll"``)."""

    actor: MemberRef
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    channel: ChannelRef | None = None


@dataclass(frozen=True, kw_only=True)
class ButtonPressed(Event):
    """A member pressed one of the bot's buttons: ``action`` names what to do, ``ref`` the entity."""

    actor: MemberRef
    action: str
    ref: str = ""
    message: MessageRef | None = None
    channel: ChannelRef | None = None


@dataclass(frozen=True, kw_only=True)
class FormSubmitted(Event):
    """A member submitted one of the bot's forms (a Discord modal, a Slack view, a console prompt)."""

    actor: MemberRef
    form: str
    ref: str = ""
    values: dict[str, str] = field(default_factory=dict)
    channel: ChannelRef | None = None


@dataclass(frozen=True, kw_only=True)
class ReactionChanged(Event):
    """A member added or removed a reaction on a message."""

    actor: MemberRef
    message: MessageRef
    emoji: str
    added: bool = True


@dataclass(frozen=True, kw_only=True)
class TimerFired(Event):
    """A deadline or a recurring schedule came due (built by the scheduler, never by an adapter)."""

    kind: str
    ref: str = ""
    due: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class BotStarted(Event):
    """The bot (re)started: sent once to each known community at start (built by the core, never by an adapter),
    so that features reconcile what they derive from the configuration, such as a recurring rule set in the YAML."""


@dataclass(frozen=True, kw_only=True)
class SettingsChanged(Event):
    """Domain event: an animator changed the community's general settings (``/agora setup``): features whose
    recurring rules depend on them (the time zone) set them again."""

    keys: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class CharterAccepted(Event):
    """Domain event: ``member`` accepted version ``version`` of the charter (``first_time`` when it is their
    first acknowledgement in this community, e.g. a newcomer, rather than a re-acceptance of a new version)."""

    member: MemberRef
    version: int
    first_time: bool = True


@dataclass(frozen=True, kw_only=True)
class PostFailed(Event):
    """Domain event: an outbox entry failed for good (the platform refused it, or it kept failing until the
    outbox gave up). Built by the core, never by an adapter. ``origin`` and ``ref`` are what the feature gave
    when it recorded the entry (``debate`` and the debate's id), so it finds its row and rolls its state back;
    ``actor`` is the member who acted, if one did; ``problems`` what the platform said is missing
    (``bot.chat.Problem`` values); ``actor_waiting`` says the actor is still waiting for the answer to what they
    did, so they are told there rather than by a direct message."""

    entry: int
    op: str
    channel: str | None = None
    origin: str | None = None
    ref: str = ""
    actor_id: str | None = None
    problems: tuple[str, ...] = ()
    abandoned: bool = False
    actor_waiting: bool = False


def actor_of(event: Event) -> MemberRef | None:
    """The member who caused ``event``, if a member did."""
    return getattr(event, "actor", None) or getattr(event, "member", None)
