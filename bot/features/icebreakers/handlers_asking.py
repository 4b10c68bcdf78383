"""Asking the questions: the schedule (``schedule``, ``pause``, ``resume``, ``now``), what is drawn (``tags``,
``credit``), the status page, and members' reactions to a question, which count as answers."""

from __future__ import annotations

import logging
from typing import Any, cast

from bot.chat import Capability
from bot.content import load_bank
from bot.context import Context
from bot.errors import UserError
from bot.events import (
    BotStarted,
    CommandInvoked,
    PostFailed,
    ReactionChanged,
    SettingsChanged,
    TimerFired,
)
from bot.feature import Feature
from bot.i18n import N_
from bot.messages import mention, untrusted
from bot.router import Option, command, on, timer, undelivered
from bot.settings.types import excerpt
from storage.models import IcebreakerQuestionStatus, OutboxEntry, Schedule
from storage.tables.icebreakers import IcebreakerAsked

from . import queries, render, rules
from .queries import SCHEDULE
from .settings import bank_tags

log = logging.getLogger("agora.icebreakers")

RESYNC = "icebreaker:resync"
# The origin of an asked question's post (its ref: the IcebreakerAsked id); see ``unasked``.
ORIGIN = "icebreaker"
SECTION = "icebreakers"


class AskingHandlers:
    """The schedule, the draw and the status page of the icebreakers (a mixin of ``IcebreakersFeature``; not a
    ``Feature`` itself, so that the core does not count it as one)."""

    # --- the one save path of the settings commands, and the schedule ------------------------------------------

    async def _save(self, ctx: Context[Any], **changes: Any) -> Schedule | None:
        """Keep the community's own icebreaker settings (only what it changed), read them back, and bring the
        schedule in line with them."""
        ctx.save_settings(changes, section=SECTION)
        await self._reconcile(ctx)
        return await queries.schedule_row(ctx.session, ctx.community.id)

    async def _reconcile(self, ctx: Context[Any]) -> None:
        await ctx.app.reconcile_schedules(ctx, [cast(Feature, self)])
        await self._restart_counting(ctx)

    async def _restart_counting(self, ctx: Context[Any]) -> None:
        """What the generic reconciliation can't say: a schedule it just resumed or changed (a new rule, a new
        time zone) counts from now, so it does not catch up on the dates it skipped, nor asks again right after
        the last question (a question asked with ``now`` just before)."""
        changed = [row for row in ctx.schedule_changes if row.kind == SCHEDULE and not row.paused]
        if not changed:
            return
        too_soon = rules.too_soon_until(await queries.last_asked(ctx.session, ctx.community.id))
        for row in changed:
            row.last_fired_at = max(ctx.now, too_soon or ctx.now)

    @on(BotStarted)
    @on(SettingsChanged)
    async def started(self, ctx: Context[Any]) -> None:
        # The core reconciled the schedule before this runs (the config file or the time zone may have changed).
        await self._restart_counting(ctx)

    @timer(RESYNC)
    async def resync(self, ctx: Context[TimerFired]) -> None:
        await self._reconcile(ctx)

    @staticmethod
    def _explicit(ctx: Context[Any]) -> dict[str, bool]:
        """What an animator starting the questions by hand adds to the settings: ``started`` (so that they run in
        the fallback channel too), only when it matters (no icebreakers channel of their own, not yet started)."""
        if ctx.settings.channels.get("icebreakers") or ctx.settings.icebreakers.started:
            return {}
        return {"started": True}

    def _channel(self, ctx: Context[Any]) -> str:
        channel = ctx.settings.channel("icebreakers")
        if not channel:
            raise UserError(
                ctx._(
                    "There is no channel for icebreakers yet. An animator can choose one with "
                    "/agora setup icebreakers_channel=#channel."
                )
            )
        return channel

    async def _upcoming(self, ctx: Context[Any], row: Schedule | None, count: int = 1) -> list[str]:
        """The next dates a question will be asked, formatted (none while paused or not scheduled)."""
        if row is None or row.paused:
            return []
        last = await queries.last_asked(ctx.session, ctx.community.id)
        dates = rules.upcoming(ctx.now, row.cron, row.timezone, row.last_fired_at, last, count)
        return [ctx.format_time(date) for date in dates]

    @timer(SCHEDULE)
    async def scheduled(self, ctx: Context[TimerFired]) -> None:
        row = await queries.schedule_row(ctx.session, ctx.community.id)
        if row is None or str(row.id) != ctx.event.ref:
            return
        wanted = ctx.settings.icebreakers
        if (row.cron, row.timezone, row.paused) != (
            wanted.schedule,
            ctx.settings.timezone,
            not wanted.enabled,
        ):
            # The settings changed behind the schedule's back (the config file, the time zone): re-arm it once
            # this run is over, rather than from inside the run the scheduler is chaining.
            await ctx.set_timer(RESYNC, "", ctx.now)
        if not wanted.enabled:
            return
        too_soon = rules.too_soon_until(await queries.last_asked(ctx.session, ctx.community.id))
        if too_soon is not None and ctx.now <= too_soon:
            return  # an animator just asked one with /agora icebreaker now: this one would be one too many
        channel = ctx.settings.channel("icebreakers")
        if not channel:
            log.warning("no channel for icebreakers", extra={"community": ctx.community.id})
            return
        await self._ask(ctx, channel, "schedule", row)

    # --- drawing and asking -----------------------------------------------------------------------------------

    async def _candidates(self, ctx: Context[Any]) -> list[rules.Candidate]:
        """Every question the community may be asked: its own approved ones (oldest decision first), then the
        bank's, in the community's language, from the chosen tags."""
        credit = ctx.settings.icebreakers.credit_authors
        own = [
            rules.Candidate(
                key=f"own:{question.id}",
                text=question.text,
                question_id=question.id,
                credit=mention(author) if author and credit and not question.anonymous else None,
                suggested=True,
            )
            for question, author in await queries.own_questions(
                ctx.session, ctx.community.id, IcebreakerQuestionStatus.APPROVED
            )
        ]
        tags = set(ctx.settings.icebreakers.tags)
        bank = [
            rules.Candidate(
                key=f"bank:{item.id}",
                text=item.text,
                credit=item.author if credit else None,
                kind=item.tags[0] if item.tags else None,
            )
            for item in load_bank("icebreakers", ctx.settings.locale)
            if not tags or tags & set(item.tags)
        ]
        return own + bank

    async def _ask(
        self, ctx: Context[Any], channel: str, source: str, row: Schedule | None
    ) -> IcebreakerAsked:
        """Post the next question in ``channel`` with a thread for the answers, and remember it was asked."""
        history = await queries.asked_history(ctx.session, ctx.community.id)
        candidate, cycle = rules.draw(await self._candidates(ctx), history, ctx.community.id)
        # The question being asked now is the last one: the next date counts the gap after it.
        dates = (
            rules.upcoming(ctx.now, row.cron, row.timezone, row.last_fired_at, ctx.now)
            if row is not None and not row.paused
            else []
        )
        message = render.question_message(
            ctx.public,
            candidate,
            threads=ctx.can(Capability.THREADS),
            next_date=ctx.format_time(dates[0], ctx.public) if dates else None,
        )
        asked = IcebreakerAsked(
            community_id=ctx.community.id,
            cycle=cycle,
            question_key=candidate.key,
            question_id=candidate.question_id,
            text=candidate.text,
            source=source,
            asked_at=ctx.now,
        )
        ctx.session.add(asked)
        await ctx.session.flush()
        entry = ctx.post(
            channel,
            message,
            thread_title=rules.thread_title(candidate.text),
            origin=(ORIGIN, str(asked.id)),
        )
        await ctx.session.flush()
        asked.entry_id = entry.id
        return asked

    @undelivered(ORIGIN)
    async def unasked(self, ctx: Context[PostFailed]) -> None:
        """The question's post failed for good: it was not asked. Forgetting it puts it back in the draw, and
        the status page no longer counts it (nor the next date after it)."""
        asked = await ctx.failed_row(IcebreakerAsked, "entry_id")
        if asked is None:
            return
        await ctx.session.delete(asked)
        await ctx.cancel_pending(ORIGIN, ctx.event.ref)
        ctx.reply(
            ctx._(
                "The icebreaker question “{question}” was not asked: it goes back among the questions to ask.",
                question=untrusted(asked.text),
            )
        )

    # --- answers by reaction ----------------------------------------------------------------------------------

    @on(ReactionChanged)
    async def reacted(self, ctx: Context[ReactionChanged]) -> None:
        """A member reacting to a question's post answered it, in the simplest way; taking the reaction back
        takes the answer back."""
        if ctx.event.actor.is_bot:
            return
        asked = await queries.asked_by_post(ctx.session, ctx.community.id, ctx.event.message.id)
        if asked is None:
            return
        member = await ctx.member()
        await queries.record_reaction(
            ctx.session, asked, member.id, ctx.event.emoji, ctx.now, added=ctx.event.added
        )

    # --- status -----------------------------------------------------------------------------------------------

    @command("icebreaker status", N_("When the next icebreaker question comes, and how to suggest one"))
    async def status(self, ctx: Context[CommandInvoked]) -> None:
        row = await queries.schedule_row(ctx.session, ctx.community.id)
        keys = {c.key for c in await self._candidates(ctx)}
        last = await queries.last_question(ctx.session, ctx.community.id)
        s = ctx.settings.icebreakers
        status = render.Status(
            upcoming=tuple(await self._upcoming(ctx, row, count=2)),
            scheduled=row is not None,
            paused=row is not None and row.paused,
            channel=ctx.settings.channel("icebreakers"),
            done=len(await queries.current_cycle_keys(ctx.session, ctx.community.id) & keys),
            total=len(keys),
            last_question=last.text if last is not None else None,
            last_date=ctx.format_time(last.asked_at) if last is not None else "",
            answers=await queries.answers_by_reaction(ctx.session, last.id) if last is not None else 0,
            animator=ctx.is_animator,
            rule=s.schedule,
            timezone=ctx.settings.timezone,
            tags=tuple(s.tags),
            credit=s.credit_authors,
            waiting=await queries.pending_count(ctx.session, ctx.community.id) if ctx.is_animator else 0,
        )
        ctx.reply(render.status_message(ctx._, status))

    # --- animators: schedule, pause, resume, now ---------------------------------------------------------------

    @command(
        "icebreaker schedule",
        N_("Set when icebreaker questions are asked (animators)"),
        options=[
            Option(
                "rule",
                N_("A cron rule in the community's time zone, e.g. “30 9 * * tue” for Tuesdays at 9:30"),
                required=True,
            )
        ],
        animator_only=True,
    )
    async def schedule_rule(self, ctx: Context[CommandInvoked], rule: str = "") -> None:
        _ = ctx._
        rule = rules.clean(rule)
        problem = rules.rule_problem(rule, ctx.settings.timezone, ctx.now)
        if problem:
            raise UserError(render.rule_refusal(_, problem, rule, ctx.settings.timezone))
        channel = self._channel(ctx)
        row = await self._save(ctx, schedule=rule, enabled=True, **self._explicit(ctx))
        [next_date] = await self._upcoming(ctx, row)
        ctx.reply(
            _(
                "Done: icebreaker questions follow the rule “{rule}” ({timezone} time), in {channel}. "
                "The next one comes on {date}.",
                rule=rule,
                timezone=ctx.settings.timezone,
                channel=f"<#{channel}>",
                date=next_date,
            )
        )

    @command("icebreaker pause", N_("Pause the icebreaker questions (animators)"), animator_only=True)
    async def pause(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        already = not ctx.settings.icebreakers.enabled
        await self._save(ctx, enabled=False)
        if already:
            ctx.reply(
                _("Icebreaker questions are already paused. Resume them with /agora icebreaker resume.")
            )
            return
        ctx.reply(_("Icebreaker questions are paused. Resume them with /agora icebreaker resume."))

    @command("icebreaker resume", N_("Resume the icebreaker questions (animators)"), animator_only=True)
    async def resume(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        before = await queries.schedule_row(ctx.session, ctx.community.id)
        running = before is not None and not before.paused and ctx.settings.icebreakers.enabled
        channel = self._channel(ctx)
        row = await self._save(ctx, enabled=True, **self._explicit(ctx))
        upcoming = await self._upcoming(ctx, row)
        date = upcoming[0] if upcoming else "—"
        if running:
            ctx.reply(_("Icebreaker questions are already on: the next one comes on {date}.", date=date))
            return
        ctx.reply(
            _(
                "Icebreaker questions are back, in {channel}: the next one comes on {date}.",
                channel=f"<#{channel}>",
                date=date,
            )
        )

    @command(
        "icebreaker now", N_("Ask the next icebreaker question right away (animators)"), animator_only=True
    )
    async def now(self, ctx: Context[CommandInvoked]) -> None:
        channel = self._channel(ctx)
        await self._reconcile(ctx)
        asked = await self._ask(
            ctx, channel, "now", await queries.schedule_row(ctx.session, ctx.community.id)
        )
        await ctx.reply_once_posted(
            await ctx.session.get(OutboxEntry, asked.entry_id),
            ctx._(
                "Asked in {channel}: “{question}”", channel=f"<#{channel}>", question=untrusted(asked.text)
            ),
        )

    # --- animators: tags and credit ----------------------------------------------------------------------------

    @command(
        "icebreaker tags",
        N_("Choose which kinds of questions are drawn from the bank (animators)"),
        options=[Option("tags", N_("Tags separated by commas, or “all”"))],
        animator_only=True,
    )
    async def tags(self, ctx: Context[CommandInvoked], tags: str | None = None) -> None:
        _ = ctx._
        raw = rules.clean(tags)
        if not raw:
            ctx.reply(
                _(
                    "Questions are drawn from: {tags}. Tags: {known}. Change them with "
                    '/agora icebreaker tags tags="professional, reflective", or tags=all.',
                    tags=render.tags_text(_, ctx.settings.icebreakers.tags),
                    known=render.known_tags_text(_, bank_tags()),
                )
            )
            return
        chosen, unknown = rules.parse_tags(_, raw, bank_tags())
        if unknown is not None:
            raise UserError(
                _(
                    "“{tag}” is not a tag of the questions. Tags: {known}; or “all” for every question.",
                    tag=untrusted(excerpt(unknown)),
                    known=render.known_tags_text(_, bank_tags()),
                )
            )
        await self._save(ctx, tags=chosen)
        count = len(await self._candidates(ctx))
        # Worked out before the message: babel's extractor loses the plural of a call holding a call of ``_``.
        shown = render.tags_text(_, ctx.settings.icebreakers.tags)
        ctx.reply(
            _.ngettext(
                "Done: questions are drawn from {tags} ({count} question in the draw).",
                "Done: questions are drawn from {tags} ({count} questions in the draw).",
                count,
                tags=shown,
            )
        )

    @command(
        "icebreaker credit",
        N_("Whether members who suggested a question are named when it is asked (animators)"),
        options=[
            Option(
                "authors", N_("yes to name them, no to keep everyone unnamed"), kind="boolean", required=True
            )
        ],
        animator_only=True,
    )
    async def credit(self, ctx: Context[CommandInvoked], authors: bool = False) -> None:
        _ = ctx._
        named = bool(authors)
        await self._save(ctx, credit_authors=named)
        ctx.reply(
            _(
                "Done: members who suggested a question are named when it is asked (unless they asked not to be)."
            )
            if named
            else _("Done: questions are asked without naming who suggested them.")
        )
