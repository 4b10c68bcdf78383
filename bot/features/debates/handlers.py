"""Running a debate: start (by hand or on the recurring rule), take a position, close (by hand or at the
deadline), and the status members ask for. Thin: typed event in, rules and queries, reply or post out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.chat import Capability
from bot.content import ContentItem, load_bank
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, CommandInvoked, PostFailed, TimerFired
from bot.features.debates import queries, render, rules
from bot.features.debates.lead import ask_next_lead
from bot.features.debates.render import CLOSE, LEAD_EXPIRY, SCHEDULED, TAKE
from bot.features.debates.summary import Argument, Stance, summarize
from bot.i18n import N_
from bot.messages import Message, mention, untrusted
from bot.router import Option, action, command, timer, undelivered
from bot.scheduler import cron_trigger, next_fire_time
from bot.settings.types import row_id, whole_number
from storage.models import DebateLeadAskStatus, DebateMotionStatus, DebateStatus, Member, OutboxEntry
from storage.tables.debates import Debate, DebateMotion, DebateStance

__all__ = ["DebateHandlers", "next_scheduled", "refresh_post"]

# The origin of the outbox entries about a debate (its post, its thread, the DMs about it): see ``unposted``.
ORIGIN = "debate"


@dataclass(frozen=True)
class _Motion:
    """A motion ready to debate: from the bank, or one of the community's own."""

    key: str
    text: str
    positions: tuple[str, ...]
    credit: str = ""
    own: DebateMotion | None = None
    proposer: Member | None = None


def bank(ctx: Context[Any]) -> tuple[ContentItem, ...]:
    """The motions shipped in the community's language."""
    return load_bank("motions", ctx.settings.locale)


def next_scheduled(ctx: Context[Any]) -> datetime | None:
    """When the recurring rule next starts a debate; None when it is off."""
    settings = ctx.settings.debates
    if not settings.enabled or settings.schedule is None:
        return None
    return next_fire_time(cron_trigger(settings.schedule, ctx.settings.timezone), ctx.now)


async def refresh_post(ctx: Context[Any], debate: Debate, participants: int | None = None) -> None:
    """Bring the debate's post up to date (how many took a position, who leads, closed or not)."""
    if debate.post_entry_id is None:
        return
    if participants is None:
        participants = await queries.participants(ctx.session, debate.id)
    lead = await ctx.session.get(Member, debate.lead_id) if debate.lead_id else None
    message = render.debate_message(
        ctx.public,
        partial(ctx.format_time, _=ctx.public),
        debate,
        participants,
        lead.external_id if lead is not None else None,
        threads=ctx.can(Capability.THREADS),
    )
    await ctx.replace_post(debate.post_entry_id, message)


