"""The outbox: platform actions that must not be lost, delivered after the commit that decided them.

A handler records an entry (post, direct message, update, role, invitation) in its own transaction. After the
commit the courier delivers due entries; a transient failure is retried with exponential back-off (a restart
delivers what was left), a permanent one is recorded, logged once, and never blocks the entries behind it.
A direct message to a member who refuses them falls back to a private thread (or a mention) in the welcome
channel, so an onboarding is never silently lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.chat import (
    Capability,
    Chat,
    DirectMessagesClosed,
    PermanentChatError,
    ScheduledEvent,
    TransientChatError,
    delivering_for,
)
from bot.clock import Clock
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Message, mention
from bot.scheduler import Scheduler
from storage.database import Database
from storage.models import Community, OutboxEntry

__all__ = ["MAX_ATTEMPTS", "Courier", "backoff"]

log = logging.getLogger("agora.outbox")

MAX_ATTEMPTS = 10
BATCH = 50


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Wait before the next try: 5 s, 10 s, 20 s ... capped at one hour, or what the platform asked."""
    wait = min(5 * 2 ** max(attempts - 1, 0), 3600)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return timedelta(seconds=wait)


class Courier:
    """Delivers the outbox. One delivery round at a time; a kick during a round makes it go round again."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        scheduler: Scheduler,
        chat_for: Callable[[str], Chat | None],
    ) -> None:
        self.database = database
        self.clock = clock
        self.scheduler = scheduler
        self.chat_for = chat_for
        self._lock = asyncio.Lock()
        self._again = False
        # Entries are created due at once; only a retry (or a restart) leaves some due later, and only then is
        # it worth asking the database when to come back.
        self._later = True

    async def deliver_due(self) -> int:
        """Deliver every entry due now. Returns how many were delivered."""
        if self._lock.locked():
            self._again = True
            return 0
        delivered = 0
        async with self._lock:
            self._again = True
            while self._again:
                self._again = False
                delivered += await self._round()
            if self._later:
                self._later = False
                await self._schedule_next()
        return delivered

    async def _round(self) -> int:
        delivered = 0
        last_id = 0
        while True:
            async with self.database.transaction() as session:
                rows = (
                    await session.execute(
                        select(OutboxEntry, Community)
                        .join(Community, Community.id == OutboxEntry.community_id)
                        .where(
                            OutboxEntry.status == "pending",
                            OutboxEntry.next_attempt_at <= self.clock.now(),
                            OutboxEntry.id > last_id,
                        )
                        .order_by(OutboxEntry.id)
                        .limit(BATCH)
                    )
                ).all()
            for entry, community in rows:
                last_id = entry.id
                delivered += await self._deliver(entry.id, entry.op, entry.payload, community)
            if len(rows) < BATCH:
                return delivered

    async def _deliver(self, entry_id: int, op: str, payload: dict[str, Any], community: Community) -> int:
        chat = self.chat_for(community.platform)
        if chat is None:
            return 0  # that platform is not connected in this process: leave it for the one that is
        ref = CommunityRef(community.platform, community.external_id, community.name)
        status, error, result, retry_after = "sent", None, None, None
        token = delivering_for.set(ref)
        try:
            payload = await self._resolve(payload)
            result = await perform(chat, ref, op, payload)
        except TransientChatError as exc:
            status, error, retry_after = "pending", str(exc), exc.retry_after
        except PermanentChatError as exc:
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # an adapter bug must not block the rest of the outbox
            status, error = "pending", f"{type(exc).__name__}: {exc}"
            log.exception("outbox delivery crashed", extra={"entry": entry_id, "op": op})
        finally:
            delivering_for.reset(token)
        async with self.database.transaction() as session:
            entry = await session.get(OutboxEntry, entry_id)
            if entry is None or entry.status != "pending":
                return 0
            entry.attempts += 1
            entry.last_error = error
            now = self.clock.now()
            if status == "pending":
                if entry.attempts >= MAX_ATTEMPTS:
                    entry.status, entry.done_at = "abandoned", now
                    log.error(
                        "outbox entry abandoned",
                        extra={"entry": entry_id, "op": op, "attempts": entry.attempts, "error": error},
                    )
                else:
                    entry.next_attempt_at = now + backoff(entry.attempts, retry_after)
                    self._later = True
                    log.info(
                        "outbox delivery will be retried",
                        extra={"entry": entry_id, "op": op, "attempts": entry.attempts, "error": error},
                    )
            else:
                entry.status, entry.done_at, entry.result = status, now, result
                if status == "failed":
                    log.warning(
                        "outbox delivery failed for good", extra={"entry": entry_id, "op": op, "error": error}
                    )
        return 1 if status == "sent" else 0

    async def _resolve(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Fill in references to earlier entries (the post to update, the thread to post in) from their results."""
        refs = {key: payload[key] for key in ("entry", "in_thread_of") if key in payload}
        if not refs:
            return payload
        payload = dict(payload)
        async with self.database.transaction() as session:
            for key, entry_id in refs.items():
                earlier = await session.get(OutboxEntry, entry_id)
                if earlier is None or earlier.status in ("failed", "abandoned"):
                    raise PermanentChatError(
                        f"the post this depends on (entry {entry_id}) was never delivered"
                    )
                if earlier.status == "pending" or not earlier.result:
                    raise TransientChatError(f"waiting for entry {entry_id} to be delivered")
                if key == "entry":
                    payload["channel"], payload["message_id"] = (
                        earlier.result["channel"],
                        earlier.result["message_id"],
                    )
                else:
                    thread = earlier.result.get("thread")
                    payload["channel"] = thread or earlier.result["channel"]
        return payload

    async def _schedule_next(self) -> None:
        async with self.database.transaction() as session:
            earliest = await session.scalar(
                select(func.min(OutboxEntry.next_attempt_at)).where(OutboxEntry.status == "pending")
            )
        if earliest is not None:
            self.scheduler.at("outbox", max(earliest, self.clock.now()), self.deliver_due)

    async def pending_count(self) -> int:
        async with self.database.transaction() as session:
            return int(
                await session.scalar(
                    select(func.count(OutboxEntry.id)).where(OutboxEntry.status == "pending")
                )
                or 0
            )


