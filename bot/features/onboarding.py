"""Newcomer onboarding by direct message: the introduction, the first contacts, one nudge, the animators' digest.

Once a newcomer accepts the charter (``CharterAccepted``, first time), they get a direct message "Introduce
yourself in two lines" with [Introduce myself] (a six-field form, only "what I do" required) and [Not now]. Their
introduction is posted in the introductions channel, in the community's language, mentioning them and the two or
three members they should meet first, each with a one-line "why you two" (``bot.features.matching``). If they
neither introduce themselves nor say "not now", one reminder comes after the community's delay; "not now" means
no reminder at all. Animators get a digest of where each newcomer stands, on a schedule and with
``/agora newcomers``. ``/agora profile`` opens the form again (to edit) or hides / shows the member in the
directory (``bot.features.directory``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, select

from bot.chat import Capability
from bot.context import Context
from bot.durations import format_duration, parse_duration
from bot.errors import FormErrors, UserError
from bot.events import (
    BotStarted,
    ButtonPressed,
    CharterAccepted,
    CommandInvoked,
    Event,
    FormSubmitted,
    MemberJoined,
    MemberRef,
    SettingsChanged,
    TimerFired,
)
from bot.features.matching import (
    PREPARED_VERSION,
    Candidate,
    Suggestion,
    normalize,
    prepare,
    split_tags,
    suggest,
)
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Form, FormField, Message, mention
from bot.operations import DirectMessage
from bot.router import Feature, Option, action, command, form, on, timer
from bot.scheduler import cron_trigger
from bot.settings.onboarding import OFF_WORDS, OnboardingSettings
from storage.models import Acknowledgement, Member, Schedule
from storage.tables.profiles import Newcomer, Profile

__all__ = [
    "FIELD_LIMITS",
    "FORM",
    "MemberIntroduced",
    "OnboardingFeature",
    "has_accepted",
    "listed_profiles",
    "profile_fields",
    "shown_name",
]

INTRODUCE = "onboarding:introduce"
LATER = "onboarding:later"
NUDGE = "onboarding:nudge"
DIGEST = "onboarding:digest"
FORM = "intro"

# The form's fields: name, label, placeholder, the most characters kept, multi-line. Labels stay under Discord's
# 45 characters and the form's title under Slack's 24, in both languages.
_FIELDS: tuple[tuple[str, str, str, int, bool], ...] = (
    ("name", N_("Name to show"), N_("How the members should call you"), 80, False),
    ("what", N_("What I do"), N_("e.g. Freelance UX designer for small businesses"), 200, False),
    ("where", N_("Where I am"), N_("City, region, or remote"), 120, False),
    (
        "interests",
        N_("Interests and skills"),
        N_("Separated by commas: ecology, design, cycling"),
        300,
        False,
    ),
    ("offers", N_("What I can offer"), N_("A skill, advice, contacts, a tool you master…"), 600, True),
    ("needs", N_("What I am looking for"), N_("Clients, a partner, advice on…"), 600, True),
)
FIELD_LIMITS = {name: limit for name, _label, _hint, limit, _multi in _FIELDS}
_LABELS = {name: label for name, label, _hint, _limit, _multi in _FIELDS}

SETTINGS_OPTIONS = (
    Option("enabled", N_("Invite newcomers to introduce themselves once they accept the charter"), "boolean"),
    Option("nudge_after", N_("Delay before the one reminder to introduce oneself, e.g. 3d, or off")),
    Option("suggestions", N_("How many members an introduction suggests meeting (0 to 5)"), "integer"),
    Option("digest", N_('When animators get the newcomers digest: a cron rule ("0 9 * * mon") or off')),
    Option(
        "digest_to",
        N_("Send the digest to each animator by DM, or to a channel"),
        choices=("animators", "channel"),
    ),
    Option("digest_channel", N_("Channel for the digest"), "channel"),
    Option("window", N_("How long someone counts as a newcomer in the digest, e.g. 30d")),
    Option("page_size", N_("Members per page in /agora members (1 to 20)"), "integer"),
)


@dataclass(frozen=True, kw_only=True)
class MemberIntroduced(Event):
    """Domain event: ``member`` introduced themselves (``first_time``) or edited their introduction."""

    member: MemberRef
    first_time: bool = True


# --- queries and rendering shared with the directory ---------------------------------------------------------


def listed_profiles(community_id: int) -> Select[tuple[Profile, Member]]:
    """Profiles anyone may see: members still here, who accepted the charter and did not hide themselves."""
    return (
        select(Profile, Member)
        .join(Member, Member.id == Profile.member_id)
        .where(
            Profile.community_id == community_id,
            ~Profile.hidden,
            Member.left_at.is_(None),
            exists().where(Acknowledgement.member_id == Member.id),
        )
    )


async def has_accepted(ctx: Context, member: Member) -> bool:
    """Whether ``member`` accepted a version of the charter (any: a new version does not erase who they are)."""
    found = await ctx.session.scalar(
        select(Acknowledgement.id).where(Acknowledgement.member_id == member.id).limit(1)
    )
    return found is not None


def shown_name(member: Member) -> str:
    return member.display_name or member.external_id


def _clip(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def profile_fields(_: Translator, profile: Profile, *, clip: int | None = None) -> tuple[Field, ...]:
    """What a profile says beyond its one line (empty answers are left out)."""
    fields = []
    if profile.location:
        fields.append(Field(_("Where"), profile.location, inline=True))
    if profile.interests:
        fields.append(Field(_("Interests and skills"), ", ".join(profile.interests), inline=True))
    if profile.offers:
        fields.append(Field(_("Can offer"), _clip(profile.offers, clip)))
    if profile.needs:
        fields.append(Field(_("Looking for"), _clip(profile.needs, clip)))
    return tuple(fields)


def why_line(_: Translator, suggestion: Suggestion) -> str:
    """The "why you two" of a suggestion, addressed to the newcomer."""
    parts = []
    if suggestion.shared:
        parts.append(_("You both care about: {topics}", topics=", ".join(suggestion.shared)))
    if suggestion.they_offer:
        parts.append(
            _(
                "{name} offers what you look for: {topics}",
                name=suggestion.name,
                topics=", ".join(suggestion.they_offer),
            )
        )
    if suggestion.you_offer:
        parts.append(
            _(
                "You offer what {name} looks for: {topics}",
                name=suggestion.name,
                topics=", ".join(suggestion.you_offer),
            )
        )
    if not parts:
        parts.append(_("Just arrived too: you can discover the group together."))
    return " · ".join(parts)


def suggestion_lines(_: Translator, suggestions: list[Suggestion]) -> str:
    """One line per suggested member: their mention, then why."""
    return "\n".join(f"• {mention(s.key)} — {why_line(_, s)}" for s in suggestions)


def introduction_message(_: Translator, profile: Profile, member: Member) -> Message:
    """The introduction as posted in the introductions channel. The newcomer and the suggested members are
    mentioned in the text (not in a field), where every platform notifies them: they can say hello."""
    text = _("{member}: {what}", member=mention(member.external_id), what=profile.what)
    suggestions = [Suggestion.from_dict(s) for s in profile.suggestions or []]
    if suggestions:
        heading = _("{name}, a few members you should meet:", name=profile.name)
        text = f"{text}\n\n{heading}\n{suggestion_lines(_, suggestions)}"
    return Message(
        title=_("Say hello to {name}!", name=profile.name),
        text=text,
        fields=profile_fields(_, profile),
        footer=_("A first hello makes all the difference: answer below."),
    )


# --- the feature -----------------------------------------------------------------------------------------------


class OnboardingFeature(Feature):
    """Introduction by DM after the charter, suggested contacts, one nudge, the newcomers digest."""

    name = "onboarding"
    order = 20  # after the charter's welcome
    settings = OnboardingSettings

    # --- a member arrives, accepts the charter, is invited ------------------------------------------------------

    @on(MemberJoined)
    async def arrived(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, MemberJoined)
        if event.member.is_bot:
            return
        member = await ctx.member(event.member)
        newcomer = await self._newcomer(ctx, member)
        newcomer.joined_at = member.joined_at  # a return counts as a new arrival
        await self._ensure_digest(ctx)

    @on(BotStarted)
    @on(SettingsChanged)
    async def started(self, ctx: Context) -> None:
        # The digest's rule follows the YAML's default when it changed while the bot was stopped, and the
        # community's time zone when /agora setup changes it.
        await self._ensure_digest(ctx)

    @on(CharterAccepted)
    async def invite(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CharterAccepted)
        if not event.first_time or event.member.is_bot:
            return
        member = await ctx.member(event.member)
        newcomer = await self._newcomer(ctx, member)
        newcomer.accepted_at = newcomer.accepted_at or ctx.now
        await self._ensure_digest(ctx)
        settings = ctx.settings.onboarding
        if not settings.enabled or newcomer.invited_at is not None or await self._profile(ctx, member):
            return
        newcomer.invited_at = ctx.now
        entry = ctx.dm(member.external_id, self._invitation(ctx))
        await ctx.session.flush()
        newcomer.invitation_entry_id = entry.id
        if settings.nudge_after is not None:
            await ctx.set_timer(NUDGE, str(member.id), ctx.now + settings.nudge_after)

    def _invitation(self, ctx: Context, *, nudge: bool = False) -> Message:
        _ = ctx._
        channel = ctx.settings.channel("introductions")
        if nudge:
            title = _("Would you like to introduce yourself?")
            text = _(
                "The members of {community} would like to know who you are: two lines are enough, and I will "
                "point you to a few people worth meeting. This is the only reminder you will get.",
                community=ctx.settings.name or ctx.community.name,
            )
        else:
            title = _("Introduce yourself in two lines")
            text = (
                _(
                    "Tell the members who you are: one line about what you do is enough, the rest is optional. "
                    "I will post it in {channel} and suggest a few members you should meet.",
                    channel=f"<#{channel}>",
                )
                if channel
                else _(
                    "Tell the members who you are: one line about what you do is enough, the rest is optional. "
                    "I will suggest a few members you should meet."
                )
            )
        return Message(
            title=title,
            text=text,
            buttons=(
                Button(INTRODUCE, _("Introduce myself"), style="primary"),
                Button(LATER, _("Not now"), style="secondary"),
            ),
            footer=_(
                "Not now? Press the button and I won't ask again. "
                "You can introduce yourself any time with /agora profile."
            ),
        )

    @action(INTRODUCE)
    async def open(self, ctx: Context) -> None:
        await self._open_form(ctx)

    @action(LATER)
    async def later(self, ctx: Context) -> None:
        _ = ctx._
        member = await ctx.member()
        if await self._profile(ctx, member) is not None:
            ctx.reply(_("You have already introduced yourself. /agora profile lets you change it."))
            return
        newcomer = await self._newcomer(ctx, member)
        newcomer.declined_at = newcomer.declined_at or ctx.now
        await ctx.cancel_timer(NUDGE, str(member.id))
        done = Message(
            title=_("Introduce yourself in two lines"),
            text=_(
                "No problem: I won't ask again. Whenever you like, /agora profile opens your introduction."
            ),
        )
        if ctx.can(Capability.UPDATE) and isinstance(ctx.event, ButtonPressed) and ctx.event.message:
            ctx.replace_pressed(done)
        else:
            ctx.reply(done.text)

    @timer(NUDGE)
    async def nudge(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, TimerFired)
        member = await ctx.session.get(Member, int(event.ref)) if event.ref.isdigit() else None
        if member is None or member.community_id != ctx.community.id or member.left_at is not None:
            return
        newcomer = await self._newcomer(ctx, member)
        if (
            not ctx.settings.onboarding.enabled
            or newcomer.declined_at is not None
            or newcomer.nudged_at is not None
            or await self._profile(ctx, member) is not None
        ):
            return
        newcomer.nudged_at = ctx.now
        entry = ctx.dm(member.external_id, self._invitation(ctx, nudge=True))
        await ctx.session.flush()
        newcomer.nudge_entry_id = entry.id

    # --- the introduction form ----------------------------------------------------------------------------

    @command(
        "profile",
        N_("Introduce yourself or edit your introduction; hide or show yourself in the directory"),
        options=[Option("action", N_("edit (the default), hide or show"), choices=("edit", "hide", "show"))],
    )
    async def profile(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        what = str(event.args.get("action") or "edit")
        if what == "edit":
            await self._open_form(ctx)
            return
        _ = ctx._
        member = await ctx.member()
        profile = await self._profile(ctx, member)
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
                "Done: you no longer appear in the directory nor in suggestions. "
                "/agora profile show brings you back."
            )
            if profile.hidden
            else _("Done: members find you again in the directory (/agora members).")
        )

    async def _open_form(self, ctx: Context) -> None:
        _ = ctx._
        member = await ctx.member()
        if not await has_accepted(ctx, member):
            raise UserError(
                _("Before introducing yourself, please read and accept the charter: /agora charter shows it.")
            )
        profile = await self._profile(ctx, member)
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
                        name,
                        _(label),
                        required=name == "what",
                        multiline=multiline,
                        max_length=limit,
                        placeholder=_(hint),
                        default=current.get(name, ""),
                    )
                    for name, label, hint, limit, multiline in _FIELDS
                ),
                submit_label=_("Save") if profile else _("Post my introduction"),
            )
        )

    def _validated(self, ctx: Context, values: dict[str, str]) -> dict[str, str]:
        """The answers, trimmed; every problem at once, next to its field."""
        _ = ctx._
        unknown = sorted(set(values) - set(FIELD_LIMITS))
        if unknown:
            raise UserError(
                _(
                    "The introduction form has no field “{field}”. Its fields are: {fields}.",
                    field=unknown[0],
                    fields=", ".join(FIELD_LIMITS),
                )
            )
        cleaned = {name: str(values.get(name) or "").strip() for name in FIELD_LIMITS}
        errors: dict[str, str] = {}
        for name, limit in FIELD_LIMITS.items():
            if len(cleaned[name]) > limit:
                errors[name] = _(
                    "“{field}” is limited to {limit} characters and yours has {length}: please shorten it.",
                    field=_(_LABELS[name]),
                    limit=limit,
                    length=len(cleaned[name]),
                )
        if not cleaned["what"]:
            errors["what"] = _("Say in a few words what you do: it is the only answer needed.")
        if errors:
            raise FormErrors(errors)
        return cleaned

    @form(FORM)
    async def submitted(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, FormSubmitted)
        _ = ctx._
        values = self._validated(ctx, event.values)
        member = await ctx.member()
        if not await has_accepted(ctx, member):
            raise UserError(
                _("Before introducing yourself, please read and accept the charter: /agora charter shows it.")
            )
        profile = await self._profile(ctx, member)
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
        channel = ctx.settings.channel("introductions")
        if first_time:
            suggestions = await self._suggestions(ctx, member, profile)
            profile.suggestions = [s.to_dict() for s in suggestions]
            if channel:
                entry = ctx.post(channel, introduction_message(_, profile, member))
                await ctx.session.flush()
                profile.post_entry_id = entry.id
            await self._retire_invitations(ctx, member, channel)
            ctx.reply(self._thanks(ctx, channel, suggestions))
        else:
            if profile.post_entry_id is not None:
                ctx.update_posted(profile.post_entry_id, introduction_message(_, profile, member))
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

    def _thanks(self, ctx: Context, channel: str | None, suggestions: list[Suggestion]) -> Message:
        """The answer to a first introduction: where it went, and who to meet when no channel shows it."""
        _ = ctx._
        after = _(
            "Change it any time with /agora profile; /agora profile hide keeps you out of the directory."
        )
        if channel and suggestions:
            text = _(
                "Thank you! Your introduction is now in {channel}, with a few members you should meet.",
                channel=f"<#{channel}>",
            )
        elif channel:
            text = _(
                "Thank you! Your introduction is now in {channel}. You are among the first to introduce "
                "yourself: the next newcomers will be pointed your way.",
                channel=f"<#{channel}>",
            )
        else:
            text = _(
                "Thank you! Your introduction is saved and members find it with /agora members. "
                "(No introductions channel is set up yet: an animator can choose one with /agora setup.)"
            )
        fields: tuple[Field, ...] = ()
        if suggestions and not channel:
            fields = (
                Field(
                    _("A few members you should meet"),
                    suggestion_lines(_, suggestions),
                ),
            )
        return Message(text=f"{text} {after}", fields=fields, ephemeral=True)

    async def _retire_invitations(self, ctx: Context, member: Member, channel: str | None) -> None:
        """The introduction is done: no reminder, and the invitation's buttons give way to a thank-you."""
        await ctx.cancel_timer(NUDGE, str(member.id))
        newcomer = await ctx.session.scalar(select(Newcomer).where(Newcomer.member_id == member.id))
        if newcomer is None:
            return
        _ = ctx._
        done = Message(
            title=_("Introduce yourself in two lines"),
            text=_("✅ Done: your introduction is in {channel}.", channel=f"<#{channel}>")
            if channel
            else _("✅ Done: your introduction is saved."),
        )
        for entry_id in (newcomer.invitation_entry_id, newcomer.nudge_entry_id):
            if entry_id is not None:
                ctx.update_posted(entry_id, done)

    async def _suggestions(self, ctx: Context, member: Member, profile: Profile) -> list[Suggestion]:
        """The members this newcomer should meet first, among those who may be suggested."""
        limit = ctx.settings.onboarding.suggestions
        if limit <= 0:
            return []
        recent_since = ctx.now - ctx.settings.onboarding.newcomer_window
        # Plain columns, not entities: a large community's profiles are read, scored and forgotten. Their texts
        # are read only if some profile's stored matching keys are missing or from another version.
        query = (
            listed_profiles(ctx.community.id)
            .where(Member.id != member.id)
            .order_by(Profile.introduced_at.desc(), Profile.id.desc())
        )
        rows = (
            await ctx.session.execute(
                query.with_only_columns(
                    Profile.id, Member.external_id, Profile.name, Profile.match_keys, Profile.introduced_at
                )
            )
        ).all()
        texts: dict[int, tuple[list[str], str, str]] = {}
        if any((keys or {}).get("version") != PREPARED_VERSION for *_ignored, keys, _at in rows):
            texts = {
                profile_id: (list(interests), offers, needs)
                for profile_id, interests, offers, needs in (
                    await ctx.session.execute(
                        query.with_only_columns(Profile.id, Profile.interests, Profile.offers, Profile.needs)
                    )
                ).all()
            }
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

    # --- the animators' digest -------------------------------------------------------------------------------

    @command(
        "newcomers",
        N_("Where each newcomer stands: joined, accepted the charter, introduced (animators)"),
        options=[
            Option("days", N_("How many days back (by default the community's newcomer window)"), "integer")
        ],
        animator_only=True,
    )
    async def newcomers(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        window = ctx.settings.onboarding.newcomer_window
        if event.args.get("days") is not None:
            days = int(event.args["days"])
            if not 1 <= days <= 365:
                raise UserError(
                    _("“{value}” is not a number of days I can use: choose between 1 and 365.", value=days)
                )
            window = timedelta(days=days)
        message = await self._digest(ctx, window)
        if message is None:
            ctx.reply(
                _.ngettext(
                    "Nobody joined in the last day.",
                    "Nobody joined in the last {count} days.",
                    max(1, window.days),
                )
            )
            return
        ctx.reply(Message(title=message.title, text=message.text, fields=message.fields, ephemeral=True))

    @timer(DIGEST)
    async def scheduled_digest(self, ctx: Context) -> None:
        settings = ctx.settings.onboarding
        if settings.digest_cron is None:
            await self._ensure_digest(ctx)  # switched off since: pause the rule
            return
        message = await self._digest(ctx, settings.newcomer_window)
        if message is None:
            return  # nothing to say: no message at all rather than an empty digest
        message = Message(
            title=message.title,
            text=message.text,
            fields=message.fields,
            footer=ctx._(
                "Change when this digest comes with /agora onboarding digest=…, or stop it with digest=off."
            ),
        )
        if settings.digest_to == "channel" and settings.digest_channel:
            ctx.post(settings.digest_channel, message)
            return
        for animator in ctx.settings.animators:
            # No fallback to the welcome channel: where each newcomer stands is for the animators only.
            ctx.enqueue(DirectMessage(animator, message))

    async def _digest(self, ctx: Context, window: timedelta) -> Message | None:
        """Where each newcomer of the window stands, grouped by stage; None when nobody joined."""
        _ = ctx._
        since = ctx.now - window
        first_acceptance = (
            select(Acknowledgement.member_id, func.min(Acknowledgement.accepted_at).label("accepted_at"))
            .where(Acknowledgement.community_id == ctx.community.id)
            .group_by(Acknowledgement.member_id)
            .subquery()
        )
        rows = (
            await ctx.session.execute(
                select(Newcomer, Member, Profile, first_acceptance.c.accepted_at)
                .join(Member, Member.id == Newcomer.member_id)
                .outerjoin(Profile, Profile.member_id == Member.id)
                .outerjoin(first_acceptance, first_acceptance.c.member_id == Member.id)
                .where(Newcomer.community_id == ctx.community.id, Newcomer.joined_at >= since)
                .order_by(Newcomer.joined_at, Newcomer.id)
            )
        ).all()
        if not rows:
            return None

        def day(moment: datetime) -> str:
            return _.datetime(moment, ctx.settings.timezone, "d MMM")

        stages: dict[str, list[str]] = {"introduced": [], "accepted": [], "joined": [], "left": []}
        for newcomer, member, profile, accepted_at in rows:
            who = mention(member.external_id)
            joined = _("joined {date}", date=day(newcomer.joined_at))
            if member.left_at is not None:
                stages["left"].append(f"• {who} — {joined}, " + _("left {date}", date=day(member.left_at)))
            elif profile is not None:
                stages["introduced"].append(
                    f"• {who} — {joined}, " + _("introduced {date}", date=day(profile.introduced_at))
                )
            elif accepted_at is not None:
                line = f"• {who} — {joined}, " + _("accepted the charter {date}", date=day(accepted_at))
                if newcomer.declined_at is not None:
                    line += " · " + _("said “not now”")
                elif newcomer.nudged_at is not None:
                    line += " · " + _("reminded {date}", date=day(newcomer.nudged_at))
                stages["accepted"].append(line)
            else:
                stages["joined"].append(f"• {who} — {joined}")
        names = {
            "introduced": _("Introduced ({count})", count=len(stages["introduced"])),
            "accepted": _(
                "Accepted the charter, not introduced yet ({count})", count=len(stages["accepted"])
            ),
            "joined": _("Charter not accepted yet ({count})", count=len(stages["joined"])),
            "left": _("Left since ({count})", count=len(stages["left"])),
        }
        fields = tuple(Field(names[stage], "\n".join(lines)) for stage, lines in stages.items() if lines)
        text = _.ngettext("{count} person joined.", "{count} people joined.", len(rows))
        if stages["accepted"] or stages["joined"]:
            text += " " + _("A word from you to those still on their way makes all the difference.")
        return Message(
            title=_.ngettext(
                "Newcomers of the last day", "Newcomers of the last {count} days", max(1, window.days)
            ),
            text=text,
            fields=fields,
        )

    async def _ensure_digest(self, ctx: Context) -> None:
        """Keep the digest's recurring rule in step with the settings (rule, time zone, on or off)."""
        cron = ctx.settings.onboarding.digest_cron
        schedule = await ctx.session.scalar(
            select(Schedule).where(Schedule.community_id == ctx.community.id, Schedule.kind == DIGEST)
        )
        if cron is None:
            if schedule is not None and not schedule.paused:
                await ctx.set_schedule(DIGEST, schedule.cron, paused=True)
            return
        if (
            schedule is None
            or schedule.paused
            or schedule.cron != cron
            or schedule.timezone != ctx.settings.timezone
        ):
            await ctx.set_schedule(DIGEST, cron)

    # --- the animators' settings ------------------------------------------------------------------------------

    @command(
        "onboarding",
        N_(
            "See or change how newcomers are onboarded: invitation, reminder, suggestions, digest (animators)"
        ),
        options=SETTINGS_OPTIONS,
        animator_only=True,
    )
    async def configure(self, ctx: Context) -> None:
        args = ctx.settings_args(SETTINGS_OPTIONS)
        if not args:
            ctx.reply(self._summary(ctx, ctx._("Onboarding settings")))
            return
        ctx.save_settings(self._changes(ctx, args), section="onboarding")
        await self._ensure_digest(ctx)
        ctx.reply(self._summary(ctx, ctx._("Onboarding settings saved.")))

    def _changes(self, ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
        """The overrides to store, each checked, with a clear message for the first bad one."""
        _ = ctx._
        out: dict[str, Any] = {}
        if "enabled" in args:
            out["enabled"] = bool(args["enabled"])
        if "nudge_after" in args:
            out["nudge_after"] = self._delay(ctx, str(args["nudge_after"]), allow_off=True)
        if "window" in args:
            window = self._delay(ctx, str(args["window"]), allow_off=False)
            out["newcomer_window"] = window
        for option, key, low, high in (
            ("suggestions", "suggestions", 0, 5),
            ("page_size", "directory_page_size", 1, 20),
        ):
            if option in args:
                value = int(args[option])
                if not low <= value <= high:
                    raise UserError(
                        _(
                            "“{value}” is out of range for {option}: choose between {low} and {high}.",
                            value=value,
                            option=option,
                            low=low,
                            high=high,
                        )
                    )
                out[key] = value
        if "digest" in args:
            rule = " ".join(str(args["digest"]).split())
            if rule.lower() in OFF_WORDS:
                out["digest_cron"] = None
            else:
                try:
                    cron_trigger(rule, ctx.settings.timezone)
                except ValueError:
                    raise UserError(
                        _(
                            "“{value}” is not a schedule I understand. Write a cron rule in quotes, e.g. "
                            '"0 9 * * mon" (Mondays at 9:00), or off.',
                            value=rule,
                        )
                    ) from None
                out["digest_cron"] = rule
        if "digest_to" in args:
            out["digest_to"] = str(args["digest_to"])
        if "digest_channel" in args:
            out["digest_channel"] = str(args["digest_channel"])
            out.setdefault("digest_to", "channel")
        return out

    def _delay(self, ctx: Context, raw: str, *, allow_off: bool) -> str | None:
        if allow_off and raw.strip().lower() in OFF_WORDS:
            return None
        try:
            delay = parse_duration(raw)
        except ValueError:
            delay = None
        if delay is None or delay <= timedelta(0):
            raise UserError(
                ctx._("“{value}” is not a delay I understand. Examples: 3d, 36h, 1w, or off.", value=raw)
                if allow_off
                else ctx._("“{value}” is not a duration I understand. Examples: 30d, 2w.", value=raw)
            )
        return format_duration(delay)

    def _summary(self, ctx: Context, title: str) -> Message:
        _ = ctx._
        s = ctx.settings.onboarding
        off = _("off")
        if s.digest_to == "channel" and s.digest_channel:
            recipients = f"<#{s.digest_channel}>"
        elif ctx.settings.animators:
            recipients = ", ".join(mention(a) for a in ctx.settings.animators)
        else:
            recipients = _(
                "nobody yet: add animators with /agora setup add_animator=…, or set digest_channel"
            )
        return Message(
            title=title,
            text=_("Change any of them with /agora onboarding and the option's name."),
            fields=(
                Field(
                    _("Invite newcomers to introduce themselves"), _("yes") if s.enabled else _("no"), True
                ),
                Field(
                    _("Reminder after"),
                    format_duration(s.nudge_after) if s.nudge_after is not None else off,
                    True,
                ),
                Field(_("Suggested members per introduction"), str(s.suggestions), True),
                Field(_("Digest schedule"), s.digest_cron or off, True),
                Field(_("Digest sent to"), recipients),
                Field(_("Newcomer window"), format_duration(s.newcomer_window), True),
                Field(_("Members per directory page"), str(s.directory_page_size), True),
            ),
            ephemeral=True,
        )

    # --- rows -------------------------------------------------------------------------------------------------

    async def _profile(self, ctx: Context, member: Member) -> Profile | None:
        return await ctx.session.scalar(select(Profile).where(Profile.member_id == member.id))

    async def _newcomer(self, ctx: Context, member: Member) -> Newcomer:
        newcomer = await ctx.session.scalar(select(Newcomer).where(Newcomer.member_id == member.id))
        if newcomer is None:
            newcomer = Newcomer(
                community_id=ctx.community.id, member_id=member.id, joined_at=member.joined_at
            )
            ctx.session.add(newcomer)
            await ctx.session.flush()
        return newcomer
