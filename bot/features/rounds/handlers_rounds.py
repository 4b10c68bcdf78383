"""Running the grouping rounds: a round on the schedule or by hand, its groups' conversations, the "Did you
meet?" follow-up, and the animators' statistics. Thin: the optimizer decides, the queries record."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import delete

from bot.content import ContentItem, load_bank
from bot.context import Context
from bot.events import CommandInvoked, CommunityRef, PostFailed, TimerFired
from bot.features.rounds import queries, render, rules
from bot.features.rounds.grouping import Person, Plan, plan_round_off_loop
from bot.features.rounds.handlers import next_round
from bot.features.rounds.handlers_quiet import Quiet
from bot.features.rounds.planning import Request, fitted, same_inputs
from bot.features.rounds.zones import apart_pairs, utc_offset
from bot.i18n import N_, Translator
from bot.messages import ERASED_PREFIX, Message, mention
from bot.router import command, timer, undelivered
from storage.models import Member, RoundAnswer
from storage.tables.rounds import Round, RoundGroup, RoundGroupMember

__all__ = ["FOLLOW_UP", "PLAN", "ROUND", "Running", "starter_for"]

log = logging.getLogger("agora.rounds")

ROUND = "rounds:round"
FOLLOW_UP = "rounds:follow_up"
# A round being planned outside the lock (ref: "<number>:<who started it>", the animator's ``members.id`` or
# SCHEDULE): applied as soon as the plan is computed; the timer itself comes due only if the process stopped
# meanwhile, and then the round is planned again. The animator is named by their row, never by their platform id:
# the timer outlives the plan (it stays, cancelled or fired), and an animator who erases their data meanwhile
# must leave no trace in it (their row stays, without who they were).
PLAN = "rounds:plan"
PLAN_MARGIN = timedelta(minutes=1)
# Who starts a round on the community's cadence (``Round.started_by``).
SCHEDULE = "schedule"
# How long "/agora round start" waits for a plan being computed before it answers "planning…" (as long as an
# answer waits for a post: ``bot.app.DELIVERY_WAIT``).
ANSWER_WAIT = 2.5


def starter_for(language: str, community_id: int, index: int) -> ContentItem:
    """A conversation starter: the community's own shuffled walk through the bank, one step per group."""
    bank = list(load_bank("starters", language))
    random.Random(f"starters:{community_id}").shuffle(bank)
    return bank[index % len(bank)]


# The origin of a group's conversation in the outbox (ref: the group's id); see ``group_unopened``.
GROUP_POST = "round-group"