async def perform(
    chat: Chat, community: CommunityRef, op: str, payload: dict[str, Any]
) -> dict[str, Any] | None:
    """Carry out one outbox operation on ``chat``. Returns what to remember of it (the message posted)."""
    platform = chat.platform
    if op == "post":
        channel = ChannelRef(platform, payload["channel"])
        posted = await chat.post(channel, Message.from_dict(payload["message"]))
        result = _ref(posted)
        if payload.get("thread_title") and Capability.THREADS in chat.capabilities:
            try:
                thread = await chat.start_thread(posted, payload["thread_title"])
                result["thread"] = thread.id
            except PermanentChatError:
                pass  # the post is out; a thread we can't open is not worth posting it twice
        return result
    if op == "group":
        members = [MemberRef(platform, m) for m in payload["members"]]
        parent = ChannelRef(platform, payload["parent"]) if payload.get("parent") else None
        group = await chat.open_group(community, members, payload["title"], parent)
        posted = await chat.post(group, Message.from_dict(payload["message"]))
        return {**_ref(posted), "group": group.id}
    if op == "dm":
        member = MemberRef(platform, payload["member"])
        message = Message.from_dict(payload["message"])
        try:
            return _ref(await chat.direct_message(member, message))
        except DirectMessagesClosed:
            fallback = payload.get("fallback_channel")
            if not fallback:
                raise
            parent = ChannelRef(platform, fallback)
            if Capability.PRIVATE_THREADS in chat.capabilities:
                thread = await chat.open_group(
                    community, [member], payload.get("fallback_title") or "Agora", parent
                )
                return {**_ref(await chat.post(thread, message)), "fallback": "private_thread"}
            # No private thread possible: mention the member in the welcome channel instead.
            public = Message(
                text=f"{mention(member.id)} {message.text}",
                title=message.title,
                fields=message.fields,
                buttons=message.buttons,
                footer=message.footer,
            )
            return {**_ref(await chat.post(parent, public)), "fallback": "mention"}
    if op == "update":
        await chat.update(
            MessageRef(platform, payload["channel"], payload["message_id"]),
            Message.from_dict(payload["message"]),
        )
        return None
    if op == "grant_role":
        await chat.grant_role(community, MemberRef(platform, payload["member"]), payload["role"])
        return None
    if op == "revoke_role":
        await chat.revoke_role(community, MemberRef(platform, payload["member"]), payload["role"])
        return None
    if op == "invite":
        channels = [ChannelRef(platform, c) for c in payload["channels"]]
        await chat.invite_to_channels(community, MemberRef(platform, payload["member"]), channels)
        return None
    if op == "event":
        if Capability.SCHEDULED_EVENTS not in chat.capabilities:
            return None  # the platform has no calendar: the announcement and its .ics carry the date
        event = ScheduledEvent(
            name=payload["name"],
            start=datetime.fromisoformat(payload["start"]),
            end=datetime.fromisoformat(payload["end"]),
            location=payload.get("location", ""),
            description=payload.get("description", ""),
        )
        return {"event_id": await chat.create_event(community, event)}
    if op == "react":
        await chat.react(MessageRef(platform, payload["channel"], payload["message_id"]), payload["emoji"])
        return None
    raise PermanentChatError(f"unknown outbox operation {op!r}")


def _ref(ref: MessageRef) -> dict[str, Any]:
    return {"channel": ref.channel_id, "message_id": ref.id}