class DebateHandlers:
    """Starting, taking positions in, and closing debates."""

    @command(
        "debate start",
        N_("Start a debate: a motion, positions to take, a thread for the arguments"),
        options=[
            Option(
                "motion",
                N_("A motion id from /agora debate motions, or the motion itself (default: I pick)"),
                rest=True,
            ),
            Option("positions", N_("Up to 5 positions separated by | (default: the motion's own)")),
            Option("duration", N_("How long the debate stays open, e.g. 3d or 36h")),
        ],
        animator_only=True,
    )
    async def start(self, ctx: Context[CommandInvoked], duration: Any = None) -> None:
        _ = ctx._
        # Read as typed: an empty motion or positions is a mistake to point out, not "the default".
        motion, positions = ctx.event.args.get("motion"), ctx.event.args.get("positions")
        if not ctx.settings.debates.enabled:
            raise UserError(
                _(
                    "Debates are switched off in this community. "
                    "Switch them on with /agora debate settings enabled=yes."
                )
            )
        channel = ctx.settings.channel("debates")
        if not channel:
            raise UserError(
                _(
                    "There is no channel for debates yet. "
                    "An animator can choose one with /agora setup debates_channel=#channel."
                )
            )
        chosen = await _resolve_motion(ctx, motion)
        chosen_positions = rules.debate_positions(_, positions, chosen.positions)
        length = rules.debate_duration(_, duration, ctx.settings.debates.duration)
        assert ctx.actor is not None
        debate = await _open(ctx, chosen, chosen_positions, length, channel, opened_by=ctx.actor.id)
        await ctx.reply_once_posted(
            await ctx.session.get(OutboxEntry, debate.post_entry_id),
            _(
                "Debate #{number} is open in <#{channel}> until {date}. "
                "Close it earlier with /agora debate close debate={number}.",
                number=debate.number,
                channel=channel,
                date=ctx.format_time(debate.closes_at),
            ),
        )

    @undelivered(ORIGIN)
    async def unposted(self, ctx: Context[PostFailed]) -> None:
        """The debate's post failed for good: nobody can see it, so it is not open. It is marked unposted (its
        deadline, its thread and the DMs about it dropped, a community motion back in the queue)."""
        debate = await ctx.failed_row(Debate, "post_entry_id")
        if debate is None or debate.status != DebateStatus.OPEN:
            return
        debate.status, debate.closed_at, debate.closed_by = DebateStatus.UNPOSTED, ctx.now, "unposted"
        await ctx.cancel_timer(CLOSE, str(debate.id))
        for ask in await queries.pending_asks(ctx.session, debate.id):
            ask.status, ask.answered_at = DebateLeadAskStatus.VOID, ctx.now
            await ctx.cancel_timer(LEAD_EXPIRY, str(ask.id))
        await ctx.cancel_pending(ORIGIN, str(debate.id))
        if debate.motion_id is not None:
            motion = await ctx.session.get(DebateMotion, debate.motion_id)
            if motion is not None:
                motion.used_at = None
        ctx.reply(
            ctx._(
                "Debate #{number} (“{motion}”) is not open, since nobody can see it. "
                "Start it again with /agora debate start once I can post there.",
                number=debate.number,
                motion=untrusted(debate.motion),
            )
        )

    @timer(SCHEDULED)
    async def scheduled(self, ctx: Context[TimerFired]) -> None:
        """The community's recurring rule came due: a debate on a motion the bot picks."""
        settings = ctx.settings.debates
        if not settings.enabled or settings.schedule is None:
            # The rule was switched off in the config since it was armed.
            await ctx.app.reconcile_schedules(ctx)
            return
        channel = ctx.settings.channel("debates")
        if not channel:
            return  # nowhere to post; /agora debate settings shows the animators that no channel is set
        chosen = await _pick_motion(ctx)
        await _open(ctx, chosen, list(chosen.positions), settings.duration, channel, opened_by="schedule")

    @action(TAKE)
    async def take(self, ctx: Context[ButtonPressed]) -> None:
        _ = ctx._
        debate_ref, _sep, index_text = ctx.event.ref.partition(".")
        # The member, then the debate with its count and the member's stance in one read: a press is a few
        # round trips (issue 12's budget: 6 statements, delivery included).
        member = await ctx.member()
        debate_id = row_id(debate_ref)
        found = None
        if debate_id is not None:
            found = await queries.debate_for_press(ctx.session, ctx.community.id, debate_id, member.id)
        debate, participants, stance_id = found if found is not None else (None, 0, None)
        index = whole_number(index_text)
        if debate is None or index is None or not index < len(debate.positions):
            raise UserError(
                _("This button no longer matches a debate of this community. Try /agora debate status.")
            )
        if not rules.takes_positions(debate.status, debate.closes_at, ctx.now):
            raise UserError(
                _(
                    "This debate is closed, so positions can no longer change. "
                    "The summary is posted in <#{channel}>.",
                    channel=debate.channel,
                )
            )
        position = debate.positions[index]
        until = ctx.format_time(debate.closes_at)
        stance = await ctx.session.get(DebateStance, stance_id) if stance_id is not None else None
        if stance is None:
            ctx.session.add(
                DebateStance(
                    community_id=ctx.community.id,
                    debate_id=debate.id,
                    member_id=member.id,
                    first_position=index,
                    position=index,
                    taken_at=ctx.now,
                    changed_at=ctx.now,
                )
            )
            await ctx.session.flush()
            ctx.reply(
                _(
                    "Your position: “{position}”. You can change your mind until {date} by pressing another "
                    "button, and your arguments are welcome.",
                    position=untrusted(position),
                    date=until,
                )
            )
            await refresh_post(ctx, debate, participants + 1)  # the count read before this stance was added
            return
        if stance.position == index:
            ctx.reply(
                _(
                    "You already stand for “{position}”. You can change your mind until {date}.",
                    position=untrusted(position),
                    date=until,
                )
            )
            return
        previous = debate.positions[stance.position]
        stance.position, stance.changes, stance.changed_at = index, stance.changes + 1, ctx.now
        ctx.reply(
            _(
                "You moved from “{previous}” to “{position}”. The summary will count it among the minds "
                "that changed.",
                previous=untrusted(previous),
                position=untrusted(position),
            )
        )

    @command(
        "debate close",
        N_("Close a debate now and post its summary"),
        options=[Option("debate", N_("The debate's number (default: the one open)"), kind="integer")],
        animator_only=True,
    )
    async def close(self, ctx: Context[CommandInvoked], debate: int | None = None) -> None:
        _ = ctx._
        if debate is not None:
            found = await queries.debate_by_number(ctx.session, ctx.community.id, int(debate))
            if found is None:
                raise UserError(_("There is no debate #{number} in this community.", number=debate))
            if found.status == DebateStatus.UNPOSTED:
                raise UserError(
                    _(
                        "Debate #{number} never opened: I could not post it. Start a new one with "
                        "/agora debate start.",
                        number=found.number,
                    )
                )
            if found.status != DebateStatus.OPEN:
                assert found.closed_at is not None
                raise UserError(
                    _(
                        "Debate #{number} was already closed on {date}.",
                        number=found.number,
                        date=ctx.format_time(found.closed_at),
                    )
                )
        else:
            open_debates = await queries.open_debates(ctx.session, ctx.community.id)
            if not open_debates:
                raise UserError(_("There is no open debate to close."))
            if len(open_debates) > 1:
                listed = "; ".join(f"#{d.number} “{d.motion}”" for d in open_debates)
                raise UserError(
                    _(
                        "Several debates are open: {debates}. Say which one, e.g. /agora debate close "
                        "debate={number}.",
                        debates=listed,
                        number=open_debates[0].number,
                    )
                )
            found = open_debates[0]
        assert ctx.actor is not None
        await _close(ctx, found, closed_by=ctx.actor.id)
        ctx.reply(
            _(
                "Debate #{number} is closed; its summary is posted in <#{channel}>.",
                number=found.number,
                channel=found.channel,
            )
        )

    @timer(CLOSE)
    async def deadline(self, ctx: Context[TimerFired]) -> None:
        debate = await _debate_by_id(ctx, ctx.event.ref)
        if debate is not None and debate.status == DebateStatus.OPEN:
            # Closed as of its deadline, even when the bot was stopped then and catches up later: no position
            # was taken after it (``take`` refuses them), so that is when the debate ended.
            await _close(ctx, debate, closed_by="deadline", at=min(ctx.now, debate.closes_at))

    @command("debate status", N_("The open debates, your position in each, and the next debate"))
    async def status(self, ctx: Context[CommandInvoked]) -> None:
        member = await ctx.member()
        listed = []
        for debate in reversed(await queries.open_debates(ctx.session, ctx.community.id)):
            stance = await queries.stance_of(ctx.session, debate.id, member.id)
            listed.append(
                render.OpenDebate(
                    debate.number,
                    debate.motion,
                    debate.channel,
                    ctx.format_time(debate.closes_at),
                    debate.positions[stance.position] if stance is not None else None,
                )
            )
        upcoming = next_scheduled(ctx)
        ctx.reply(
            render.status_message(
                ctx._,
                listed,
                ctx.format_time(upcoming) if upcoming is not None else None,
                enabled=ctx.settings.debates.enabled,
            )
        )