class Running(Quiet):
    """The rounds themselves (a mixin of :class:`~bot.features.rounds.RoundsFeature`); it asks the quiet members
    whether to stay in before making the groups."""

    @command("round start", N_("Start a grouping round now (animators)"), animator_only=True)
    async def start(self, ctx: Context[CommandInvoked]) -> None:
        assert ctx.actor is not None
        # As on joining (see ``Participation._join``). Not from the scheduled handler: re-arming a rule from
        # inside its own run would race its chain.
        await ctx.app.reconcile_schedules(ctx, [self])  # type: ignore[list-item]
        animator = await ctx.member()
        outcome = await self._run_round(ctx, by=str(animator.id), started_by=animator.external_id)
        if isinstance(outcome, str):
            ctx.reply(outcome)
        elif isinstance(outcome, Request):
            # Answered once the round is out (after this transaction, outside the lock), or "planning…" if the
            # plan takes longer: then the outcome comes in a direct message.
            outcome.waiting = True
            ctx.outcome.then.append(partial(_answer_when_applied, outcome, ctx._))
        else:
            round_, plan = outcome
            ctx.reply(
                render.started(ctx._, round_.number, sum(len(g) for g in plan.groups), len(plan.groups))
            )

    @timer(ROUND)
    async def scheduled(self, ctx: Context[TimerFired]) -> None:
        settings = ctx.settings.rounds
        if not settings.enabled:
            return
        last = await queries.last_round(ctx.session, ctx.community.id)
        if not rules.due(last.started_at if last else None, ctx.event.due or ctx.now, settings.min_gap):
            return  # a round started by hand a day before, or the off week of a fortnightly cadence
        await self._run_round(ctx, by=SCHEDULE, started_by=SCHEDULE)

    @timer(PLAN)
    async def planned(self, ctx: Context[TimerFired]) -> None:
        """Apply a plan computed outside the lock (``ref``: the round's number and who started it), or, when
        the timer itself came due (the process stopped while planning), plan it again. Once: a round whose
        number is out already is not started again.

        An animator who erased their data while their round was planned is no longer anyone Agora knows: the
        round still comes out (the members who joined it are waiting, and its announcement in the rounds channel
        tells everyone, the other animators too), recorded as started by nobody, and the outcome meant for the
        animator is told to nobody (Agora no longer knows where to reach them, and a direct message would put
        their platform id back in the outbox)."""
        number_text, _sep, by = ctx.event.ref.partition(":")
        number = int(number_text)
        if not await queries.plan_pending(ctx.session, ctx.community.id, PLAN, ctx.event.ref):
            return  # the request was rolled back, or cancelled by the round that came out
        last = await queries.last_round(ctx.session, ctx.community.id)
        if last is not None and last.number >= number:
            return
        request = self._requests().get(ctx.community.id)
        if request is not None and request.number == number and request.plan is None and not request.failed:
            # Still computing in this process: the timer came due first (a budget longer than its margin).
            await ctx.set_timer(
                PLAN, ctx.event.ref, ctx.now + ctx.settings.rounds.planning_budget + PLAN_MARGIN
            )
            return
        started_by, animator = SCHEDULE, None
        if by != SCHEDULE:
            animator = await ctx.row(Member, by)
            if animator is None or animator.external_id.startswith(ERASED_PREFIX):
                # As the erasure leaves the rounds they started: by hand, by nobody it names.
                started_by, animator = "", None
                if request is not None:
                    request.forgotten = True  # nobody to answer, not even "planning…"
            else:
                started_by = animator.external_id
                ctx._ = await ctx.translator_for(animator)  # what is said below is for the animator
        outcome = await self._run_round(ctx, by=by, started_by=started_by, number=number)
        if isinstance(outcome, Request) or animator is None:
            return
        if isinstance(outcome, str):
            text = outcome
        else:
            round_, plan = outcome
            text = render.started(ctx._, round_.number, sum(len(g) for g in plan.groups), len(plan.groups))
        if request is not None and request.waiting:
            request.replying = True
            ctx.reply(text)
        else:
            await ctx.dm(animator, lambda _words: Message(text=text))

    def _requests(self) -> dict[int, Request]:
        """The plans this process is computing or has computed, by community (lost with the process: the
        planning timer then plans again)."""
        requests: dict[int, Request] = self.__dict__.setdefault("_plan_requests", {})
        return requests

    def _computed(
        self, community_id: int, number: int, people: list[Person], options: dict[str, Any]
    ) -> Plan | None:
        """The plan computed for round ``number``, fitted to the roster if it changed meanwhile; None if none."""
        request = self._requests().get(community_id)
        if request is None or request.number != number or request.plan is None:
            return None
        if same_inputs(request, people, options):
            return request.plan
        return fitted(request.plan, people, options)

    async def _plan_later(
        self, ctx: Context[Any], number: int, by: str, people: list[Person], options: dict[str, Any]
    ) -> Request:
        """Plan round ``number`` in the worker process, then apply it in an event of its own (``planned``). Its
        timer is the durable part: set in this transaction, it stays until a round comes out, so a process that
        stops while planning plans again when it restarts."""
        ref = f"{number}:{by}"
        await ctx.set_timer(PLAN, ref, ctx.now + ctx.settings.rounds.planning_budget + PLAN_MARGIN)
        requests = self._requests()
        request = requests.get(ctx.community.id)
        if request is not None and request.number == number and request.task is not None:
            if not request.task.done():
                return request  # being computed already (a second "start", the schedule meanwhile)
        request = Request(number, people, options)
        requests[ctx.community.id] = request
        request.task = ctx.app.spawn(_plan_then_apply(ctx.app, ctx.community_ref, request, ref))
        return request

    async def _run_round(
        self, ctx: Context[Any], *, by: str, started_by: str, number: int | None = None
    ) -> tuple[Round, Plan] | str | Request:
        """Make and record the groups of a new round, open their conversations and set the follow-up. Returns
        the round and its plan, or why there is no round (for the animator who asked), or the request of a plan
        being computed outside the lock (applied by ``planned``). ``by`` names who started it in the
        planning timer (the animator's ``members.id``, or SCHEDULE), ``started_by`` in the round's row (their
        platform id, SCHEDULE, or empty)."""
        _ = ctx._
        settings = ctx.settings.rounds
        rows = await queries.taking_part(ctx.session, ctx.community.id, ctx.now)
        taking = [(p, m) for p, m in rows if p.snooze_rounds <= 0]
        quiet = await self.quiet_among(ctx, taking)
        taking = [row for row in taking if row not in quiet]
        members = {m.id: m for _p, m in taking}
        played = await queries.played_rounds(ctx.session, ctx.community.id)
        number = number or (played[-1].number if played else 0) + 1
        profiles = await queries.read_profiles(ctx.session, list(members.values()))
        zones = await queries.member_zones(ctx.session, list(members.values()))
        people = rules.people(profiles)
        options: dict[str, Any] = {
            "soft_pairs": apart_pairs({str(m): utc_offset(zone, ctx.now) for m, zone in zones.items()}),
            "size": settings.group_size,
            "history": rules.optimizer_history(played),
            "exclusions": await queries.exclusion_pairs(ctx.session, ctx.community.id),
            "odd": settings.odd,
            "seed": ctx.community.id,
            "now": ctx.now,
            "budget": settings.planning_budget.total_seconds(),
        }
        plan = self._computed(ctx.community.id, number, people, options)
        if plan is None and len(people) > settings.group_size + 1:
            # A search of several seconds: in the worker process, outside this community's lock and this
            # transaction, so that its members are answered meanwhile and the database is not held.
            return await self._plan_later(ctx, number, by, people, options)
        await self.ask_the_quiet(ctx, quiet)
        if not taking:
            return _("No round: nobody takes part yet. Members join with /agora round join.")
        if len(taking) == 1:

            async def alone(words: Translator) -> Message:
                return render.alone(words, await next_round(ctx, words=words))

            await ctx.dm(taking[0][1], alone)
            return _("No round: only one member takes part for now, and a round needs at least two.")
        for participant, _member in rows:
            if participant.snooze_rounds > 0:
                participant.snooze_rounds -= 1
        if plan is None:
            plan = await plan_round_off_loop(people, **options)  # one group at most: planned in place
        self._requests().pop(ctx.community.id, None)
        for pending in await queries.pending_plans(ctx.session, ctx.community.id, PLAN):
            await ctx.cancel_timer(PLAN, pending.ref)  # this round is the one they were planning
        round_ = await queries.add_round(
            ctx.session,
            Round(
                community_id=ctx.community.id,
                number=number,
                started_at=ctx.now,
                group_size=settings.group_size,
                started_by=started_by,
                method=plan.method,
                left_out=[int(m) for m in plan.unplaced],
                follow_up_at=ctx.now + settings.follow_up_after,
            ),
        )
        starters_used = sum(len(p.groups) for p in played)
        last_captains = await queries.last_captains(ctx.session, ctx.community.id)
        groups = []
        for position, ids in enumerate(plan.groups):
            group_members = [members[int(i)] for i in ids]
            starter = starter_for(ctx.settings.locale, ctx.community.id, starters_used + position)
            group = await queries.add_group(ctx.session, ctx.community.id, round_.id, position, starter.id)
            group.captain_id = rules.captain([m.id for m in group_members], last_captains)
            groups.append((group, group_members, starter))
        await ctx.session.flush()
        for group, group_members, starter in groups:
            queries.add_seats(ctx.session, group, group_members)
            seats = [render.Seat(m.external_id, profiles[m.id]) for m in group_members]
            captain = next(m.external_id for m in group_members if m.id == group.captain_id)
            entry = ctx.open_group(
                [m.external_id for m in group_members],
                ctx.public("Round {number}", number=number),
                render.group_message(ctx.public, number, seats, starter, captain=captain, group_id=group.id),
                origin=(GROUP_POST, str(group.id)),
            )
            await ctx.session.flush()
            group.entry_id = entry.id

        async def unplaced(words: Translator) -> Message:
            when = await next_round(ctx, after=ctx.now, last=ctx.now, words=words)
            return render.unplaced(words, number, when)

        await ctx.dm_each([members[int(member_id)] for member_id in plan.unplaced], unplaced)
        await ctx.set_timer(FOLLOW_UP, str(round_.id), ctx.now + settings.follow_up_after)
        when = await next_round(ctx, after=ctx.now, last=ctx.now, words=ctx.public)
        ctx.post_to(
            "rounds",
            render.announcement(ctx.public, number, sum(len(g) for g in plan.groups), len(plan.groups), when),
        )
        return round_, plan

    @timer(FOLLOW_UP)
    async def follow_up(self, ctx: Context[TimerFired]) -> None:
        """ "Did you meet?", once, to each member of each group of the round (no reminder after this one)."""
        round_ = await ctx.row(Round, ctx.event.ref)
        if round_ is None or round_.community_id != ctx.community.id:
            return
        for seats in await queries.follow_up_groups(ctx.session, round_.id):
            for seat, member in seats:
                if member.left_at is not None or seat.answer == RoundAnswer.MET:
                    continue
                others = [m.display_name or m.external_id for s, m in seats if s.id != seat.id]
                question = partial(render.did_you_meet, number=round_.number, others=others, seat_id=seat.id)
                await ctx.dm(member, question)

    @command(
        "round status",
        N_("Participation, meeting rate and new pairs of the grouping rounds (animators)"),
        animator_only=True,
    )
    async def status(self, ctx: Context[CommandInvoked]) -> None:
        played = await queries.played_rounds(ctx.session, ctx.community.id)
        lines = rules.round_lines(played)
        rows = await queries.participation(ctx.session, ctx.community.id)
        ctx.reply(
            render.status(
                ctx._,
                participation=rules.participation(rows, ctx.now),
                coverage=rules.pair_coverage(played, [row[0] for row in rows if row[1]]),
                next_round=await next_round(ctx, bare=True),
                lines=lines,
                dates=[ctx._.datetime(line.started_at, ctx.settings.timezone, "d MMM y") for line in lines],
            )
        )

    @undelivered(GROUP_POST)
    async def group_unopened(self, ctx: Context[PostFailed]) -> None:
        """A group's conversation could not be opened: its members were not introduced. The group is taken out
        of the round, so they are not asked "Did you meet?" and count as not having met for the next rounds."""
        group = await ctx.failed_row(RoundGroup, "entry_id")
        if group is None:
            return
        round_ = await ctx.session.get(Round, group.round_id)
        members = await queries.group_member_ids(ctx.session, group.id)
        await ctx.session.execute(delete(RoundGroupMember).where(RoundGroupMember.group_id == group.id))
        await ctx.session.delete(group)
        ctx.reply(
            ctx._(
                "Round {number}: the conversation of {members} could not be opened, so they were not "
                "introduced; they count as not having met yet.",
                number=round_.number if round_ is not None else "?",
                members=", ".join(mention(m) for m in members),
            )
        )


