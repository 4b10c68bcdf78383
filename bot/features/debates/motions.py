"""Motions: the list ready to debate, members' proposals and the animators' review, motions added by hand."""

from __future__ import annotations

from typing import Any

from bot.chat import Capability
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, CommandInvoked
from bot.features.debates import queries, render, rules
from bot.features.debates.handlers import bank
from bot.features.debates.render import APPROVE, REJECT
from bot.i18n import N_, Translator
from bot.messages import Message, mention, untrusted
from bot.router import Option, action, command
from bot.settings.types import excerpt
from storage.models import DebateMotionStatus, Member
from storage.tables.debates import DebateMotion

__all__ = ["MotionHandlers"]


class MotionHandlers:
    """The motions list, proposals and their review."""

    @command(
        "debate motions",
        N_("The motions ready to debate (the bank and the community's own)"),
        options=[Option("tag", N_("Only the motions with this tag"))],
    )
    async def motions(self, ctx: Context[CommandInvoked], tag: Any = None) -> None:
        _ = ctx._
        wanted = str(tag or "").strip().lower()
        items = bank(ctx)
        own = await queries.approved_motions(ctx.session, ctx.community.id)
        tags = sorted({t for item in items for t in item.tags} | {t for m in own for t in m.tags})
        used = await queries.used_keys(ctx.session, ctx.community.id)
        entries: list[tuple[str, str, bool]] = [
            (f"c{m.id}", m.text, f"c{m.id}" in used) for m in own if not wanted or wanted in m.tags
        ]
        entries += [
            (item.id, item.text, item.id in used) for item in items if not wanted or wanted in item.tags
        ]
        if not entries:
            raise UserError(
                _(
                    "No motion has the tag “{tag}”. Tags: {tags}.",
                    tag=untrusted(excerpt(wanted)),
                    tags=", ".join(tags),
                )
            )
        # Those not debated yet first: they are the ones worth choosing.
        entries.sort(key=lambda entry: entry[2])
        ctx.reply(
            render.motions_message(_, entries, tags, shown=rules.MOTIONS_SHOWN, animator=ctx.is_animator)
        )

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
    async def propose(
        self, ctx: Context[CommandInvoked], motion: Any = None, positions: Any = None, anonymous: bool = False
    ) -> None:
        _ = ctx._
        member = await ctx.member()
        text, chosen = await _new_motion(ctx, motion, positions)
        waiting = await queries.pending_count(ctx.session, ctx.community.id, member.id)
        if waiting >= rules.MAX_PENDING_PER_MEMBER:
            raise UserError(
                _(
                    "You already have {count} motions waiting for the animators; "
                    "please wait until they review them before proposing more.",
                    count=waiting,
                )
            )
        credited = not anonymous
        ctx.session.add(
            DebateMotion(
                community_id=ctx.community.id,
                text=text,
                positions=chosen,
                tags=[],
                status=DebateMotionStatus.PENDING,
                proposed_by=member.id,
                credited=credited,
                created_at=ctx.now,
            )
        )
        await ctx.session.flush()
        # The animators configured by id hear about it; the others see it in /agora debate proposals.
        present = await queries.animators_present(ctx.session, ctx.community.id, ctx.settings.animators)
        await ctx.dm_each(
            [animator for animator in present if animator != member.external_id],
            lambda _: Message(
                _(
                    "{member} proposes a motion for a debate: “{motion}”. "
                    "Review it with /agora debate proposals.",
                    member=mention(member.external_id),
                    motion=untrusted(text),
                )
            ),
        )
        ctx.reply(
            _(
                "Thank you! Your motion “{motion}” is waiting for the animators' approval; "
                "I'll tell you what they decide. When it is debated, you will be credited.",
                motion=untrusted(text),
            )
            if credited
            else _(
                "Thank you! Your motion “{motion}” is waiting for the animators' approval; "
                "I'll tell you what they decide. As you asked, your name won't be shown.",
                motion=untrusted(text),
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
    async def add(
        self, ctx: Context[CommandInvoked], motion: Any = None, positions: Any = None, tags: Any = None
    ) -> None:
        member = await ctx.member()
        text, chosen = await _new_motion(ctx, motion, positions)
        row = DebateMotion(
            community_id=ctx.community.id,
            text=text,
            positions=chosen,
            tags=rules.parse_tags(tags),
            status=DebateMotionStatus.APPROVED,
            proposed_by=member.id,
            credited=False,
            created_at=ctx.now,
            reviewed_by=member.external_id,
            reviewed_at=ctx.now,
        )
        ctx.session.add(row)
        await ctx.session.flush()
        ctx.reply(
            ctx._(
                "Motion {key} added: “{motion}”. It comes before the bank's motions when I pick one; "
                "debate it now with /agora debate start motion={key}.",
                key=f"c{row.id}",
                motion=untrusted(text),
            )
        )

    @command("debate proposals", N_("Review the motions members proposed"), animator_only=True)
    async def proposals(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        pending = await queries.pending_motions(ctx.session, ctx.community.id)
        if not pending:
            ctx.reply(_("No motion is waiting for approval."))
            return
        if len(pending) > rules.PROPOSALS_SHOWN:
            ctx.reply(
                _(
                    "{count} motions are waiting; here are the {shown} oldest.",
                    count=len(pending),
                    shown=rules.PROPOSALS_SHOWN,
                )
            )
        for motion in pending[: rules.PROPOSALS_SHOWN]:
            ctx.reply(render.proposal_message(_, motion, await _proposer_id(ctx, motion)))

    @action(APPROVE, animator_only=True)
    async def approve(self, ctx: Context[ButtonPressed]) -> None:
        await _review(ctx, approve=True)

    @action(REJECT, animator_only=True)
    async def reject(self, ctx: Context[ButtonPressed]) -> None:
        await _review(ctx, approve=False)


async def _proposer(ctx: Context[Any], motion: DebateMotion) -> Member | None:
    return await ctx.session.get(Member, motion.proposed_by) if motion.proposed_by else None


async def _proposer_id(ctx: Context[Any], motion: DebateMotion) -> str | None:
    proposer = await _proposer(ctx, motion)
    return proposer.external_id if proposer is not None else None


async def _new_motion(ctx: Context[Any], raw: Any, raw_positions: Any) -> tuple[str, list[str]]:
    """A motion proposed or added, checked: its words, not already on the list, and its positions if any."""
    _ = ctx._
    text = rules.new_motion_text(_, raw)
    duplicate = await queries.duplicate_motion(ctx.session, ctx.community.id, text)
    if duplicate is not None:
        raise UserError(_("This motion is already on the list, as {key}.", key=f"c{duplicate.id}"))
    positions = rules.checked_positions(_, str(raw_positions)) if raw_positions not in (None, "") else []
    return text, positions


async def _review(ctx: Context[ButtonPressed], *, approve: bool) -> None:
    _ = ctx._
    motion = await ctx.owned(
        DebateMotion,
        ctx.event.ref,
        gone=N_("This button no longer matches a proposed motion. Try /agora debate proposals."),
    )
    if motion.status != DebateMotionStatus.PENDING:
        raise UserError(
            _("Motion {key} was already approved.", key=f"c{motion.id}")
            if motion.status == DebateMotionStatus.APPROVED
            else _("Motion {key} was already declined.", key=f"c{motion.id}")
        )
    assert ctx.actor is not None
    motion.status = DebateMotionStatus.APPROVED if approve else DebateMotionStatus.DECLINED
    motion.reviewed_by, motion.reviewed_at = ctx.actor.id, ctx.now
    proposer = await _proposer(ctx, motion)
    if proposer is not None and proposer.left_at is None:
        await ctx.dm(proposer, lambda words: Message(_news(words, motion, approve=approve)))
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
        ctx.replace_pressed(
            render.proposal_message(
                _, motion, proposer.external_id if proposer is not None else None, decided=decided
            )
        )
    else:
        ctx.reply(decided)


def _news(_: Translator, motion: DebateMotion, *, approve: bool) -> str:
    """What the proposer of ``motion`` is told of the animators' decision, in their words."""
    if not approve:
        return _(
            "Thank you for proposing “{motion}”. The animators won't put it up for debate this time; "
            "another proposal is welcome any time with /agora debate propose.",
            motion=untrusted(motion.text),
        )
    if motion.credited:
        return _(
            "Good news: the animators approved your motion “{motion}”. It will be debated soon, "
            "and you will be credited.",
            motion=untrusted(motion.text),
        )
    return _(
        "Good news: the animators approved your motion “{motion}”. It will be debated soon, "
        "without your name, as you asked.",
        motion=untrusted(motion.text),
    )
