"""A newcomer's path: they arrive, accept the charter and are invited by direct message to introduce themselves
(one reminder, unless they said "not now"); ``/agora profile`` opens the introduction form again (to edit) or
hides / shows the member in the directory; a first introduction is posted with the members worth meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.chat import Capability
from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import (
    ButtonPressed,
    CharterAccepted,
    CommandInvoked,
    Event,
    FormSubmitted,
    MemberJoined,
    MemberRef,
    MessageRef,
    PostFailed,
    TimerFired,
)
from bot.i18n import N_, Translator
from bot.messages import Form, FormField, Message, mention, untrusted
from bot.router import Option, action, command, form, on, timer, undelivered
from storage.models import Member, OutboxEntry
from storage.tables.profiles import Profile

from . import queries, render, rules
from .matching import PREPARED_VERSION, Candidate, Suggestion, normalize, prepare, split_tags, suggest
from .render import INTRODUCE, LATER

__all__ = ["FORM", "LAPSE", "NUDGE", "JourneyHandlers", "MemberIntroduced", "shown_name"]

NUDGE = "onboarding:nudge"
# When an unanswered invitation's buttons are retired (ref: the member's id): see ``lapse``.
LAPSE = "onboarding:lapse"
# How long a reminder stays answerable before its buttons may lapse.
REMINDER_ANSWERED_WITHIN = timedelta(days=7)
FORM = "intro"
# The origin of an introduction's post in the outbox (ref: the profile's id); see ``introduction_unposted``.
INTRODUCTION = "introduction"


@dataclass(frozen=True, kw_only=True)
class MemberIntroduced(Event):
    """Domain event: ``member`` introduced themselves (``first_time``) or edited their introduction."""

    member: MemberRef
    first_time: bool = True


def shown_name(member: Member) -> str:
    """The name a member goes by where they have not given one."""
    return member.display_name or member.external_id


class JourneyHandlers:
    @undelivered(INTRODUCTION)
    async def introduction_unposted(self, ctx: Context[PostFailed]) -> None:
        """The introduction's post failed for good: the profile is in the directory, not in the channel. Later
        edits then say so rather than "updated in its post"."""
        profile = await ctx.failed_row(Profile, "post_entry_id")
        if profile is None:
            return
        profile.post_entry_id = None
        member = await ctx.session.get(Member, profile.member_id)
        ctx.reply(
            ctx._(
                "The introduction of {member} is saved (members find it with /agora members) but was not posted "
                "in the introductions channel.",
                member=mention(member.external_id) if member is not None else "?",
            )
        )

    """The invitation, the reminder, "not now", the introduction form and ``/agora profile`` (a mixin of
    ``OnboardingFeature``; not a ``Feature`` itself, so that the core does not count it as one)."""

    # --- a member arrives, accepts the charter, is invited ------------------------------------------------------

    @on(MemberJoined)
    async def arrived(self, ctx: Context[MemberJoined]) -> None:
        if ctx.event.member.is_bot:
            return
        member = await ctx.member(ctx.event.member)
        newcomer = await queries.newcomer_of(ctx.session, member, first_seen=ctx.first_seen(member))
        newcomer.joined_at = member.joined_at  # a return counts as a new arrival

    @on(CharterAccepted)
    async def invite(self, ctx: Context[CharterAccepted]) -> None:
        if not ctx.event.first_time or ctx.event.member.is_bot:
            return
        member = await ctx.member(ctx.event.member)
        newcomer = await queries.newcomer_of(ctx.session, member)
        newcomer.accepted_at = newcomer.accepted_at or ctx.now
        settings = ctx.settings.onboarding
        if (
            not settings.enabled
            or newcomer.invited_at is not None
            or await queries.profile_of(ctx.session, member)
        ):
            return
        newcomer.invited_at = ctx.now
        entry = await ctx.dm(member, lambda _: self._invitation(ctx, _))
        await ctx.session.flush()
        newcomer.invitation_entry_id = entry.id
        if settings.nudge_after is not None:
            await ctx.set_timer(NUDGE, str(member.id), ctx.now + settings.nudge_after)
        # After its one reminder and the newcomer's first weeks, an unanswered invitation's buttons are retired:
        # nothing then keeps those DMs, and the outbox stays bounded however many members come.
        # The reminder always gets its week, whatever the window: the lapse never comes first and cancels it.
        reminded = (
            settings.nudge_after + REMINDER_ANSWERED_WITHIN
            if settings.nudge_after is not None
            else timedelta(0)
        )
        lapse_after = max(reminded, settings.newcomer_window)
        await ctx.set_timer(LAPSE, str(member.id), ctx.now + lapse_after)

    def _invitation(self, ctx: Context[Any], _: Translator, *, nudge: bool = False) -> Message:
        return render.invitation(
            _,
            community=ctx.settings.name or ctx.community.name,
            channel=ctx.settings.channel("introductions"),
            nudge=nudge,
        )

    @action(INTRODUCE, opens_form=True)
    async def open(self, ctx: Context[ButtonPressed]) -> None:
        await self._open_form(ctx)

    @action(LATER)
    async def later(self, ctx: Context[ButtonPressed]) -> None:
        _ = ctx._
        member = await ctx.member()
        if await queries.profile_of(ctx.session, member) is not None:
            ctx.reply(_("You have already introduced yourself. /agora profile lets you change it."))
            return
        newcomer = await queries.newcomer_of(ctx.session, member)
        newcomer.declined_at = newcomer.declined_at or ctx.now
        done = render.not_now(_)
        pressed = ctx.event.message if ctx.can(Capability.UPDATE) else None
        if pressed is not None:
            ctx.replace_pressed(done)
        else:
            ctx.reply(done.text)
        await self._retire_invitations(ctx, member, done, pressed=pressed)

    @timer(NUDGE)
    async def nudge(self, ctx: Context[TimerFired]) -> None:
        ref = ctx.event.ref
        member = await ctx.row(Member, ref)
        if member is None or member.community_id != ctx.community.id or member.left_at is not None:
            return
        newcomer = await queries.newcomer_of(ctx.session, member)
        if (
            not ctx.settings.onboarding.enabled
            or newcomer.declined_at is not None
            or newcomer.nudged_at is not None
            or await queries.profile_of(ctx.session, member) is not None
        ):
            return
        newcomer.nudged_at = ctx.now
        entry = await ctx.dm(member, lambda _: self._invitation(ctx, _, nudge=True))
        await ctx.session.flush()
        newcomer.nudge_entry_id = entry.id

    @timer(LAPSE)
    async def lapse(self, ctx: Context[TimerFired]) -> None:
        """The newcomer's first weeks have passed without an answer: the invitation and its reminder lose their
        buttons, saying the form stays one command away."""
        member = await ctx.row(Member, ctx.event.ref)
        if member is None or member.community_id != ctx.community.id:
            return
        # Gone members are not written to; their DMs only stop being kept.
        message = render.invitation_lapsed(await ctx.translator_for(member), ctx.command_text("profile"))
        await self._retire_invitations(ctx, member, message if member.left_at is None else None)

    # --- the introduction form ----------------------------------------------------------------------------

    @command(
        "profile",
        N_("Introduce yourself or edit your introduction; hide or show yourself in the directory"),
        options=[Option("action", N_("edit (the default), hide or show"), choices=("edit", "hide", "show"))],
    )
    async def profile(self, ctx: Context[CommandInvoked], action: str | None = None) -> None:
        what = str(action or "edit")
        if what == "edit":
            await self._open_form(ctx)
            return
        _ = ctx._
        profile = await queries.profile_of(ctx.session, await ctx.member())
        if profile is None:
            ctx.reply(
                _(
                    "You have not introduced yourself yet, so there is nothing to hide or show. "
                    "/agora profile opens the form."
                )
            )
            return
        profile.hidden = what == "hide"
        profile.updated_at = ctx.now
        ctx.reply(
            _(
                "Done: you no longer appear in the directory nor in suggestions. /agora profile show brings you back."
            )
            if profile.hidden
            else _("Done: members find you again in the directory (/agora members).")
        )

    async def _open_form(self, ctx: Context[Any]) -> None:
        _ = ctx._
        member = await ctx.member()
        if not await queries.has_accepted(ctx.session, member):
            raise UserError(render.charter_first(_, ctx.command_text("charter")))
        profile = await queries.profile_of(ctx.session, member)
        current: dict[str, str] = (
            {
                "name": profile.name,
                "what": profile.what,
                "where": profile.location,
                "interests": ", ".join(profile.interests),
                "offers": profile.offers,
                "needs": profile.needs,
            }
            if profile
            else {"name": shown_name(member)}
        )
        ctx.open_form(
            Form(
                FORM,
                _("Introduce yourself"),
                fields=tuple(
                    FormField(
                        f.name,
                        _(f.label),
                        required=f.name == "what",
                        multiline=f.multiline,
                        max_length=f.limit,
                        placeholder=_(f.hint),
                        default=current.get(f.name, ""),
                    )
                    for f in rules.FIELDS
                ),
                submit_label=_("Save") if profile else _("Post my introduction"),
            )
        )

    def _validated(self, ctx: Context[Any], values: dict[str, str]) -> dict[str, str]:
        """The answers, trimmed; every problem at once, next to its field."""
        _ = ctx._
        unknown = rules.unknown_fields(values)
        if unknown:
            raise UserError(
                _(
                    "The introduction form has no field “{field}”. Its fields are: {fields}.",
                    field=untrusted(unknown[0]),
                    fields=", ".join(rules.FIELD_LIMITS),
                )
            )
        cleaned = {name: str(values.get(name) or "").strip() for name in rules.FIELD_LIMITS}
        problems = rules.form_problems(cleaned)
        if problems:
            raise FormErrors(render.form_errors(_, problems, cleaned, rules.FIELD_LIMITS))
        return cleaned

    @form(FORM)
    async def submitted(self, ctx: Context[FormSubmitted]) -> None:
        _ = ctx._
        values = self._validated(ctx, ctx.event.values)
        member = await ctx.member()
        if not await queries.has_accepted(ctx.session, member):
            raise UserError(render.charter_first(_, ctx.command_text("charter")))
        profile = await queries.profile_of(ctx.session, member)
        first_time = profile is None
        if profile is None:
            profile = Profile(
                community_id=ctx.community.id,
                member_id=member.id,
                introduced_at=ctx.now,
                hidden=False,
                suggestions=[],
            )
            ctx.session.add(profile)
        self._fill(profile, member, values, ctx)
        channel = ctx.settings.channel("introductions")
        if first_time:
            suggestions = await self._suggestions(ctx, member, profile)
            profile.suggestions = [s.to_dict() for s in suggestions]
            entry = None
            if channel:
                await ctx.session.flush()
                entry = ctx.post(
                    channel,
                    render.introduction_message(ctx.public, profile, member.external_id),
                    origin=(INTRODUCTION, str(profile.id)),
                )
                await ctx.session.flush()
                profile.post_entry_id = entry.id
            await self._retire_invitations(ctx, member, render.invitation_done(_, channel))
            await ctx.reply_once_posted(entry, render.thanks(_, channel, suggestions))
        else:
            if profile.post_entry_id is not None:
                await ctx.replace_post(
                    profile.post_entry_id,
                    render.introduction_message(ctx.public, profile, member.external_id),
                )
            ctx.reply(
                _(
                    "Your introduction is updated, in the directory and in its post in the introductions channel."
                )
                if profile.post_entry_id is not None
                else _("Your introduction is updated.")
            )
        await ctx.session.flush()
        assert ctx.actor is not None
        await ctx.emit(MemberIntroduced(community=ctx.community_ref, member=ctx.actor, first_time=first_time))

    @staticmethod
    def _fill(profile: Profile, member: Member, values: dict[str, str], ctx: Context[Any]) -> None:
        """The profile from the form's answers, with what the directory searches and the matching compares."""
        profile.name = values["name"] or shown_name(member)
        profile.what = values["what"]
        profile.location = values["where"]
        profile.interests = split_tags(values["interests"])
        profile.offers = values["offers"]
        profile.needs = values["needs"]
        profile.updated_at = ctx.now
        profile.sort_name = normalize(profile.name)[:200]
        profile.match_keys = prepare(profile.interests, profile.offers, profile.needs)
        profile.search_text = normalize(
            " ".join(
                (
                    profile.name,
                    member.display_name,
                    profile.what,
                    profile.location,
                    ", ".join(profile.interests),
                    profile.offers,
                    profile.needs,
                )
            )
        )

    async def _retire_invitations(
        self, ctx: Context[Any], member: Member, message: Message | None, *, pressed: MessageRef | None = None
    ) -> None:
        """The invitation is answered (or has lapsed): no reminder, and the invitation's and the reminder's buttons
        give way to ``message`` (but the ``pressed`` one, which the handler replaces itself). The newcomer then no
        longer refers to those DMs: the pending replacements keep them until delivered (see ``bot.retention``),
        and the pruning job removes them after ``database.keep_for``."""
        await ctx.cancel_timer(NUDGE, str(member.id))
        await ctx.cancel_timer(LAPSE, str(member.id))
        newcomer = await queries.find_newcomer(ctx.session, member)
        if newcomer is None:
            return
        for entry_id in (newcomer.invitation_entry_id, newcomer.nudge_entry_id):
            if entry_id is None or message is None:
                continue
            entry = await ctx.session.get(OutboxEntry, entry_id)
            posted = (entry.result or {}) if entry is not None else {}
            if pressed is not None and (posted.get("channel"), posted.get("message_id")) == (
                pressed.channel_id,
                pressed.id,
            ):
                continue
            await ctx.replace_post(entry_id, message)
        newcomer.invitation_entry_id = newcomer.nudge_entry_id = None

    async def _suggestions(self, ctx: Context[Any], member: Member, profile: Profile) -> list[Suggestion]:
        """The members this newcomer should meet first, among those who may be suggested."""
        limit = ctx.settings.onboarding.suggestions
        if limit <= 0:
            return []
        recent_since = ctx.now - ctx.settings.onboarding.newcomer_window
        rows = await queries.suggestion_rows(ctx.session, ctx.community.id, member)
        texts: dict[int, tuple[list[str], str, str]] = {}
        if any((keys or {}).get("version") != PREPARED_VERSION for *_ignored, keys, _at in rows):
            texts = await queries.suggestion_texts(ctx.session, ctx.community.id, member)
        candidates = []
        for rank, (profile_id, key, name, keys, introduced_at) in enumerate(rows):
            interests, offers, needs = texts.get(profile_id, ([], "", ""))
            candidates.append(
                Candidate(
                    key=key,
                    name=name,
                    interests=interests,
                    offers=offers,
                    needs=needs,
                    rank=rank,
                    recent=introduced_at >= recent_since,
                    prepared=keys,
                )
            )
        newcomer = Candidate(
            key=member.external_id,
            name=profile.name,
            interests=profile.interests,
            offers=profile.offers,
            needs=profile.needs,
            prepared=profile.match_keys,
        )
        return suggest(newcomer, candidates, limit=limit, at_least=min(2, limit))