async def _plan_then_apply(app: Any, community: CommunityRef, request: Request, ref: str) -> list[Message]:
    """Compute ``request``'s plan in the worker process, then apply it in an event of its own (under the
    community's lock, in a new transaction). Returns what that event says to the animator waiting, if any."""
    try:
        request.plan = await plan_round_off_loop(request.people, **request.options)
    except Exception as exc:
        # The timer stays: the round is planned again when it comes due.
        log.exception("a round could not be planned", extra={"agora": {"round": request.number}})
        request.failed.append(exc)
        return []
    outcome = await app.dispatch(TimerFired(community=community, kind=PLAN, ref=ref))
    return list(outcome.replies)


async def _answer_when_applied(request: Request, words: Translator) -> list[Message]:
    """The animator's answer to "/agora round start" for a round being planned: the outcome if it comes within
    ``ANSWER_WAIT``, else "planning…" (the outcome then comes in a direct message)."""
    assert request.task is not None
    try:
        replies: list[Message] = await asyncio.wait_for(asyncio.shield(request.task), ANSWER_WAIT)
    except TimeoutError:
        if request.replying:  # applied already, committing: its answer is a moment away
            replies = await request.task
        else:
            replies = []
    if replies or request.forgotten:
        return replies
    request.waiting = False
    return [Message(text=render.planning(words, request.number), ephemeral=True)]