async def _debate_by_id(ctx: Context[Any], raw: str) -> Debate | None:
    return await ctx.row(Debate, raw)


async def _resolve_motion(ctx: Context[Any], raw: Any) -> _Motion:
    """What the animator typed: nothing (I pick), a bank id, a community motion (``c7``), or the words."""
    _ = ctx._
    if raw is None:
        return await _pick_motion(ctx)
    ref = rules.motion_ref(_, raw)
    if ref.kind == "own":
        motion = await ctx.session.get(DebateMotion, ref.own_id)
        if motion is None or motion.community_id != ctx.community.id:
            raise rules.unknown_motion(_, ref.text)
        if motion.status == DebateMotionStatus.PENDING:
            raise UserError(
                _(
                    "Motion {key} is still waiting for approval. Approve it first with /agora debate "
                    "proposals.",
                    key=f"c{motion.id}",
                )
            )
        if motion.status != DebateMotionStatus.APPROVED:
            raise UserError(_("Motion {key} was declined, so it can't be debated.", key=f"c{motion.id}"))
        return await _from_own(ctx, motion)
    if ref.kind == "bank":
        for item in bank(ctx):
            if item.id == ref.text:
                return _from_bank(item)
        raise rules.unknown_motion(_, " ".join(str(raw).split()))
    # A motion written on the spot joins the community's own, so it is listed and not picked again.
    member = await ctx.member()
    own_motion = DebateMotion(
        community_id=ctx.community.id,
        text=ref.text,
        positions=[],
        tags=[],
        status=DebateMotionStatus.APPROVED,
        proposed_by=member.id,
        credited=False,  # the animator runs the debate; naming them too would be noise
        created_at=ctx.now,
        reviewed_by=member.external_id,
        reviewed_at=ctx.now,
    )
    ctx.session.add(own_motion)
    await ctx.session.flush()
    return _Motion(key=f"c{own_motion.id}", text=ref.text, positions=(), own=own_motion)


