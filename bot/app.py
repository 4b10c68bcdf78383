"""The core's engine: takes an event, runs its handlers in one transaction, then delivers what must not be lost.

    adapter -> Agora.dispatch(event) -> [dedupe by delivery id] -> handler(ctx) -> commit -> outbox, timers

Adapters call ``dispatch`` after acknowledging the platform, and render the returned ``Outcome`` to the person
who acted. Where the acknowledgement comes before the work is done, they ``accept`` the event first (the
transactional inbox, ``bot.inbox``) and ``process`` it after: the handler's transaction deletes the inbox entry,
and what a crash left there is handled when the platform attaches again. The scheduler calls back into
``dispatch`` with ``TimerFired`` events, so timers get the same transaction, idempotency and logging as everything
else.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, cast

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import inspect as sqlalchemy_inspect
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.backlog import Backlog
from bot.chat import Chat
from bot.clock import Clock
from bot.commandline import unknown_command
from bot.config import Config
from bot.context import FIRST_SEEN, Context, Outcome
from bot.deliveries import tell_failure
from bot.errors import FormErrors, UserError
from bot.events import (
    BotStarted,
    CommandInvoked,
    CommunityRef,
    Event,
    FormSubmitted,
    MemberJoined,
    MemberLeft,
    MemberRef,
    PostFailed,
    SettingsChanged,
    TimerFired,
)
from bot.feature import Feature, feature_classes
from bot.i18n import Translator, member_locale, translator
from bot.inbox import Inbox
from bot.membership import Reconciled, reconcile_members
from bot.messages import Message, unmarked
from bot.ordering import WHOLE, Turn, Turns, turn_of
from bot.outbox import TOUCHED, Courier
from bot.router import Route, Router, convert_form, convert_options
from bot.scheduler import Scheduler
from bot.settings import CommunitySettings, settings_model
from bot.settings.types import is_time_zone
from bot.timekeeping import TIMER_HORIZON, Timekeeping
from storage.database import Database
from storage.models import (
    Charter,
    Community,
    Member,
    OutboxStatus,
    ProcessedDelivery,
    Schedule,
    Timer,
)

__all__ = ["Agora", "default_features"]

log = logging.getLogger("agora.events")

# How long an answer that names a post waits for it to be out ("Debate #2 is open in #x"): the first try takes
# a fraction of a second; a post still on its way after that (rate limited) gets a "being posted" answer.
DELIVERY_WAIT = 2.5
# How many validated settings are kept (``settings_of``).
VALIDATED_KEPT = 1000
# On PostgreSQL (several processes may share the database), how long a community's row and settings are kept
# before being read again: a change another process made reaches this one within that time.
SHARED_FOR = 5.0
# How many times an event's transaction is run at most: once more when PostgreSQL refused it for a concurrent
# transaction's sake (``RETRIED``).
RUNS = 2
# PostgreSQL's codes for those refusals: a serialization failure, a deadlock, a unique row inserted meanwhile.
RETRIED = frozenset({"40001", "40P01", "23505"})
# When the pruning job runs (UTC): once a day, at a quiet hour.
PRUNE_AT = CronTrigger(hour=4, minute=17, timezone="UTC")


def default_features() -> list[Feature]:
    """Every feature Agora ships, one instance each (see :func:`bot.feature.feature_classes`)."""
    return [cls() for cls in feature_classes()]


class Agora(Timekeeping):
    """One running bot: its features, its database, its clock and scheduler, and the platforms attached."""

    def __init__(
        self,
        config: Config,
        database: Database,
        *,
        clock: Clock,
        scheduler: Scheduler,
        features: Iterable[Feature] | None = None,
    ) -> None:
        self.config = config
        self.database = database
        self.clock = clock
        self.scheduler = scheduler
        self.router = Router()
        for feature in default_features() if features is None else features:
            self.router.add(feature)
        self.settings_model = settings_model(tuple(type(f) for f in self.router.features))
        self.chats: dict[str, Chat] = {}
        self.courier = Courier(database, clock, scheduler, self.chats.get, self._report_failure)
        self.inbox = Inbox(database, clock)
        self.courier.turn = self.inbox.after_acknowledgements
        # Which events of a community wait for which (``bot.ordering``); on SQLite, one transaction at a time.
        self.turns = Turns()
        self._writer = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        # Communities whose recurring rules follow their settings, by (platform, external id).
        self._reconciled: set[tuple[str, str]] = set()
        # Timers due up to this moment are armed as scheduler jobs; later ones wait for their batch (None: not
        # started, every timer is armed as it is set).
        self._armed_until: datetime | None = None
        # Recurring rules whose next fire time is beyond it: (that time, what arms the rule), by schedule id.
        self._later: dict[int, tuple[datetime, Callable[[], None]]] = {}
        # What each recurring rule was armed with (cron, time zone, paused): another process may change it.
        self._armed_rules: dict[int, tuple[str, str, bool]] = {}
        # Each community's row and its validated settings, as last committed by this process: an event reads
        # neither from the database (``ensure_community``), and settings are validated again only when they
        # change (``remember_community``, after a commit; ``forget_community`` on ``SettingsChanged``).
        self._communities: dict[tuple[str, str], tuple[Community, CommunitySettings]] = {}
        # When each was kept (``time.monotonic``): on PostgreSQL, read again after ``SHARED_FOR``.
        self._kept_at: dict[tuple[str, str], float] = {}
        # Settings validated, by what they are made of (the community's name where it counts, its overrides):
        # communities that changed nothing share theirs.
        self._validated: dict[tuple[str, str], CommunitySettings] = {}
        self.backlog = Backlog()
        # How a platform completes an event it recorded before looking its actor up (Slack acknowledges a press
        # once it is in the inbox and asks users.info only then): applied as each event is handled, so one
        # retried from the inbox (busy, or after a restart) is completed too.
        self.completers: dict[str, Callable[[Event], Awaitable[Event]]] = {}
        # Platforms with events left in the inbox because the backlog was full, and those being retried.
        self._waiting: set[str] = set()
        self._retrying: set[str] = set()
        self.started = False

    # --- life cycle --------------------------------------------------------------------------------------

    def attach(self, chat: Chat) -> None:
        """Connect a platform: outbox entries of its communities are delivered through ``chat``."""
        self.chats[chat.platform] = chat
        if self.started:
            self.kick_outbox()
            self._spawn(self.inbox.drain(chat.platform, self.process))

    async def start(self) -> None:
        """Rebuild the scheduler's jobs from the tables, catch up what came due while stopped, deliver leftovers."""
        await self.scheduler.start()
        async with self.database.transaction() as session:
            schedules = (await session.scalars(select(Schedule))).all()
        await self._arm_timers_until(self.clock.now() + TIMER_HORIZON)
        for schedule in schedules:
            self._arm_schedule(schedule)
        self.scheduler.recurring("prune", PRUNE_AT, self._prune, self.clock.now())
        self.started = True
        self.kick_outbox()
        self._spawn(self.courier.report_missed())
        for platform in self.chats:
            self._spawn(self.inbox.drain(platform, self.process))
        await self.scheduler_run_due()
        await self._announce_start(schedules)

    async def _announce_start(self, schedules: Sequence[Schedule]) -> None:
        """Tell the features of each community with something to catch up that the bot started (``BotStarted``),
        if any feature listens: those whose recurring rules no longer follow their settings (the configuration
        file changed while stopped). The others' rules are in line already: no dispatch, nothing read again."""
        if self.router.route(BotStarted(community=CommunityRef("", ""))) is None:
            return
        async with self.database.transaction() as session:
            communities = (await session.scalars(select(Community).order_by(Community.id))).all()
        rows: dict[int, dict[str, Schedule]] = {}
        for schedule in schedules:
            rows.setdefault(schedule.community_id, {})[schedule.kind] = schedule
        for community in communities:
            settings = self.settings_of(community)
            if not self._schedule_changes(settings, rows.get(community.id, {})):
                self._reconciled.add((community.platform, community.external_id))
                continue
            ref = CommunityRef(community.platform, community.external_id, community.name)
            await self.dispatch(BotStarted(community=ref))

    async def scheduler_run_due(self) -> None:
        run_due = getattr(self.scheduler, "run_due", None)
        if run_due is not None:
            await run_due()

    async def stop(self) -> None:
        self.started = False
        await self.settle()
        await self.scheduler.stop()

    def kick_outbox(self) -> None:
        """Deliver the outbox in the background (after a commit, or when a platform connects)."""
        self._spawn(self.courier.deliver_due())

    def _spawn(self, coro: Any) -> None:
        self.spawn(coro)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run ``coro`` in the background (a round's plan): ``settle`` and a clean stop wait for it."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def settle(self) -> None:
        """Wait until background work (outbox deliveries) is done: for tests, the demo and a clean stop."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- communities, members, permissions ---------------------------------------------------------------

    def is_animator(self, member: MemberRef, settings: CommunitySettings) -> bool:
        """An animator: platform admin, listed by member id, or holding the animator role / user group. Never
        by display name: any member can rename themselves after an animator."""
        if member.is_admin or member.id in settings.animators:
            return True
        return settings.animator_role is not None and settings.animator_role in member.roles

    def base_settings(self) -> CommunitySettings:
        return self.config.community.settings()

    def settings_of(self, community: Community) -> CommunitySettings:
        """The effective settings of ``community``: validated once per change of its row (cached)."""
        cached = self._communities.get((community.platform, community.external_id))
        if (
            cached is not None
            and cached[0].name == community.name
            and cached[0].settings == community.settings
        ):
            return cached[1]
        base = self.base_settings()
        name = "" if base.name else community.name
        key = (name, json.dumps(community.settings or {}, sort_keys=True, default=str))
        found = self._validated.get(key)
        if found is None:
            if name:
                base = base.model_copy(update={"name": name})
            found = base.overridden(self.settings_model, community.settings or {})
            if len(self._validated) >= VALIDATED_KEPT:
                self._validated.pop(next(iter(self._validated)))
            self._validated[key] = found
        return found

    def remember_community(self, community: Community) -> None:
        """Keep ``community`` (as a transaction that just committed left it) for the next events: its row and
        its settings, validated again only if its name or settings changed."""
        if sqlalchemy_inspect(community).unloaded:
            self.forget_community(community)  # not all read (a column the insert left to the database)
            return
        settings = self.settings_of(community)
        # Its own copy of the settings: a handler's in-place change to the row it was given can't alter it.
        set_committed_value(community, "settings", copy.deepcopy(community.settings))
        self._communities[(community.platform, community.external_id)] = (community, settings)
        self._kept_at[(community.platform, community.external_id)] = time.monotonic()

    def _kept(self, key: tuple[str, str]) -> tuple[Community, CommunitySettings] | None:
        """What is kept of a community. On PostgreSQL another process may have changed it (``/agora setup``
        there): kept ``SHARED_FOR`` seconds at most, then read again."""
        cached = self._communities.get(key)
        if (
            cached is not None
            and not self.database.is_sqlite
            and time.monotonic() - self._kept_at.get(key, 0.0) > SHARED_FOR
        ):
            self._communities.pop(key, None)
            return None
        return cached

    def forget_community(self, ref: CommunityRef | Community) -> None:
        """Drop what is kept of a community (its settings changed): the next event reads it again."""
        key = (ref.platform, ref.id) if isinstance(ref, CommunityRef) else (ref.platform, ref.external_id)
        self._communities.pop(key, None)

    async def community_settings(self, ref: CommunityRef) -> CommunitySettings:
        """The effective settings of a community (for adapters: channels, roles, locale)."""
        cached = self._kept((ref.platform, ref.id))
        if cached is not None and (not ref.name or cached[0].name == ref.name):
            return cached[1]
        async with self.database.transaction() as session:
            community = await session.scalar(
                select(Community).where(Community.platform == ref.platform, Community.external_id == ref.id)
            )
            if community is not None and (not ref.name or community.name == ref.name):
                return self.settings_of(community)
        # Creating (or renaming) it takes the whole community's turn, so it can't race an event doing the same
        # (the loser's unique-constraint error would pass for a duplicate delivery). Reads never wait for it: an
        # adapter answering within a platform's deadline must not queue behind a slow handler.
        async with self.alone(ref):
            async with self.database.transaction() as session:
                community = await self.ensure_community(session, ref)
            self.remember_community(community)
            return self.settings_of(community)

    async def translator_for(self, community: CommunityRef, member: MemberRef | None) -> Translator:
        """What an adapter says to ``member`` alone outside a handler (a command it can't parse, an apology): in
        their language, as ``Context.translator_for`` has it; the community's when no member is known."""
        settings = await self.community_settings(community)
        chosen, seen = None, member.locale if member is not None else None
        if member is not None:
            async with self.database.sessions() as session:
                stored = (
                    await session.execute(
                        select(Member.locale_chosen, Member.locale_seen)
                        .join(Community, Community.id == Member.community_id)
                        .where(
                            Community.platform == community.platform,
                            Community.external_id == community.id,
                            Member.external_id == member.id,
                        )
                    )
                ).first()
            if stored is not None:
                chosen, seen = stored[0], seen or stored[1]
        return translator(member_locale(chosen, seen, settings.locale))

    def alone(self, ref: CommunityRef) -> AbstractAsyncContextManager[None]:
        """The whole community's turn (``bot.ordering``): after every event of it that came before, before every
        one after, none running meanwhile."""
        return self.turns.hold((ref.platform, ref.id), WHOLE)

    def turn_of(self, event: Event) -> Turn:
        """What ``event`` waits for (``bot.ordering.turn_of``); the whole community for the first event this
        process handles for it, which may create its row and brings its recurring rules in line."""
        if (event.community.platform, event.community.id) not in self._reconciled:
            return WHOLE
        return turn_of(event)

    async def reconcile_members(self, ref: CommunityRef) -> Reconciled:
        """Learn the community's members from the platform's list: those already there before Agora are
        recorded (not welcomed), joins and departures missed while stopped are handled now, once
        (``bot.membership``). Adapters call it when they connect and when the bot is added to a community."""
        return await reconcile_members(self, ref)

    async def ensure_community(self, session: AsyncSession, ref: CommunityRef) -> Community:
        """The community of ``ref`` in ``session``, created on first sight (with its first charter). The row
        this process last committed is taken as it is, without reading it (``remember_community``)."""
        cached = self._kept((ref.platform, ref.id))
        community: Community | None
        if cached is not None:
            community = await session.merge(cached[0], load=False)
        else:
            community = await session.scalar(
                select(Community).where(Community.platform == ref.platform, Community.external_id == ref.id)
            )
        if community is not None:
            if ref.name and community.name != ref.name:
                community.name = ref.name
            return community
        now = self.clock.now()
        community = Community(
            platform=ref.platform,
            external_id=ref.id,
            name=ref.name,
            settings={},
            created_at=now,
            members_imported_at=None,
        )
        session.add(community)
        await session.flush()
        charter = self.config.community.charter
        session.add(
            Charter(
                community_id=community.id,
                version=1,
                objective=charter.objective,
                animators=[a.model_dump() for a in charter.animators],
                rights=list(charter.rights),
                duties=list(charter.duties),
                change_note="",
                created_by="config",
                created_at=now,
            )
        )
        await session.flush()
        return community

    async def ensure_member(
        self, session: AsyncSession, community: Community, ref: MemberRef, now: datetime
    ) -> Member:
        """The stored member for ``ref``, created on first sight; a new display name is kept."""
        member = await session.scalar(
            select(Member).where(Member.community_id == community.id, Member.external_id == ref.id)
        )
        if member is None:
            member = Member(
                community_id=community.id, external_id=ref.id, display_name=ref.display_name, joined_at=now
            )
            session.add(member)
            await session.flush()
            session.info.setdefault(FIRST_SEEN, set()).add(member.id)
        elif ref.display_name and member.display_name != ref.display_name:
            member.display_name = ref.display_name
        # What the platform says of their language and zone, written only when it changed (most events carry
        # the same as the last one).
        if ref.locale and member.locale_seen != ref.locale[:16]:
            member.locale_seen = ref.locale[:16]
        if ref.timezone and member.timezone_seen != ref.timezone and is_time_zone(ref.timezone):
            member.timezone_seen = ref.timezone
        return member

    # --- dispatch ------------------------------------------------------------------------------------------

    async def accept(self, event: Event) -> bool:
        """Record ``event`` in the inbox before its platform is acknowledged (one insert). False when it is there
        already (a re-delivery of an event not handled yet). Raises when the database refuses it: then don't
        acknowledge, so that the platform delivers it again.

        An event that only opens a form (``opens_form``) is not recorded: lost, it would only leave a form
        unopened, and its trigger (three seconds) must not wait for a write."""
        route = self.router.route(event)
        if route is not None and route.reads_only:
            return True
        return await self.inbox.accept(event)

    async def process(self, event: Event) -> Outcome:
        """Handle an event ``accept`` recorded: ``dispatch``, deleting its inbox entry in the same transaction.

        An entry whose handling crashed stays in the inbox (the database refused the write, or a bug a new
        version may fix) and is tried again at the next start, until it is pruned. When the process has too many
        events on its hands (``bot.backlog``), the event stays in the inbox for a retry and the person is told
        to wait a moment."""
        if self.backlog.full:
            return await self._busy(event)
        return await self.dispatch(event, inboxed=True)

    async def _busy(self, event: Event) -> Outcome:
        """Leave ``event`` in the inbox for the retry (started if none is running) and say so."""
        self.backlog.refused += 1
        platform = event.community.platform
        log.warning(
            "busy: the event waits in the inbox",
            extra={"agora": {"event": event.event_type, "platform": platform, "backlog": self.backlog.size}},
        )
        self._waiting.add(platform)
        if platform not in self._retrying:
            self._retrying.add(platform)
            self._spawn(self._retry(platform))
        _ = translator((await self.community_settings(event.community)).locale)
        text = _("I am busy right now and will do it in a moment: no need to do it again.")
        return Outcome(replies=[_ephemeral(text)], handled=False, error="busy")

    async def _retry(self, platform: str) -> None:
        """Handle what waits in ``platform``'s inbox once there is room, until nothing more was left there."""
        try:
            while platform in self._waiting:
                self._waiting.discard(platform)
                await self.backlog.room()
                await self.inbox.drain(platform, self._process_when_room)
        finally:
            self._retrying.discard(platform)

    async def _process_when_room(self, event: Event) -> Outcome:
        await self.backlog.room()
        return await self.dispatch(event, inboxed=True)

    async def dispatch(self, event: Event, *, inboxed: bool = False) -> Outcome:
        """Handle one event: once per delivery id, in one transaction, with a log line. ``inboxed``: the event
        is in the inbox (see ``process``)."""
        with self.backlog.taken():
            completer = self.completers.get(event.community.platform)
            if completer is not None:
                event = await completer(event)
            return await self._dispatch(event, inboxed)

    async def _dispatch(self, event: Event, inboxed: bool) -> Outcome:
        started = time.perf_counter()
        route = self.router.route(event)
        if route is not None and route.reads_only:
            read = await self._read_only(event, route)
            if read is not None:
                self._log(event, read[0], read[1], started)
                return read[0]
        turn = self.turn_of(event)
        async with self.turns.hold((event.community.platform, event.community.id), turn):
            outcome, ctx, community_id = await self._transact(event, route, inboxed, turn)
        # Delivery and the answers that wait for it are outside the turn: the community's next events don't
        # wait for the platform.
        if ctx is not None:
            self._after_commit(ctx)
            if outcome.awaiting:
                await self._await_posts(ctx, outcome)
            for then in outcome.then:
                outcome.replies.extend(await then())
            outcome.then = []
        self._log(event, outcome, community_id, started)
        return outcome

    async def _transact(
        self, event: Event, route: Route | None, inboxed: bool, turn: Turn
    ) -> tuple[Outcome, Context[Any] | None, int | None]:
        """Run the event's transaction; once more, from the start, when PostgreSQL refused it for a concurrent
        one's sake (a serialization failure, a deadlock, a row another transaction inserted first): the second
        run reads what the other committed. On SQLite, one transaction at a time (``_writer``)."""
        for attempt in range(1, RUNS + 1):
            try:
                async with self._writer if self.database.is_sqlite else contextlib.nullcontext():
                    # Acknowledgements first, they are on the platform's clock: events waiting to be recorded go
                    # before this one's transaction (on SQLite, one writer at a time, it would hold them up), and
                    # the inbox's writer waits only for the transactions already running (``Inbox.handling``).
                    await self.inbox.quiet()
                    with self.inbox.handling():
                        return await self._run(
                            event, route, event.delivery_id if inboxed else None, turn, last=attempt == RUNS
                        )
            except DBAPIError as exc:
                if attempt == RUNS or not self._conflict(exc):
                    raise
                log.warning(
                    "a concurrent transaction won: the event runs again",
                    extra={"agora": {"event": event.event_type, "sqlstate": _sqlstate(exc)}},
                )
                # What this process kept of the community may be what the other transaction changed.
                self.forget_community(event.community)
        raise AssertionError("unreachable")

    def _conflict(self, exc: DBAPIError) -> bool:
        """PostgreSQL refused a transaction because of a concurrent one (running it again may succeed)."""
        return not self.database.is_sqlite and _sqlstate(exc) in RETRIED

    async def _await_posts(self, ctx: Context[Any], outcome: Outcome) -> None:
        """The answers that wait for a post (``ctx.reply_once_posted``): said once it is out, or replaced by why
        it failed, or by "being posted" when it is still on its way."""
        connected = self.chats.get(ctx.community.platform) is not None
        for entry_id, message, channel in outcome.awaiting:
            if not connected:
                outcome.replies.append(message)  # delivered by the process that has the platform
                continue
            delivery = await self.courier.wait_for(entry_id, DELIVERY_WAIT)
            if delivery.status == OutboxStatus.SENT:
                outcome.replies.append(message)
            elif delivery.status == OutboxStatus.PENDING:
                outcome.replies.append(
                    _ephemeral(
                        ctx._(
                            "I am posting it in <#{channel}>; it is taking longer than usual. "
                            "I will tell you if it fails.",
                            channel=channel,
                        )
                    )
                )
            elif delivery.told:
                outcome.replies.extend(delivery.told)
            else:
                outcome.replies.append(
                    _ephemeral(ctx._("⚠️ I could not post in <#{channel}>.", channel=channel))
                )
        outcome.awaiting = []

    async def _report_failure(self, event: PostFailed) -> Sequence[Message]:
        """The courier's report of an entry that failed for good: handled like any event (once, in one
        transaction); what the actor waiting for it is to be told comes back."""
        return (await self.dispatch(event)).replies

    async def _run(
        self, event: Event, route: Route | None, inboxed: str | None, turn: Turn, *, last: bool = True
    ) -> tuple[Outcome, Context[Any] | None, int | None]:
        chat = self.chats.get(event.community.platform)
        try:
            async with self.database.transaction() as session:
                if inboxed:
                    await Inbox.remove(session, inboxed)
                community = await self.ensure_community(session, event.community)
                if event.delivery_id and not await self._first_delivery(
                    session, community, event.delivery_id
                ):
                    return Outcome(duplicate=True, handled=False), None, community.id
                settings = self.settings_of(community)
                ctx = Context(self, event, session, community, settings, chat, translator(settings.locale))
                ctx.alone = turn.exclusive
                await self._track_membership(ctx)
                await ctx.speak_to_actor()
                if isinstance(event, FormSubmitted) and route is not None:
                    # Every field read as text once, here, for every form; its errors in the member's words.
                    ctx.event = event = convert_form(event, ctx._)
                if (community.platform, community.external_id) not in self._reconciled or isinstance(
                    event, BotStarted
                ):
                    # A community's recurring rules follow its settings from the first event this process
                    # handles for it (it may have been created by an adapter's settings lookup, or while a
                    # rule's default changed in the YAML).
                    await self.reconcile_schedules(ctx)
                    ctx.reconciled = True
                if route is None:
                    ctx.outcome.handled = False
                    if isinstance(event, CommandInvoked):
                        # A stale platform command, or the console: name what is unknown, list what exists.
                        raise unknown_command(self.router, event.name.split(), ctx._, ctx.command_text)
                else:
                    if isinstance(event, TimerFired):
                        await self._mark_fired(ctx, event)
                    await self._handle(ctx, route)
                if isinstance(event, PostFailed):
                    await tell_failure(cast("Context[PostFailed]", ctx))
        except FormErrors as exc:
            await self._discard(inboxed)
            # Shown next to the fields, as plain text: member text quoted there needs no marks.
            errors = {name: unmarked(text) for name, text in exc.errors.items()}
            return Outcome(form_errors=errors, error="form"), None, None
        except UserError as exc:
            # Nothing the handler did is kept (the transaction rolled back); the member is told why.
            await self._discard(inboxed)
            return Outcome(replies=[_ephemeral(exc.message)], error="refused"), None, None
        except IntegrityError as exc:
            # A concurrent transaction inserted a row this one meant to (a member seen for the first time, the
            # next number of a debate): run again, when that is still possible, to read it. Else (or on SQLite) a
            # concurrent twin of this delivery won the race for the processed-delivery row.
            if not last and self._conflict(exc):
                raise
            if event.delivery_id:
                return Outcome(duplicate=True, handled=False), None, None
            raise
        if ctx.settings_changed:
            self.forget_community(community)
        else:
            self.remember_community(community)
        return ctx.outcome, ctx, community.id

    @staticmethod
    async def _handle(ctx: Context[Any], route: Route) -> None:
        if route.animator_only:
            ctx.require_animator()
        if route.command is not None and isinstance(ctx.event, CommandInvoked):
            ctx.args = convert_options(route.command, ctx.event.args, ctx._)
        for handler in route.handlers:
            await handler(ctx)

    async def _read_only(self, event: Event, route: Route) -> tuple[Outcome, int] | None:
        """Run a route that only reads to answer with a form (``opens_form``): without a turn (``bot.ordering``)
        and without writing (no delivery row, no membership), so it never waits behind the community's other
        events or a transaction holding the database: the platform's trigger (three seconds) is still valid when
        the form comes back. The submission does the work. None when the community is not known yet (the path
        with a turn creates it)."""
        chat = self.chats.get(event.community.platform)
        async with self.database.sessions() as session:
            sqlalchemy_event.listen(session.sync_session, "before_flush", _refuse_writes)
            community = await session.scalar(
                select(Community).where(
                    Community.platform == event.community.platform,
                    Community.external_id == event.community.id,
                )
            )
            if community is None:
                return None
            community_id = community.id
            settings = self.settings_of(community)
            ctx = Context(self, event, session, community, settings, chat, translator(settings.locale))
            ctx.read_only = True
            try:
                await ctx.speak_to_actor()
                await self._handle(ctx, route)
            except FormErrors as exc:
                return Outcome(form_errors=exc.errors, error="form"), community_id
            except UserError as exc:
                return Outcome(replies=[_ephemeral(exc.message)], error="refused"), community_id
            finally:
                changed = bool(session.new or session.dirty or session.deleted)
                await session.rollback()
            if changed:
                raise RuntimeError(f"{event.event_type} opens a form and must not write (opens_form)")
        return ctx.outcome, community_id

    async def _discard(self, inboxed: str | None) -> None:
        """The inbox entry of an event whose answer was a refusal: handled, though its transaction rolled back."""
        if inboxed:
            await self.inbox.discard(inboxed)

    async def _first_delivery(self, session: AsyncSession, community: Community, delivery_id: str) -> bool:
        """Record ``delivery_id`` as processed; False when it was already (one statement: a concurrent twin
        waits for this transaction on the unique constraint, then finds it there)."""
        insert = sqlite_insert if self.database.is_sqlite else postgresql_insert
        statement = (
            insert(ProcessedDelivery)
            .values(community_id=community.id, delivery_id=delivery_id, processed_at=self.clock.now())
            .on_conflict_do_nothing(index_elements=[ProcessedDelivery.delivery_id])
            .returning(ProcessedDelivery.id)
        )
        return (await session.scalar(statement)) is not None

    async def _track_membership(self, ctx: Context[Any]) -> None:
        event = ctx.event
        if isinstance(event, MemberJoined):
            member = await ctx.member(event.member)
            if member.left_at is not None:
                # Back after leaving: a newcomer again, whether or not they were there before Agora.
                member.left_at, member.joined_at, member.existing_at = None, ctx.now, None
        elif isinstance(event, MemberLeft):
            member = await ctx.member(event.member)
            member.left_at = ctx.now
        elif ctx.actor is not None and not ctx.actor.is_bot:
            await ctx.member()

    async def _mark_fired(self, ctx: Context[Any], event: TimerFired) -> None:
        if event.delivery_id and event.delivery_id.startswith("schedule:"):
            schedule = await ctx.session.get(Schedule, int(event.ref))
            if schedule is not None and event.due is not None:
                schedule.last_fired_at = event.due
            return
        timer = await ctx.session.scalar(
            select(Timer).where(
                Timer.community_id == ctx.community.id, Timer.kind == event.kind, Timer.ref == event.ref
            )
        )
        if timer is not None:
            timer.fired_at = ctx.now

    async def run_handlers(self, ctx: Context[Any], event: Event) -> None:
        """Run the handlers of a domain event emitted by a feature, inside the emitting handler's transaction."""
        if isinstance(event, SettingsChanged):
            ctx.settings_changed = True
            await self.reconcile_schedules(ctx)
        route = self.router.route(event)
        if route is None:
            return
        child = Context(self, event, ctx.session, ctx.community, ctx.settings, ctx.chat, ctx.public)
        child.actor, child._ = ctx.actor, ctx._
        child.alone = ctx.alone
        child.outcome = ctx.outcome
        child.timer_changes = ctx.timer_changes
        child.schedule_changes = ctx.schedule_changes
        child.members = ctx.members
        child.entries = ctx.entries
        for handler in route.handlers:
            await handler(child)
        ctx.settings_changed = ctx.settings_changed or child.settings_changed

    def _after_commit(self, ctx: Context[Any]) -> None:
        if ctx.reconciled:
            self._reconciled.add((ctx.community.platform, ctx.community.external_id))
        for timer in ctx.timer_changes:
            self._arm_timer(timer)
        for schedule in ctx.schedule_changes:
            self._arm_schedule(schedule)
        # The entries it recorded go to the courier as they are (not read again); no round when there is none.
        # Entries it changed (superseded, dropped) are read again by a full round.
        touched: set[int] | None = ctx.session.info.get(TOUCHED)
        if touched:
            self.courier.changed(touched)
        if self.courier.hand(ctx.entries, ctx.community_ref) or touched:
            self._spawn(self.courier.deliver_due(handed_only=not touched))

    # --- logging -------------------------------------------------------------------------------------------

    def _log(self, event: Event, outcome: Outcome, community_id: int | None, started: float) -> None:
        fields: dict[str, Any] = {
            "event": event.event_type,
            "platform": event.community.platform,
            "community": community_id,
            "outcome": "duplicate"
            if outcome.duplicate
            else outcome.error or ("ok" if outcome.handled else "ignored"),
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "backlog": self.backlog.size,
        }
        for name in ("name", "action", "form", "kind"):
            value = getattr(event, name, None)
            if isinstance(value, str):
                fields[name] = value
        log.info("event handled", extra={"agora": fields})


def _sqlstate(exc: DBAPIError) -> str | None:
    """PostgreSQL's code for the error (asyncpg's ``sqlstate``, psycopg's ``pgcode``)."""
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _refuse_writes(session: Any, flush_context: Any, instances: Any) -> None:
    raise RuntimeError("a handler that opens a form (opens_form) must not write")


def _ephemeral(text: str) -> Message:
    return Message(text=text, ephemeral=True)
