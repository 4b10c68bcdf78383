"""Debates: a motion where reasonable people disagree, positions to take by button, a thread to argue in,
and a summary at the close that says where members stood at first and at the end.

- ``/agora debate start [motion] [positions] [duration]`` (animators), or a recurring rule
  (``community.debates.schedule``): the motion is posted in the debates channel with one button per position
  (the motion's suggested ones, for / against / nuanced, or up to five of the animator's) and a thread opens
  under it. Without a motion the bot picks one: first the community's own approved motions, then the bank's.
- Members take a position and may change it until the close; the first one and the final one are both kept.
- The close (the deadline, even one that passed while the bot was stopped, or ``/agora debate close``) posts
  the distribution, how many changed their mind and in which direction, and, where the platform tells who
  replied to what, the most-replied arguments. Anonymous unless the community chose otherwise, and the post
  says which before anyone takes a position.
- Members propose motions (``/agora debate propose``), animators approve them, and the author is credited
  when their motion is debated (unless they asked not to be named).
- Rotating lead (``community.debates.rotating_lead``): members volunteer; each debate, the volunteer who led
  least recently is asked by direct message, and a "not this time" asks the next one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.chat import Capability
from bot.content import ContentItem, load_bank
from bot.context import Context
from bot.durations import format_duration, parse_duration
from bot.errors import UserError
from bot.events import BotStarted, ButtonPressed, CommandInvoked, MemberJoined, SettingsChanged, TimerFired
from bot.features.debates.settings import (
    MAX_DEBATE_DURATION,
    MIN_DEBATE_DURATION,
    NO_SCHEDULE,
    DebateSettings,
)
from bot.features.debates.summary import Argument, Stance, Summary, summarize
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Message, mention
from bot.router import Feature, Option, action, command, on, timer
from bot.scheduler import cron_trigger, next_fire_time
from bot.settings import CommunitySettings
from storage.models import Member, OutboxEntry, Schedule
from storage.tables.debates import Debate, DebateLeadAsk, DebateMotion, DebateStance, DebateVolunteer

__all__ = ["DebatesFeature", "parse_positions"]

TAKE = "debate:take"  # ref "<debate id>.<position index>"
LEAD_ACCEPT = "debate:lead-accept"  # ref: the request's id
LEAD_DECLINE = "debate:lead-decline"
VOLUNTEER = "debate:volunteer"
APPROVE = "debate:approve"  # ref: the motion's id
REJECT = "debate:reject"
CLOSE = "debate:close"  # timer, ref: the debate's id
LEAD_EXPIRY = "debate:lead-expiry"  # timer, ref: the request's id
SCHEDULED = "debate:scheduled"  # the community's recurring rule

MAX_POSITIONS = 5
MIN_POSITIONS = 2
# A motion is one sentence, and it heads the post: Slack's header holds 150 characters, "Debate: " included.
MAX_MOTION_LENGTH = 130
# Button labels: Slack cuts at 75 characters, Discord at 80.
MAX_POSITION_LENGTH = 60
MAX_PENDING_PER_MEMBER = 5
MOTIONS_SHOWN = 15
PROPOSALS_SHOWN = 10
DEFAULT_POSITIONS = (N_("For"), N_("Against"), N_("Nuanced"))

_COMMUNITY_KEY = re.compile(r"^c(\d+)$", re.IGNORECASE)
_BANK_KEY = re.compile(r"^[\w-]+$")
_POSITION_SEPARATORS = re.compile(r"\s*[|;\n]\s*")


def parse_positions(text: str) -> list[str]:
    """``"For | Against | It depends"`` → the positions, in order (``;`` and new lines separate too; commas
    don't, since a position may hold one)."""
    return [part for part in (" ".join(p.split()) for p in _POSITION_SEPARATORS.split(text)) if part]


@dataclass(frozen=True)
class _Motion:
    """A motion ready to debate: from the bank, or one of the community's own."""

    key: str
    text: str
    positions: tuple[str, ...]
    credit: str = ""
    own: DebateMotion | None = None
    proposer: Member | None = None


class DebatesFeature(Feature):
    """Debate prompts: motions, positions, the before/after summary, proposals and rotating leads."""

    name = "debates"
    order = 60
    settings = DebateSettings

    # --- starting a debate ----------------------------------------------------------------------------------

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
    async def start(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        await self._sync_schedule(ctx)
        if not ctx.settings.debates.enabled:
            raise UserError(
                _(
                    "Debates are switched off in this community. "
                    "Switch them on with /agora debate settings enabled=yes."
                )
            )
        args = event.args
        channel = self._channel(ctx)
        motion = await self._resolve_motion(ctx, args.get("motion"))
        positions = self._positions(ctx, args.get("positions"), motion)
        duration = self._duration(ctx, args.get("duration"))
        assert ctx.actor is not None
        debate = await self._open(ctx, motion, positions, duration, channel, opened_by=ctx.actor.id)
        ctx.reply(
            _(
                "Debate #{number} is open in <#{channel}> until {date}. "
                "Close it earlier with /agora debate close debate={number}.",
                number=debate.number,
                channel=channel,
                date=ctx.format_time(debate.closes_at),
            )
        )

    @timer(SCHEDULED)
    async def scheduled(self, ctx: Context) -> None:
        """The community's recurring rule came due: a debate on a motion the bot picks."""
        settings = ctx.settings.debates
        if not settings.enabled or settings.schedule is None:
            await self._sync_schedule(ctx)  # the rule was switched off in the config since it was armed
            return
        channel = ctx.settings.channel("debates")
        if not channel:
            return  # nowhere to post; /agora debate settings shows the animators that no channel is set
        motion = await self._pick_motion(ctx)
        await self._open(
            ctx, motion, list(motion.positions), settings.duration, channel, opened_by="schedule"
        )

    def _channel(self, ctx: Context) -> str:
        channel = ctx.settings.channel("debates")
        if not channel:
            raise UserError(
                ctx._(
                    "There is no channel for debates yet. "
                    "An animator can choose one with /agora setup debates_channel=#channel."
                )
            )
        return channel

    def _duration(self, ctx: Context, raw: Any) -> timedelta:
        if raw is None or str(raw).strip() == "":
            return ctx.settings.debates.duration
        try:
            duration = parse_duration(str(raw))
        except ValueError:
            raise UserError(
                ctx._(
                    "“{value}” is not a duration I understand. Examples: 3d, 36h, 1h30m.",
                    value=raw,
                )
            ) from None
        if not MIN_DEBATE_DURATION <= duration <= MAX_DEBATE_DURATION:
            raise UserError(
                ctx._(
                    "A debate lasts between 10 minutes (10m) and 60 days (60d); “{value}” is not.", value=raw
                )
            )
        return duration

    async def _resolve_motion(self, ctx: Context, raw: Any) -> _Motion:
        """What the animator typed: nothing (I pick), a bank id, a community motion (``c7``), or the words."""
        _ = ctx._
        if raw is None:
            return await self._pick_motion(ctx)
        text = " ".join(str(raw).split())
        if not text:
            raise UserError(
                _(
                    "The motion is empty. Write it as a statement people can agree or disagree with, "
                    "e.g. “Remote work weakens professional networks”, or leave it out and I will pick one."
                )
            )
        own = _COMMUNITY_KEY.match(text)
        if own:
            return await self._own_motion(ctx, int(own.group(1)), text)
        if _BANK_KEY.match(text):
            for item in self._bank(ctx):
                if item.id == text.lower():
                    return self._from_bank(item)
            raise UserError(
                _(
                    "“{motion}” is not a motion I know. See them with /agora debate motions, "
                    "or write the motion itself in quotes.",
                    motion=text,
                )
            )
        self._check_motion_text(ctx, text)
        # A motion written on the spot joins the community's own, so it is listed and not picked again.
        member = await ctx.member()
        own_motion = DebateMotion(
            community_id=ctx.community.id,
            text=text,
            positions=[],
            tags=[],
            status="approved",
            proposed_by=member.id,
            credited=False,  # the animator runs the debate; naming them too would be noise
            created_at=ctx.now,
            reviewed_by=member.external_id,
            reviewed_at=ctx.now,
        )
        ctx.session.add(own_motion)
        await ctx.session.flush()
        return _Motion(key=f"c{own_motion.id}", text=text, positions=(), own=own_motion)

    async def _own_motion(self, ctx: Context, motion_id: int, typed: str) -> _Motion:
        _ = ctx._
        motion = await ctx.session.get(DebateMotion, motion_id)
        if motion is None or motion.community_id != ctx.community.id:
            raise UserError(
                _(
                    "“{motion}” is not a motion I know. See them with /agora debate motions, "
                    "or write the motion itself in quotes.",
                    motion=typed,
                )
            )
        if motion.status == "pending":
            raise UserError(
                _(
                    "Motion {key} is still waiting for approval. Approve it first with /agora debate "
                    "proposals.",
                    key=f"c{motion.id}",
                )
            )
        if motion.status != "approved":
            raise UserError(_("Motion {key} was declined, so it can't be debated.", key=f"c{motion.id}"))
        return await self._from_own(ctx, motion)

    async def _from_own(self, ctx: Context, motion: DebateMotion) -> _Motion:
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

    @staticmethod
    def _from_bank(item: ContentItem) -> _Motion:
        return _Motion(key=item.id, text=item.text, positions=item.positions, credit=item.author or "")

    @staticmethod
    def _bank(ctx: Context) -> tuple[ContentItem, ...]:
        return load_bank("motions", ctx.settings.locale)

    async def _pick_motion(self, ctx: Context) -> _Motion:
        """The community's own approved motions first (oldest first: members' proposals wait their turn),
        then a bank motion this community has not debated yet, then the one it debated longest ago."""
        own = await ctx.session.scalar(
            select(DebateMotion)
            .where(
                DebateMotion.community_id == ctx.community.id,
                DebateMotion.status == "approved",
                DebateMotion.used_at.is_(None),
            )
            .order_by(DebateMotion.created_at, DebateMotion.id)
            .limit(1)
        )
        if own is not None:
            return await self._from_own(ctx, own)
        bank = self._bank(ctx)
        last_used = dict(
            (
                await ctx.session.execute(
                    select(Debate.motion_key, func.max(Debate.opened_at))
                    .where(Debate.community_id == ctx.community.id)
                    .group_by(Debate.motion_key)
                )
            ).all()
        )
        fresh = [item for item in bank if item.id not in last_used]
        if fresh:
            # Varied from one debate to the next, yet reproducible for a given community and count.
            seed = f"{ctx.community.id}:{len(last_used)}"
            return self._from_bank(random.Random(seed).choice(fresh))
        oldest = min(bank, key=lambda item: last_used[item.id])
        return self._from_bank(oldest)

    def _positions(self, ctx: Context, raw: Any, motion: _Motion) -> list[str]:
        if raw is not None:
            return self._checked_positions(ctx, str(raw))
        if len(motion.positions) >= MIN_POSITIONS:
            return list(motion.positions)
        return [ctx._(label) for label in DEFAULT_POSITIONS]

    def _checked_positions(self, ctx: Context, raw: str) -> list[str]:
        _ = ctx._
        positions = parse_positions(raw)
        if len(positions) > MAX_POSITIONS:
            raise UserError(
                _(
                    "That makes {count} positions; a debate takes {max} at most, so that the buttons stay "
                    "readable. Merge or drop some, separated by |.",
                    count=len(positions),
                    max=MAX_POSITIONS,
                )
            )
        if len(positions) < MIN_POSITIONS:
            raise UserError(
                _("A debate needs at least two positions, separated by |, e.g. “For | Against | It depends”.")
            )
        seen: set[str] = set()
        for position in positions:
            if len(position) > MAX_POSITION_LENGTH:
                raise UserError(
                    _(
                        "The position “{position}” is too long for a button: {max} characters at most.",
                        position=position,
                        max=MAX_POSITION_LENGTH,
                    )
                )
            if position.casefold() in seen:
                raise UserError(_("The position “{position}” is given twice.", position=position))
            seen.add(position.casefold())
        return positions

    def _check_motion_text(self, ctx: Context, text: str) -> None:
        if len(text) > MAX_MOTION_LENGTH:
            raise UserError(
                ctx._(
                    "The motion is {count} characters long; keep it under {max} so that it reads at a "
                    "glance.",
                    count=len(text),
                    max=MAX_MOTION_LENGTH,
                )
            )

    async def _open(
        self,
        ctx: Context,
        motion: _Motion,
        positions: list[str],
        duration: timedelta,
        channel: str,
        *,
        opened_by: str,
    ) -> Debate:
        number = (
            await ctx.session.scalar(
                select(func.max(Debate.number)).where(Debate.community_id == ctx.community.id)
            )
            or 0
        ) + 1
        debate = Debate(
            community_id=ctx.community.id,
            number=number,
            motion_key=motion.key,
            motion_id=motion.own.id if motion.own is not None else None,
            motion=motion.text,
            positions=positions,
            credit=motion.credit,
            channel=channel,
            status="open",
            anonymous=ctx.settings.debates.anonymous,
            opened_by=opened_by,
            opened_at=ctx.now,
            closes_at=ctx.now + duration,
        )
        ctx.session.add(debate)
        await ctx.session.flush()
        if motion.own is not None:
            motion.own.used_at = ctx.now
        post = ctx.post(
            channel, self._debate_message(ctx, debate, 0, None), thread_title=_thread_title(motion.text)
        )
        await ctx.session.flush()
        debate.post_entry_id = post.id
        if ctx.can(Capability.THREADS):
            ctx.post(
                channel,
                Message(
                    ctx._(
                        "Arguments here, one idea per message. Reply to the ones you want to discuss, and "
                        "keep it kind."
                    )
                ),
                in_thread_of=post.id,
            )
        await ctx.set_timer(CLOSE, str(debate.id), debate.closes_at)
        if (
            motion.proposer is not None
            and motion.own is not None
            and motion.own.reviewed_by != motion.proposer.external_id
        ):
            ctx.dm(
                motion.proposer.external_id,
                Message(
                    ctx._(
                        "Your motion “{motion}” is being debated now in <#{channel}>, until {date}. "
                        "Thank you for proposing it!",
                        motion=motion.text,
                        channel=channel,
                        date=ctx.format_time(debate.closes_at),
                    )
                ),
            )
        if ctx.settings.debates.rotating_lead:
            await self._ask_next_lead(ctx, debate)
        return debate

    # --- taking a position ---------------------------------------------------------------------------------

    @action(TAKE)
    async def take(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        _ = ctx._
        debate_id, _sep, index_text = event.ref.partition(".")
        debate = await self._debate_by_id(ctx, debate_id)
        index = int(index_text) if index_text.isdigit() else -1
        if debate is None or not 0 <= index < len(debate.positions):
            raise UserError(
                _("This button no longer matches a debate of this community. Try /agora debate status.")
            )
        if debate.status != "open" or ctx.now >= debate.closes_at:
            raise UserError(
                _(
                    "This debate is closed, so positions can no longer change. "
                    "The summary is posted in <#{channel}>.",
                    channel=debate.channel,
                )
            )
        member = await ctx.member()
        position = debate.positions[index]
        until = ctx.format_time(debate.closes_at)
        stance = await ctx.session.scalar(
            select(DebateStance).where(
                DebateStance.debate_id == debate.id, DebateStance.member_id == member.id
            )
        )
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
                    position=position,
                    date=until,
                )
            )
            await self._refresh_post(ctx, debate)
            return
        if stance.position == index:
            ctx.reply(
                _(
                    "You already stand for “{position}”. You can change your mind until {date}.",
                    position=position,
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
                previous=previous,
                position=position,
            )
        )

    async def _refresh_post(self, ctx: Context, debate: Debate) -> None:
        """Show how many members took a position (not which: the distribution waits for the close, so nobody
        follows the crowd)."""
        if debate.post_entry_id is None:
            return
        count = await self._participants(ctx, debate)
        lead = await ctx.session.get(Member, debate.lead_id) if debate.lead_id else None
        await self._replace_post(ctx, debate, self._debate_message(ctx, debate, count, lead))

    async def _replace_post(self, ctx: Context, debate: Debate, message: Message) -> None:
        """Update the debate's post. An earlier update still waiting in the outbox is superseded rather than
        delivered: under a burst of presses (or a platform's rate limit) only the newest state is shown."""
        if debate.post_entry_id is None:
            return
        if debate.update_entry_id is not None:
            previous = await ctx.session.get(OutboxEntry, debate.update_entry_id)
            if previous is not None and previous.status == "pending":
                previous.status, previous.done_at = "superseded", ctx.now
        entry = ctx.update_posted(debate.post_entry_id, message)
        await ctx.session.flush()
        debate.update_entry_id = entry.id

    async def _participants(self, ctx: Context, debate: Debate) -> int:
        return int(
            await ctx.session.scalar(
                select(func.count(DebateStance.id)).where(DebateStance.debate_id == debate.id)
            )
            or 0
        )

    def _debate_message(
        self, ctx: Context, debate: Debate, participants: int, lead: Member | None
    ) -> Message:
        _ = ctx._
        until = ctx.format_time(debate.closes_at)
        where = (
            _(
                "Arguments go in the thread under this message: one idea per message, and reply to the ones "
                "you want to discuss."
            )
            if ctx.can(Capability.THREADS)
            else _(
                "Post your arguments in this channel: one idea per message, and reply to the ones you want "
                "to discuss."
            )
        )
        privacy = (
            _("The summary at the close gives the counts and how many minds changed, without names.")
            if debate.anonymous
            else _("The summary at the close shows who stood where, with names.")
        )
        fields = [
            Field(
                _("Positions taken"),
                _.ngettext("{count} member so far", "{count} members so far", participants)
                if debate.status == "open"
                else _.ngettext("{count} member", "{count} members", participants),
                inline=True,
            )
        ]
        if lead is not None:
            fields.append(Field(_("Led by"), mention(lead.external_id), inline=True))
        if debate.status == "open":
            text = "\n".join(
                (
                    _(
                        "Where do you stand? Take a position with a button below; you can change your mind "
                        "until {date}.",
                        date=until,
                    ),
                    where,
                    privacy,
                )
            )
            buttons = tuple(
                Button(TAKE, position, ref=f"{debate.id}.{index}", style="secondary")
                for index, position in enumerate(debate.positions)
            )
        else:
            assert debate.closed_at is not None
            text = _(
                "This debate closed on {date}. The summary is below.", date=ctx.format_time(debate.closed_at)
            )
            buttons = ()
        return Message(
            title=_("Debate: {motion}", motion=debate.motion),
            text=text,
            fields=tuple(fields),
            buttons=buttons,
            footer=self._footer(_, debate),
        )

    @staticmethod
    def _footer(_: Translator, debate: Debate) -> str:
        if debate.credit:
            return _(
                "Debate #{number}, motion proposed by {author}", number=debate.number, author=debate.credit
            )
        return _("Debate #{number}", number=debate.number)

    async def _debate_by_id(self, ctx: Context, raw: str) -> Debate | None:
        debate = await ctx.session.get(Debate, int(raw)) if raw.isdigit() else None
        if debate is None or debate.community_id != ctx.community.id:
            return None
        return debate

    # --- the close ------------------------------------------------------------------------------------------

    @command(
        "debate close",
        N_("Close a debate now and post its summary"),
        options=[Option("debate", N_("The debate's number (default: the one open)"), kind="integer")],
        animator_only=True,
    )
    async def close(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        number = event.args.get("debate")
        if number is not None:
            debate = await ctx.session.scalar(
                select(Debate).where(Debate.community_id == ctx.community.id, Debate.number == int(number))
            )
            if debate is None:
                raise UserError(_("There is no debate #{number} in this community.", number=number))
            if debate.status != "open":
                assert debate.closed_at is not None
                raise UserError(
                    _(
                        "Debate #{number} was already closed on {date}.",
                        number=debate.number,
                        date=ctx.format_time(debate.closed_at),
                    )
                )
        else:
            open_debates = await self._open_debates(ctx)
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
            debate = open_debates[0]
        assert ctx.actor is not None
        await self._close(ctx, debate, closed_by=ctx.actor.id)
        ctx.reply(
            _(
                "Debate #{number} is closed; its summary is posted in <#{channel}>.",
                number=debate.number,
                channel=debate.channel,
            )
        )

    @timer(CLOSE)
    async def deadline(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, TimerFired)
        debate = await self._debate_by_id(ctx, event.ref)
        if debate is not None and debate.status == "open":
            # Closed as of its deadline, even when the bot was stopped then and catches up later: no position
            # was taken after it (``take`` refuses them), so that is when the debate ended.
            await self._close(ctx, debate, closed_by="deadline", at=min(ctx.now, debate.closes_at))

    async def _open_debates(self, ctx: Context) -> list[Debate]:
        return list(
            (
                await ctx.session.scalars(
                    select(Debate)
                    .where(Debate.community_id == ctx.community.id, Debate.status == "open")
                    .order_by(Debate.number.desc())
                )
            ).all()
        )

    async def _close(
        self, ctx: Context, debate: Debate, *, closed_by: str, at: datetime | None = None
    ) -> None:
        debate.status, debate.closed_at, debate.closed_by = "closed", at or ctx.now, closed_by
        await ctx.cancel_timer(CLOSE, str(debate.id))
        pending = (
            await ctx.session.scalars(
                select(DebateLeadAsk).where(
                    DebateLeadAsk.debate_id == debate.id, DebateLeadAsk.status == "pending"
                )
            )
        ).all()
        for ask in pending:
            ask.status, ask.answered_at = "void", ctx.now
            await ctx.cancel_timer(LEAD_EXPIRY, str(ask.id))
            if ask.dm_entry_id is not None:
                ctx.update_posted(
                    ask.dm_entry_id,
                    Message(
                        ctx._(
                            "The debate “{motion}” has closed: no need to answer. Thank you all the same!",
                            motion=debate.motion,
                        )
                    ),
                )
        rows = (
            await ctx.session.execute(
                select(DebateStance, Member.external_id)
                .join(Member, Member.id == DebateStance.member_id)
                .where(DebateStance.debate_id == debate.id)
                .order_by(DebateStance.id)
            )
        ).all()
        stances = [Stance(s.first_position, s.position, member=mention(external)) for s, external in rows]
        summary = summarize(debate.positions, stances, await self._arguments(ctx, debate))
        lead = await ctx.session.get(Member, debate.lead_id) if debate.lead_id else None
        ctx.post(debate.channel, self._summary_message(ctx, debate, summary, lead))
        await self._replace_post(ctx, debate, self._debate_message(ctx, debate, summary.participants, lead))

    async def _arguments(self, ctx: Context, debate: Debate) -> list[Argument]:
        """The arguments posted in the debate's thread and how many replies each drew, for "most-replied".

        No platform exposes that to the core yet: the ``Chat`` port cannot read a thread's messages (the
        adapters receive no message content, by design of their intents and scopes). Until one does, there
        are none, and the summary leaves that part out rather than show an empty or made-up ranking; the
        ranking (``summarize``) and the rendering (``_summary_message``) are ready for when one does."""
        return []

    def _summary_message(
        self, ctx: Context, debate: Debate, summary: Summary, lead: Member | None
    ) -> Message:
        _ = ctx._
        positions = summary.positions
        if not summary.participants:
            text = _("Nobody took a position this time.")
        else:
            took = _.ngettext(
                "{count} member took a position.", "{count} members took a position.", summary.participants
            )
            changed = (
                _.ngettext(
                    "{count} of them changed their mind during the debate.",
                    "{count} of them changed their minds during the debate.",
                    summary.changed,
                )
                if summary.changed
                else _("Nobody changed their mind during the debate.")
            )
            text = f"{took} {changed}"
        fields: list[Field] = []
        if summary.participants:
            lines = [
                _(
                    "{position}: {count} ({percent}%), {before} at the start",
                    position=position,
                    count=summary.after[i],
                    percent=summary.percents[i],
                    before=summary.before[i],
                )
                for i, position in enumerate(positions)
            ]
            fields.append(
                Field(_("Where members stand at the close"), "\n".join(f"• {line}" for line in lines))
            )
        if summary.shifts:
            lines = []
            for shift in summary.shifts:
                line = _.ngettext(
                    "{count} member went from “{source}” to “{target}”",
                    "{count} members went from “{source}” to “{target}”",
                    shift.count,
                    source=positions[shift.source],
                    target=positions[shift.target],
                )
                if not debate.anonymous and shift.members:
                    line = f"{line}: {', '.join(shift.members)}"
                lines.append(f"• {line}")
            fields.append(Field(_("Who changed their mind, and in which direction"), "\n".join(lines)))
        if not debate.anonymous and summary.participants:
            lines = [
                f"• {positions[i]}: {', '.join(names)}" for i, names in enumerate(summary.holders) if names
            ]
            fields.append(Field(_("Who stands where"), "\n".join(lines)))
        if summary.arguments:
            lines = []
            for argument in summary.arguments:
                line = _.ngettext(
                    "“{argument}” ({count} reply)",
                    "“{argument}” ({count} replies)",
                    argument.replies,
                    argument=argument.excerpt,
                )
                if not debate.anonymous and argument.author:
                    line = f"{line}, {argument.author}"
                lines.append(f"• {line}")
            fields.append(Field(_("The most-replied arguments"), "\n".join(lines)))
        if lead is not None:
            fields.append(Field(_("Led by"), _("{lead}: thank you!", lead=mention(lead.external_id))))
        privacy = (
            _("Anonymous summary: counts only, no names.")
            if debate.anonymous
            else _("As announced, this summary shows names.")
        )
        buttons: tuple[Button, ...] = ()
        if ctx.settings.debates.rotating_lead:
            buttons = (Button(VOLUNTEER, _("I'd like to lead a debate"), style="secondary"),)
        return Message(
            title=_("Debate closed: {motion}", motion=debate.motion),
            text=text,
            fields=tuple(fields),
            buttons=buttons,
            footer=f"{self._footer(_, debate)} · {privacy}",
        )

    # --- what members see -----------------------------------------------------------------------------------

    @command("debate status", N_("The open debates, your position in each, and the next debate"))
    async def status(self, ctx: Context) -> None:
        _ = ctx._
        await self._sync_schedule(ctx)
        member = await ctx.member()
        fields = []
        for debate in reversed(await self._open_debates(ctx)):
            stance = await ctx.session.scalar(
                select(DebateStance).where(
                    DebateStance.debate_id == debate.id, DebateStance.member_id == member.id
                )
            )
            mine = (
                _("Your position: “{position}”.", position=debate.positions[stance.position])
                if stance is not None
                else _("You haven't taken a position yet.")
            )
            closes = _("Closes on {date}.", date=ctx.format_time(debate.closes_at))
            fields.append(Field(f"#{debate.number} {debate.motion}", f"{closes} {mine}\n<#{debate.channel}>"))
        text = _("No debate is open right now.") if not fields else ""
        upcoming = self._next_scheduled(ctx)
        if upcoming is not None:
            fields.append(Field(_("Next debate"), ctx.format_time(upcoming)))
        elif not ctx.settings.debates.enabled:
            fields.append(Field(_("Next debate"), _("Debates are switched off in this community.")))
        else:
            fields.append(
                Field(_("Next debate"), _("When an animator starts one: no regular schedule is set."))
            )
        ctx.reply(
            Message(
                title=_("Debates"),
                text=text,
                fields=tuple(fields),
                footer=_("Propose a motion of your own with /agora debate propose."),
                ephemeral=True,
            )
        )

    def _next_scheduled(self, ctx: Context) -> datetime | None:
        settings = ctx.settings.debates
        if not settings.enabled or settings.schedule is None:
            return None
        return next_fire_time(cron_trigger(settings.schedule, ctx.settings.timezone), ctx.now)

    @command(
        "debate motions",
        N_("The motions ready to debate (the bank and the community's own)"),
        options=[Option("tag", N_("Only the motions with this tag"))],
    )
    async def motions(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        tag = str(event.args.get("tag") or "").strip().lower()
        bank = self._bank(ctx)
        own = (
            await ctx.session.scalars(
                select(DebateMotion)
                .where(DebateMotion.community_id == ctx.community.id, DebateMotion.status == "approved")
                .order_by(DebateMotion.id)
            )
        ).all()
        tags = sorted({t for item in bank for t in item.tags} | {t for m in own for t in m.tags})
        used = set(
            (
                await ctx.session.scalars(
                    select(Debate.motion_key).where(Debate.community_id == ctx.community.id)
                )
            ).all()
        )
        entries: list[tuple[str, str, bool]] = [
            (f"c{m.id}", m.text, f"c{m.id}" in used) for m in own if not tag or tag in m.tags
        ]
        entries += [(item.id, item.text, item.id in used) for item in bank if not tag or tag in item.tags]
        if not entries:
            raise UserError(_("No motion has the tag “{tag}”. Tags: {tags}.", tag=tag, tags=", ".join(tags)))
        # Those not debated yet first: they are the ones worth choosing.
        entries.sort(key=lambda entry: entry[2])
        shown = entries[:MOTIONS_SHOWN]
        debated = _("(debated)")
        lines = [f"• {key} — {text}" + (f" {debated}" if was_used else "") for key, text, was_used in shown]
        fields = _chunks(_("Motions"), lines)
        more = len(entries) - len(shown)
        notes = []
        if more:
            notes.append(
                _.ngettext(
                    "{count} more motion: narrow the list with tag=…",
                    "{count} more motions: narrow the list with tag=…",
                    more,
                )
            )
        notes.append(_("Tags: {tags}.", tags=", ".join(tags)))
        usage = (
            _(
                "Start one with /agora debate start motion=<id>, or propose your own with /agora debate "
                "propose."
            )
            if ctx.is_animator
            else _("Propose your own with /agora debate propose: the animators review proposals.")
        )
        ctx.reply(
            Message(
                title=_("Motions ready to debate"),
                text=usage,
                fields=tuple(fields),
                footer=" ".join(notes),
                ephemeral=True,
            )
        )

    # --- motions of the community's own ---------------------------------------------------------------------

    @command(
        "debate propose",
        N_("Propose a motion for a coming debate (the animators review it)"),
        options=[
            Option(
                "motion",
                N_("The motion, as a statement people can agree or disagree with"),
                required=True,
                rest=True,
            ),
            Option("positions", N_("Up to 5 positions separated by | (optional)")),
            Option("anonymous", N_("Yes to stay unnamed when your motion is debated"), kind="boolean"),
        ],
    )
    async def propose(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        member = await ctx.member()
        text, positions = await self._new_motion(ctx, event.args)
        waiting = await ctx.session.scalar(
            select(func.count(DebateMotion.id)).where(
                DebateMotion.community_id == ctx.community.id,
                DebateMotion.proposed_by == member.id,
                DebateMotion.status == "pending",
            )
        )
        if (waiting or 0) >= MAX_PENDING_PER_MEMBER:
            raise UserError(
                _(
                    "You already have {count} motions waiting for the animators; "
                    "please wait until they review them before proposing more.",
                    count=waiting,
                )
            )
        credited = not event.args.get("anonymous", False)
        motion = DebateMotion(
            community_id=ctx.community.id,
            text=text,
            positions=positions,
            tags=[],
            status="pending",
            proposed_by=member.id,
            credited=credited,
            created_at=ctx.now,
        )
        ctx.session.add(motion)
        await ctx.session.flush()
        # The animators configured by id hear about it; the others see it in /agora debate proposals.
        animators = (
            await ctx.session.scalars(
                select(Member.external_id).where(
                    Member.community_id == ctx.community.id,
                    Member.external_id.in_(ctx.settings.animators),
                    Member.left_at.is_(None),
                )
            )
        ).all()
        for animator in animators:
            if animator != member.external_id:
                ctx.dm(
                    animator,
                    Message(
                        _(
                            "{member} proposes a motion for a debate: “{motion}”. "
                            "Review it with /agora debate proposals.",
                            member=mention(member.external_id),
                            motion=text,
                        )
                    ),
                )
        ctx.reply(
            _(
                "Thank you! Your motion “{motion}” is waiting for the animators' approval; "
                "I'll tell you what they decide. When it is debated, you will be credited.",
                motion=text,
            )
            if credited
            else _(
                "Thank you! Your motion “{motion}” is waiting for the animators' approval; "
                "I'll tell you what they decide. As you asked, your name won't be shown.",
                motion=text,
            )
        )

    @command(
        "debate add",
        N_("Add a motion of the community's own, to debate later"),
        options=[
            Option(
                "motion",
                N_("The motion, as a statement people can agree or disagree with"),
                required=True,
                rest=True,
            ),
            Option("positions", N_("Up to 5 positions separated by | (optional)")),
            Option("tags", N_("Tags separated by commas, to find it with /agora debate motions")),
        ],
        animator_only=True,
    )
    async def add(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        member = await ctx.member()
        text, positions = await self._new_motion(ctx, event.args)
        tags = sorted({t.strip().lower() for t in str(event.args.get("tags") or "").split(",") if t.strip()})
        motion = DebateMotion(
            community_id=ctx.community.id,
            text=text,
            positions=positions,
            tags=tags,
            status="approved",
            proposed_by=member.id,
            credited=False,
            created_at=ctx.now,
            reviewed_by=member.external_id,
            reviewed_at=ctx.now,
        )
        ctx.session.add(motion)
        await ctx.session.flush()
        ctx.reply(
            ctx._(
                "Motion {key} added: “{motion}”. It comes before the bank's motions when I pick one; "
                "debate it now with /agora debate start motion={key}.",
                key=f"c{motion.id}",
                motion=text,
            )
        )

    async def _new_motion(self, ctx: Context, args: dict[str, Any]) -> tuple[str, list[str]]:
        _ = ctx._
        text = " ".join(str(args.get("motion") or "").split())
        if not text:
            raise UserError(
                _(
                    "The motion is empty. Write it as a statement people can agree or disagree with, "
                    "e.g. “Remote work weakens professional networks”."
                )
            )
        if " " not in text:
            raise UserError(
                _(
                    "“{motion}” is a single word. Write the motion as a statement people can agree or "
                    "disagree "
                    "with, e.g. “Remote work weakens professional networks”.",
                    motion=text,
                )
            )
        self._check_motion_text(ctx, text)
        duplicate = await ctx.session.scalar(
            select(DebateMotion).where(
                DebateMotion.community_id == ctx.community.id,
                func.lower(DebateMotion.text) == text.lower(),
                DebateMotion.status != "declined",
            )
        )
        if duplicate is not None:
            raise UserError(_("This motion is already on the list, as {key}.", key=f"c{duplicate.id}"))
        raw = args.get("positions")
        positions = self._checked_positions(ctx, str(raw)) if raw not in (None, "") else []
        return text, positions

    @command("debate proposals", N_("Review the motions members proposed"), animator_only=True)
    async def proposals(self, ctx: Context) -> None:
        _ = ctx._
        pending = (
            await ctx.session.scalars(
                select(DebateMotion)
                .where(DebateMotion.community_id == ctx.community.id, DebateMotion.status == "pending")
                .order_by(DebateMotion.created_at, DebateMotion.id)
            )
        ).all()
        if not pending:
            ctx.reply(_("No motion is waiting for approval."))
            return
        if len(pending) > PROPOSALS_SHOWN:
            ctx.reply(
                _(
                    "{count} motions are waiting; here are the {shown} oldest.",
                    count=len(pending),
                    shown=PROPOSALS_SHOWN,
                )
            )
        for motion in pending[:PROPOSALS_SHOWN]:
            ctx.reply(await self._proposal_message(ctx, motion))

    async def _proposal_message(self, ctx: Context, motion: DebateMotion, *, decided: str = "") -> Message:
        _ = ctx._
        proposer = await ctx.session.get(Member, motion.proposed_by) if motion.proposed_by else None
        who = mention(proposer.external_id) if proposer is not None else _("a former member")
        fields = []
        if motion.positions:
            fields.append(Field(_("Positions"), "\n".join(f"• {p}" for p in motion.positions)))
        notes = [f"“{motion.text}”"]
        if not motion.credited:
            notes.append(_("The author asked not to be named when it is debated."))
        if decided:
            notes.append(decided)
        buttons: tuple[Button, ...] = ()
        if not decided:
            buttons = (
                Button(APPROVE, _("Approve"), ref=str(motion.id), style="success"),
                Button(REJECT, _("Decline"), ref=str(motion.id), style="secondary"),
            )
        return Message(
            title=_("Motion {key}, proposed by {member}", key=f"c{motion.id}", member=who),
            text="\n".join(notes),
            fields=tuple(fields),
            buttons=buttons,
            ephemeral=True,
        )

    @action(APPROVE, animator_only=True)
    async def approve(self, ctx: Context) -> None:
        await self._review(ctx, approve=True)

    @action(REJECT, animator_only=True)
    async def reject(self, ctx: Context) -> None:
        await self._review(ctx, approve=False)

    async def _review(self, ctx: Context, *, approve: bool) -> None:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        _ = ctx._
        motion = await ctx.session.get(DebateMotion, int(event.ref)) if event.ref.isdigit() else None
        if motion is None or motion.community_id != ctx.community.id:
            raise UserError(
                _("This button no longer matches a proposed motion. Try /agora debate proposals.")
            )
        if motion.status != "pending":
            raise UserError(
                _("Motion {key} was already approved.", key=f"c{motion.id}")
                if motion.status == "approved"
                else _("Motion {key} was already declined.", key=f"c{motion.id}")
            )
        assert ctx.actor is not None
        motion.status, motion.reviewed_by, motion.reviewed_at = (
            "approved" if approve else "declined",
            ctx.actor.id,
            ctx.now,
        )
        proposer = await ctx.session.get(Member, motion.proposed_by) if motion.proposed_by else None
        if proposer is not None and proposer.left_at is None:
            if approve:
                news = (
                    _(
                        "Good news: the animators approved your motion “{motion}”. It will be debated soon, "
                        "and you will be credited.",
                        motion=motion.text,
                    )
                    if motion.credited
                    else _(
                        "Good news: the animators approved your motion “{motion}”. It will be debated soon, "
                        "without your name, as you asked.",
                        motion=motion.text,
                    )
                )
            else:
                news = _(
                    "Thank you for proposing “{motion}”. The animators won't put it up for debate this time; "
                    "another proposal is welcome any time with /agora debate propose.",
                    motion=motion.text,
                )
            ctx.dm(proposer.external_id, Message(news))
        decided = (
            _(
                "✅ Approved. Debate it now with /agora debate start motion={key}, or let me pick it in turn.",
                key=f"c{motion.id}",
            )
            if approve
            else _("Declined. The author has been thanked and told.")
        )
        # The proposal turns into its outcome in place; where messages can't be edited, a reply says it.
        if ctx.can(Capability.UPDATE):
            ctx.replace_pressed(await self._proposal_message(ctx, motion, decided=decided))
        else:
            ctx.reply(decided)

    # --- rotating lead -------------------------------------------------------------------------------------

    @command(
        "debate volunteer",
        N_("Volunteer to lead debates in turn (stop=yes to stop)"),
        options=[Option("stop", N_("Yes to leave the list of debate leads"), kind="boolean")],
    )
    async def volunteer(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        await self._volunteer(ctx, stop=bool(event.args.get("stop", False)))

    @action(VOLUNTEER)
    async def volunteer_button(self, ctx: Context) -> None:
        await self._volunteer(ctx, stop=False)

    async def _volunteer(self, ctx: Context, *, stop: bool) -> None:
        _ = ctx._
        member = await ctx.member()
        row = await ctx.session.scalar(
            select(DebateVolunteer).where(
                DebateVolunteer.community_id == ctx.community.id, DebateVolunteer.member_id == member.id
            )
        )
        if stop:
            if row is None or not row.active:
                ctx.reply(_("You are not on the list of debate leads; nothing to change."))
                return
            row.active = False
            ctx.reply(_("You are off the list of debate leads. Thank you for the debates you led!"))
            return
        if row is not None and row.active:
            ctx.reply(
                _(
                    "You are already on the list of debate leads. "
                    "To leave it: /agora debate volunteer stop=yes."
                )
            )
            return
        if row is None:
            ctx.session.add(
                DebateVolunteer(
                    community_id=ctx.community.id, member_id=member.id, active=True, volunteered_at=ctx.now
                )
            )
        else:
            row.active, row.volunteered_at = True, ctx.now
        text = _(
            "Thank you! You are on the list of debate leads. When it is your turn, I will ask you by direct "
            "message, and you can always say no. To leave the list: /agora debate volunteer stop=yes."
        )
        if not ctx.settings.debates.rotating_lead:
            text = "\n".join(
                (
                    text,
                    _(
                        "Rotating leads are not switched on in this community yet: an animator can do it "
                        "with /agora debate settings rotating_lead=yes."
                    ),
                )
            )
        ctx.reply(text)

    async def _ask_next_lead(self, ctx: Context, debate: Debate) -> None:
        """Ask the volunteer who led least recently (never first) and was not asked for this debate yet."""
        asked = select(DebateLeadAsk.member_id).where(DebateLeadAsk.debate_id == debate.id)
        candidate = (
            await ctx.session.execute(
                select(DebateVolunteer, Member)
                .join(Member, Member.id == DebateVolunteer.member_id)
                .where(
                    DebateVolunteer.community_id == ctx.community.id,
                    DebateVolunteer.active,
                    Member.left_at.is_(None),
                    DebateVolunteer.member_id.not_in(asked),
                )
                .order_by(
                    DebateVolunteer.last_led_at.is_not(None),
                    DebateVolunteer.last_led_at,
                    DebateVolunteer.volunteered_at,
                    DebateVolunteer.id,
                )
                .limit(1)
            )
        ).first()
        if candidate is None:
            return  # nobody (else) volunteered: the animators moderate this one
        _volunteer, member = candidate
        ask = DebateLeadAsk(
            community_id=ctx.community.id,
            debate_id=debate.id,
            member_id=member.id,
            status="pending",
            asked_at=ctx.now,
        )
        ctx.session.add(ask)
        await ctx.session.flush()
        entry = ctx.dm(member.external_id, self._ask_message(ctx, debate, ask))
        await ctx.session.flush()
        ask.dm_entry_id = entry.id
        expiry = min(ctx.now + ctx.settings.debates.lead_answer_within, debate.closes_at)
        await ctx.set_timer(LEAD_EXPIRY, str(ask.id), expiry)

    def _ask_message(self, ctx: Context, debate: Debate, ask: DebateLeadAsk) -> Message:
        _ = ctx._
        answer_by = min(ctx.now + ctx.settings.debates.lead_answer_within, debate.closes_at)
        return Message(
            title=_("Would you lead this debate?"),
            text="\n".join(
                (
                    _(
                        "The debate “{motion}” is open in <#{channel}> until {date}.",
                        motion=debate.motion,
                        channel=debate.channel,
                        date=ctx.format_time(debate.closes_at),
                    ),
                    _(
                        "Leading means: welcome the first arguments, invite quieter members to speak, keep "
                        "the "
                        "exchange kind, and sum up each side once midway. Volunteers take turns, and it is "
                        "your turn."
                    ),
                    _(
                        "Please answer by {date}; after that I ask the next volunteer.",
                        date=ctx.format_time(answer_by),
                    ),
                )
            ),
            buttons=(
                Button(LEAD_ACCEPT, _("I'll lead it"), ref=str(ask.id), style="success"),
                Button(LEAD_DECLINE, _("Not this time"), ref=str(ask.id), style="secondary"),
            ),
            footer=_("You get this because you volunteered. To stop: /agora debate volunteer stop=yes."),
        )

    async def _pending_ask(self, ctx: Context) -> tuple[DebateLeadAsk, Debate]:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        _ = ctx._
        ask = await ctx.session.get(DebateLeadAsk, int(event.ref)) if event.ref.isdigit() else None
        member = await ctx.member()
        if ask is None or ask.community_id != ctx.community.id or ask.member_id != member.id:
            raise UserError(_("This request to lead a debate was not meant for you."))
        debate = await ctx.session.get(Debate, ask.debate_id)
        assert debate is not None
        if ask.status == "accepted":
            raise UserError(_("You already agreed to lead this debate. Thank you!"))
        if ask.status == "declined":
            raise UserError(_("You already said not this time; another volunteer was asked."))
        if ask.status == "expired":
            raise UserError(
                _("Too late for this one: I asked another volunteer in the meantime. Thank you all the same!")
            )
        if ask.status != "pending" or debate.status != "open":
            raise UserError(_("This debate is closed: no need to answer. Thank you all the same!"))
        return ask, debate

    @action(LEAD_ACCEPT)
    async def lead_accept(self, ctx: Context) -> None:
        _ = ctx._
        ask, debate = await self._pending_ask(ctx)
        ask.status, ask.answered_at = "accepted", ctx.now
        await ctx.cancel_timer(LEAD_EXPIRY, str(ask.id))
        debate.lead_id = ask.member_id
        volunteer = await ctx.session.scalar(
            select(DebateVolunteer).where(
                DebateVolunteer.community_id == ctx.community.id, DebateVolunteer.member_id == ask.member_id
            )
        )
        if volunteer is not None:
            volunteer.last_led_at, volunteer.led_count = ctx.now, volunteer.led_count + 1
        member = await ctx.member()
        if debate.post_entry_id is not None:
            await self._refresh_post(ctx, debate)
            if ctx.can(Capability.THREADS):
                ctx.post(
                    debate.channel,
                    Message(_("{lead} leads this debate. Thank you!", lead=mention(member.external_id))),
                    in_thread_of=debate.post_entry_id,
                )
        thanks = _(
            "Thank you! You lead “{motion}” until {date}; I post the summary at the close.",
            motion=debate.motion,
            date=ctx.format_time(debate.closes_at),
        )
        if ctx.can(Capability.UPDATE):
            ctx.replace_pressed(Message(title=_("You lead this debate"), text=thanks))
        else:
            ctx.reply(thanks)

    @action(LEAD_DECLINE)
    async def lead_decline(self, ctx: Context) -> None:
        _ = ctx._
        ask, debate = await self._pending_ask(ctx)
        ask.status, ask.answered_at = "declined", ctx.now
        await ctx.cancel_timer(LEAD_EXPIRY, str(ask.id))
        text = _(
            "No problem: I will ask another volunteer. You stay on the list for the next debates; "
            "to leave it: /agora debate volunteer stop=yes."
        )
        if ctx.can(Capability.UPDATE):
            ctx.replace_pressed(Message(text))
        else:
            ctx.reply(text)
        await self._ask_next_lead(ctx, debate)

    @timer(LEAD_EXPIRY)
    async def lead_expired(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, TimerFired)
        ask = await ctx.session.get(DebateLeadAsk, int(event.ref)) if event.ref.isdigit() else None
        if ask is None or ask.community_id != ctx.community.id or ask.status != "pending":
            return
        ask.status, ask.answered_at = "expired", ctx.now
        debate = await ctx.session.get(Debate, ask.debate_id)
        if ask.dm_entry_id is not None:
            ctx.update_posted(
                ask.dm_entry_id,
                Message(
                    ctx._("No answer in time, so I asked another volunteer. No worries: maybe next time!")
                ),
            )
        if debate is not None and debate.status == "open":
            await self._ask_next_lead(ctx, debate)

    # --- settings and the recurring rule --------------------------------------------------------------------

    @command(
        "debate settings",
        N_("Debate settings: schedule, duration, anonymity, rotating lead"),
        options=[
            Option("enabled", N_("Yes or no: debates in this community"), kind="boolean"),
            Option("schedule", N_('A cron rule such as "0 18 * * thu" (Thursdays 18:00), or none')),
            Option("duration", N_("How long a debate stays open, e.g. 3d")),
            Option("anonymous", N_("Yes for summaries without names"), kind="boolean"),
            Option("rotating_lead", N_("Yes to ask a volunteer to lead each debate"), kind="boolean"),
            Option("lead_answer_within", N_("How long a volunteer has to answer, e.g. 1d")),
        ],
        animator_only=True,
    )
    async def settings_page(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        args = {k: v for k, v in event.args.items() if v is not None}
        if not args:
            await self._sync_schedule(ctx)
            ctx.reply(self._settings_message(ctx, _("Debate settings")))
            return
        changes: dict[str, Any] = {}
        for key in ("enabled", "anonymous", "rotating_lead"):
            if key in args:
                changes[key] = bool(args[key])
        if "schedule" in args:
            rule = " ".join(str(args["schedule"]).split())
            if rule.lower() in NO_SCHEDULE:
                changes["schedule"] = None
            else:
                try:
                    cron_trigger(rule, ctx.settings.timezone)
                except ValueError:
                    raise UserError(
                        _(
                            "“{value}” is not a schedule I understand. Write a cron rule in quotes, e.g. "
                            '"0 18 * * thu" for Thursdays at 18:00, or none for no regular debate.',
                            value=args["schedule"],
                        )
                    ) from None
                changes["schedule"] = rule
        if "duration" in args:
            changes["duration"] = format_duration(self._duration(ctx, args["duration"]))
        if "lead_answer_within" in args:
            changes["lead_answer_within"] = format_duration(ctx.delay(args["lead_answer_within"]))
        ctx.save_settings(changes, section="debates")
        await self._sync_schedule(ctx)
        ctx.reply(self._settings_message(ctx, ctx._("Debate settings saved.")))

    def _settings_message(self, ctx: Context, title: str) -> Message:
        _ = ctx._
        s: CommunitySettings = ctx.settings
        d = s.debates
        yes, no = _("yes"), _("no")
        upcoming = self._next_scheduled(ctx)
        schedule = (
            _("{rule} (next: {date})", rule=d.schedule, date=ctx.format_time(upcoming))
            if d.schedule and upcoming is not None
            else _("none: debates start when an animator runs /agora debate start")
        )
        channel = s.channel("debates")
        return Message(
            title=title,
            text=_("Change them with /agora debate settings and the option's name, e.g. anonymous=no."),
            fields=(
                Field(_("Enabled"), yes if d.enabled else no, inline=True),
                Field(_("Duration"), format_duration(d.duration), inline=True),
                Field(_("Anonymous summaries"), yes if d.anonymous else no, inline=True),
                Field(_("Rotating lead"), yes if d.rotating_lead else no, inline=True),
                Field(
                    _("Time to answer a request to lead"), format_duration(d.lead_answer_within), inline=True
                ),
                Field(_("Schedule"), schedule),
                Field(
                    _("Channel"),
                    f"<#{channel}>" if channel else _("not set: /agora setup debates_channel=#…"),
                ),
            ),
            ephemeral=True,
        )

    async def _sync_schedule(self, ctx: Context) -> None:
        """Make the stored recurring rule match the settings (the YAML's default or the community's own)."""
        settings = ctx.settings.debates
        wanted = settings.schedule if settings.enabled else None
        row = await ctx.session.scalar(
            select(Schedule).where(Schedule.community_id == ctx.community.id, Schedule.kind == SCHEDULED)
        )
        if wanted is not None:
            if row is None or row.paused or row.cron != wanted or row.timezone != ctx.settings.timezone:
                await ctx.set_schedule(SCHEDULED, wanted)
        elif row is not None and not row.paused:
            await ctx.set_schedule(SCHEDULED, row.cron, paused=True)

    @on(BotStarted)
    @on(SettingsChanged)
    async def on_start(self, ctx: Context) -> None:
        # The schedule is read in the community's time zone, which /agora setup may just have changed.
        await self._sync_schedule(ctx)

    @on(MemberJoined)
    async def on_join(self, ctx: Context) -> None:
        # A community's first members come soon after it exists: its recurring rule starts without a restart.
        await self._sync_schedule(ctx)


def _thread_title(motion: str) -> str:
    """Platforms cap thread names at 100 characters."""
    return motion if len(motion) <= 100 else motion[:99].rstrip() + "…"


def _chunks(title: str, lines: list[str], limit: int = 1000) -> list[Field]:
    """Lines grouped into fields of ``title``, each under ``limit`` characters (Discord's cap: 1024)."""
    fields: list[Field] = []
    current: list[str] = []
    for line in lines:
        if current and len("\n".join([*current, line])) > limit:
            fields.append(Field(title, "\n".join(current)))
            current = []
        current.append(line)
    if current:
        fields.append(Field(title, "\n".join(current)))
    return fields