async def _from_own(ctx: Context[Any], motion: DebateMotion) -> _Motion:
    proposer = await ctx.session.get(Member, motion.proposed_by) if motion.proposed_by else None
    credit = mention(proposer.external_id) if proposer is not None and motion.credited else ""
    return _Motion(
        key=f"c{motion.id}",
        text=motion.text,
        positions=tuple(motion.positions),
        credit=credit,
        own=motion,
        proposer=proposer,
    )


def _from_bank(item: ContentItem) -> _Motion:
    return _Motion(key=item.id, text=item.text, positions=item.positions, credit=item.author or "")


async def _pick_motion(ctx: Context[Any]) -> _Motion:
    """The community's own approved motions first (oldest first: members' proposals wait their turn),
    then a bank motion this community has not debated yet, then the one it debated longest ago."""
    own = await queries.first_unused_motion(ctx.session, ctx.community.id)
    if own is not None:
        return await _from_own(ctx, own)
    items = {item.id: item for item in bank(ctx)}
    last_used = await queries.last_used_by_key(ctx.session, ctx.community.id)
    return _from_bank(items[rules.pick_fresh(list(items), last_used, ctx.community.id)])


async def _open(
    ctx: Context[Any],
    motion: _Motion,
    positions: list[str],
    duration: timedelta,
    channel: str,
    *,
    opened_by: str,
) -> Debate:
    debate = Debate(
        community_id=ctx.community.id,
        number=await queries.next_number(ctx.session, ctx.community.id),
        motion_key=motion.key,
        motion_id=motion.own.id if motion.own is not None else None,
        motion=motion.text,
        positions=positions,
        credit=motion.credit,
        channel=channel,
        status=DebateStatus.OPEN,
        anonymous=ctx.settings.debates.anonymous,
        opened_by=opened_by,
        opened_at=ctx.now,
        closes_at=ctx.now + duration,
    )
    ctx.session.add(debate)
    await ctx.session.flush()
    if motion.own is not None:
        motion.own.used_at = ctx.now
    threads = ctx.can(Capability.THREADS)
    origin = (ORIGIN, str(debate.id))
    post = ctx.post(
        channel,
        render.debate_message(
            ctx.public, partial(ctx.format_time, _=ctx.public), debate, 0, None, threads=threads
        ),
        thread_title=rules.thread_title(motion.text),
        origin=origin,
    )
    await ctx.session.flush()
    debate.post_entry_id = post.id
    if threads:
        ctx.post(
            channel,
            Message(
                ctx.public(
                    "Arguments here, one idea per message. Reply to the ones you want to discuss, and "
                    "keep it kind."
                )
            ),
            in_thread_of=post.id,
            origin=origin,
        )
    await ctx.set_timer(CLOSE, str(debate.id), debate.closes_at)
    if (
        motion.proposer is not None
        and motion.own is not None
        and motion.own.reviewed_by != motion.proposer.external_id
    ):
        await ctx.dm(
            motion.proposer,
            lambda _: Message(
                _(
                    "Your motion “{motion}” is being debated now in <#{channel}>, until {date}. "
                    "Thank you for proposing it!",
                    motion=untrusted(motion.text),
                    channel=channel,
                    date=ctx.format_time(debate.closes_at, _),
                )
            ),
            origin=origin,
        )
    if ctx.settings.debates.rotating_lead:
        await ask_next_lead(ctx, debate)
    return debate


