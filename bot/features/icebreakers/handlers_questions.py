"""The community's own questions: animators add and remove them, members suggest them, animators approve or
reject a suggestion with a button (every animator's copy of the request then says it is decided)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.chat import Capability
from bot.content import load_bank
from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CommandInvoked, FormSubmitted
from bot.i18n import N_, Translator
from bot.messages import Button, Form, FormField, Message, untrusted
from bot.router import Option, action, command, form
from storage.models import IcebreakerQuestionStatus, Member, OutboxEntry, OutboxStatus
from storage.tables.icebreakers import IcebreakerQuestion

from . import queries, render, rules
from .render import APPROVE, REJECT, REMOVE

SUGGEST_FORM = "icebreaker:suggest"
GONE = N_("This button no longer matches a question of this community.")


def _suggestion(
    ctx: Context[Any], question: IcebreakerQuestion, _: Translator | None = None
) -> render.Suggestion:
    """What the review messages show of ``question``, its date in ``_``'s words (the actor's by default)."""
    return render.Suggestion(
        id=question.id,
        text=question.text,
        anonymous=question.anonymous,
        status=str(question.status),
        decided_by=question.decided_by,
        decided_on=ctx.format_time(question.decided_at or ctx.now, _),
    )


class QuestionHandlers:
    """Adding, suggesting, reviewing and removing the community's own questions (a mixin of
    ``IcebreakersFeature``)."""

    async def _problem(self, ctx: Context[Any], text: str) -> str | None:
        """Why ``text`` can't be a question of this community, in its language, or None if it can."""
        bank = [item.text for item in load_bank("icebreakers", ctx.settings.locale)]
        own = await queries.live_question_texts(ctx.session, ctx.community.id)
        problem = rules.question_problem(text, [*own, *bank])
        return render.question_refusal(ctx._, problem, text, bank[0]) if problem else None

    async def _validated(self, ctx: Context[Any], raw: str | None) -> str:
        text = rules.clean(raw)
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
    async def add(self, ctx: Context[CommandInvoked], question: str | None = None) -> None:
        _ = ctx._
        text = await self._validated(ctx, question)
        row = IcebreakerQuestion(
            community_id=ctx.community.id,
            text=text,
            status=IcebreakerQuestionStatus.APPROVED,
            created_at=ctx.now,
            decided_by=ctx.actor.id if ctx.actor else "",
            decided_at=ctx.now,
        )
        ctx.session.add(row)
        await ctx.session.flush()
        ctx.reply(
            Message(
                text=_(
                    "Added: “{question}”. The community's new questions are asked before the others.",
                    question=untrusted(text),
                ),
                buttons=(Button(REMOVE, _("Remove it"), ref=str(row.id), style="secondary"),),
                ephemeral=True,
            )
        )

    @action(REMOVE, animator_only=True)
    async def remove(self, ctx: Context[ButtonPressed]) -> None:
        _ = ctx._
        question = await ctx.owned(IcebreakerQuestion, ctx.event.ref, gone=GONE)
        if question.status == IcebreakerQuestionStatus.REMOVED:
            ctx.reply(_("This question was already removed."))
            return
        question.status = IcebreakerQuestionStatus.REMOVED
        question.decided_by = ctx.actor.id if ctx.actor else ""
        question.decided_at = ctx.now
        done = _("Removed: “{question}”. It will not be asked.", question=untrusted(question.text))
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
    async def suggest(
        self, ctx: Context[CommandInvoked], question: str | None = None, anonymous: bool | None = None
    ) -> None:
        _ = ctx._
        if not rules.clean(question) and ctx.can(Capability.FORMS):
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
                            max_length=rules.MAX_LENGTH,
                            placeholder=load_bank("icebreakers", _.locale)[0].text,
                        ),
                    ),
                    ref="anonymous" if anonymous else "",
                    submit_label=_("Send to the animators"),
                )
            )
            return
        text = await self._validated(ctx, question)
        await self._record_suggestion(ctx, text, anonymous=bool(anonymous))

    @form(SUGGEST_FORM)
    async def suggest_submitted(self, ctx: Context[FormSubmitted]) -> None:
        text = rules.clean(ctx.event.values.get("question"))
        problem = await self._problem(ctx, text)
        if problem:
            raise FormErrors({"question": problem})
        await self._record_suggestion(ctx, text, anonymous=ctx.event.ref == "anonymous")

    async def _record_suggestion(self, ctx: Context[Any], text: str, *, anonymous: bool) -> None:
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
            question.status = IcebreakerQuestionStatus.APPROVED
            question.decided_by, question.decided_at = member.external_id, ctx.now
            await ctx.session.flush()
            ctx.reply(
                _(
                    "You animate this community, so your question joins the others at once: “{question}”.",
                    question=untrusted(text),
                )
            )
            return
        await ctx.session.flush()
        sent = await ctx.dm_each(
            [animator for animator in ctx.settings.animators if animator != member.external_id],
            lambda words: render.review_message(words, _suggestion(ctx, question, words), member.external_id),
        )
        await ctx.session.flush()
        question.review_entries = [entry.id for entry in sent]
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

    @command(
        "icebreaker suggestions",
        N_("Review the questions members suggested (animators)"),
        animator_only=True,
    )
    async def suggestions(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        rows = await queries.own_questions(ctx.session, ctx.community.id, IcebreakerQuestionStatus.PENDING)
        if not rows:
            ctx.reply(
                _("No suggestion is waiting. Members can suggest a question with /agora icebreaker suggest.")
            )
            return
        for question, author in rows[: rules.REVIEW_PAGE]:
            ctx.reply(replace(render.review_message(_, _suggestion(ctx, question), author), ephemeral=True))
        if len(rows) > rules.REVIEW_PAGE:
            ctx.reply(
                _.ngettext(
                    "{count} more is waiting: decide on these first.",
                    "{count} more are waiting: decide on these first.",
                    len(rows) - rules.REVIEW_PAGE,
                )
            )

    @action(APPROVE, animator_only=True)
    async def approve(self, ctx: Context[ButtonPressed]) -> None:
        await self._decide(ctx, approved=True)

    @action(REJECT, animator_only=True)
    async def reject(self, ctx: Context[ButtonPressed]) -> None:
        await self._decide(ctx, approved=False)

    async def _decide(self, ctx: Context[ButtonPressed], *, approved: bool) -> None:
        _ = ctx._
        question = await ctx.owned(IcebreakerQuestion, ctx.event.ref, gone=GONE)
        author = await ctx.session.get(Member, question.suggested_by) if question.suggested_by else None
        author_id = author.external_id if author is not None else None
        if question.status != IcebreakerQuestionStatus.PENDING:
            decision = render.decision_text(_, _suggestion(ctx, question))
            ctx.replace_pressed(render.review_message(_, _suggestion(ctx, question), author_id, decision))
            ctx.reply(decision)
            return
        question.status = IcebreakerQuestionStatus.APPROVED if approved else IcebreakerQuestionStatus.REJECTED
        question.decided_by = ctx.actor.id if ctx.actor else ""
        question.decided_at = ctx.now
        ctx.replace_pressed(self._decided(ctx, _, question, author_id))
        await self._update_reviews(ctx, question, author_id)
        if author is not None and author.left_at is None:
            await ctx.dm(
                author,
                lambda words: render.author_message(
                    words,
                    _suggestion(ctx, question, words),
                    approved=approved,
                    credited=ctx.settings.icebreakers.credit_authors,
                ),
            )
        if approved:
            ctx.reply(_("Approved: it will be among the next questions asked."))
        else:
            ctx.reply(_("Rejected: it will not be asked. Its author gets a kind word from me."))

    @staticmethod
    def _decided(
        ctx: Context[Any], _: Translator, question: IcebreakerQuestion, author_id: str | None
    ) -> Message:
        """A review request once decided, in ``_``'s words."""
        shown = _suggestion(ctx, question, _)
        return render.review_message(_, shown, author_id, render.decision_text(_, shown))

    async def _update_reviews(
        self, ctx: Context[ButtonPressed], question: IcebreakerQuestion, author_id: str | None
    ) -> None:
        """Every animator's copy of the review request says it is decided, so nobody decides twice (the copy
        whose button was pressed is replaced with the press itself); the question then lets go of them."""
        pressed = ctx.event.message
        for entry_id in question.review_entries or []:
            entry = await ctx.session.get(OutboxEntry, int(entry_id))
            if entry is None or entry.status in (OutboxStatus.FAILED, OutboxStatus.ABANDONED):
                continue
            if pressed is not None and (entry.result or {}).get("message_id") == pressed.id:
                continue
            await ctx.replace_dm(entry, lambda words: self._decided(ctx, words, question, author_id))
        # Decided for good: the copies are no longer the question's to keep (their pending updates keep them until
        # delivered, and the pruning job removes them after ``database.keep_for``).
        question.review_entries = []
