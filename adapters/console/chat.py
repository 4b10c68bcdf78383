"""``ConsoleChat``: the ``Chat`` port for the console. It records what the bot sends and prints a transcript."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.chat import (
    Capability,
    ChatError,
    DirectMessagesClosed,
    ListedMember,
    MissingPermission,
    PermanentChatError,
    Problem,
    ScheduledEvent,
)
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Message, Untrusted
from bot.router import command_text

__all__ = ["ConsoleChat", "Sent", "render_message", "untrusted_text"]

PLATFORM = "console"
_MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([^>|]+)(?:\|[^>]*)?>")


def humanize(text: str) -> str:
    """``<@alice>`` → ``@alice``, ``<#welcome>`` → ``#welcome``."""
    return _CHANNEL.sub(r"#\1", _MENTION.sub(r"@\1", text))


def untrusted_text(text: str) -> str:
    """What a member typed, on the console: shown as it is (a terminal notifies nobody; their ``<@id>`` is not
    turned into a name as Agora's own mentions are)."""
    return text


def _text(parts: list[str]) -> str:
    return "".join(untrusted_text(p) if isinstance(p, Untrusted) else humanize(p) for p in parts)


def render_message(message: Message, indent: str = "    ", files: dict[str, Path] | None = None) -> list[str]:
    """A message as console lines: title, text, fields, buttons as ``[ label ]``, footer. A file saved on disk
    (``files``: its name → where it is) shows with its path, so a chart can be opened."""
    lines: list[str] = []
    if message.title:
        lines.append(f"**{_text(message.parts('title'))}**")
    if message.text:
        lines.extend(_text(message.parts("text")).splitlines())
    for f in message.fields:
        lines.append(f"▸ {_text(f.parts('name'))}" if f.name else "")
        lines.extend(f"  {line}" for line in _text(f.parts("value")).splitlines())
    for attachment in message.attachments:
        saved = (files or {}).get(attachment.filename)
        lines.append(f"📎 {attachment.filename}: {saved}" if saved else f"📎 {attachment.filename}")
    if message.buttons:
        lines.append("  ".join(f"[ {humanize(b.label)} ]" for b in message.buttons))
    if message.footer:
        lines.append(f"— {_text(message.parts('footer'))}")
    return [indent + line if line else "" for line in lines]


@dataclass
class Sent:
    """Something the bot did on the console platform."""

    kind: str  # post | dm | update | delete | reply | role | invite | group | event | react
    to: str  # channel id, member id, or "alice" for a reply
    message: Message | None = None
    ref: MessageRef | None = None
    detail: str = ""
    visible_to: frozenset[str] = field(default_factory=frozenset)

    @property
    def text(self) -> str:
        return self.message.plain() if self.message else self.detail


