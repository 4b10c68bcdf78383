"""The outbox: platform actions that must not be lost, delivered after the commit that decided them.

A handler records an entry (post, direct message, update, role, invitation) in its own transaction. After the
commit the courier delivers due entries; a transient failure is retried with exponential back-off (a restart
delivers what was left), a permanent one is recorded, logged once, and never blocks the entries behind it.
A direct message to a member who refuses them falls back to a private thread (or a mention) in the welcome
channel, so an onboarding is never silently lost.

An entry that fails for good (refused, or abandoned after ``MAX_ATTEMPTS``) is reported as a ``PostFailed`` domain
event, through ``report``: the feature that recorded it rolls its row back and the animators are told (see
``bot.deliveries``). An entry that only failed because the one it depends on did is not reported again.
Someone waiting for an entry (``wait_for``: the animator whose command posts it) hears how its first try went.

Several processes on one PostgreSQL: each entry is delivered by one of them. An entry is born claimed by the
process whose transaction recorded it (``claimed_by``, ``lease_until``: ``LEASE`` ahead); a round claims the due
entries nobody holds, or whose lease ran out, with ``SELECT … FOR UPDATE SKIP LOCKED`` and a lease in the same
transaction. A process that dies mid-delivery loses its lease, and another takes the entry over once it has run
out: the entries it had sent but not yet marked sent may then be posted twice (the duplicate window: the entry in
flight and those sent just before it in the same transaction, ``MARK_EVERY`` at most, each at most once more).
While an entry is in flight its process renews the lease every third of a lease, so a delivery slower than the
lease (a platform's rate limit, a slow network) is never taken over while its process lives; and a process starts
an entry only with two thirds of a lease ahead, renewing it first when less is left (a long batch), and not at all
when another process took it meanwhile. On SQLite (one process, ``storage.process_lock``) nothing is claimed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from sqlalchemy import Table

from bot.chat import Chat, PermanentChatError, TransientChatError, delivering_for
from bot.clock import Clock
from bot.events import CommunityRef, PostFailed
from bot.messages import Message
from bot.operations import Operation, load
from bot.scheduler import Scheduler, backoff
from storage.database import Database
from storage.models import Community, OutboxEntry, OutboxStatus, ProcessedDelivery

__all__ = [
    "FAILING_ATTEMPTS",
    "LEASE",
    "MARK_EVERY",
    "MAX_ATTEMPTS",
    "Courier",
    "Delivery",
    "DependencyFailed",
    "backoff",
]

log = logging.getLogger("agora.outbox")

MAX_ATTEMPTS = 10
# How far back a failure whose report was cut short (a crash) is still worth reporting at start.
REPORT_WITHIN = timedelta(hours=24)
BATCH = 50
# Entries sent are marked sent together, at most this many at a time: a crash between a send and its mark posts
# that entry again once the lease runs out, so this bounds the duplicates a crash can cause (the duplicate window).
MARK_EVERY = 10
# From this many failed tries in a row, a waiting entry means the outbox keeps failing (``/healthz`` says 503).
FAILING_ATTEMPTS = 3
# What the entries this process delivered returned (the post's place), kept for the updates that follow them.
RESULTS_KEPT = 10_000
# ``Session.info`` key: the ids of existing outbox entries a transaction changed (see ``Courier.watch``).
TOUCHED = "agora_outbox_touched"
# How long a process holds the entries it claimed (PostgreSQL) before another may take them over: what a crash
# delays them by. Renewed while an entry is in flight, so a slow delivery does not have to fit in it.
LEASE = timedelta(seconds=30)


class DependencyFailed(PermanentChatError):
    """The entry this one needs (the post to update, the thread to post in) failed for good: that failure is the
    one reported."""


@dataclass(frozen=True)
class Delivery:
    """How the first try of an awaited entry went: its status, and when it failed for good, what the person
    waiting is told (the report's answer)."""

    status: OutboxStatus
    told: Sequence[Message] = field(default_factory=tuple)


Report = Callable[[PostFailed], Awaitable[Sequence[Message]]]


class Courier:
    """Delivers the outbox. One delivery round at a time; a kick during a round makes it go round again."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        scheduler: Scheduler,
        chat_for: Callable[[str], Chat | None],
        report: Report | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.scheduler = scheduler
        self.chat_for = chat_for
        self.report = report
        self._waiters: dict[int, asyncio.Future[Delivery]] = {}
        self._stale = False
        self._lock = asyncio.Lock()
        self._again = False
        # Entries are created due at once; only a retry (or a restart) leaves some due later, and only then is
        # it worth asking the database when to come back.
        self._later = True
        # Entries transactions just committed, handed over as they are (``hand``): delivered without reading
        # them again, each transaction's marked sent in one statement. ``_queued``: their ids not delivered yet.
        self._handed: list[list[tuple[OutboxEntry, CommunityRef]]] = []
        self._queued: set[int] = set()
        self._results: OrderedDict[int, dict[str, Any]] = OrderedDict()
        # Claims and leases only where several processes may share the database (PostgreSQL).
        self.claims = not database.is_sqlite
        # What a write that can wait goes through (``Inbox.after_acknowledgements``, set by ``Agora``): marking
        # entries sent, the outbox's one write per delivery, lets the acknowledgements waiting go first.
        self.turn: Callable[[], contextlib.AbstractAsyncContextManager[None]] = contextlib.nullcontext
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.lease = LEASE
        sqlalchemy_event.listen(database.session_class, "before_flush", _note_touched)

    def claim(self, entry: OutboxEntry) -> None:
        """A new entry, claimed by this process in the transaction that records it: delivered from here
        (``hand``), no other process's round takes it while the lease lasts."""
        if self.claims:
            entry.claimed_by, entry.lease_until = self.worker, self.clock.now() + self.lease

    async def _held(self, entry: OutboxEntry) -> bool:
        """This process holds ``entry`` with two thirds of a lease ahead at least (always true on SQLite): it may
        start delivering it. A lease running short (a long batch) is renewed first; False when another process
        took the entry over meanwhile."""
        if not self.claims:
            return True
        if entry.claimed_by != self.worker:
            return False
        if entry.lease_until is not None and entry.lease_until - self.clock.now() >= self.lease * 2 / 3:
            return True
        return await self._renew(entry)

    async def _renew(self, entry: OutboxEntry) -> bool:
        """A new lease on ``entry`` if this process still holds it (even run out: nobody took it over, since
        taking it over names the new holder). Another process claiming it at this very moment holds its row lock:
        this waits for it, then finds the entry is no longer this process's."""
        until = self.clock.now() + self.lease
        async with self.database.transaction() as session:
            renewed = await session.scalar(
                update(OutboxEntry)
                .where(
                    OutboxEntry.id == entry.id,
                    OutboxEntry.claimed_by == self.worker,
                    OutboxEntry.status == OutboxStatus.PENDING,
                )
                .values(lease_until=until)
                .returning(OutboxEntry.id)
                .execution_options(synchronize_session=False)
            )
        if renewed is None:
            return False
        entry.lease_until = until
        return True

    def hand(self, entries: Sequence[OutboxEntry], community: CommunityRef) -> bool:
        """Take the entries a transaction just committed (still pending) for delivery as they are. False when
        there is none (no delivery round is needed)."""
        chunk = [(entry, community) for entry in entries if entry.status == OutboxStatus.PENDING]
        if not chunk:
            return False
        self._handed.append(chunk)
        self._queued.update(entry.id for entry, _ in chunk)
        return True

    def changed(self, entry_ids: set[int]) -> None:
        """A transaction changed these existing entries (superseded, dropped, scrubbed): what was handed of them
        is stale, so the next round reads them again."""
        self._queued -= entry_ids
        self._again = True

    async def deliver_due(self, *, handed_only: bool = False) -> int:
        """Deliver the entries handed over, then (unless ``handed_only``) every entry due now. Returns how many
        were delivered."""
        if not handed_only:
            self._again = True
        if self._lock.locked():
            return 0  # the round running picks it up
        delivered = 0
        async with self._lock:
            while self._handed or self._again:
                # A round reading the outbox goes first: what it finds waited longer than what was handed over
                # (which it leaves to the handed chunks).
                if self._again:
                    self._again = False
                    delivered += await self._round()
                    continue
                delivered += await self._deliver_chunk(self._handed.pop(0), handed=True)
            if self._later:
                self._later = False
                await self._schedule_next()
        return delivered

    async def _round(self) -> int:
        delivered = 0
        last_id = 0
        while True:
            now = self.clock.now()
            query = (
                select(OutboxEntry, Community)
                .join(Community, Community.id == OutboxEntry.community_id)
                .where(
                    OutboxEntry.status == OutboxStatus.PENDING,
                    OutboxEntry.next_attempt_at <= now,
                    OutboxEntry.id > last_id,
                )
                .order_by(OutboxEntry.id)
                .limit(BATCH)
            )
            if self.claims:
                # Entries another process holds are skipped, not waited for; those nobody holds any more are
                # claimed with the lock that read them.
                query = query.where(
                    or_(
                        OutboxEntry.lease_until.is_(None),
                        OutboxEntry.lease_until <= now,
                        OutboxEntry.claimed_by == self.worker,
                    )
                ).with_for_update(of=OutboxEntry, skip_locked=True)
            async with self.database.transaction() as session:
                rows = (await session.execute(query)).all()
                if self.claims and rows:
                    lease = now + self.lease
                    await session.execute(
                        update(OutboxEntry)
                        .where(OutboxEntry.id.in_([entry.id for entry, _ in rows]))
                        .values(claimed_by=self.worker, lease_until=lease)
                    )
                    for entry, _community in rows:
                        entry.claimed_by, entry.lease_until = self.worker, lease
            for entry, community in rows:
                last_id = entry.id
                if entry.id in self._queued:
                    continue  # handed over by its transaction: delivered from there
                ref = CommunityRef(community.platform, community.external_id, community.name)
                delivered += await self._deliver_chunk([(entry, ref)], handed=False)
                if self._stale:
                    # A failure's report may have dropped entries of this batch (a debate's thread, the DMs
                    # about it): read what is still pending again.
                    self._stale, self._again = False, True
                    return delivered
            if len(rows) < BATCH:
                return delivered

    async def _deliver_chunk(self, chunk: list[tuple[OutboxEntry, CommunityRef]], *, handed: bool) -> int:
        """Try each entry of ``chunk`` in order; those sent are marked sent together, in one statement.
        ``handed``: the chunk was handed over (``hand``); an entry a later transaction changed meanwhile
        (``changed``) is skipped, the next round reads it again."""
        sent: list[tuple[OutboxEntry, dict[str, Any] | None]] = []
        delivered = 0
        for pending, ref in chunk:
            if handed and pending.id not in self._queued:
                continue
            chat = self.chat_for(ref.platform)
            if chat is None:
                self._queued.discard(pending.id)
                continue  # that platform is not connected in this process: leave it for the one that is
            if not await self._held(pending):
                # Another process took it over (its lease ran out before its turn came: a long batch).
                self._queued.discard(pending.id)
                continue
            attempt = await self._attempt(chat, pending, ref)
            self._queued.discard(pending.id)
            if attempt.status == OutboxStatus.SENT:
                self._keep_result(pending.id, attempt.result)
                sent.append((pending, attempt.result))
                delivered += 1
                if len(sent) >= MARK_EVERY:
                    # A crash repeats what was sent and not yet marked: a transaction's many DMs (a nudge to
                    # everyone) are marked a few at a time, so that is never more than MARK_EVERY messages.
                    await self._mark_sent(sent)
                    sent = []
                continue
            await self._mark_sent(sent)
            sent = []
            await self._record(pending, ref, attempt)
            if handed and self._stale:
                # The failure's report may have dropped entries that wait (``changed`` took them out of this
                # chunk); the next round reads what is still pending.
                self._stale, self._again = False, True
        await self._mark_sent(sent)
        return delivered

    async def _attempt(self, chat: Chat, pending: OutboxEntry, ref: CommunityRef) -> _Attempt:
        """Carry ``pending`` out on ``chat``: how it went."""
        attempt = _Attempt()
        token = delivering_for.set(ref)
        keeper = _LeaseKeeper(self, pending) if self.claims else None
        try:
            operation = await self._resolve(load(pending.op, pending.payload))
            attempt.result = await operation.perform(chat, ref)
        except TransientChatError as exc:
            attempt.status, attempt.error, attempt.retry_after = (
                OutboxStatus.PENDING,
                str(exc),
                exc.retry_after,
            )
        except PermanentChatError as exc:
            attempt.status, attempt.error = OutboxStatus.FAILED, f"{type(exc).__name__}: {exc}"
            attempt.failure = exc
        except Exception as exc:  # an adapter bug must not block the rest of the outbox
            attempt.status, attempt.error = OutboxStatus.PENDING, f"{type(exc).__name__}: {exc}"
            log.exception("outbox delivery crashed", extra={"entry": pending.id, "op": pending.op})
        finally:
            delivering_for.reset(token)
            if keeper is not None:
                await keeper.stop()
        return attempt

    def _keep_result(self, entry_id: int, result: dict[str, Any] | None) -> None:
        if result:
            self._results[entry_id] = result
            if len(self._results) > RESULTS_KEPT:
                self._results.popitem(last=False)

    async def _mark_sent(self, sent: list[tuple[OutboxEntry, dict[str, Any] | None]]) -> None:
        """Mark ``sent`` sent, in one statement (still pending ones only: one superseded meanwhile stays so; and
        only in the revision delivered: an update a newer state was written into meanwhile waits for its next
        delivery)."""
        if not sent:
            return
        table = cast("Table", OutboxEntry.__table__)
        now = self.clock.now()
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                table.c.status == OutboxStatus.PENDING,
                table.c.revision == bindparam("b_revision"),
            )
            .values(
                status=OutboxStatus.SENT,
                attempts=table.c.attempts + 1,
                last_error=None,
                done_at=now,
                result=bindparam("b_result"),
            )
        )
        async with self.turn(), self.database.transaction() as session:
            await session.execute(
                statement,
                [{"b_id": e.id, "b_revision": e.revision or 0, "b_result": result} for e, result in sent],
            )
        for entry, _result in sent:
            waiter = self._waiters.get(entry.id)
            if waiter is not None and not waiter.done():
                waiter.set_result(Delivery(OutboxStatus.SENT))

    async def _record(self, pending: OutboxEntry, ref: CommunityRef, attempt: _Attempt) -> None:
        """Record an attempt that did not succeed: to be retried, or failed for good (then reported)."""
        entry_id, op = pending.id, pending.op
        status, error, retry_after, failure = (
            attempt.status,
            attempt.error,
            attempt.retry_after,
            attempt.failure,
        )
        result = attempt.result
        async with self.database.transaction() as session:
            entry = await session.get(OutboxEntry, entry_id)
            if entry is None or entry.status != OutboxStatus.PENDING:
                return
            entry.attempts += 1
            entry.last_error = error
            now = self.clock.now()
            if status == OutboxStatus.PENDING:
                if entry.attempts >= MAX_ATTEMPTS:
                    status = entry.status = OutboxStatus.ABANDONED
                    entry.done_at = now
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
                if failure is not None and failure.problems:
                    entry.problem = ",".join(p.value for p in failure.problems)[:128]
                if status == OutboxStatus.FAILED:
                    log.warning(
                        "outbox delivery failed for good", extra={"entry": entry_id, "op": op, "error": error}
                    )
        told: Sequence[Message] = ()
        if status in (OutboxStatus.FAILED, OutboxStatus.ABANDONED) and not isinstance(
            failure, DependencyFailed
        ):
            problems = tuple(p.value for p in failure.problems) if failure is not None else ()
            told = await self._report(pending, ref, status, problems)
        waiter = self._waiters.get(entry_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(Delivery(status, told))

    async def _report(
        self,
        entry: OutboxEntry,
        community: CommunityRef,
        status: OutboxStatus,
        problems: tuple[str, ...],
    ) -> Sequence[Message]:
        """Tell the feature (and through it the animators) that ``entry`` failed for good; what the person
        waiting for it is to be told, if someone is."""
        if self.report is None:
            return ()
        self._stale = True
        payload = entry.payload
        # Where it was going: a post's channel, a group's parent, the channel a refused DM falls back to.
        channel = payload.get("channel") or payload.get("parent") or payload.get("fallback_channel")
        event = PostFailed(
            community=community,
            delivery_id=f"outbox:{entry.id}:failed",
            entry=entry.id,
            op=entry.op,
            channel=str(channel) if channel else None,
            origin=entry.origin,
            ref=entry.origin_ref or "",
            actor_id=entry.actor_id,
            problems=problems,
            abandoned=status == OutboxStatus.ABANDONED,
            actor_waiting=entry.id in self._waiters,
        )
        try:
            return await self.report(event)
        except Exception:  # reporting must never stop the outbox: the entry is recorded as failed already
            log.exception("reporting a failed outbox entry crashed", extra={"entry": entry.id})
            return ()

    async def report_missed(self) -> None:
        """At start: report the entries that failed for good lately but whose report a stop or a crash cut
        short (their ``PostFailed`` delivery id was never processed). Reporting twice has no second effect."""
        async with self.database.transaction() as session:
            rows = (
                await session.execute(
                    select(OutboxEntry, Community)
                    .join(Community, Community.id == OutboxEntry.community_id)
                    .where(
                        OutboxEntry.status.in_([OutboxStatus.FAILED, OutboxStatus.ABANDONED]),
                        OutboxEntry.done_at >= self.clock.now() - REPORT_WITHIN,
                    )
                    .order_by(OutboxEntry.id)
                )
            ).all()
            ids = [f"outbox:{entry.id}:failed" for entry, _community in rows]
            reported = (
                set(
                    (
                        await session.scalars(
                            select(ProcessedDelivery.delivery_id).where(
                                ProcessedDelivery.delivery_id.in_(ids)
                            )
                        )
                    ).all()
                )
                if ids
                else set()
            )
        for entry, community in rows:
            if f"outbox:{entry.id}:failed" in reported or (entry.last_error or "").startswith(
                DependencyFailed.__name__
            ):
                continue
            ref = CommunityRef(community.platform, community.external_id, community.name)
            problems = tuple(p for p in (entry.problem or "").split(",") if p)
            await self._report(entry, ref, entry.status, problems)

    async def wait_for(self, entry_id: int, seconds: float) -> Delivery:
        """How the first try of ``entry_id`` went, waiting at most ``seconds`` (``PENDING`` when it is
        still on its way: not tried yet, or to be retried later)."""
        # Registered before the first await: a delivery finishing meanwhile finds the waiter.
        waiter = self._waiters.setdefault(entry_id, asyncio.get_running_loop().create_future())
        try:
            if entry_id not in self._queued:  # handed over and not tried yet: nothing to read
                async with self.database.transaction() as session:
                    entry = await session.get(OutboxEntry, entry_id)
                    if entry is None:
                        return Delivery(OutboxStatus.FAILED)
                    if entry.status != OutboxStatus.PENDING and not waiter.done():
                        return Delivery(entry.status)
            return await asyncio.wait_for(asyncio.shield(waiter), seconds)
        except TimeoutError:
            return Delivery(OutboxStatus.PENDING)
        finally:
            if self._waiters.get(entry_id) is waiter:
                del self._waiters[entry_id]

    async def _resolve(self, operation: Operation) -> Operation:
        """Fill in what an earlier entry's delivery returned (the post to update, the thread to post in)."""
        entry_id = operation.needs()
        if entry_id is None:
            return operation
        if entry_id in self._results:  # delivered by this process: where it went is known
            return operation.resolve(self._results[entry_id])
        async with self.database.transaction() as session:
            earlier = await session.get(OutboxEntry, entry_id)
            if earlier is None or earlier.status in (OutboxStatus.FAILED, OutboxStatus.ABANDONED):
                raise DependencyFailed(f"the post this depends on (entry {entry_id}) was never delivered")
            if earlier.status == OutboxStatus.PENDING or not earlier.result:
                raise TransientChatError(f"waiting for entry {entry_id} to be delivered")
            return operation.resolve(earlier.result)

    async def _deliver_later(self) -> None:
        await self.deliver_due()

    async def _schedule_next(self) -> None:
        async with self.database.transaction() as session:
            earliest = await session.scalar(
                select(func.min(OutboxEntry.next_attempt_at)).where(
                    OutboxEntry.status == OutboxStatus.PENDING
                )
            )
        if earliest is not None:
            self.scheduler.at("outbox", max(earliest, self.clock.now()), self._deliver_later)

    async def failing_count(self) -> int:
        """Entries still waiting after ``FAILING_ATTEMPTS`` failed tries or more."""
        async with self.database.transaction() as session:
            return int(
                await session.scalar(
                    select(func.count(OutboxEntry.id)).where(
                        OutboxEntry.status == OutboxStatus.PENDING, OutboxEntry.attempts >= FAILING_ATTEMPTS
                    )
                )
                or 0
            )

    async def pending_count(self) -> int:
        async with self.database.transaction() as session:
            return int(
                await session.scalar(
                    select(func.count(OutboxEntry.id)).where(OutboxEntry.status == OutboxStatus.PENDING)
                )
                or 0
            )


@dataclass
class _Attempt:
    """How one try of an entry went."""

    status: OutboxStatus = OutboxStatus.SENT
    error: str | None = None
    result: dict[str, Any] | None = None
    retry_after: float | None = None
    failure: PermanentChatError | None = None


class _LeaseKeeper:
    """Renews the lease of the entry in flight every third of a lease until ``stop``: a delivery slower than the
    lease is not taken over by another process while this one lives. Nothing runs (no task, no statement) for a
    delivery that ends within a third of a lease, which is nearly all of them."""

    def __init__(self, courier: Courier, entry: OutboxEntry) -> None:
        self.courier = courier
        self.entry = entry
        self.every = courier.lease.total_seconds() / 3
        self.renewing: asyncio.Task[None] | None = None
        self.stopped = False
        self.timer = asyncio.get_running_loop().call_later(self.every, self._due)

    def _due(self) -> None:
        self.renewing = asyncio.ensure_future(self._renew())

    async def _renew(self) -> None:
        try:
            held = await self.courier._renew(self.entry)
        except Exception:  # the database refused for a moment: the next tick tries again (the lease runs)
            log.exception("renewing an outbox lease failed", extra={"entry": self.entry.id})
            held = True
        if not held:
            log.warning("outbox entry taken over while in flight", extra={"entry": self.entry.id})
        elif not self.stopped:
            self.timer = asyncio.get_running_loop().call_later(self.every, self._due)

    async def stop(self) -> None:
        """The delivery ended: no more renewals (one under way finishes; it was harmless)."""
        self.stopped = True
        self.timer.cancel()
        if self.renewing is not None and not self.renewing.done():
            # Not cancelled mid-statement: a connection left half-way through a statement is no use to the pool.
            await asyncio.shield(self.renewing)


def _note_touched(session: Session, flush_context: Any, instances: Any) -> None:
    """Note in ``session.info`` the existing outbox entries this flush changes (see ``Courier.changed``)."""
    for instance in session.dirty:
        if isinstance(instance, OutboxEntry) and instance.id is not None:
            session.info.setdefault(TOUCHED, set()).add(instance.id)


async def perform(
    chat: Chat, community: CommunityRef, op: str, payload: dict[str, Any]
) -> dict[str, Any] | None:
    """Carry out one stored outbox operation on ``chat``. Returns what to remember of it (the message posted)."""
    return await load(op, payload).perform(chat, community)
