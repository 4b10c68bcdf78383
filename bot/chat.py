"""The ``Chat`` port: the only way a feature reaches a platform.

Each adapter implements it and declares what it can do; features check ``capabilities`` and degrade gracefully
(no roles on Slack: the bot invites to channels instead; no group DM on Discord: a private thread).
Errors come back as two kinds: ``TransientChatError`` (try again later) and ``PermanentChatError`` (will never
succeed: the channel is gone, the member left); the outbox treats them differently.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Message

__all__ = [
    "Capability",
    "Chat",
    "ChatError",
    "DirectMessagesClosed",
    "ListedMember",
    "MissingPermission",
    "PermanentChatError",
    "Problem",
    "ScheduledEvent",
    "TransientChatError",
    "delivering_for",
]

# The community an outbox delivery belongs to, set by the courier around each Chat call. A platform whose direct
# messages carry no community (a Discord DM has no guild) tags what it sends with it, so that a button pressed in
# that DM later reaches the right community.
delivering_for: ContextVar[CommunityRef | None] = ContextVar("agora_delivering_for", default=None)


class Capability(enum.Enum):
    """What a platform can do, so features can choose a fallback."""

    ROLES = "roles"  # grant and revoke roles
    CHANNEL_INVITE = "channel_invite"  # invite a member to channels (Slack's gating)
    GROUP_DM = "group_dm"  # a conversation with several members (Slack mpim)
    PRIVATE_THREADS = "private_threads"  # a private thread in a channel (Discord's group conversation)
    THREADS = "threads"  # reply threads under a message
    REACTIONS = "reactions"
    UPDATE = "update"  # edit a message the bot posted
    FORMS = "forms"  # modals
    SCHEDULED_EVENTS = "scheduled_events"
    FILES = "files"
    DELETE = "delete"  # delete a message the bot posted
    LOCAL_TIMES = "local_times"  # dates in posts show in each reader's own time zone (Discord timestamps)


class Problem(enum.StrEnum):
    """Why the bot can't act in a channel, in the core's words: what ``channel_access`` reports missing and what a
    permanent failure names, so that animators are told what to fix in their language."""

    VIEW_CHANNEL = "view_channel"  # Discord: View Channel
    SEND_MESSAGES = "send_messages"  # Discord: Send Messages
    EMBED_LINKS = "embed_links"  # Discord: Embed Links (posts with a title, fields or buttons)
    CREATE_THREADS = "create_threads"  # Discord: Create Public Threads / Send Messages in Threads
    PRIVATE_THREADS = "private_threads"  # Discord: Create Private Threads (welcome threads, groups)
    MANAGE_ROLES = "manage_roles"  # Discord: Manage Roles, with the bot's role above the roles it gives
    NOT_A_MEMBER = "not_a_member"  # Slack: a private channel the bot was not invited to (or no such channel)
    CANNOT_JOIN = "cannot_join"  # Slack: a public channel the bot may not join (scope, workspace policy)
    READ_ONLY = "read_only"  # Slack: only admins may post there
    ARCHIVED = "archived"
    NOT_FOUND = "not_found"  # the channel is gone


class ChatError(Exception):
    """A platform call failed."""


class TransientChatError(ChatError):
    """Worth trying again later (rate limit, 5xx, network)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentChatError(ChatError):
    """Will never succeed as it is (unknown channel, member gone). ``problems`` says what is missing, where the
    platform told."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class DirectMessagesClosed(PermanentChatError):
    """The member does not accept direct messages from the bot (Discord 50007)."""


class MissingPermission(PermanentChatError):
    """The bot lacks a platform permission (Manage Roles, role too low, channel not accessible)."""


@dataclass(frozen=True)
class ScheduledEvent:
    """A platform calendar event (Discord Scheduled Event)."""

    name: str
    start: datetime
    end: datetime
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class ListedMember:
    """One member of a community as the platform lists them (``Chat.list_members``).

    ``joined_at`` is when they joined, where the platform says (None where it doesn't, as on Slack);
    ``join_id`` is the delivery id the platform's own join event for this membership carries (or would), so that
    a join learnt from the list and the same join delivered late as an event count once (None when there is no
    such id: the core then makes one of its own)."""

    member: MemberRef
    joined_at: datetime | None = None
    join_id: str | None = None


@runtime_checkable
class Chat(Protocol):
    """What a platform adapter offers the core. Async, small, and the same everywhere."""

    platform: str
    capabilities: frozenset[Capability]

    async def post(self, channel: ChannelRef, message: Message) -> MessageRef:
        """Post in a channel."""
        ...

    async def direct_message(self, member: MemberRef, message: Message) -> MessageRef:
        """Send a direct message; raises DirectMessagesClosed when the member refuses them."""
        ...

    async def update(self, ref: MessageRef, message: Message) -> None:
        """Replace a message the bot posted."""
        ...

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """Add the bot's reaction to a message."""
        ...

    async def delete(self, ref: MessageRef) -> None:
        """Delete a message the bot posted (a member's introduction, when they erase their data); needs
        Capability.DELETE. A message already gone is not an error."""
        ...

    async def grant_role(self, community: CommunityRef, member: MemberRef, role: str) -> None:
        """Give a role (by id or name); needs Capability.ROLES."""
        ...

    async def revoke_role(self, community: CommunityRef, member: MemberRef, role: str) -> None:
        """Take a role back; needs Capability.ROLES."""
        ...

    async def invite_to_channels(
        self, community: CommunityRef, member: MemberRef, channels: Sequence[ChannelRef]
    ) -> None:
        """Invite a member to channels; needs Capability.CHANNEL_INVITE."""
        ...

    async def open_group(
        self,
        community: CommunityRef,
        members: Sequence[MemberRef],
        title: str,
        parent: ChannelRef | None = None,
    ) -> ChannelRef:
        """A conversation for a few members: a group DM (Slack) or a private thread in ``parent`` (Discord)."""
        ...

    async def start_thread(self, ref: MessageRef, title: str) -> ChannelRef:
        """A reply thread under a message (Discord thread, Slack thread); needs Capability.THREADS. The returned
        channel's id is opaque to the core: posting to it posts in the thread."""
        ...

    async def create_event(self, community: CommunityRef, event: ScheduledEvent) -> str:
        """Create a platform calendar event; needs Capability.SCHEDULED_EVENTS. Returns its id."""
        ...

    async def delete_event(self, community: CommunityRef, event_id: str) -> None:
        """Remove a calendar event ``create_event`` made (one already gone counts as removed)."""
        ...

    async def channel_access(
        self, community: CommunityRef, channel: ChannelRef, needs: frozenset[Problem]
    ) -> frozenset[Problem]:
        """What stops the bot from doing ``needs`` in ``channel`` (the permissions it lacks, the channel being
        private, archived or gone); empty when it can. ``/agora setup`` asks when a channel is chosen. An adapter
        may fix what it can by itself first (Slack joins a public channel)."""
        ...

    async def list_members(self, community: CommunityRef) -> Sequence[ListedMember]:
        """Every human member of the community now (bots and deactivated accounts left out), read in as many
        pages or chunks as the platform needs. Raises ``ChatError`` rather than answer with a partial list: the
        core takes whoever is missing from it for someone who left."""
        ...

    async def describe_member(self, community: CommunityRef, member_id: str) -> MemberRef | None:
        """The member ``member_id`` as the platform sees them now (roles or user groups, admin flag, name), built
        as the adapter builds the member of an incoming event; None when they are no longer in the community.
        For a check that must not trust what an older event said of them (the dashboard asks on every request
        whether its animator still animates). Raises ``TransientChatError`` when the platform can't tell right
        now, without waiting long: someone's page is waiting."""
        ...

    def command_text(self, name: str) -> str:
        """The command ``name`` (``"charter"``, ``"meeting poll"``) as a member types it on this platform:
        ``/agora charter`` on Slack, ``/agora charter show`` on Discord, where a name is a command or a group
        but not both. Every message that names a command names it this way."""
        ...
