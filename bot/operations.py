"""Outbox operations: each a frozen dataclass that knows how to carry itself out on a ``Chat``.

A handler records an operation (``ctx.post``, ``ctx.dm``...) in its transaction; the outbox stores its ``op`` name
and its fields as JSON, and after the commit the courier rebuilds it (:func:`load`) and calls ``perform``. The
names are the stored ones: entries written by an earlier version are still delivered after an upgrade.

An operation that needs an earlier entry's result (the post to replace, the thread to post in) names that entry;
the courier fills in what the platform returned for it (``resolve``) before performing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from bot.chat import (
    Capability,
    Chat,
    DirectMessagesClosed,
    PermanentChatError,
    ScheduledEvent,
)
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Message, mention

__all__ = [
    "CreateEvent",
    "DeleteEvent",
    "DeletePost",
    "DirectMessage",
    "GrantRole",
    "Invite",
    "OpenGroup",
    "Operation",
    "Post",
    "ReplacePost",
    "RevokeRole",
    "dependencies",
    "load",
]

Result = dict[str, Any] | None
_O = TypeVar("_O", bound="Operation")

_OPERATIONS: dict[str, type[Operation]] = {}


@dataclass(frozen=True)
class Operation:
    """Something to do on a platform once the transaction that decided it committed."""

    op: ClassVar[str] = ""
    # The earlier entry whose delivered result this one needs, if any.
    depends_on: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.op:
            _OPERATIONS[cls.op] = cls

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Message):
                value = value.to_dict()
            elif isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            if value is not None:
                payload[item.name] = value
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Operation:
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            if item.name not in payload:
                continue
            value = payload[item.name]
            if item.name == "message":
                value = Message.from_dict(value)
            elif item.name in ("start", "end"):
                value = datetime.fromisoformat(value)
            elif isinstance(value, list):
                value = tuple(value)
            values[item.name] = value
        return cls(**values)

    def needs(self) -> int | None:
        """The earlier outbox entry this operation needs delivered first."""
        return getattr(self, self.depends_on) if self.depends_on else None

    def resolve(self, earlier: dict[str, Any]) -> Operation:
        """This operation with what the platform returned for the entry it needs."""
        return self

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        raise NotImplementedError


def _ref(ref: MessageRef) -> dict[str, Any]:
    return {"channel": ref.channel_id, "message_id": ref.id}


@dataclass(frozen=True)
class Post(Operation):
    """A post in a channel; ``thread_title`` opens a thread under it, ``in_thread_of`` posts in the thread opened
    under an earlier entry's post instead."""

    op: ClassVar[str] = "post"
    depends_on: ClassVar[str | None] = "in_thread_of"

    channel: str
    message: Message
    thread_title: str | None = None
    in_thread_of: int | None = None

    def resolve(self, earlier: dict[str, Any]) -> Operation:
        return dataclasses.replace(
            self, channel=earlier.get("thread") or earlier["channel"], in_thread_of=None
        )

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        posted = await chat.post(ChannelRef(chat.platform, self.channel), self.message)
        result = _ref(posted)
        if self.thread_title and Capability.THREADS in chat.capabilities:
            try:
                thread = await chat.start_thread(posted, self.thread_title)
                result["thread"] = thread.id
            except PermanentChatError:
                pass  # the post is out; a thread we can't open is not worth posting it twice
        return result


def on_earlier_post(operation: _O, earlier: dict[str, Any]) -> _O:
    """``operation`` (which acts on the post of an earlier entry) aimed at that post, once it is out: its channel
    and message id taken from the earlier entry's result."""
    aimed: dict[str, Any] = {
        "channel": earlier["channel"],
        "message_id": earlier["message_id"],
        "entry": None,
    }
    return dataclasses.replace(operation, **aimed)


@dataclass(frozen=True)
class ReplacePost(Operation):
    """Replace what an earlier entry's post says (a tally that changed). Stored as ``update``."""

    op: ClassVar[str] = "update"
    depends_on: ClassVar[str | None] = "entry"

    message: Message
    entry: int | None = None
    channel: str | None = None
    message_id: str | None = None

    def resolve(self, earlier: dict[str, Any]) -> Operation:
        return on_earlier_post(self, earlier)

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        assert self.channel is not None and self.message_id is not None
        await chat.update(MessageRef(chat.platform, self.channel, self.message_id), self.message)
        return None


