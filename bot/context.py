"""What a handler receives: the event, the community and its settings, the actor and their permissions, the
platform, one database transaction, the clock and the translation functions.

Languages: what Agora says to one member alone (answers, forms, errors, direct messages) is in that member's
language; what everybody reads (channel posts, group conversations, calendar events) is in the community's.
``ctx._`` speaks to the actor, ``ctx.public`` to the channels, and ``ctx.dm`` builds each direct message with
its recipient's translator (a DM to another member, a DM sent by a scheduled job)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from bot.chat import Capability, Chat, ScheduledEvent
from bot.errors import UserError
from bot.events import CommandInvoked, CommunityRef, Event, MemberRef, PostFailed, actor_of
from bot.i18n import Reader, Translator, member_locale, reader, translator
from bot.messages import Form, Message, moment, unmarked
from bot.operations import (
    CreateEvent,
    DeleteEvent,
    DirectMessage,
    GrantRole,
    Invite,
    OpenGroup,
    Operation,
    Post,
    ReplacePost,
    RevokeRole,
)
from bot.outbox import TOUCHED
from bot.router import Option, command_text
from bot.settings import CommunitySettings
from bot.settings.types import DELAY, excerpt, row_id
from storage.models import Community, Member, OutboxEntry, OutboxStatus, Schedule, Timer

if TYPE_CHECKING:
    from bot.app import Agora

__all__ = ["FIRST_SEEN", "Context", "Outcome", "Render"]

# ``Session.info`` key: the ids of the members this transaction stored for the first time (see ``first_seen``).
FIRST_SEEN = "agora_first_seen"

# What builds a direct message from its recipient's reader (their language and time zone): ``lambda _: Message(_(
# "Welcome!"))``, or an async function.
Render = Callable[[Reader], "Message | Awaitable[Message]"]

E = TypeVar("E", bound=Event, covariant=True)
M = TypeVar("M")


@dataclass
class Outcome:
    """What the adapter must show the person who acted, once the handler's transaction committed."""

    replies: list[Message] = field(default_factory=list)
    form: Form | None = None
    # Replaces the message whose button was pressed (adapters do it natively: Discord edits the interaction's
    # message, Slack replaces the original), so a DM's "I accept" turns into "accepted" in place.
    update: Message | None = None
    form_errors: dict[str, str] | None = None
    duplicate: bool = False
    handled: bool = True
    error: str | None = None
    # Replies that must not get ahead of a post: (outbox entry, what to say once it is out, its channel). The core
    # waits briefly for the delivery after the commit and says what happened (see ``Agora.dispatch``).
    awaiting: list[tuple[int, Message, str]] = field(default_factory=list)
    # Replies that wait for work done outside the event's turn (a round being planned): called once the
    # handler's transaction committed and the turn is over, their messages are added to the replies.
    then: list[Callable[[], Awaitable[list[Message]]]] = field(default_factory=list)