async def _close(ctx: Context[Any], debate: Debate, *, closed_by: str, at: datetime | None = None) -> None:
    debate.status, debate.closed_at, debate.closed_by = DebateStatus.CLOSED, at or ctx.now, closed_by
    await ctx.cancel_timer(CLOSE, str(debate.id))
    for ask in await queries.pending_asks(ctx.session, debate.id):
        ask.status, ask.answered_at = DebateLeadAskStatus.VOID, ctx.now
        await ctx.cancel_timer(LEAD_EXPIRY, str(ask.id))
        await ctx.replace_dm(
            ask.dm_entry_id,
            lambda _: Message(
                _(
                    "The debate “{motion}” has closed: no need to answer. Thank you all the same!",
                    motion=untrusted(debate.motion),
                )
            ),
        )
    rows = await queries.stances_with_members(ctx.session, debate.id)
    stances = [Stance(s.first_position, s.position, member=mention(external)) for s, external in rows]
    summary = summarize(debate.positions, stances, await _arguments(ctx, debate))
    lead = await ctx.session.get(Member, debate.lead_id) if debate.lead_id else None
    ctx.post(
        debate.channel,
        render.summary_message(
            ctx.public,
            debate,
            summary,
            lead.external_id if lead is not None else None,
            volunteer_button=ctx.settings.debates.rotating_lead,
        ),
    )
    await refresh_post(ctx, debate, summary.participants)


async def _arguments(ctx: Context[Any], debate: Debate) -> list[Argument]:
    """The arguments posted in the debate's thread and how many replies each drew, for "most-replied".

    No platform exposes that to the core yet: the ``Chat`` port cannot read a thread's messages (the
    adapters receive no message content, by design of their intents and scopes). Until one does, there
    are none, and the summary leaves that part out rather than show an empty or made-up ranking; the
    ranking (``summarize``) and the rendering (``render.summary_message``) are ready for when one does."""
    return []