@dataclass(frozen=True)
class DeletePost(Operation):
    """Delete an earlier entry's post from the platform (the introduction of a member who erased their data).
    Where the platform cannot, nothing happens: the post stays as it was."""

    op: ClassVar[str] = "delete"
    depends_on: ClassVar[str | None] = "entry"

    entry: int | None = None
    channel: str | None = None
    message_id: str | None = None

    def resolve(self, earlier: dict[str, Any]) -> Operation:
        return on_earlier_post(self, earlier)

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        if Capability.DELETE not in chat.capabilities:
            return None
        assert self.channel is not None and self.message_id is not None
        await chat.delete(MessageRef(chat.platform, self.channel, self.message_id))
        return None


@dataclass(frozen=True)
class OpenGroup(Operation):
    """A conversation for a few members (group DM, or a private thread under ``parent``) opened with
    ``message``. The result holds the conversation's ``group`` id."""

    op: ClassVar[str] = "group"

    members: tuple[str, ...]
    title: str
    message: Message
    parent: str | None = None

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        members = [MemberRef(chat.platform, m) for m in self.members]
        parent = ChannelRef(chat.platform, self.parent) if self.parent else None
        group = await chat.open_group(community, members, self.title, parent)
        posted = await chat.post(group, self.message)
        return {**_ref(posted), "group": group.id}


@dataclass(frozen=True)
class DirectMessage(Operation):
    """A direct message. A member who refuses them gets it in a private thread of the welcome channel, or, where
    the platform has none, as a mention there: an onboarding is never silently lost."""

    op: ClassVar[str] = "dm"

    member: str
    message: Message
    fallback_channel: str | None = None
    fallback_title: str | None = None

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        member = MemberRef(chat.platform, self.member)
        try:
            return _ref(await chat.direct_message(member, self.message))
        except DirectMessagesClosed:
            if not self.fallback_channel:
                raise
            parent = ChannelRef(chat.platform, self.fallback_channel)
            if Capability.PRIVATE_THREADS in chat.capabilities:
                thread = await chat.open_group(community, [member], self.fallback_title or "Agora", parent)
                return {**_ref(await chat.post(thread, self.message)), "fallback": "private_thread"}
            public = dataclasses.replace(
                self.message, text=f"{mention(member.id)} {self.message.marked('text')}"
            )
            return {**_ref(await chat.post(parent, public)), "fallback": "mention"}


@dataclass(frozen=True)
class GrantRole(Operation):
    op: ClassVar[str] = "grant_role"

    member: str
    role: str

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        await chat.grant_role(community, MemberRef(chat.platform, self.member), self.role)
        return None


@dataclass(frozen=True)
class RevokeRole(Operation):
    op: ClassVar[str] = "revoke_role"

    member: str
    role: str

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        await chat.revoke_role(community, MemberRef(chat.platform, self.member), self.role)
        return None


@dataclass(frozen=True)
class Invite(Operation):
    """Invite a member to channels (Slack, where roles don't gate channels)."""

    op: ClassVar[str] = "invite"

    member: str
    channels: tuple[str, ...]

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        channels = [ChannelRef(chat.platform, c) for c in self.channels]
        await chat.invite_to_channels(community, MemberRef(chat.platform, self.member), channels)
        return None


@dataclass(frozen=True)
class CreateEvent(Operation):
    """A platform calendar event (a Discord Scheduled Event). The result holds its ``event_id``."""

    op: ClassVar[str] = "event"

    name: str
    start: datetime
    end: datetime
    location: str = ""
    description: str = ""

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        if Capability.SCHEDULED_EVENTS not in chat.capabilities:
            return None  # the platform has no calendar: the announcement and its .ics carry the date
        event = ScheduledEvent(
            name=self.name,
            start=self.start,
            end=self.end,
            location=self.location,
            description=self.description,
        )
        return {"event_id": await chat.create_event(community, event)}


@dataclass(frozen=True)
class DeleteEvent(Operation):
    """Remove the calendar event an earlier ``CreateEvent`` entry created (a meeting cancelled), once it exists.
    Stored as ``event-delete``."""

    op: ClassVar[str] = "event-delete"
    depends_on: ClassVar[str | None] = "entry"

    entry: int | None = None
    event_id: str | None = None

    def resolve(self, earlier: dict[str, Any]) -> Operation:
        return dataclasses.replace(self, event_id=earlier["event_id"], entry=None)

    async def perform(self, chat: Chat, community: CommunityRef) -> Result:
        assert self.event_id is not None
        await chat.delete_event(community, self.event_id)
        return None


def load(op: str, payload: dict[str, Any]) -> Operation:
    """The operation an outbox entry holds."""
    cls = _OPERATIONS.get(op)
    if cls is None:
        raise PermanentChatError(f"unknown outbox operation {op!r}")
    return cls.from_payload(payload)


def dependencies() -> dict[str, str]:
    """The operations that need an earlier entry delivered first, and the payload key that names that entry."""
    return {op: cls.depends_on for op, cls in _OPERATIONS.items() if cls.depends_on}
