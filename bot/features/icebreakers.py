"""Icebreaker questions: a question for the whole community on a regular schedule, answered in a thread.

Questions come from the bank shipped with Agora (``bot/content/<language>/icebreakers.yaml``, optionally only
some of its tags) and from the community's own: questions animators add, and questions members suggest, which
animators approve or reject with a button. None is asked twice before every question has been asked once
(a *cycle*); the community's new questions go first, credited to whoever suggested them.

The schedule is a cron rule in the community's time zone, kept as a stored ``Schedule`` (so it survives
restarts) and derived from the settings (``community.icebreakers``): animators change it with
``/agora icebreaker schedule|pause|resume``, and everyone sees the next date with ``/agora icebreaker status``.
A community starts receiving questions on its own once it has an icebreakers channel; an animator can also
start them anywhere with ``schedule`` or ``resume``.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select

from bot.chat import Capability
from bot.content import load_bank
from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import (
    BotStarted,
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    MemberJoined,
    SettingsChanged,
    TimerFired,
)
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Form, FormField, Message, mention
from bot.router import Feature, Option, action, command, form, on, timer
from bot.scheduler import cron_trigger, next_fire_time
from bot.settings.icebreakers import IcebreakerSettings, bank_tags
from storage.models import Member, OutboxEntry, Schedule
from storage.tables.icebreakers import IcebreakerAsked, IcebreakerQuestion

__all__ = ["IcebreakersFeature", "normalized_question"]

log = logging.getLogger("agora.icebreakers")

SCHEDULE = "icebreaker"
RESYNC = "icebreaker:resync"
APPROVE = "icebreaker:approve"
REJECT = "icebreaker:reject"
REMOVE = "icebreaker:remove"
SUGGEST_FORM = "icebreaker:suggest"

MIN_LENGTH = 10
MAX_LENGTH = 300
# Closer than this, questions stop being an invitation and become noise.
MIN_GAP = timedelta(hours=12)
HORIZON = timedelta(days=2 * 366)
# How many pending suggestions /agora icebreaker suggestions shows at once.
REVIEW_PAGE = 10
# What an animator may type for "no filter", in either language.
ALL_TAGS = ("all", "*", "tous", "toutes", "tout")

# How tags read in the community's language (the bank files keep the English ids).
TAG_LABELS = {
    "light": N_("light"),
    "professional": N_("professional"),
    "reflective": N_("reflective"),
    "weekend": N_("weekend"),
    "tools": N_("tools"),
    "workspace": N_("workspace"),
    "habits": N_("habits"),
    "learning": N_("learning"),
    "projects": N_("projects"),
    "skills": N_("skills"),
    "career": N_("career"),
    "collaboration": N_("collaboration"),
    "community": N_("community"),
    "clients": N_("clients"),
    "inspiration": N_("inspiration"),
}

_MENTIONS = re.compile(r"<[@#!][^>]*>|@(everyone|here|channel)\b", re.IGNORECASE)


def normalized_question(text: str) -> str:
    """What two questions share when they are the same question (case, spaces and punctuation aside)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _clean(text: str | None) -> str:
    return " ".join(str(text or "").split())


@dataclass(frozen=True)
class Candidate:
    """A question that may be asked: from the bank (``bank:<id>``) or the community's own (``own:<id>``)."""

    key: str
    text: str
    question_id: int | None = None
    credit: str | None = None  # a mention of the member who suggested it, or a bank item's author
    suggested: bool = False  # credit names a member who suggested it (rather than an author)
    kind: str | None = None  # the bank item's first tag: light, professional or reflective