class ConsoleChat:
    """The console platform: every capability, simulated."""

    platform = PLATFORM
    capabilities = frozenset(
        {
            Capability.ROLES,
            Capability.PRIVATE_THREADS,
            Capability.GROUP_DM,
            Capability.THREADS,
            Capability.REACTIONS,
            Capability.UPDATE,
            Capability.FORMS,
            Capability.SCHEDULED_EVENTS,
            Capability.FILES,
            Capability.DELETE,
        }
    )

    def __init__(self, out: Callable[[str], None] | None = None, files_dir: Path | None = None) -> None:
        self.sent: list[Sent] = []
        # Where binary files sent with messages (charts) are written, so the person at the console can open
        # them; a temporary folder made when the first one comes, unless given.
        self.files_dir = files_dir
        # Every file written: its path, in order.
        self.saved_files: list[Path] = []
        self.messages: dict[str, Sent] = {}
        # What each message says now (after updates); Sent records keep what was first sent.
        self.current: dict[str, Message] = {}
        self.roles: dict[str, set[str]] = {}
        self.closed_dms: set[str] = set()
        self.deleted_channels: set[str] = set()
        # Channels where the bot may not post (a read-only channel, as tests and the demo set it up).
        self.read_only_channels: set[str] = set()
        self.failures: list[ChatError] = []
        # Who is in each console community, as the platform would list them (``list_members``), and who left it.
        self.rosters: dict[str, dict[str, ListedMember]] = {}
        self.departed: dict[str, set[str]] = {}
        # What the console platform says of its members (``member``): who is an admin of each community (they
        # animate it), and what each one's app says of their language and time zone (by default, nothing).
        self.admins: dict[str, set[str]] = {}
        self.locales: dict[str, str] = {}
        self.timezones: dict[str, str] = {}
        self.out = out or (lambda line: None)
        self._ids = 0

    def command_text(self, name: str) -> str:
        return command_text(name)

    def _next_id(self) -> str:
        self._ids += 1
        return f"m{self._ids}"

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    def _record(self, sent: Sent, header: str) -> MessageRef:
        ref = MessageRef(PLATFORM, sent.to, self._next_id())
        sent.ref = ref
        self.sent.append(sent)
        self.messages[ref.id] = sent
        if sent.message is not None:
            self.current[ref.id] = sent.message
        self.out(header)
        if sent.message is not None:
            for line in render_message(sent.message, files=self._save_files(sent.message)):
                self.out(line)
        return ref

    def _save_files(self, message: Message) -> dict[str, Path]:
        """Write the message's binary files (an image) to :attr:`files_dir`: their name → path."""
        saved: dict[str, Path] = {}
        for attachment in message.attachments:
            if attachment.encoding != "base64":
                continue
            if self.files_dir is None:
                self.files_dir = Path(tempfile.mkdtemp(prefix="agora-files-"))
            self.files_dir.mkdir(parents=True, exist_ok=True)
            # The platform's name is a file name, never a path (a member's title could hold "../").
            path = self.files_dir / f"{len(self.saved_files) + 1}-{Path(attachment.filename).name}"
            path.write_bytes(attachment.data)
            self.saved_files.append(path)
            saved[attachment.filename] = path
        return saved

    async def post(self, channel: ChannelRef, message: Message) -> MessageRef:
        self._maybe_fail()
        if channel.id in self.deleted_channels:
            raise PermanentChatError(f"unknown channel {channel.id}", [Problem.NOT_FOUND])
        if channel.id in self.read_only_channels:
            raise MissingPermission(f"cannot post in {channel.id}", [Problem.SEND_MESSAGES])
        return self._record(Sent("post", channel.id, message), f"  #{channel.id} │ Agora:")

    async def direct_message(self, member: MemberRef, message: Message) -> MessageRef:
        self._maybe_fail()
        if member.id in self.closed_dms:
            raise DirectMessagesClosed(f"{member.id} does not accept direct messages")
        sent = Sent("dm", member.id, message, visible_to=frozenset({member.id}))
        return self._record(sent, f"  ✉ DM to {member.id} │ Agora:")

    async def update(self, ref: MessageRef, message: Message) -> None:
        self._maybe_fail()
        original = self.messages.get(ref.id)
        if original is None:
            raise PermanentChatError(f"unknown message {ref.id}")
        self.current[ref.id] = message
        self.sent.append(Sent("update", ref.channel_id, message, ref=ref, visible_to=original.visible_to))
        self.out(f"  ✎ message {ref.id} updated │ Agora:")
        for line in render_message(message):
            self.out(line)

    async def delete(self, ref: MessageRef) -> None:
        self._maybe_fail()
        if self.current.pop(ref.id, None) is not None:
            self.sent.append(Sent("delete", ref.channel_id, ref=ref))
            self.out(f"  🗑 message {ref.id} deleted")

    async def react(self, ref: MessageRef, emoji: str) -> None:
        self._maybe_fail()
        self.sent.append(Sent("react", ref.channel_id, ref=ref, detail=emoji))

    async def grant_role(self, community: CommunityRef, member: MemberRef, role: str) -> None:
        self._maybe_fail()
        self.roles.setdefault(member.id, set()).add(role)
        self.sent.append(Sent("role", member.id, detail=f"+{role}"))
        self.out(f"  ⚑ {member.id} now has the role “{role}”")

    async def revoke_role(self, community: CommunityRef, member: MemberRef, role: str) -> None:
        self._maybe_fail()
        self.roles.setdefault(member.id, set()).discard(role)
        self.sent.append(Sent("role", member.id, detail=f"-{role}"))
        self.out(f"  ⚑ {member.id} no longer has the role “{role}”")

    async def invite_to_channels(
        self, community: CommunityRef, member: MemberRef, channels: Sequence[ChannelRef]
    ) -> None:
        self._maybe_fail()
        names = ", ".join(f"#{c.id}" for c in channels)
        self.sent.append(Sent("invite", member.id, detail=names))
        self.out(f"  ⚑ {member.id} invited to {names}")

    async def open_group(
        self,
        community: CommunityRef,
        members: Sequence[MemberRef],
        title: str,
        parent: ChannelRef | None = None,
    ) -> ChannelRef:
        self._maybe_fail()
        if parent is not None and parent.id in self.read_only_channels:
            raise MissingPermission(f"cannot open a private thread in {parent.id}", [Problem.PRIVATE_THREADS])
        self._ids += 1
        channel = ChannelRef(PLATFORM, f"group-{self._ids}", title)
        who = ", ".join(m.id for m in members)
        self.sent.append(
            Sent("group", channel.id, detail=f"{title}: {who}", visible_to=frozenset(m.id for m in members))
        )
        where = f" in #{parent.id}" if parent else ""
        self.out(f"  ⚑ private conversation “{title}” opened{where} for {who}")
        return channel

    async def start_thread(self, ref: MessageRef, title: str) -> ChannelRef:
        self._maybe_fail()
        self._ids += 1
        thread = ChannelRef(PLATFORM, f"thread-{self._ids}", title)
        original = self.messages.get(ref.id)
        visible = original.visible_to if original else frozenset()
        self.sent.append(Sent("thread", thread.id, detail=f"{title} (under {ref.id})", visible_to=visible))
        self.out(f"  🧵 thread “{title}” opened under message {ref.id}")
        return thread

    async def create_event(self, community: CommunityRef, event: ScheduledEvent) -> str:
        self._maybe_fail()
        self._ids += 1
        self.sent.append(Sent("event", "events", detail=f"{event.name} @ {event.start.isoformat()}"))
        self.out(f"  📅 event “{event.name}” created")
        return f"event-{self._ids}"

    async def delete_event(self, community: CommunityRef, event_id: str) -> None:
        self._maybe_fail()
        self.sent.append(Sent("event-deleted", "events", detail=event_id))
        self.out(f"  📅 event {event_id} deleted")

    async def channel_access(
        self, community: CommunityRef, channel: ChannelRef, needs: frozenset[Problem]
    ) -> frozenset[Problem]:
        """Every channel is open to the bot, except those a test deleted or made read-only."""
        if channel.id in self.deleted_channels:
            return frozenset({Problem.NOT_FOUND})
        if channel.id in self.read_only_channels:
            return frozenset({Problem.SEND_MESSAGES})
        return frozenset()

    async def list_members(self, community: CommunityRef) -> Sequence[ListedMember]:
        self._maybe_fail()
        roster = self.rosters.get(community.id, {})
        return [entry for entry in roster.values() if not entry.member.is_bot]

    def enrol(self, community: CommunityRef, member: MemberRef, joined_at: datetime | None = None) -> None:
        """``member`` is in ``community`` (the console's member list), since ``joined_at`` if given."""
        self.rosters.setdefault(community.id, {})[member.id] = ListedMember(member, joined_at)
        self.departed.get(community.id, set()).discard(member.id)

    def disenrol(self, community: CommunityRef, member_id: str) -> None:
        self.rosters.get(community.id, {}).pop(member_id, None)
        self.departed.setdefault(community.id, set()).add(member_id)

    def member(self, community: CommunityRef, member_id: str) -> MemberRef:
        """``member_id`` as the console platform describes them in ``community``: every event's actor, and
        ``describe_member``'s answer."""
        return MemberRef(
            PLATFORM,
            member_id,
            member_id,
            roles=frozenset(self.roles.get(member_id, ())),
            is_admin=member_id in self.admins.get(community.id, ()),
            locale=self.locales.get(member_id),
            timezone=self.timezones.get(member_id),
        )

    async def describe_member(self, community: CommunityRef, member_id: str) -> MemberRef | None:
        """The member now; None once they left. On the console, whoever acts is a member without joining first,
        so only leaving takes someone out."""
        self._maybe_fail()
        if member_id in self.departed.get(community.id, ()):
            return None
        return self.member(community, member_id)

    # --- what tests and the demo read --------------------------------------------------------------------

    def dms(self, member: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == "dm" and s.to == member]

    def posts(self, channel: str | None = None) -> list[Sent]:
        return [s for s in self.sent if s.kind == "post" and (channel is None or s.to == channel)]

    def visible_to(self, member: str) -> list[Sent]:
        """Messages ``member`` can see or saw, newest last (their DMs, their replies, channel posts, updates)."""
        return [
            s
            for s in self.sent
            if s.message is not None
            and s.kind in ("dm", "post", "reply", "update")
            and (not s.visible_to or member in s.visible_to)
        ]

    def reply(self, member: str, message: Message) -> None:
        """Show an answer to the member who acted (adapters' job; here, printed)."""
        sent = Sent("reply", member, message, visible_to=frozenset({member}))
        self._record(
            sent, f"  👁 only {member} sees │ Agora:" if message.ephemeral else f"  ↩ to {member} │ Agora:"
        )