class Context(Generic[E]):
    """One handler call. Everything it records is committed together, or not at all.

    ``Context[ButtonPressed]`` is a handler's context for a button press: ``ctx.event`` is that event, and
    ``ctx.args`` holds a command's options already converted from their declared kinds."""

    def __init__(
        self,
        app: Agora,
        event: E,
        session: AsyncSession,
        community: Community,
        settings: CommunitySettings,
        chat: Chat | None,
        translator: Translator,
    ) -> None:
        self.app = app
        self.event = event
        self.session = session
        self.community = community
        self.settings = settings
        self.chat = chat
        # What everybody reads: channel posts, their replacements, group conversations, calendar events.
        self.public = translator
        # What the actor alone reads: answers, forms, errors. The core sets it to the actor's language once it
        # knows them (``speak_to_actor``); the community's when no member acted (a scheduled job).
        self._: Translator = translator
        self._actor_locale: tuple[str | None, str | None, str] | None = None
        self.clock = app.clock
        self.actor: MemberRef | None = actor_of(event)
        self.outcome = Outcome()
        self.timer_changes: list[Timer] = []
        self.schedule_changes: list[Schedule] = []
        self.args: dict[str, Any] = {}
        # Set when the core brought this community's recurring rules in line with its settings in this event.
        self.reconciled = False
        # A handler that only reads to open a form (``opens_form``): nothing it does is kept.
        self.read_only = False
        # The event has the whole community's turn (``bot.ordering``): nothing else of it runs meanwhile. What
        # every event reads (its settings) changes only then.
        self.alone = True
        # Set when a handler emitted ``SettingsChanged``: what the process keeps of the community is dropped.
        self.settings_changed = False
        # The members this event looked up, by external id (shared with the contexts of emitted events): each
        # is read once per event.
        self.members: dict[str, Member] = {}
        # The outbox entries this event recorded: after the commit they are handed to the courier as they are.
        self.entries: list[OutboxEntry] = []

    # --- who and where -------------------------------------------------------------------------------------

    @property
    def community_ref(self) -> CommunityRef:
        return self.event.community

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def is_animator(self) -> bool:
        return self.actor is not None and self.app.is_animator(self.actor, self.settings)

    def can(self, capability: Capability) -> bool:
        return self.chat is not None and capability in self.chat.capabilities

    def require_animator(self) -> None:
        """Refuse politely unless the actor animates this community."""
        if not self.is_animator:
            raise UserError(
                self._(
                    "Only the animators of this community can do that. "
                    "If you think you should be one, ask an animator to add you."
                )
            )

    async def member(self, ref: MemberRef | None = None) -> Member:
        """The stored member for ``ref`` (the actor by default), created on first sight."""
        ref = ref or self.actor
        if ref is None:
            raise ValueError("no member in this event")
        if self.read_only:
            # Opening a form records nothing: a member seen for the first time is not stored (the submission
            # will store them), and reads about them find nothing.
            found = await self.find_member(ref.id)
            return found or Member(
                community_id=self.community.id,
                external_id=ref.id,
                display_name=ref.display_name,
                joined_at=self.now,
            )
        member = self.members.get(ref.id)
        if member is None:
            member = await self.app.ensure_member(self.session, self.community, ref, self.now)
            self.members[ref.id] = member
        elif ref.display_name and member.display_name != ref.display_name:
            member.display_name = ref.display_name
        return member

    def first_seen(self, member: Member) -> bool:
        """Whether ``member`` was first stored by this event: nothing else can be recorded about them yet (no
        other transaction sees them before this one commits), so there is nothing of theirs to look up."""
        return member.id in self.session.info.get(FIRST_SEEN, ())

    async def owned(self, model: type[M], ref: object, *, gone: str, by: str = "id") -> M:
        """The row of ``model`` that ``ref`` names (its ``id``, or the column ``by``, such as a per-community
        ``number``), in this community; else the polite refusal ``gone`` (an English message id)."""
        number = row_id(ref)
        if number is None:
            raise UserError(self._(gone))
        table: Any = model
        query = select(table).where(getattr(table, by) == number, table.community_id == self.community.id)
        if self._locks_rows:
            query = query.with_for_update(key_share=True)
        row = await self.session.scalar(query)
        if row is None:
            raise UserError(self._(gone))
        return cast(M, row)

    @property
    def _locks_rows(self) -> bool:
        """Whether the row a button or a timer names is locked as it is read (``owned``, ``row``): on PostgreSQL,
        where events about one thing through different refs (two options of a poll, the poll's closing timer)
        may run at once, the second waits there for the first to commit, then reads what it wrote. SQLite runs
        one transaction at a time; a form being opened writes nothing."""
        return not self.read_only and self.session.get_bind().dialect.name != "sqlite"

    async def row(self, model: type[M], ref: object) -> M | None:
        """The row of ``model`` whose id ``ref`` names, if it belongs to this community; else None (a button of
        another community, a number no column holds, a ref that is no number)."""
        number = row_id(ref)
        lock = {"key_share": True} if self._locks_rows else None
        row = await self.session.get(model, number, with_for_update=lock) if number is not None else None
        if row is None or getattr(row, "community_id", None) != self.community.id:
            return None
        return row

    async def failed_row(self, model: type[M], entry: str | None = None) -> M | None:
        """For an ``@undelivered`` handler: the row of ``model`` that the failed entry's ref names, in this
        community, and only if its column ``entry`` (the post it keeps, e.g. ``post_entry_id``) is that entry:
        an older post failing late must not roll back a row that moved on. None otherwise."""
        event = self.event
        row = await self.row(model, getattr(event, "ref", ""))
        if row is None or (entry is not None and getattr(row, entry) != getattr(event, "entry", None)):
            return None
        return row

    async def find_member(self, external_id: str) -> Member | None:
        """The stored member ``external_id`` of this community, if there is one (read once per event)."""
        if external_id in self.members:
            return self.members[external_id]
        found = await self.session.scalar(
            select(Member).where(Member.community_id == self.community.id, Member.external_id == external_id)
        )
        if found is not None and not self.read_only:
            self.members[external_id] = found
        return found

    # --- languages and time zones ------------------------------------------------------------------------

    async def translator_for(self, who: Member | MemberRef | str) -> Reader:
        """The translator for what ``who`` (a member, their ref, or their platform id) reads alone: their chosen
        language, else their platform's, else the community's; their dates in :meth:`timezone_for`. ``ctx.dm``
        asks it for you."""
        chosen, seen = await self._languages_of(who)
        return reader(member_locale(chosen, seen, self.settings.locale), await self.timezone_for(who))

    async def timezone_for(self, who: Member | MemberRef | str) -> str:
        """The time zone dates are written in for ``who`` alone: their platform's (Slack gives it), else the
        community's. (A feature may keep a zone the member chose, e.g. for meetings, and ask it first.)"""
        if isinstance(who, MemberRef) and who.timezone:
            return who.timezone
        member = await self._stored(who)
        return (member.timezone_seen if member is not None else None) or self.settings.timezone

    async def speak_to_actor(self) -> None:
        """Answer the actor in their language from now on (the core calls it once it knows who acted). A post
        failing is told to the member whose action it was."""
        who: MemberRef | str | None = self.actor
        if who is None and isinstance(self.event, PostFailed) and self.event.actor_id:
            who = self.event.actor_id
        if who is None or (isinstance(who, MemberRef) and who.is_bot):
            return
        chosen, seen = await self._languages_of(who)
        self._actor_locale = chosen, seen, await self.timezone_for(who)
        self._ = reader(member_locale(chosen, seen, self.settings.locale), self._actor_locale[2])

    async def _languages_of(self, who: Member | MemberRef | str) -> tuple[str | None, str | None]:
        """(chosen, seen) for ``who``: what the event says of their platform's locale goes before what is stored
        (a form opened read-only stores nothing)."""
        member = await self._stored(who)
        seen = who.locale if isinstance(who, MemberRef) and who.locale else None
        if member is None:
            return None, seen
        return member.locale_chosen, seen or member.locale_seen

    async def _stored(self, who: Member | MemberRef | str) -> Member | None:
        if isinstance(who, Member):
            return who
        return await self.find_member(who if isinstance(who, str) else who.id)

    # --- answering the person who acted ----------------------------------------------------------------

    def reply(self, message: Message | str) -> None:
        """Answer the actor (ephemeral unless the message says otherwise)."""
        if isinstance(message, str):
            message = Message(text=message, ephemeral=True)
        self.outcome.replies.append(message)

    async def reply_once_posted(self, entry: OutboxEntry | None, message: Message | str) -> None:
        """Answer the actor with ``message`` only once ``entry`` (a post) is out: "Debate #2 is open in #x" must not
        be said of a post the platform refuses. After the commit the core waits a moment for the delivery; if it
        failed for good the actor hears why instead, and if it is still on its way (a rate limit), that it is
        being posted and that they will be told if it fails."""
        if isinstance(message, str):
            message = Message(text=message, ephemeral=True)
        if entry is None:
            self.reply(message)
            return
        await self.session.flush()
        channel = entry.payload.get("channel") or entry.payload.get("parent") or ""
        self.outcome.awaiting.append((entry.id, message, str(channel)))

    def open_form(self, form: Form) -> None:
        self.outcome.form = form

    def replace_pressed(self, message: Message) -> None:
        """Replace the message carrying the button that was pressed (a DM's "I accept" becomes "accepted")."""
        self.outcome.update = message

    # --- actions that must not be lost: the outbox ------------------------------------------------------

    def enqueue(self, operation: Operation, *, origin: tuple[str, str] | None = None) -> OutboxEntry:
        """Record a platform action to carry out after the commit. The entry's ``id`` is set once flushed
        (``await ctx.session.flush()``); its ``result`` holds what the platform returned once delivered.
        ``origin`` is the feature's name for the row it is about and that row's id (``("debate", "12")``): if the
        action fails for good, the feature's ``@undelivered`` handler gets a ``PostFailed`` naming them."""
        entry = self._entry(operation, origin)
        self.session.add(entry)
        self.entries.append(entry)
        return entry

    def _entry(self, operation: Operation, origin: tuple[str, str] | None) -> OutboxEntry:
        """A new outbox entry for ``operation``, claimed by this process, not recorded yet."""
        # Only an animator is told by name about a post failing (they can fix it); a member's post failing is
        # the animators' to hear of.
        actor = self.actor if self.actor is not None and not self.actor.is_bot and self.is_animator else None
        entry = OutboxEntry(
            community_id=self.community.id,
            op=operation.op,
            payload=operation.to_payload(),
            next_attempt_at=self.now,
            created_at=self.now,
            origin=origin[0] if origin else None,
            origin_ref=origin[1] if origin else None,
            actor_id=actor.id if actor is not None else None,
        )
        self.app.courier.claim(entry)
        return entry

    def post(
        self,
        channel_id: str,
        message: Message,
        *,
        thread_title: str | None = None,
        in_thread_of: int | None = None,
        origin: tuple[str, str] | None = None,
    ) -> OutboxEntry:
        """Post in a channel. ``thread_title`` opens a reply thread under the post (where the platform has
        threads); ``in_thread_of`` posts in the thread opened under an earlier entry's post instead. ``origin``:
        see ``enqueue``."""
        # A thread's name is plain text on every platform: member text in it needs no marks.
        title = unmarked(thread_title) if thread_title and self.can(Capability.THREADS) else None
        return self.enqueue(
            Post(channel_id, message, thread_title=title, in_thread_of=in_thread_of), origin=origin
        )

    def post_to(
        self,
        purpose: str,
        message: Message,
        *,
        thread_title: str | None = None,
        origin: tuple[str, str] | None = None,
    ) -> OutboxEntry | None:
        """Post in the channel configured for ``purpose``; None when none is configured."""
        channel = self.settings.channel(purpose)
        if not channel:
            return None
        return self.post(channel, message, thread_title=thread_title, origin=origin)

    async def cancel_pending(self, origin: str, ref: str) -> None:
        """Drop what is still waiting in the outbox about ``origin``/``ref`` (its thread, the DMs that speak of
        it): once its post failed for good, they would speak of something nobody can see."""
        waiting = await self.session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.community_id == self.community.id,
                OutboxEntry.status == OutboxStatus.PENDING,
                OutboxEntry.origin == origin,
                OutboxEntry.origin_ref == ref,
            )
        )
        for entry in waiting:
            entry.status, entry.done_at = OutboxStatus.SUPERSEDED, self.now

    async def replace_post(self, post: OutboxEntry | int | None, message: Message) -> OutboxEntry | None:
        """Replace what an earlier outbox post says (a tally that changed), once that post is delivered. An
        earlier replacement of the same post still waiting is overwritten with this one rather than delivered:
        under a burst of presses (or a platform's rate limit) only the newest state is ever shown. One statement:
        an insert that becomes an update of the waiting one (one waits per post at most, a unique index says so;
        two processes replacing the same post at once keep one). None when there is no post."""
        if post is None:
            return None
        post_id = post if isinstance(post, int) else post.id
        entry = self._entry(ReplacePost(message, entry=post_id), None)
        values = {
            "community_id": entry.community_id,
            "op": entry.op,
            "payload": entry.payload,
            "next_attempt_at": entry.next_attempt_at,
            "created_at": entry.created_at,
            "actor_id": entry.actor_id,
            "claimed_by": entry.claimed_by,
            "lease_until": entry.lease_until,
            "replaces": post_id,
        }
        insert = sqlite_insert if self.session.get_bind().dialect.name == "sqlite" else postgresql_insert
        statement = insert(OutboxEntry).values(**values)
        waiting = text("status = 'pending'")  # the index's own predicate, as PostgreSQL must match it
        newer: dict[str, Any] = {
            "payload": statement.excluded.payload,
            "actor_id": statement.excluded.actor_id,
        }
        newer["revision"] = OutboxEntry.revision + 1
        if self.app.courier.claims:
            # Whoever delivers the state it replaced (another process, maybe) does not mark this one sent: this
            # process delivers it.
            newer["claimed_by"] = statement.excluded.claimed_by
            newer["lease_until"] = statement.excluded.lease_until
        upsert = (
            statement.on_conflict_do_update(index_elements=["replaces"], index_where=waiting, set_=newer)
            .returning(OutboxEntry)
            .execution_options(populate_existing=True)
        )
        recorded = (await self.session.scalars(upsert)).one()
        if recorded.revision == 0:
            self.entries.append(recorded)  # new: handed to the courier after the commit
        else:
            # The waiting update took the new state: a delivery of the old one must not count for it, and the
            # courier reads it again after the commit.
            self.session.info.setdefault(TOUCHED, set()).add(recorded.id)
        return recorded

    async def replace_dm(self, entry: OutboxEntry | int | None, message: Render) -> OutboxEntry | None:
        """Replace what an earlier direct message says (its buttons answered elsewhere, its question decided),
        in its recipient's language (see :meth:`dm` and :meth:`replace_post`). None when there is none."""
        found = await self.session.get(OutboxEntry, entry) if isinstance(entry, int) else entry
        if found is None:
            return None
        # A direct message's payload names its recipient (an unknown one reads the community's language).
        built = message(await self.translator_for(str((found.payload or {}).get("member") or "")))
        body = await built if inspect.isawaitable(built) else built
        return await self.replace_post(found, body)

    def open_group(
        self,
        member_ids: list[str],
        title: str,
        message: Message,
        *,
        origin: tuple[str, str] | None = None,
    ) -> OutboxEntry:
        """A conversation for a few members (group DM, or a private thread in the rounds channel) opened with
        ``message``. The result holds the conversation's ``group`` id."""
        return self.enqueue(
            OpenGroup(tuple(member_ids), unmarked(title), message, self.settings.channel("rounds")),
            origin=origin,
        )

    async def emit(self, event: Event) -> None:
        """Tell the other features something happened (a domain event such as ``CharterAccepted``): their
        handlers run now, in this same transaction, and answer the same person."""
        await self.app.run_handlers(self, event)

    async def dm(
        self,
        to: Member | MemberRef | str,
        message: Render,
        *,
        private: bool = False,
        origin: tuple[str, str] | None = None,
    ) -> OutboxEntry:
        """A direct message to ``to`` (a member, their ref or platform id) in their language: ``message`` builds it
        from their reader (``lambda _: render.welcome(_, …)``). If the member refuses direct messages, the
        welcome channel is used instead, unless it is ``private`` (it names other members, or is theirs alone)."""
        built = message(await self.translator_for(to))
        body = await built if inspect.isawaitable(built) else built
        return self._direct(to, body, private=private, origin=origin)

    def _direct(
        self,
        to: Member | MemberRef | str,
        body: Message,
        *,
        private: bool,
        origin: tuple[str, str] | None,
    ) -> OutboxEntry:
        member_id = to if isinstance(to, str) else to.external_id if isinstance(to, Member) else to.id
        return self.enqueue(
            DirectMessage(
                member_id,
                body,
                fallback_channel=None if private else self.settings.channels.get("welcome"),
                fallback_title=None
                if private
                else self.public("Welcome to {community}", community=self.settings.name or "Agora"),
            ),
            origin=origin,
        )

    async def dm_each(
        self,
        to: Iterable[Member | MemberRef | str],
        message: Render,
        *,
        private: bool = False,
        origin: tuple[str, str] | None = None,
    ) -> list[OutboxEntry]:
        """A direct message to each of ``to``, each in their own language (see :meth:`dm`): the message is built
        once per language and time zone, not once per member."""
        built: dict[tuple[str, str], Message] = {}
        entries = []
        for member in to:
            words = await self.translator_for(member)
            key = (words.locale, words.zone)
            if key not in built:
                made = message(words)
                built[key] = await made if inspect.isawaitable(made) else made
            entries.append(self._direct(member, built[key], private=private, origin=origin))
        return entries

    def create_event(
        self, event: ScheduledEvent, *, origin: tuple[str, str] | None = None
    ) -> OutboxEntry | None:
        """A platform calendar event (a Discord Scheduled Event); None where the platform has no calendar.
        The entry's result holds the platform's ``event_id`` once delivered; ``origin`` names the row it is
        for, so that :meth:`delete_event` finds it."""
        if not self.can(Capability.SCHEDULED_EVENTS):
            return None
        return self.enqueue(
            CreateEvent(
                unmarked(event.name),
                event.start,
                event.end,
                unmarked(event.location),
                unmarked(event.description),
            ),
            origin=origin,
        )

    async def delete_event(self, origin: tuple[str, str]) -> None:
        """Remove the calendar event created for ``origin`` (a cancelled meeting's), on the platform. One still
        waiting to be created is deleted right after (the courier may be creating it at this very moment)."""
        created = await self.session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.community_id == self.community.id,
                OutboxEntry.op == CreateEvent.op,
                OutboxEntry.origin == origin[0],
                OutboxEntry.origin_ref == origin[1],
            )
        )
        for entry in created:
            if entry.status in (OutboxStatus.PENDING, OutboxStatus.SENT):
                self.enqueue(DeleteEvent(entry=entry.id))

    def grant_role(self, member_id: str, role: str) -> OutboxEntry:
        return self.enqueue(GrantRole(member_id, role))

    def revoke_role(self, member_id: str, role: str) -> OutboxEntry:
        return self.enqueue(RevokeRole(member_id, role))

    def invite(self, member_id: str, channels: list[str]) -> OutboxEntry:
        return self.enqueue(Invite(member_id, tuple(channels)))

    # --- time ---------------------------------------------------------------------------------------------

    async def set_timer(self, kind: str, ref: str, due: datetime) -> Timer:
        """Set (or move) the deadline ``kind``/``ref``; it fires once, even across restarts. One statement: an
        insert that becomes an update of the timer already there (two processes setting it at once keep one)."""
        insert = sqlite_insert if self.session.get_bind().dialect.name == "sqlite" else postgresql_insert
        statement = insert(Timer).values(
            community_id=self.community.id, kind=kind, ref=ref, due_at=due, fired_at=None, cancelled=False
        )
        upsert = (
            statement.on_conflict_do_update(
                index_elements=["community_id", "kind", "ref"],
                set_={"due_at": statement.excluded.due_at, "fired_at": None, "cancelled": False},
            )
            .returning(Timer)
            .execution_options(populate_existing=True)
        )
        timer = (await self.session.scalars(upsert)).one()
        self.timer_changes.append(timer)
        return timer

    async def cancel_timer(self, kind: str, ref: str) -> None:
        timer = await self.session.scalar(
            select(Timer).where(Timer.community_id == self.community.id, Timer.kind == kind, Timer.ref == ref)
        )
        if timer is not None and timer.fired_at is None:
            timer.cancelled = True
            self.timer_changes.append(timer)

    async def set_schedule(self, kind: str, cron: str, *, paused: bool = False) -> Schedule:
        """Set the recurring rule ``kind`` of this community (a cron rule in its time zone)."""
        schedule = await self.session.scalar(
            select(Schedule).where(Schedule.community_id == self.community.id, Schedule.kind == kind)
        )
        if schedule is None:
            schedule = Schedule(community_id=self.community.id, kind=kind, created_at=self.now)
            self.session.add(schedule)
        resumed = schedule.paused and not paused
        changed = (schedule.cron, schedule.timezone) != (cron, self.settings.timezone)
        schedule.cron, schedule.timezone, schedule.paused = cron, self.settings.timezone, paused
        if schedule.last_fired_at is None or resumed or (changed and not paused):
            # Counting starts now: a rule created today does not "catch up" on fire times before it existed, nor
            # does one switched back on (its fire times while off were not missed: nobody wanted them) or
            # changed (the new rule's past fire times never were its own), which would otherwise fire at once.
            schedule.last_fired_at = self.now
        await self.session.flush()
        self.schedule_changes.append(schedule)
        return schedule

    def settings_args(self, options: Iterable[Option]) -> dict[str, Any]:
        """The options a settings command was given (empty ones dropped), refusing any it doesn't have."""
        assert isinstance(self.event, CommandInvoked)
        args = {k: v for k, v in self.event.args.items() if v not in (None, "")}
        known = {option.name for option in options}
        unknown = sorted(set(args) - known)
        if unknown:
            raise UserError(
                self._(
                    "“{option}” is not a setting I know. Settings: {known}.",
                    option=excerpt(unknown[0]),
                    known=", ".join(sorted(known)),
                )
            )
        return args

    def delay(self, value: object) -> timedelta:
        """A positive delay typed by a member (``2d``, ``36h``, ``1h30m``), or a clear refusal naming it."""
        try:
            delay: timedelta = DELAY.read(value)
        except (ValueError, OverflowError):
            raise UserError(
                self._(
                    "“{value}” is not a delay I understand. Examples: 2d, 36h, 1h30m.", value=excerpt(value)
                )
            ) from None
        return delay

    def require_alone(self, what: str) -> None:
        """Refuse (a programming error) to change what every event of the community reads from an event that
        runs beside others (``bot.ordering.turn_of`` names what it touches: make it the whole community)."""
        if not self.alone:
            raise RuntimeError(
                f"a {what} from {self.event.event_type}, which runs beside the community's others"
            )

    def save_settings(self, changes: dict[str, Any], section: str | None = None) -> None:
        """Keep ``changes`` among this community's own settings (in ``section`` when given, key by key), and read
        the effective settings and the translator back, so the answer speaks a newly chosen language."""
        self.require_alone("settings change")
        overrides: dict[str, Any] = dict(self.community.settings or {})
        if section is None:
            overrides.update(changes)
        else:
            overrides[section] = {**dict(overrides.get(section) or {}), **changes}
        self.community.settings = overrides
        flag_modified(self.community, "settings")
        self.settings = self.app.settings_of(self.community)
        self.public = translator(self.settings.locale)
        if self._actor_locale is None:
            self._ = self.public
        else:
            chosen, seen, zone = self._actor_locale
            self._ = reader(member_locale(chosen, seen, self.settings.locale), zone)

    def command_text(self, name: str) -> str:
        """The command ``name`` as the member's platform spells it (``/agora charter show`` on Discord)."""
        return self.chat.command_text(name) if self.chat is not None else command_text(name)

    def format_time(self, at: datetime, _: Translator | None = None, *, zone: str | None = None) -> str:
        """``at`` in the actor's words (or ``_``'s: ``ctx.public`` in a post, a recipient's in a DM), in ``zone``
        (the community's by default), marked as a moment (:func:`bot.messages.moment`): Discord shows it to each
        member in their own time zone. Where the text is stored or sent as plain text, ``unmarked()`` it."""
        words = _ or self._
        if zone is None:
            zone = words.zone if isinstance(words, Reader) else self.settings.timezone
        return moment(at, words.datetime(at, zone))