class IcebreakersFeature(Feature):
    """Scheduled icebreaker questions, the community's own questions, members' suggestions."""

    name = "icebreakers"
    settings = IcebreakerSettings

    # --- the schedule ------------------------------------------------------------------------------------

    async def _schedule(self, ctx: Context) -> Schedule | None:
        return await ctx.session.scalar(
            select(Schedule).where(Schedule.community_id == ctx.community.id, Schedule.kind == SCHEDULE)
        )

    async def _sync(self, ctx: Context, *, explicit: bool = False) -> Schedule | None:
        """Bring the stored schedule in line with the settings. A community without a schedule gets one only
        when an animator asks for it (``explicit``) or once it has a channel of its own for icebreakers."""
        wanted = ctx.settings.icebreakers
        row = await self._schedule(ctx)
        if row is None:
            if not wanted.enabled or not (explicit or ctx.settings.channels.get("icebreakers")):
                return None
            return await ctx.set_schedule(SCHEDULE, wanted.schedule)
        paused = not wanted.enabled
        if row.cron == wanted.schedule and row.timezone == ctx.settings.timezone and row.paused == paused:
            return row
        restarts = (row.paused and not paused) or row.cron != wanted.schedule
        restarts = restarts or row.timezone != ctx.settings.timezone
        row = await ctx.set_schedule(SCHEDULE, wanted.schedule, paused=paused)
        if restarts:
            # Counting starts now: a resumed or changed rule does not catch up on the dates it skipped, nor
            # asks again right after the last question.
            row.last_fired_at = max(ctx.now, self._too_soon_until(await self._last_asked(ctx)) or ctx.now)
        return row

    async def _last_asked(self, ctx: Context) -> datetime | None:
        return await ctx.session.scalar(
            select(func.max(IcebreakerAsked.asked_at)).where(IcebreakerAsked.community_id == ctx.community.id)
        )

    @staticmethod
    def _too_soon_until(last_asked: datetime | None) -> datetime | None:
        """Until when a scheduled question would come too soon after the last one (a question asked with
        ``now`` just before the schedule's time makes the schedule skip that time)."""
        return last_asked + MIN_GAP - timedelta(microseconds=1) if last_asked else None

    def _upcoming(
        self, ctx: Context, row: Schedule | None, last_asked: datetime | None, count: int = 1
    ) -> list[datetime]:
        """The next dates a question will be asked (none while paused or not scheduled)."""
        if row is None or row.paused:
            return []
        try:
            trigger = cron_trigger(row.cron, row.timezone)
        except ValueError:
            return []
        moment = max(ctx.now, row.last_fired_at or ctx.now, self._too_soon_until(last_asked) or ctx.now)
        dates: list[datetime] = []
        for _ in range(count):
            found = next_fire_time(trigger, moment)
            if found is None:
                break
            dates.append(found)
            moment = found
        return dates

    def _checked_rule(self, ctx: Context, raw: str) -> str:
        """A cron rule an animator typed, or a clear message saying what is wrong with it."""
        _ = ctx._
        rule = _clean(raw)
        try:
            trigger = cron_trigger(rule, ctx.settings.timezone)
        except ValueError:
            raise UserError(
                _(
                    "“{rule}” is not a schedule I can read. Write it as a cron rule (minute hour day month "
                    "weekday, in {timezone} time): for example “30 9 * * tue” for Tuesdays at 9:30, or "
                    "“0 12 1 * *” for noon on the first day of each month.",
                    rule=rule,
                    timezone=ctx.settings.timezone,
                )
            ) from None
        # A rule with no date (the 30th of February) would have the trigger search the calendar for centuries:
        # two years are enough to tell.
        trigger.end_date = ctx.now + HORIZON
        moments: list[datetime] = []
        moment = ctx.now
        for _step in range(30):
            found = next_fire_time(trigger, moment)
            if found is None:
                break
            moments.append(found)
            moment = found
        if not moments:
            raise UserError(
                _(
                    "“{rule}” never comes round: no calendar has that date. Check the day and the month.",
                    rule=rule,
                )
            )
        if any(later - earlier < MIN_GAP for earlier, later in pairwise(moments)):
            raise UserError(
                _(
                    "“{rule}” would ask a question less than {hours} hours after the previous one. "
                    "Icebreakers work best once or twice a week.",
                    rule=rule,
                    hours=int(MIN_GAP.total_seconds() // 3600),
                )
            )
        return rule

    def _store(self, ctx: Context, **changes: Any) -> None:
        """Keep the community's own icebreaker settings (only what it changed), and read them back."""
        ctx.save_settings(changes, section="icebreakers")

    def _channel(self, ctx: Context) -> str:
        channel = ctx.settings.channel("icebreakers")
        if not channel:
            raise UserError(
                ctx._(
                    "There is no channel for icebreakers yet. An animator can choose one with "
                    "/agora setup icebreakers_channel=#channel."
                )
            )
        return channel

    @on(BotStarted)
    @on(SettingsChanged)
    async def started(self, ctx: Context) -> None:
        # The config file or the time zone may have changed (while the bot was stopped, or by /agora setup).
        await self._sync(ctx)

    @on(MemberJoined)
    async def member_joined(self, ctx: Context) -> None:
        # Communities are created by their first event: a join is when one with an icebreakers channel starts.
        await self._sync(ctx)

    @timer(RESYNC)
    async def resync(self, ctx: Context) -> None:
        await self._sync(ctx)

    @timer(SCHEDULE)
    async def scheduled(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, TimerFired)
        row = await self._schedule(ctx)
        if row is None or str(row.id) != event.ref:
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
        too_soon = self._too_soon_until(await self._last_asked(ctx))
        if too_soon is not None and ctx.now <= too_soon:
            return  # an animator just asked one with /agora icebreaker now: this one would be one too many
        channel = ctx.settings.channel("icebreakers")
        if not channel:
            log.warning("no channel for icebreakers", extra={"community": ctx.community.id})
            return
        await self._ask(ctx, channel, "schedule", row)

    # --- drawing and asking -----------------------------------------------------------------------------

    async def _candidates(self, ctx: Context) -> list[Candidate]:
        """Every question the community may be asked: its own approved ones (oldest decision first), then the
        bank's, in the community's language, from the chosen tags."""
        rows = (
            await ctx.session.execute(
                select(IcebreakerQuestion, Member.external_id)
                .outerjoin(Member, Member.id == IcebreakerQuestion.suggested_by)
                .where(
                    IcebreakerQuestion.community_id == ctx.community.id,
                    IcebreakerQuestion.status == "approved",
                )
                .order_by(IcebreakerQuestion.decided_at, IcebreakerQuestion.id)
            )
        ).all()
        credit = ctx.settings.icebreakers.credit_authors
        own = [
            Candidate(
                key=f"own:{question.id}",
                text=question.text,
                question_id=question.id,
                credit=mention(author) if author and credit and not question.anonymous else None,
                suggested=True,
            )
            for question, author in rows
        ]
        tags = set(ctx.settings.icebreakers.tags)
        bank = [
            Candidate(
                key=f"bank:{item.id}",
                text=item.text,
                credit=item.author if credit else None,
                kind=item.tags[0] if item.tags else None,
            )
            for item in load_bank("icebreakers", ctx.settings.locale)
            if not tags or tags & set(item.tags)
        ]
        return own + bank

    async def _draw(self, ctx: Context) -> tuple[Candidate, int]:
        """The next question and the cycle it belongs to: never one already asked in the current cycle; the
        community's new questions first; otherwise at random, avoiding two of the same kind in a row."""
        candidates = await self._candidates(ctx)
        if not candidates:  # pragma: no cover - the bank ships with questions of every tag
            raise RuntimeError("no icebreaker question to ask")
        asked = (
            await ctx.session.execute(
                select(IcebreakerAsked.cycle, IcebreakerAsked.question_key)
                .where(IcebreakerAsked.community_id == ctx.community.id)
                .order_by(IcebreakerAsked.asked_at, IcebreakerAsked.id)
            )
        ).all()
        cycle = max((row.cycle for row in asked), default=1)
        used = {row.question_key for row in asked if row.cycle == cycle}
        ever = {row.question_key for row in asked}
        remaining = [c for c in candidates if c.key not in used]
        if not remaining:
            cycle, used, remaining = cycle + 1, set(), candidates
        fresh = [c for c in remaining if c.suggested and c.key not in ever]
        if fresh:
            return fresh[0], cycle
        kinds = {c.key: c.kind for c in candidates}
        last_kind = kinds.get(asked[-1].question_key) if asked else None
        varied = [c for c in remaining if c.kind is None or c.kind != last_kind] or remaining
        # Seeded by the community and its progress: the same state always draws the same question.
        rng = random.Random(f"{ctx.community.id}:{cycle}:{len(used)}")
        return rng.choice(varied), cycle

    async def _ask(self, ctx: Context, channel: str, source: str, row: Schedule | None) -> IcebreakerAsked:
        """Post the next question in ``channel`` with a thread for the answers, and remember it was asked."""
        candidate, cycle = await self._draw(ctx)
        upcoming = self._upcoming(ctx, row, ctx.now)
        entry = ctx.post(
            channel,
            self._question_message(ctx, candidate, upcoming[0] if upcoming else None),
            thread_title=_thread_title(candidate.text),
        )
        await ctx.session.flush()
        asked = IcebreakerAsked(
            community_id=ctx.community.id,
            cycle=cycle,
            question_key=candidate.key,
            question_id=candidate.question_id,
            text=candidate.text,
            source=source,
            asked_at=ctx.now,
            entry_id=entry.id,
        )
        ctx.session.add(asked)
        await ctx.session.flush()
        return asked

    def _question_message(self, ctx: Context, candidate: Candidate, next_date: datetime | None) -> Message:
        _ = ctx._
        lines = [candidate.text]
        if candidate.credit:
            lines.append(
                _("Question suggested by {member}", member=candidate.credit)
                if candidate.suggested
                else _("Question by {author}", author=candidate.credit)
            )
        footer = [
            _("Answer in the thread below, or simply react.")
            if ctx.can(Capability.THREADS)
            else _("Answer below, or simply react.")
        ]
        if next_date is not None:
            footer.append(_("Next question: {date}.", date=ctx.format_time(next_date)))
        # Members act, not only watch: the next question may be theirs.
        footer.append(_("Yours could be next: /agora icebreaker suggest."))
        return Message(
            title=_("Let's get to know each other"), text="\n".join(lines), footer=" ".join(footer)
        )

    # --- status ------------------------------------------------------------------------------------------

    @command("icebreaker status", N_("When the next icebreaker question comes, and how to suggest one"))
    async def status(self, ctx: Context) -> None:
        _ = ctx._
        row = await self._sync(ctx)
        upcoming = self._upcoming(ctx, row, await self._last_asked(ctx), count=2)
        fields: list[Field] = []
        if upcoming:
            fields.append(Field(_("Next question"), ctx.format_time(upcoming[0])))
            if len(upcoming) > 1:
                fields.append(Field(_("The one after"), ctx.format_time(upcoming[1])))
        elif row is not None and row.paused:
            fields.append(Field(_("Next question"), _("Paused by the animators for now.")))
        else:
            fields.append(Field(_("Next question"), _("Not scheduled yet.")))
        channel = ctx.settings.channel("icebreakers")
        if channel:
            fields.append(Field(_("Where"), f"<#{channel}>", inline=True))
        candidates = await self._candidates(ctx)
        keys = {c.key for c in candidates}
        cycle = await ctx.session.scalar(
            select(func.max(IcebreakerAsked.cycle)).where(IcebreakerAsked.community_id == ctx.community.id)
        )
        asked_keys = set(
            (
                await ctx.session.scalars(
                    select(IcebreakerAsked.question_key).where(
                        IcebreakerAsked.community_id == ctx.community.id,
                        IcebreakerAsked.cycle == (cycle or 1),
                    )
                )
            ).all()
        )
        done = len(asked_keys & keys)
        fields.append(
            Field(
                _("Progress"),
                _.ngettext(
                    "{count} question asked out of {total}; none comes back before all have been asked.",
                    "{count} questions asked out of {total}; none comes back before all have been asked.",
                    done,
                    total=len(keys),
                ),
            )
        )
        last = await ctx.session.scalar(
            select(IcebreakerAsked)
            .where(IcebreakerAsked.community_id == ctx.community.id)
            .order_by(IcebreakerAsked.asked_at.desc(), IcebreakerAsked.id.desc())
            .limit(1)
        )
        if last is not None:
            fields.append(
                Field(
                    _("Last question"),
                    _("“{question}”, on {date}", question=last.text, date=ctx.format_time(last.asked_at)),
                )
            )
        if ctx.is_animator:
            fields.extend(await self._animator_fields(ctx, row))
        text = _("Have a question the group would enjoy? Suggest it with /agora icebreaker suggest.")
        if ctx.is_animator and row is None:
            text = _(
                "Icebreaker questions are not scheduled yet: set a schedule with /agora icebreaker schedule, "
                "or a channel for them with /agora setup icebreakers_channel=#channel."
            )
        elif ctx.is_animator and row is not None and row.paused:
            text = _("Icebreaker questions are paused. Resume them with /agora icebreaker resume.")
        ctx.reply(Message(title=_("Icebreaker questions"), text=text, fields=tuple(fields), ephemeral=True))

    async def _animator_fields(self, ctx: Context, row: Schedule | None) -> list[Field]:
        _ = ctx._
        s = ctx.settings.icebreakers
        waiting = await ctx.session.scalar(
            select(func.count(IcebreakerQuestion.id)).where(
                IcebreakerQuestion.community_id == ctx.community.id, IcebreakerQuestion.status == "pending"
            )
        )
        fields = [
            Field(
                _("Rule"),
                _("{rule} ({timezone} time)", rule=s.schedule, timezone=ctx.settings.timezone),
                inline=True,
            ),
            Field(_("Tags"), self._tags_text(ctx._, s.tags), inline=True),
            Field(
                _("Credit"),
                _("whoever suggested a question is named") if s.credit_authors else _("nobody is named"),
                inline=True,
            ),
        ]
        if waiting:
            fields.append(
                Field(
                    _("Suggestions waiting"),
                    _.ngettext(
                        "{count} suggestion is waiting: /agora icebreaker suggestions",
                        "{count} suggestions are waiting: /agora icebreaker suggestions",
                        int(waiting),
                    ),
                )
            )
        return fields

    # --- animators: schedule, pause, resume, now --------------------------------------------------------

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
    async def schedule_rule(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        rule = self._checked_rule(ctx, str(event.args.get("rule") or ""))
        channel = self._channel(ctx)
        self._store(ctx, schedule=rule, enabled=True)
        row = await self._sync(ctx, explicit=True)
        [next_date] = self._upcoming(ctx, row, await self._last_asked(ctx))
        ctx.reply(
            _(
                "Done: icebreaker questions follow the rule “{rule}” ({timezone} time), in {channel}. "
                "The next one comes on {date}.",
                rule=rule,
                timezone=ctx.settings.timezone,
                channel=f"<#{channel}>",
                date=ctx.format_time(next_date),
            )
        )

    @command("icebreaker pause", N_("Pause the icebreaker questions (animators)"), animator_only=True)
    async def pause(self, ctx: Context) -> None:
        _ = ctx._
        already = not ctx.settings.icebreakers.enabled
        self._store(ctx, enabled=False)
        await self._sync(ctx)
        if already:
            ctx.reply(
                _("Icebreaker questions are already paused. Resume them with /agora icebreaker resume.")
            )
            return
        ctx.reply(_("Icebreaker questions are paused. Resume them with /agora icebreaker resume."))

    @command("icebreaker resume", N_("Resume the icebreaker questions (animators)"), animator_only=True)
    async def resume(self, ctx: Context) -> None:
        _ = ctx._
        before = await self._schedule(ctx)
        running = before is not None and not before.paused and ctx.settings.icebreakers.enabled
        channel = self._channel(ctx)
        self._store(ctx, enabled=True)
        row = await self._sync(ctx, explicit=True)
        upcoming = self._upcoming(ctx, row, await self._last_asked(ctx))
        date = ctx.format_time(upcoming[0]) if upcoming else "—"
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
    async def now(self, ctx: Context) -> None:
        _ = ctx._
        channel = self._channel(ctx)
        row = await self._sync(ctx)
        asked = await self._ask(ctx, channel, "now", row)
        ctx.reply(
            _("Asked in {channel}: “{question}”", channel=f"<#{channel}>", question=asked.text),
        )

    # --- the community's own questions -------------------------------------------------------------------

    async def _problem(self, ctx: Context, text: str) -> str | None:
        """Why ``text`` can't be a question of this community, in its language, or None if it can."""
        _ = ctx._
        if not text:
            example = load_bank("icebreakers", ctx.settings.locale)[0].text
            return _(
                "The question is empty. Write it in one or two lines, for example: “{example}”",
                example=example,
            )
        if len(text) < MIN_LENGTH:
            return _(
                "“{question}” is too short to be a question: {minimum} characters at least.",
                question=text,
                minimum=MIN_LENGTH,
            )
        if len(text) > MAX_LENGTH:
            return _(
                "This question is {length} characters long; {maximum} at most, so that it can be answered "
                "in a line or two.",
                length=len(text),
                maximum=MAX_LENGTH,
            )
        if _MENTIONS.search(text):
            return _(
                "Please leave mentions (@someone, @everyone, #channel) out of the question: they would "
                "notify people."
            )
        key = normalized_question(text)
        own = (
            await ctx.session.scalars(
                select(IcebreakerQuestion.text).where(
                    IcebreakerQuestion.community_id == ctx.community.id,
                    IcebreakerQuestion.status.in_(("pending", "approved")),
                )
            )
        ).all()
        bank = [item.text for item in load_bank("icebreakers", ctx.settings.locale)]
        for existing in [*own, *bank]:
            if normalized_question(existing) == key:
                return _("This question is already in the list: “{question}”", question=existing)
        return None

    async def _validated(self, ctx: Context, raw: str | None) -> str:
        text = _clean(raw)
        problem = await self._problem(ctx, text)
        if problem:
            raise UserError(problem)
        return text

    @command(
        "icebreaker add",
        N_("Add a question of your own to the icebreakers (animators)"),
        options=[Option("question", N_("The question, in one or two lines"), required=True, rest=True)],
        animator_only=True,
    )
    async def add(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        text = await self._validated(ctx, event.args.get("question"))
        question = IcebreakerQuestion(
            community_id=ctx.community.id,
            text=text,
            status="approved",
            created_at=ctx.now,
            decided_by=ctx.actor.id if ctx.actor else "",
            decided_at=ctx.now,
        )
        ctx.session.add(question)
        await ctx.session.flush()
        ctx.reply(
            Message(
                text=_(
                    "Added: “{question}”. The community's new questions are asked before the others.",
                    question=text,
                ),
                buttons=(Button(REMOVE, _("Remove it"), ref=str(question.id), style="secondary"),),
                ephemeral=True,
            )
        )

    @action(REMOVE, animator_only=True)
    async def remove(self, ctx: Context) -> None:
        _ = ctx._
        question = await self._question(ctx)
        if question.status == "removed":
            ctx.reply(_("This question was already removed."))
            return
        question.status = "removed"
        question.decided_by = ctx.actor.id if ctx.actor else ""
        question.decided_at = ctx.now
        done = _("Removed: “{question}”. It will not be asked.", question=question.text)
        if ctx.can(Capability.UPDATE):
            ctx.replace_pressed(Message(text=done, ephemeral=True))
        else:
            ctx.reply(done)

    @command(
        "icebreaker suggest",
        N_("Suggest an icebreaker question to the animators"),
        options=[
            Option("question", N_("Your question, in one or two lines"), rest=True),
            Option("anonymous", N_("yes to stay unnamed when it is asked"), kind="boolean"),
        ],
    )
    async def suggest(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        raw = event.args.get("question")
        if not _clean(raw) and ctx.can(Capability.FORMS):
            ctx.open_form(
                Form(
                    id=SUGGEST_FORM,
                    title=_("Suggest a question"),
                    fields=(
                        FormField(
                            "question",
                            _("Your question"),
                            required=True,
                            multiline=True,
                            max_length=MAX_LENGTH,
                            placeholder=load_bank("icebreakers", ctx.settings.locale)[0].text,
                        ),
                    ),
                    ref="anonymous" if event.args.get("anonymous") else "",
                    submit_label=_("Send to the animators"),
                )
            )
            return
        text = await self._validated(ctx, raw)
        await self._record_suggestion(ctx, text, anonymous=bool(event.args.get("anonymous")))

    @form(SUGGEST_FORM)
    async def suggest_submitted(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, FormSubmitted)
        text = _clean(event.values.get("question"))
        problem = await self._problem(ctx, text)
        if problem:
            raise FormErrors({"question": problem})
        await self._record_suggestion(ctx, text, anonymous=event.ref == "anonymous")

    async def _record_suggestion(self, ctx: Context, text: str, *, anonymous: bool) -> None:
        _ = ctx._
        member = await ctx.member()
        question = IcebreakerQuestion(
            community_id=ctx.community.id,
            text=text,
            suggested_by=member.id,
            anonymous=anonymous,
            created_at=ctx.now,
        )
        ctx.session.add(question)
        if ctx.is_animator:
            # Animators need no one's approval: their suggestion joins the questions at once.
            question.status, question.decided_by, question.decided_at = (
                "approved",
                member.external_id,
                ctx.now,
            )
            await ctx.session.flush()
            ctx.reply(
                _(
                    "You animate this community, so your question joins the others at once: “{question}”.",
                    question=text,
                )
            )
            return
        await ctx.session.flush()
        entries = []
        for animator in ctx.settings.animators:
            if animator == member.external_id:
                continue
            entry = ctx.dm(animator, self._review_message(ctx, question, member.external_id))
            await ctx.session.flush()
            entries.append(entry.id)
        question.review_entries = entries
        ctx.reply(
            _(
                "Thank you! Your question is with the animators; you will hear back once they have looked at "
                "it. It will be asked without your name."
            )
            if anonymous
            else _(
                "Thank you! Your question is with the animators; you will hear back once they have looked at it."
            )
        )

    def _review_message(
        self, ctx: Context, question: IcebreakerQuestion, author: str | None, decision: str | None = None
    ) -> Message:
        _ = ctx._
        who = mention(author) if author else _("a former member")
        lines = [
            _("“{question}”", question=question.text),
            _("Suggested by {member}, who prefers not to be named when it is asked.", member=who)
            if question.anonymous
            else _("Suggested by {member}.", member=who),
        ]
        buttons: tuple[Button, ...] = ()
        if decision:
            lines.append(decision)
        else:
            buttons = (
                Button(APPROVE, _("Approve"), ref=str(question.id), style="success"),
                Button(REJECT, _("Reject"), ref=str(question.id), style="danger"),
            )
        return Message(
            title=_("A question suggested for the icebreakers"),
            text="\n".join(lines),
            buttons=buttons,
            footer=_("Approved questions are asked before the bank's."),
        )

    @command(
        "icebreaker suggestions",
        N_("Review the questions members suggested (animators)"),
        animator_only=True,
    )
    async def suggestions(self, ctx: Context) -> None:
        _ = ctx._
        rows = (
            await ctx.session.execute(
                select(IcebreakerQuestion, Member.external_id)
                .outerjoin(Member, Member.id == IcebreakerQuestion.suggested_by)
                .where(
                    IcebreakerQuestion.community_id == ctx.community.id,
                    IcebreakerQuestion.status == "pending",
                )
                .order_by(IcebreakerQuestion.created_at, IcebreakerQuestion.id)
            )
        ).all()
        if not rows:
            ctx.reply(
                _("No suggestion is waiting. Members can suggest a question with /agora icebreaker suggest.")
            )
            return
        for question, author in rows[:REVIEW_PAGE]:
            ctx.reply(replace(self._review_message(ctx, question, author), ephemeral=True))
        if len(rows) > REVIEW_PAGE:
            ctx.reply(
                _.ngettext(
                    "{count} more is waiting: decide on these first.",
                    "{count} more are waiting: decide on these first.",
                    len(rows) - REVIEW_PAGE,
                )
            )

    async def _question(self, ctx: Context) -> IcebreakerQuestion:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        question = await ctx.session.get(IcebreakerQuestion, int(event.ref)) if event.ref.isdigit() else None
        if question is None or question.community_id != ctx.community.id:
            raise UserError(ctx._("This button no longer matches a question of this community."))
        return question

    @action(APPROVE, animator_only=True)
    async def approve(self, ctx: Context) -> None:
        await self._decide(ctx, approved=True)

    @action(REJECT, animator_only=True)
    async def reject(self, ctx: Context) -> None:
        await self._decide(ctx, approved=False)

    async def _decide(self, ctx: Context, *, approved: bool) -> None:
        _ = ctx._
        question = await self._question(ctx)
        author = await ctx.session.get(Member, question.suggested_by) if question.suggested_by else None
        author_id = author.external_id if author is not None else None
        if question.status != "pending":
            decision = self._decision_text(ctx, question)
            ctx.replace_pressed(self._review_message(ctx, question, author_id, decision))
            ctx.reply(decision)
            return
        question.status = "approved" if approved else "rejected"
        question.decided_by = ctx.actor.id if ctx.actor else ""
        question.decided_at = ctx.now
        decided = self._review_message(ctx, question, author_id, self._decision_text(ctx, question))
        ctx.replace_pressed(decided)
        await self._update_reviews(ctx, question, decided)
        if author is not None and author.left_at is None:
            ctx.dm(author.external_id, self._author_message(ctx, question, approved))
        if approved:
            ctx.reply(_("Approved: it will be among the next questions asked."))
        else:
            ctx.reply(_("Rejected: it will not be asked. Its author gets a kind word from me."))

    async def _update_reviews(self, ctx: Context, question: IcebreakerQuestion, decided: Message) -> None:
        """Every animator's copy of the review request says it is decided, so nobody decides twice (the copy
        whose button was pressed is replaced with the press itself)."""
        pressed = ctx.event.message if isinstance(ctx.event, ButtonPressed) else None
        for entry_id in question.review_entries or []:
            entry = await ctx.session.get(OutboxEntry, int(entry_id))
            if entry is None or entry.status in ("failed", "abandoned"):
                continue
            if pressed is not None and (entry.result or {}).get("message_id") == pressed.id:
                continue
            ctx.update_posted(entry.id, decided)

    def _decision_text(self, ctx: Context, question: IcebreakerQuestion) -> str:
        _ = ctx._
        who = mention(question.decided_by) if question.decided_by else _("an animator")
        date = ctx.format_time(question.decided_at or ctx.now)
        if question.status == "approved":
            return _("✅ Approved by {animator} on {date}.", animator=who, date=date)
        if question.status == "rejected":
            return _("❌ Rejected by {animator} on {date}.", animator=who, date=date)
        return _("Removed by {animator} on {date}.", animator=who, date=date)

    def _author_message(self, ctx: Context, question: IcebreakerQuestion, approved: bool) -> Message:
        _ = ctx._
        if not approved:
            return Message(
                _(
                    "Thank you for suggesting “{question}”. The animators chose not to ask it this time; "
                    "you are welcome to suggest another one whenever you like.",
                    question=question.text,
                )
            )
        if question.anonymous or not ctx.settings.icebreakers.credit_authors:
            text = _(
                "Good news: your question “{question}” was approved. It will be among the next ones asked, "
                "without your name.",
                question=question.text,
            )
        else:
            text = _(
                "Good news: your question “{question}” was approved. It will be among the next ones asked, "
                "with your name.",
                question=question.text,
            )
        return Message(text)

    # --- animators: tags and credit ---------------------------------------------------------------------

    def _tags_text(self, _: Translator, tags: list[str]) -> str:
        if not tags:
            return _("every tag")
        return _.list([_(TAG_LABELS.get(tag, tag)) for tag in tags])

    def _known_tags_text(self, _: Translator) -> str:
        return ", ".join(_(TAG_LABELS.get(tag, tag)) for tag in bank_tags())

    def _parse_tags(self, ctx: Context, raw: str) -> list[str]:
        _ = ctx._
        words = [w for w in re.split(r"[,\s]+", raw.strip().lower()) if w]
        if not words or any(w in ALL_TAGS for w in words):
            return []
        by_label: dict[str, str] = {}
        for tag in bank_tags():
            by_label[tag] = tag
            by_label[_(TAG_LABELS.get(tag, tag)).lower()] = tag
        tags: list[str] = []
        for word in words:
            tag = by_label.get(word)
            if tag is None:
                raise UserError(
                    _(
                        "“{tag}” is not a tag of the questions. Tags: {known}; or “all” for every question.",
                        tag=word,
                        known=self._known_tags_text(_),
                    )
                )
            if tag not in tags:
                tags.append(tag)
        return tags

    @command(
        "icebreaker tags",
        N_("Choose which kinds of questions are drawn from the bank (animators)"),
        options=[Option("tags", N_("Tags separated by commas, or “all”"))],
        animator_only=True,
    )
    async def tags(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        raw = _clean(event.args.get("tags"))
        if not raw:
            ctx.reply(
                _(
                    "Questions are drawn from: {tags}. Tags: {known}. Change them with "
                    '/agora icebreaker tags tags="professional, reflective", or tags=all.',
                    tags=self._tags_text(_, ctx.settings.icebreakers.tags),
                    known=self._known_tags_text(_),
                )
            )
            return
        self._store(ctx, tags=self._parse_tags(ctx, raw))
        count = len(await self._candidates(ctx))
        chosen = self._tags_text(_, ctx.settings.icebreakers.tags)
        ctx.reply(
            _.ngettext(
                "Done: questions are drawn from {tags} ({count} question in the draw).",
                "Done: questions are drawn from {tags} ({count} questions in the draw).",
                count,
                tags=chosen,
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
    async def credit(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        named = bool(event.args.get("authors"))
        self._store(ctx, credit_authors=named)
        ctx.reply(
            _(
                "Done: members who suggested a question are named when it is asked (unless they asked not to be)."
            )
            if named
            else _("Done: questions are asked without naming who suggested them.")
        )


def _thread_title(text: str, limit: int = 80) -> str:
    """A thread's name: the question, cut at a word under Discord's limit."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"
