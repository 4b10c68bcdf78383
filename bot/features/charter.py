"""The charter: what the group is for, who animates it and why, the rights and duties of members.

A newcomer gets the welcome by direct message with an "I accept" button; accepting records the acknowledgement
once (whatever the number of presses), opens the member's access (a role where the platform has roles, channel
invitations elsewhere) and confirms. One gentle reminder goes to whoever hasn't accepted after the community's
delay, and survives restarts (it is a stored timer); ``/agora charter later`` (or "Not now") stops it.

The charter is versioned: every change makes a new version saying who changed it and why, and the old ones stay
readable (``/agora charter history``, ``/agora charter version N``). Animators edit it (``/agora charter
edit``) unless the community chose to change it by committee or by vote (see ``bot.features.amendments``).
A new version opens a re-acceptance round: every member who had accepted an earlier version is asked again by
direct message, with the changes highlighted, and reminded once; when the grace period ends, whoever hasn't
accepted loses the member role (where there are roles) until they do, and the animators get the list.
Animators follow it all with ``/agora charter status`` and download the log with ``/agora charter export``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, insert, select

from bot.chat import Capability
from bot.context import Context
from bot.durations import format_duration, parse_duration
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CharterAccepted, CommandInvoked, FormSubmitted, MemberJoined, TimerFired
from bot.features.charter_tally import parse_share
from bot.features.charter_text import SECTIONS, Change, CharterContent, diff, section_text
from bot.i18n import N_, Translator
from bot.messages import Attachment, Button, Field, Form, FormField, Message, mention
from bot.operations import DirectMessage
from bot.router import Feature, Option, action, command, form, on, timer
from bot.settings.charter_rules import CHARTER_MODES, CharterRulesSettings
from storage.models import Acknowledgement, Charter, Member
from storage.tables.charter import Amendment, CharterRequest, CharterRound

__all__ = [
    "CharterFeature",
    "accepted_since",
    "adopt_version",
    "change_fields",
    "charter_message",
    "check_fields",
    "community_name",
    "latest_charter",
    "percent",
    "section_label",
    "share_text",
]

ACCEPT = "charter:accept"
LATER = "charter:later"
REMINDER = "charter:reminder"
ROUND_REMINDER = "charter:round:reminder"
ROUND_GRACE = "charter:round:grace"
EDIT_FORM = "charter:edit"

WELCOME, REACCEPTANCE = "welcome", "reacceptance"

# What a form field may hold: enough for a real charter section, little enough for every platform's inputs.
SECTION_LIMIT = 2000
NOTE_LIMIT = 1000
# How many names a status or a summary lists before saying "and N more".
LIST_LIMIT = 40

_SECTION_TITLES = {
    "objective": N_("Our objective"),
    "animators": N_("Who animates the group, and why"),
    "rights": N_("Your rights"),
    "duties": N_("Your duties"),
}
_MODE_NAMES = {
    "animator": N_("the animators edit it"),
    "committee": N_("a committee proposes and approves"),
    "community": N_("the members vote"),
}
_SECTION_NAMES = {
    "objective": N_("Objective"),
    "animators": N_("Animators"),
    "rights": N_("Rights"),
    "duties": N_("Duties"),
}


# --- reading the charter -------------------------------------------------------------------------------------


async def latest_charter(ctx: Context) -> Charter:
    """The community's current charter version."""
    charter = await ctx.session.scalar(
        select(Charter)
        .where(Charter.community_id == ctx.community.id)
        .order_by(Charter.version.desc())
        .limit(1)
    )
    if charter is None:  # pragma: no cover - every community is created with version 1
        raise RuntimeError("community without a charter")
    return charter


async def charter_version(ctx: Context, version: int) -> Charter | None:
    return await ctx.session.scalar(
        select(Charter).where(Charter.community_id == ctx.community.id, Charter.version == version)
    )


async def acknowledgement(ctx: Context, member: Member, charter: Charter) -> Acknowledgement | None:
    return await ctx.session.scalar(
        select(Acknowledgement).where(
            Acknowledgement.member_id == member.id, Acknowledgement.charter_id == charter.id
        )
    )


async def accepted_since(ctx: Context, member: Member, version: int) -> bool:
    """Whether ``member`` accepted ``version`` or a later one (what voting on an amendment asks)."""
    return bool(
        await ctx.session.scalar(
            select(
                exists().where(
                    Acknowledgement.member_id == member.id,
                    Acknowledgement.charter_id == Charter.id,
                    Charter.community_id == ctx.community.id,
                    Charter.version >= version,
                )
            )
        )
    )


def community_name(ctx: Context) -> str:
    return ctx.settings.name or ctx.community.name


def section_label(_: Translator, section: str, *, short: bool = False) -> str:
    """A section's name as members read it: "Your rights" (in a charter), "Rights" (on a button)."""
    return _((_SECTION_NAMES if short else _SECTION_TITLES)[section])


def percent(_: Translator, part: int, whole: int) -> str:
    return _("{percent}%", percent=round(100 * part / whole) if whole else 0)


def share_text(_: Translator, value: float) -> str:
    """A share from the settings (0.3) as members read it (30%)."""
    return _("{percent}%", percent=round(value * 100))


def acceptance_rate(_: Translator, accepted: int, members: int, version: int) -> str:
    """The share of members who accepted ``version``, as a sentence."""
    # Computed first: a translation call nested in ngettext's arguments confuses the message extractor.
    rate = percent(_, accepted, members)
    return _.ngettext(
        "{count} of {members} members accepted version {version} ({percent}).",
        "{count} of {members} members accepted version {version} ({percent}).",
        accepted,
        members=members,
        version=version,
        percent=rate,
    )


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _mentions(_: Translator, external_ids: Sequence[str], limit: int = LIST_LIMIT) -> str:
    shown = [mention(i) for i in external_ids[:limit]]
    if len(external_ids) > limit:
        shown.append(_("and {count} more", count=len(external_ids) - limit))
    return _.list(shown)


def charter_fields(_: Translator, charter: Charter) -> tuple[Field, ...]:
    """The charter's content, in the order a newcomer needs it: why, who and why them, rights, duties."""
    fields = []
    if charter.objective:
        fields.append(Field(_("Our objective"), charter.objective))
    if charter.animators:
        people = "\n".join(
            f"• {p['name']} — {p['motivation']}" if p.get("motivation") else f"• {p['name']}"
            for p in charter.animators
        )
        fields.append(Field(_("Who animates the group, and why"), people))
    if charter.rights:
        fields.append(Field(_("Your rights"), "\n".join(f"• {r}" for r in charter.rights)))
    if charter.duties:
        fields.append(Field(_("Your duties"), "\n".join(f"• {d}" for d in charter.duties)))
    return tuple(fields)


def charter_message(
    _: Translator, community: str, charter: Charter, *, text: str, title: str, button: bool = True
) -> Message:
    """A message presenting ``charter`` with its accept button."""
    buttons = (
        (Button(ACCEPT, _("I accept the charter"), ref=str(charter.id), style="success"),) if button else ()
    )
    return Message(
        title=title,
        text=text,
        fields=charter_fields(_, charter),
        buttons=buttons,
        footer=_("Charter of {community}, version {version}", community=community, version=charter.version),
    )


def change_fields(_: Translator, changes: Iterable[Change]) -> tuple[Field, ...]:
    """The changes between two versions, one field per section: ➕ added, ➖ removed, ✏️ changed."""
    lines: dict[str, list[str]] = {}
    for change in changes:
        if change.kind == "added":
            line = f"➕ {change.new}"
        elif change.kind == "removed":
            line = f"➖ {change.old}"
        else:
            line = _("✏️ {new} (was: {old})", new=change.new, old=change.old)
        lines.setdefault(change.section, []).append(line)
    return tuple(
        Field(section_label(_, section), "\n".join(lines[section]))
        for section in SECTIONS
        if section in lines
    )


async def _origin(ctx: Context, charter: Charter) -> str:
    """Who made this version and why, in one sentence."""
    return (await _origins(ctx, [charter]))[charter.id]


async def _origins(ctx: Context, charters: Sequence[Charter]) -> dict[int, str]:
    _ = ctx._
    amendments = {
        a.adopted_charter_id: a
        for a in (
            await ctx.session.scalars(
                select(Amendment).where(Amendment.adopted_charter_id.in_([c.id for c in charters]))
            )
        ).all()
    }
    proposers = {
        m.id: m.external_id
        for m in (
            await ctx.session.scalars(
                select(Member).where(Member.id.in_([a.proposer_id for a in amendments.values()]))
            )
        ).all()
    }
    out: dict[int, str] = {}
    for charter in charters:
        note = _truncate(charter.change_note, 300)
        amendment = amendments.get(charter.id)
        if amendment is not None and amendment.mode == "committee":
            out[charter.id] = _(
                "Amendment #{number}, proposed by {author}, approved by the charter committee: “{note}”",
                number=amendment.number,
                author=mention(proposers.get(amendment.proposer_id, "")),
                note=note,
            )
        elif amendment is not None:
            out[charter.id] = _(
                "Amendment #{number}, proposed by {author}, adopted by vote: “{note}”",
                number=amendment.number,
                author=mention(proposers.get(amendment.proposer_id, "")),
                note=note,
            )
        elif charter.version == 1 or charter.created_by == "config":
            out[charter.id] = _("The founding charter.")
        else:
            out[charter.id] = _(
                "Changed by {author}: “{note}”", author=mention(charter.created_by), note=note
            )
    return out


async def _previous(ctx: Context, charter: Charter) -> Charter | None:
    return await charter_version(ctx, charter.version - 1) if charter.version > 1 else None


def _gating(ctx: Context) -> bool:
    """Whether not accepting a new version in time withdraws something (a role), on this platform."""
    return bool(ctx.settings.member_role) and ctx.can(Capability.ROLES)


async def _request(ctx: Context, member: Member, charter: Charter) -> CharterRequest | None:
    return await ctx.session.scalar(
        select(CharterRequest).where(
            CharterRequest.member_id == member.id, CharterRequest.charter_id == charter.id
        )
    )


async def _round(ctx: Context, charter: Charter) -> CharterRound | None:
    return await ctx.session.scalar(select(CharterRound).where(CharterRound.charter_id == charter.id))


# --- new versions and their re-acceptance round ----------------------------------------------------------


async def adopt_version(
    ctx: Context,
    previous: Charter,
    content: CharterContent,
    *,
    note: str,
    author: str,
    amendment: Amendment | None = None,
) -> Charter:
    """Record ``content`` as the version after ``previous`` (``author``: the member's id, ``note``: why) and
    open its re-acceptance round: every current member who accepted an earlier version is asked again by
    direct message, with the changes; one reminder and the end of the grace period are stored timers."""
    charter = Charter(
        community_id=ctx.community.id,
        version=previous.version + 1,
        change_note=note,
        created_by=author,
        created_at=ctx.now,
        **content.columns(),
    )
    ctx.session.add(charter)
    await ctx.session.flush()
    if amendment is not None:
        amendment.adopted_charter_id = charter.id
    rules = ctx.settings.charter_rules
    grace_ends = ctx.now + rules.grace_period
    remind_at = ctx.now + rules.reacceptance_reminder_after
    members = (
        await ctx.session.scalars(
            select(Member)
            .where(
                Member.community_id == ctx.community.id,
                Member.left_at.is_(None),
                exists().where(Acknowledgement.member_id == Member.id),
            )
            .order_by(Member.id)
        )
    ).all()
    round_ = CharterRound(
        community_id=ctx.community.id,
        charter_id=charter.id,
        started_at=ctx.now,
        remind_at=remind_at,
        grace_ends_at=grace_ends,
        asked=len(members),
    )
    ctx.session.add(round_)
    message = await _reacceptance_message(ctx, charter, previous, round_, later=True)
    if members:
        # One statement for the whole community rather than a round trip per member.
        await ctx.session.execute(
            insert(CharterRequest),
            [
                {
                    "community_id": ctx.community.id,
                    "member_id": member.id,
                    "charter_id": charter.id,
                    "kind": REACCEPTANCE,
                    "asked_at": ctx.now,
                }
                for member in members
            ],
        )
    for member in members:
        ctx.dm(member.external_id, message)
    await ctx.set_timer(ROUND_REMINDER, str(charter.id), remind_at)
    await ctx.set_timer(ROUND_GRACE, str(charter.id), grace_ends)
    return charter


async def _reacceptance_message(
    ctx: Context, charter: Charter, previous: Charter | None, round_: CharterRound, *, later: bool
) -> Message:
    """The direct message asking a member to accept a new version: what changed, why, until when."""
    _ = ctx._
    community = community_name(ctx)
    changes = diff(CharterContent.of(previous), CharterContent.of(charter)) if previous else []
    deadline = ctx.format_time(round_.grace_ends_at)
    parts = [
        _(
            "Version {version} replaces version {previous}. {origin}",
            version=charter.version,
            previous=charter.version - 1,
            origin=await _origin(ctx, charter),
        ),
        _("Here is what changed; the whole charter is one command away: /agora charter."),
        _(
            "Please accept it by {date}: after that, your member access pauses until you do.",
            date=deadline,
        )
        if _gating(ctx)
        else _("Please accept it by {date}.", date=deadline),
    ]
    buttons = [Button(ACCEPT, _("I accept the charter"), ref=str(charter.id), style="success")]
    if later:
        parts.append(_("Not the right moment? Press “Not now” and I won't remind you."))
        buttons.append(Button(LATER, _("Not now"), ref=str(charter.id), style="secondary"))
    else:
        parts.append(_("No reminder will follow."))
    return Message(
        title=_("The charter of {community} has changed", community=community),
        text="\n\n".join(parts),
        fields=change_fields(_, changes),
        buttons=tuple(buttons),
        footer=_("Charter of {community}, version {version}", community=community, version=charter.version),
    )


# --- the feature ---------------------------------------------------------------------------------------------

RULES_OPTIONS = (
    Option("mode", N_("Who changes the charter: animator, committee or community"), choices=CHARTER_MODES),
    Option("add_committee", N_("Add a member to the charter committee"), kind="member"),
    Option("remove_committee", N_("Remove a member from the charter committee"), kind="member"),
    Option("quorum", N_("Share of the members who must vote on an amendment, e.g. 30%")),
    Option("majority", N_("Share of the votes cast an amendment needs more than, e.g. 50% or 2/3")),
    Option("vote_duration", N_("How long a vote on an amendment lasts, e.g. 7d")),
    Option("grace_period", N_("How long members have to accept a new version, e.g. 14d")),
    Option("reacceptance_reminder_after", N_("When the reminder about a new version goes out, e.g. 3d")),
)


class CharterFeature(Feature):
    """Welcome, acknowledgement, reminder, versions, re-acceptance rounds, status and export."""

    name = "charter"
    order = 10

    # --- newcomers ---------------------------------------------------------------------------------------

    @on(MemberJoined)
    async def welcome(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, MemberJoined)
        if event.member.is_bot:
            return
        _ = ctx._
        member = await ctx.member(event.member)
        charter = await latest_charter(ctx)
        community = community_name(ctx)
        if await acknowledgement(ctx, member, charter) is not None:
            # Back after leaving: they already agreed to this version, so open the doors again.
            self._open_access(ctx, member)
            ctx.dm(member.external_id, Message(_("Welcome back to {community}!", community=community)))
            return
        not_ready = _("Not ready yet? Type /agora charter later and I won't remind you.")
        welcome = _(
            "Before you meet the members, here is what this group is for, who animates it and why, "
            "and the few rules we share, so that you know where you are. "
            "When you have read it, press the button below."
        )
        ctx.dm(
            member.external_id,
            charter_message(
                _,
                community,
                charter,
                title=_("Welcome to {community}!", community=community),
                text=welcome + "\n\n" + not_ready,
            ),
        )
        request = await _request(ctx, member, charter)
        if request is None:
            ctx.session.add(
                CharterRequest(
                    community_id=ctx.community.id,
                    member_id=member.id,
                    charter_id=charter.id,
                    kind=WELCOME,
                    asked_at=ctx.now,
                )
            )
        else:  # welcomed again after leaving: a fresh start, as a newcomer
            request.kind, request.asked_at = WELCOME, ctx.now
            request.reminded_at = request.snoozed_at = None
        await ctx.set_timer(REMINDER, str(member.id), ctx.now + ctx.settings.charter_reminder_after)

    @action(ACCEPT)
    async def accept(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        _ = ctx._
        charter = await ctx.session.get(Charter, int(event.ref)) if event.ref.isdigit() else None
        if charter is None or charter.community_id != ctx.community.id:
            raise UserError(
                _("This button no longer matches a charter of this community. Try /agora charter.")
            )
        member = await ctx.member()
        community = community_name(ctx)
        latest = await latest_charter(ctx)
        if latest.id != charter.id:
            ctx.reply(
                charter_message(
                    _,
                    community,
                    latest,
                    title=_("The charter has changed"),
                    text=_("Version {version} replaces the one you saw. Here it is:", version=latest.version),
                )
            )
            return
        existing = await acknowledgement(ctx, member, charter)
        if existing is not None:
            ctx.reply(
                _(
                    "You already accepted this charter (version {version}) on {date}. Nothing more to do!",
                    version=charter.version,
                    date=ctx.format_time(existing.accepted_at),
                )
            )
            return
        first_time = not await ctx.session.scalar(
            select(func.count(Acknowledgement.id)).where(Acknowledgement.member_id == member.id)
        )
        ctx.session.add(
            Acknowledgement(
                community_id=ctx.community.id, member_id=member.id, charter_id=charter.id, accepted_at=ctx.now
            )
        )
        await ctx.cancel_timer(REMINDER, str(member.id))
        restored = await self._access_after_acceptance(ctx, member, charter)
        if first_time:
            ctx.reply(
                _(
                    "Thank you! You accepted the charter of {community} (version {version}). Welcome aboard.",
                    community=community,
                    version=charter.version,
                )
            )
        else:
            thanks = _(
                "Thank you! You accepted version {version} of the charter of {community}.",
                community=community,
                version=charter.version,
            )
            ctx.reply(thanks + " " + _("Your member access is back.") if restored else thanks)
        assert ctx.actor is not None
        await ctx.emit(
            CharterAccepted(
                community=ctx.community_ref, member=ctx.actor, version=charter.version, first_time=first_time
            )
        )
        if not ctx.can(Capability.UPDATE):
            return
        accepted = _("✅ You accepted this charter on {date}.", date=ctx.format_time(ctx.now))
        request = await _request(ctx, member, charter)
        if request is not None and request.kind == REACCEPTANCE:
            ctx.replace_pressed(
                Message(
                    title=_("The charter of {community} has changed", community=community),
                    text=accepted,
                    footer=_(
                        "Charter of {community}, version {version}",
                        community=community,
                        version=charter.version,
                    ),
                )
            )
        else:
            ctx.replace_pressed(
                charter_message(
                    _,
                    community,
                    charter,
                    title=_("Welcome to {community}!", community=community),
                    text=accepted,
                    button=False,
                )
            )

    async def _access_after_acceptance(self, ctx: Context, member: Member, charter: Charter) -> bool:
        """Open the doors unless the member still holds them from an earlier version; True if access that
        the end of a grace period withdrew comes back."""
        requests = (
            await ctx.session.scalars(select(CharterRequest).where(CharterRequest.member_id == member.id))
        ).all()
        gated = [r for r in requests if r.gated_at is not None and r.restored_at is None]
        for request in gated:
            request.restored_at = ctx.now
        asked = next((r for r in requests if r.charter_id == charter.id and r.kind == REACCEPTANCE), None)
        # Asked to re-accept while present, never gated since: the member still has their access.
        still_in = asked is not None and member.joined_at <= asked.asked_at
        if gated or not still_in:
            self._open_access(ctx, member)
        return bool(gated)

    def _open_access(self, ctx: Context, member: Member) -> None:
        """Gating: the member role where there are roles, the member channels where there are invitations."""
        if ctx.settings.member_role and ctx.can(Capability.ROLES):
            ctx.grant_role(member.external_id, ctx.settings.member_role)
        if ctx.settings.member_channels and ctx.can(Capability.CHANNEL_INVITE):
            ctx.invite(member.external_id, list(ctx.settings.member_channels))

    @timer(REMINDER)
    async def remind(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, TimerFired)
        member = await ctx.session.get(Member, int(event.ref))
        if member is None or member.community_id != ctx.community.id or member.left_at is not None:
            return
        charter = await latest_charter(ctx)
        if await acknowledgement(ctx, member, charter) is not None:
            return
        request = await _request(ctx, member, charter)
        if request is not None:
            if request.snoozed_at is not None:
                return
            request.reminded_at = ctx.now
        _ = ctx._
        community = community_name(ctx)
        ctx.dm(
            member.external_id,
            charter_message(
                _,
                community,
                charter,
                title=_("A gentle reminder from {community}", community=community),
                text=_(
                    "The charter is still waiting for your agreement: it takes a minute to read, and it opens "
                    "the rest of the community to you. This is the only reminder you will get."
                ),
            ),
        )

    # --- "not now" -------------------------------------------------------------------------------------------

    @command("charter later", N_("Not ready to accept the charter yet? No reminder will come"))
    async def later_command(self, ctx: Context) -> None:
        await self._snooze(ctx)

    @action(LATER)
    async def later_button(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        charter = await self._snooze(ctx)
        if charter is None or str(charter.id) != event.ref or not ctx.can(Capability.UPDATE):
            return
        round_ = await _round(ctx, charter)
        if round_ is not None:
            # The direct message keeps its accept button and loses "Not now", now said.
            ctx.replace_pressed(
                await _reacceptance_message(ctx, charter, await _previous(ctx, charter), round_, later=False)
            )

    async def _snooze(self, ctx: Context) -> Charter | None:
        """The member said "not now": no reminder for the current version. Returns it if it was news."""
        _ = ctx._
        member = await ctx.member()
        charter = await latest_charter(ctx)
        existing = await acknowledgement(ctx, member, charter)
        if existing is not None:
            ctx.reply(
                _(
                    "You already accepted the current charter (version {version}) on {date}: "
                    "there is nothing to remind you of.",
                    version=charter.version,
                    date=ctx.format_time(existing.accepted_at),
                )
            )
            return None
        request = await _request(ctx, member, charter)
        if request is not None and request.snoozed_at is not None:
            ctx.reply(_("Already noted: no reminder will come. The charter is here when you are ready."))
            return None
        if request is None:
            accepted_before = await ctx.session.scalar(
                select(exists().where(Acknowledgement.member_id == member.id))
            )
            request = CharterRequest(
                community_id=ctx.community.id,
                member_id=member.id,
                charter_id=charter.id,
                kind=REACCEPTANCE if accepted_before else WELCOME,
                asked_at=ctx.now,
            )
            ctx.session.add(request)
        request.snoozed_at = ctx.now
        await ctx.cancel_timer(REMINDER, str(member.id))
        text = _(
            "No problem: I won't remind you. The charter is here whenever you are ready: /agora charter."
        )
        round_ = await _round(ctx, charter)
        if round_ is not None and request.kind == REACCEPTANCE and round_.closed_at is None and _gating(ctx):
            text += " " + _(
                "Until {date} nothing changes for you; after that, your member access waits for your agreement.",
                date=ctx.format_time(round_.grace_ends_at),
            )
        ctx.reply(text)
        return charter

    # --- re-acceptance rounds ----------------------------------------------------------------------------

    async def _round_charter(self, ctx: Context) -> tuple[Charter, CharterRound] | None:
        """The charter and round a round timer is about, if that version is still the current one."""
        event = ctx.event
        assert isinstance(event, TimerFired)
        charter = await ctx.session.get(Charter, int(event.ref)) if event.ref.isdigit() else None
        if charter is None or charter.community_id != ctx.community.id:
            return None
        if (await latest_charter(ctx)).id != charter.id:
            return None  # a newer version opened its own round, which asks again
        round_ = await _round(ctx, charter)
        return (charter, round_) if round_ is not None else None

    def _waiting(self, charter: Charter) -> Any:
        """Requests of ``charter``'s round whose member is still here and hasn't accepted it."""
        return (
            select(CharterRequest, Member)
            .join(Member, Member.id == CharterRequest.member_id)
            .where(
                CharterRequest.charter_id == charter.id,
                CharterRequest.kind == REACCEPTANCE,
                Member.left_at.is_(None),
                ~exists().where(
                    Acknowledgement.member_id == Member.id, Acknowledgement.charter_id == charter.id
                ),
            )
            .order_by(Member.display_name, Member.id)
        )

    @timer(ROUND_REMINDER)
    async def remind_round(self, ctx: Context) -> None:
        found = await self._round_charter(ctx)
        if found is None:
            return
        charter, round_ = found
        _ = ctx._
        community = community_name(ctx)
        deadline = ctx.format_time(round_.grace_ends_at)
        previous = await _previous(ctx, charter)
        changes = diff(CharterContent.of(previous), CharterContent.of(charter)) if previous else []
        text = _(
            "Version {version} of the charter is waiting for your agreement until {date}. "
            "This is the only reminder you will get.",
            version=charter.version,
            date=deadline,
        )
        if _gating(ctx):
            text += " " + _("After that date, your member access pauses until you accept it.")
        message = Message(
            title=_("A gentle reminder from {community}", community=community),
            text=text,
            fields=change_fields(_, changes),
            buttons=(Button(ACCEPT, _("I accept the charter"), ref=str(charter.id), style="success"),),
            footer=_(
                "Charter of {community}, version {version}", community=community, version=charter.version
            ),
        )
        rows = (
            await ctx.session.execute(
                self._waiting(charter).where(
                    CharterRequest.snoozed_at.is_(None), CharterRequest.reminded_at.is_(None)
                )
            )
        ).all()
        for request, member in rows:
            request.reminded_at = ctx.now
            ctx.dm(member.external_id, message)
        round_.reminded_at = ctx.now

    @timer(ROUND_GRACE)
    async def end_grace(self, ctx: Context) -> None:
        found = await self._round_charter(ctx)
        if found is None:
            return
        charter, round_ = found
        rows = (await ctx.session.execute(self._waiting(charter))).all()
        gating = _gating(ctx)
        if gating:
            already = set(
                (
                    await ctx.session.scalars(
                        select(CharterRequest.member_id).where(
                            CharterRequest.community_id == ctx.community.id,
                            CharterRequest.gated_at.is_not(None),
                            CharterRequest.restored_at.is_(None),
                        )
                    )
                ).all()
            )
            for request, member in rows:
                if member.id not in already:
                    assert ctx.settings.member_role is not None
                    ctx.revoke_role(member.external_id, ctx.settings.member_role)
                request.gated_at = ctx.now
        round_.closed_at = ctx.now
        await self._tell_animators(ctx, charter, [member.external_id for _request, member in rows], gating)

    async def _tell_animators(self, ctx: Context, charter: Charter, waiting: list[str], gating: bool) -> None:
        """The grace period is over: the animators we can reach get who hasn't accepted, and what it means."""
        recipients = list(dict.fromkeys(ctx.settings.animators))
        amended = await ctx.session.scalar(select(exists().where(Amendment.adopted_charter_id == charter.id)))
        if not amended and charter.created_by not in ("", "config"):
            recipients.append(charter.created_by)
        # Settings may name animators by id or by display name: a name we know is resolved to its member's id.
        names = dict(
            (
                await ctx.session.execute(
                    select(Member.display_name, Member.external_id).where(
                        Member.community_id == ctx.community.id,
                        Member.display_name.in_(recipients),
                        Member.external_id.not_in(recipients),
                    )
                )
            ).all()
        )
        recipients = list(dict.fromkeys(names.get(r, r) for r in recipients))
        if not recipients:
            return
        _ = ctx._
        members = await self._current_count(ctx)
        accepted = await self._accepted_count(ctx, charter)
        text = acceptance_rate(_, accepted, members, charter.version)
        fields: tuple[Field, ...] = ()
        if waiting:
            if gating:
                text += " " + _(
                    "Those who haven't accepted it have lost the member role until they do: "
                    "it comes back as soon as they accept."
                )
            else:
                text += " " + _(
                    "On this platform Agora removes no one from channels: talk with them, "
                    "and remove them by hand if your rules say so."
                )
            fields = (Field(_("Not accepted yet ({count})", count=len(waiting)), _mentions(_, waiting)),)
        message = Message(
            title=_("Charter version {version}: the grace period is over", version=charter.version),
            text=text,
            fields=fields,
            footer=_("Follow it with /agora charter status."),
        )
        for recipient in recipients:
            # No welcome-channel fallback: the list names members, it is for the animators' eyes only.
            ctx.enqueue(DirectMessage(recipient, message))

    async def _current_count(self, ctx: Context) -> int:
        return int(
            await ctx.session.scalar(
                select(func.count(Member.id)).where(
                    Member.community_id == ctx.community.id, Member.left_at.is_(None)
                )
            )
            or 0
        )

    async def _accepted_count(self, ctx: Context, charter: Charter) -> int:
        """Current members who accepted ``charter``."""
        return int(
            await ctx.session.scalar(
                select(func.count(Acknowledgement.id))
                .join(Member, Member.id == Acknowledgement.member_id)
                .where(Acknowledgement.charter_id == charter.id, Member.left_at.is_(None))
            )
            or 0
        )

    # --- reading: the charter, its history, one version -----------------------------------------------

    @command("charter", N_("Read the community's charter (its objective, animators, rights and duties)"))
    async def show(self, ctx: Context) -> None:
        _ = ctx._
        charter = await latest_charter(ctx)
        member = await ctx.member()
        community = community_name(ctx)
        existing = await acknowledgement(ctx, member, charter)
        count = await ctx.session.scalar(
            select(func.count(Acknowledgement.id)).where(Acknowledgement.charter_id == charter.id)
        )
        accepted = (
            _("You accepted it on {date}.", date=ctx.format_time(existing.accepted_at)) if existing else ""
        )
        text = " ".join(
            part
            for part in (
                _.ngettext(
                    "{count} member has accepted this version.",
                    "{count} members have accepted this version.",
                    count or 0,
                ),
                accepted,
            )
            if part
        )
        hints = []
        if charter.version > 1:
            hints.append(_("Earlier versions: /agora charter history."))
        voting = int(
            await ctx.session.scalar(
                select(func.count(Amendment.id)).where(
                    Amendment.community_id == ctx.community.id, Amendment.status == "open"
                )
            )
            or 0
        )
        if voting:
            hints.append(
                _.ngettext(
                    "{count} amendment is being voted on: /agora charter amendments.",
                    "{count} amendments are being voted on: /agora charter amendments.",
                    voting,
                )
            )
        elif ctx.settings.charter_rules.mode == "community":
            hints.append(_("Something to change? Propose an amendment: /agora charter propose."))
        if hints:
            text += "\n" + " ".join(hints)
        message = charter_message(
            _,
            community,
            charter,
            title=_("The charter of {community}", community=community),
            text=text,
            button=existing is None,
        )
        ctx.reply(replace(message, ephemeral=True))

    @command("charter history", N_("Every version of the charter: when, by whom and why it changed"))
    async def history(self, ctx: Context) -> None:
        _ = ctx._
        charters = (
            await ctx.session.scalars(
                select(Charter)
                .where(Charter.community_id == ctx.community.id)
                .order_by(Charter.version.desc())
            )
        ).all()
        shown = charters[:20]
        origins = await _origins(ctx, shown)
        counts = dict(
            (
                await ctx.session.execute(
                    select(Acknowledgement.charter_id, func.count(Acknowledgement.id))
                    .where(Acknowledgement.charter_id.in_([c.id for c in shown]))
                    .group_by(Acknowledgement.charter_id)
                )
            ).all()
        )
        fields = []
        for charter in shown:
            heading = _(
                "Version {version} · {date}",
                version=charter.version,
                date=_.datetime(charter.created_at, ctx.settings.timezone, "d MMMM y"),
            )
            if charter is charters[0]:
                heading += " · " + _("current")
            accepted = _.ngettext(
                "accepted by {count} member", "accepted by {count} members", counts.get(charter.id, 0)
            )
            fields.append(Field(heading, f"{origins[charter.id]}\n({accepted})"))
        text = _("Read any version with /agora charter version followed by its number.")
        if len(charters) > len(shown):
            text = _(
                "The {count} most recent versions of {total}.", count=len(shown), total=len(charters)
            ) + (" " + text)
        ctx.reply(
            Message(
                title=_("History of the charter of {community}", community=community_name(ctx)),
                text=text,
                fields=tuple(fields),
                ephemeral=True,
            )
        )

    @command(
        "charter version",
        N_("Read one version of the charter, and what changed in it"),
        options=[Option("number", N_("The version's number"), kind="integer", required=True)],
    )
    async def version(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        number = event.args.get("number")
        latest = await latest_charter(ctx)
        charter = await charter_version(ctx, number) if isinstance(number, int) else None
        if charter is None:
            raise UserError(
                _(
                    "There is no version {number} of the charter: it has versions 1 to {latest}.",
                    number=number,
                    latest=latest.version,
                )
                if latest.version > 1
                else _("There is no version {number} of the charter: it has only version 1.", number=number)
            )
        community = community_name(ctx)
        parts = [
            _(
                "Adopted on {date}. {origin}",
                date=ctx.format_time(charter.created_at),
                origin=await _origin(ctx, charter),
            )
        ]
        if charter.version < latest.version:
            successor = await charter_version(ctx, charter.version + 1)
            assert successor is not None
            parts.append(
                _(
                    "Replaced by version {next} on {date}. The current version is {latest}: /agora charter.",
                    next=successor.version,
                    date=ctx.format_time(successor.created_at),
                    latest=latest.version,
                )
            )
        fields = list(charter_fields(_, charter))
        previous = await _previous(ctx, charter)
        if previous is not None:
            changes = change_fields(_, diff(CharterContent.of(previous), CharterContent.of(charter)))
            if changes:
                fields.append(
                    Field(
                        _("What changed from version {version}", version=previous.version),
                        "\n".join(f"{f.name}:\n{f.value}" for f in changes),
                    )
                )
        ctx.reply(
            Message(
                title=_(
                    "Version {version} of the charter of {community}",
                    version=charter.version,
                    community=community,
                ),
                text="\n".join(parts),
                fields=tuple(fields),
                footer=_(
                    "Charter of {community}, version {version}", community=community, version=charter.version
                ),
                ephemeral=True,
            )
        )

    # --- animators: edit, status, export, rules ----------------------------------------------------------

    def _require_animator_mode(self, ctx: Context) -> None:
        _ = ctx._
        mode = ctx.settings.charter_rules.mode
        if mode == "committee":
            raise UserError(
                _(
                    "In this community, the charter committee proposes and approves changes to the charter: "
                    "a committee member can open one with /agora charter propose."
                )
            )
        if mode == "community":
            raise UserError(
                _(
                    "In this community, the members vote on changes to the charter: propose yours with "
                    "/agora charter propose."
                )
            )

    @command(
        "charter edit",
        N_("Change the charter: a new version that members are asked to accept"),
        animator_only=True,
    )
    async def edit(self, ctx: Context) -> None:
        self._require_animator_mode(ctx)
        _ = ctx._
        charter = await latest_charter(ctx)
        content = CharterContent.of(charter)
        one_per_line = _("One per line")
        ctx.open_form(
            Form(
                id=EDIT_FORM,
                title=_("Charter, version {version}", version=charter.version + 1),
                ref=str(charter.version),
                submit_label=_("Save the new version"),
                fields=(
                    FormField(
                        "objective",
                        _("Our objective"),
                        required=True,
                        multiline=True,
                        max_length=SECTION_LIMIT,
                        default=content.objective,
                    ),
                    FormField(
                        "animators",
                        _("Who animates the group, and why"),
                        required=True,
                        multiline=True,
                        max_length=SECTION_LIMIT,
                        placeholder=_("One per line: name — why they animate the group"),
                        default=section_text(content, "animators"),
                    ),
                    FormField(
                        "rights",
                        _("Your rights"),
                        required=True,
                        multiline=True,
                        max_length=SECTION_LIMIT,
                        placeholder=one_per_line,
                        default=section_text(content, "rights"),
                    ),
                    FormField(
                        "duties",
                        _("Your duties"),
                        required=True,
                        multiline=True,
                        max_length=SECTION_LIMIT,
                        placeholder=one_per_line,
                        default=section_text(content, "duties"),
                    ),
                    FormField(
                        "note",
                        _("What changed, and why"),
                        required=True,
                        multiline=True,
                        max_length=NOTE_LIMIT,
                        placeholder=_("Members read this with the changes"),
                    ),
                ),
            )
        )

    @form(EDIT_FORM)
    async def edit_submitted(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, FormSubmitted)
        _ = ctx._
        ctx.require_animator()
        self._require_animator_mode(ctx)
        latest = await latest_charter(ctx)
        values = event.values
        if event.ref.isdigit() and int(event.ref) != latest.version:
            raise UserError(
                _(
                    "Someone saved version {version} while you were writing, so yours was not saved. "
                    "Open /agora charter edit again to start from it; here is what you wrote:",
                    version=latest.version,
                )
                + "\n\n"
                + "\n\n".join(f"{name}:\n{text}" for name, text in values.items() if text.strip())
            )
        current = CharterContent.of(latest)
        labels = {
            "objective": _("Our objective"),
            "animators": _("Who animates the group, and why"),
            "rights": _("Your rights"),
            "duties": _("Your duties"),
            "note": _("What changed, and why"),
        }
        # A field left out keeps the current text (a modal always sends every field; a script may not).
        texts = {name: values[name] if name in values else section_text(current, name) for name in SECTIONS}
        texts["note"] = values.get("note", "")
        check_fields(_, texts, labels, {"note": NOTE_LIMIT})
        content = current
        for section in SECTIONS:
            content = content.with_section(section, texts[section])
        if content == current:
            raise FormErrors(
                {
                    "objective": _(
                        "This is word for word version {version}: change a section to make a new version.",
                        version=latest.version,
                    )
                }
            )
        actor = ctx.actor
        assert actor is not None
        charter = await adopt_version(ctx, latest, content, note=texts["note"].strip(), author=actor.id)
        round_ = await _round(ctx, charter)
        assert round_ is not None
        community = community_name(ctx)
        ctx.post_to(
            "announcements",
            Message(
                title=_("The charter of {community} has changed", community=community),
                text=_(
                    "Version {version} replaces version {previous}. {origin}",
                    version=charter.version,
                    previous=latest.version,
                    origin=await _origin(ctx, charter),
                )
                + "\n"
                + _("Every member is asked to accept it by direct message. Read it with /agora charter."),
                fields=change_fields(_, diff(current, content)),
                footer=_(
                    "Charter of {community}, version {version}", community=community, version=charter.version
                ),
            ),
        )
        ctx.reply(
            _.ngettext(
                "Version {version} is saved. {count} member is asked to accept it, until {date}.",
                "Version {version} is saved. {count} members are asked to accept it, until {date}.",
                round_.asked,
                version=charter.version,
                date=ctx.format_time(round_.grace_ends_at),
            )
        )

    @command(
        "charter status", N_("Who has accepted the current charter, and who hasn't yet"), animator_only=True
    )
    async def status(self, ctx: Context) -> None:
        _ = ctx._
        charter = await latest_charter(ctx)
        members = (
            await ctx.session.scalars(
                select(Member)
                .where(Member.community_id == ctx.community.id, Member.left_at.is_(None))
                .order_by(Member.display_name, Member.id)
            )
        ).all()
        accepted = set(
            (
                await ctx.session.scalars(
                    select(Acknowledgement.member_id).where(Acknowledgement.charter_id == charter.id)
                )
            ).all()
        )
        # Each member's newest request (a newcomer welcomed under an earlier version has no newer one).
        requests = {
            r.member_id: r
            for r in (
                await ctx.session.scalars(
                    select(CharterRequest)
                    .where(CharterRequest.community_id == ctx.community.id)
                    .order_by(CharterRequest.charter_id)
                )
            ).all()
        }
        gated = dict(
            (
                await ctx.session.execute(
                    select(CharterRequest.member_id, func.min(CharterRequest.gated_at))
                    .where(
                        CharterRequest.community_id == ctx.community.id,
                        CharterRequest.gated_at.is_not(None),
                        CharterRequest.restored_at.is_(None),
                    )
                    .group_by(CharterRequest.member_id)
                )
            ).all()
        )
        waiting = [m for m in members if m.id not in accepted]
        count = len(members) - len(waiting)
        parts = [acceptance_rate(_, count, len(members), charter.version)]
        round_ = await _round(ctx, charter)
        if round_ is not None:
            parts.append(self._round_summary(ctx, round_))
        lines = []
        for member in waiting[:LIST_LIMIT]:
            why = self._why_waiting(ctx, requests.get(member.id), gated.get(member.id))
            lines.append(f"• {mention(member.external_id)}" + (f" — {why}" if why else ""))
        if len(waiting) > LIST_LIMIT:
            lines.append(_("and {count} more", count=len(waiting) - LIST_LIMIT))
        fields = []
        if lines:
            fields.append(Field(_("Not accepted yet ({count})", count=len(waiting)), "\n".join(lines)))
        votes = (
            await ctx.session.scalars(
                select(Amendment)
                .where(Amendment.community_id == ctx.community.id, Amendment.status == "open")
                .order_by(Amendment.number)
            )
        ).all()
        if votes:
            fields.append(
                Field(
                    _("Amendments being voted on"),
                    "\n".join(
                        _(
                            "#{number} {section}, until {date}",
                            number=a.number,
                            section=section_label(_, a.section, short=True),
                            date=ctx.format_time(a.closes_at),
                        )
                        for a in votes
                    ),
                )
            )
        ctx.reply(
            Message(
                title=_("Charter status: version {version}", version=charter.version),
                text="\n".join(parts),
                fields=tuple(fields),
                footer=_("The full log of acceptances: /agora charter export."),
                ephemeral=True,
            )
        )

    def _round_summary(self, ctx: Context, round_: CharterRound) -> str:
        _ = ctx._
        asked = _.ngettext(
            "{count} member was asked to accept it on {date}.",
            "{count} members were asked to accept it on {date}.",
            round_.asked,
            date=ctx.format_time(round_.started_at),
        )
        if round_.closed_at is not None:
            return f"{asked} " + _(
                "The grace period ended on {date}.", date=ctx.format_time(round_.closed_at)
            )
        if round_.reminded_at is not None:
            reminder = _("The reminder went out on {date}.", date=ctx.format_time(round_.reminded_at))
        elif round_.remind_at is not None:
            reminder = _("The reminder goes out on {date}.", date=ctx.format_time(round_.remind_at))
        else:
            reminder = ""
        grace = _("The grace period ends on {date}.", date=ctx.format_time(round_.grace_ends_at))
        return " ".join(p for p in (asked, reminder, grace) if p)

    def _why_waiting(self, ctx: Context, request: CharterRequest | None, gated_at: datetime | None) -> str:
        _ = ctx._
        if gated_at is not None:
            return _("member access paused since {date}", date=ctx.format_time(gated_at))
        if request is None:
            return ""
        if request.snoozed_at is not None:
            return _("said “not now” on {date}", date=ctx.format_time(request.snoozed_at))
        if request.kind == WELCOME:
            return _("newcomer, welcomed on {date}", date=ctx.format_time(request.asked_at))
        if request.reminded_at is not None:
            return _("reminded on {date}", date=ctx.format_time(request.reminded_at))
        return _("asked on {date}", date=ctx.format_time(request.asked_at))

    @command("charter export", N_("Download the log of charter acceptances (CSV)"), animator_only=True)
    async def export(self, ctx: Context) -> None:
        _ = ctx._
        zone = ctx.settings.zone
        rows = (
            await ctx.session.execute(
                select(Member.external_id, Member.display_name, Charter.version, Acknowledgement.accepted_at)
                .join(Member, Member.id == Acknowledgement.member_id)
                .join(Charter, Charter.id == Acknowledgement.charter_id)
                .where(Acknowledgement.community_id == ctx.community.id)
                .order_by(Charter.version, Acknowledgement.accepted_at, Member.id)
            )
        ).all()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                _("member id"),
                _("display name"),
                _("version"),
                _("accepted at (UTC)"),
                _("accepted at ({timezone})", timezone=ctx.settings.timezone),
            ]
        )
        for external_id, display_name, version, accepted_at in rows:
            writer.writerow(
                [
                    external_id,
                    display_name,
                    version,
                    accepted_at.isoformat(timespec="seconds"),
                    accepted_at.astimezone(zone).isoformat(timespec="seconds"),
                ]
            )
        # A byte-order mark so that spreadsheets open accented names as UTF-8.
        content = "\ufeff" + buffer.getvalue()
        charter = await latest_charter(ctx)
        members = await self._current_count(ctx)
        accepted = await self._accepted_count(ctx, charter)
        text = " ".join(
            (
                _.ngettext(
                    "{count} acceptance recorded, all versions together.",
                    "{count} acceptances recorded, all versions together.",
                    len(rows),
                ),
                acceptance_rate(_, accepted, members, charter.version),
            )
        )
        filename = f"charter-log-{ctx.now.astimezone(zone):%Y-%m-%d}.csv"
        if ctx.can(Capability.FILES):
            log = Message(
                title=_("Charter acceptance log"),
                text=text,
                attachments=(Attachment(filename, content, "text/csv"),),
            )
        else:
            # No files on this platform: the log itself, as long as a message can carry it.
            body = content.lstrip("\ufeff")
            if len(body) > 3500:
                body = _("The log is too long to show here; this platform cannot receive files from Agora.")
            log = Message(title=_("Charter acceptance log"), text=f"{text}\n\n{body}")
        # By direct message: a file stays there for later, where an ephemeral answer can't carry one on every
        # platform. Never the welcome channel as a fallback: the log names members.
        assert ctx.actor is not None
        ctx.enqueue(DirectMessage(ctx.actor.id, log))
        ctx.reply(text + " " + _("The log is on its way to your direct messages."))

    @command(
        "charter rules",
        N_("How the charter changes: by the animators, a committee or a vote of the members"),
        options=RULES_OPTIONS,
        animator_only=True,
    )
    async def rules(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        args = {k: v for k, v in event.args.items() if v not in (None, "")}
        known = {option.name for option in RULES_OPTIONS}
        unknown = sorted(set(args) - known)
        if unknown:
            raise UserError(
                _(
                    "“{option}” is not a rule I know. Rules: {known}.",
                    option=unknown[0],
                    known=", ".join(sorted(known)),
                )
            )
        if not args:
            ctx.reply(self._rules_summary(ctx, _("How the charter changes")))
            return
        before = ctx.settings.charter_rules
        changes = self._validated_rules(ctx, before, args)
        overrides: dict[str, Any] = dict(ctx.community.settings or {})
        section = dict(overrides.get("charter_rules") or {})
        section.update(changes)
        try:
            after = CharterRulesSettings.model_validate({**before.model_dump(), **section})
        except ValueError:
            raise UserError(
                _(
                    "The reminder ({reminder}) must come before the end of the grace period ({grace}).",
                    reminder=format_duration(
                        parse_duration(
                            section.get("reacceptance_reminder_after", before.reacceptance_reminder_after)
                        )
                    ),
                    grace=format_duration(parse_duration(section.get("grace_period", before.grace_period))),
                )
            ) from None
        if after.mode == "committee" and not after.committee:
            raise UserError(
                _(
                    "The charter committee has no members yet: name them in the same command, "
                    "e.g. /agora charter rules mode=committee add_committee=@someone."
                )
            )
        ctx.save_settings(section, section="charter_rules")
        ctx.reply(self._rules_summary(ctx, _("Rules saved.")))
        if after.mode != before.mode or (after.mode == "committee" and after.committee != before.committee):
            ctx.post_to(
                "announcements",
                Message(title=_("How the charter changes"), text=self._mode_sentence(ctx, after)),
            )

    def _validated_rules(
        self, ctx: Context, rules: CharterRulesSettings, args: dict[str, Any]
    ) -> dict[str, Any]:
        """The charter_rules overrides to store, each checked, with a clear message for the first bad one."""
        _ = ctx._
        out: dict[str, Any] = {}
        if "mode" in args:
            if args["mode"] not in CHARTER_MODES:
                raise UserError(
                    _(
                        "“{value}” is not a way to change the charter. Choose one of: {choices}.",
                        value=args["mode"],
                        choices=", ".join(CHARTER_MODES),
                    )
                )
            out["mode"] = args["mode"]
        committee = list(rules.committee)
        if "add_committee" in args and str(args["add_committee"]) not in committee:
            committee.append(str(args["add_committee"]))
        if "remove_committee" in args:
            committee = [c for c in committee if c != str(args["remove_committee"])]
        if committee != rules.committee:
            out["committee"] = committee
        if "quorum" in args:
            share = parse_share(str(args["quorum"]))
            if share is None:
                raise UserError(
                    _(
                        "“{value}” is not a quorum I can use: write a share between 0% and 100%, like 30% or 1/4.",
                        value=args["quorum"],
                    )
                )
            out["quorum"] = share
        if "majority" in args:
            share = parse_share(str(args["majority"]))
            if share is None or share < 0.5:
                raise UserError(
                    _(
                        "“{value}” is not a majority I can use: write a share between 50% and 100%, "
                        "like 50% or 2/3.",
                        value=args["majority"],
                    )
                )
            out["majority"] = share
        for key in ("vote_duration", "grace_period", "reacceptance_reminder_after"):
            if key in args:
                delay = ctx.delay(args[key])
                if key != "reacceptance_reminder_after" and delay.total_seconds() < 3600:
                    raise UserError(_("{option} must last at least one hour.", option=key))
                out[key] = format_duration(delay)
        return out

    def _mode_sentence(self, ctx: Context, rules: CharterRulesSettings) -> str:
        _ = ctx._
        if rules.mode == "committee":
            how = _(
                "The charter committee ({members}) proposes and approves changes to the charter.",
                members=_mentions(_, rules.committee),
            )
        elif rules.mode == "community":
            how = _(
                "Any member who accepted the charter can propose an amendment with /agora charter propose, "
                "and the members vote on it."
            )
        else:
            how = _("The animators edit the charter.")
        return how + " " + _("Every change is a new version that members are asked to accept.")

    def _rules_summary(self, ctx: Context, title: str) -> Message:
        _ = ctx._
        rules = ctx.settings.charter_rules
        unset = _("not set")
        return Message(
            title=title,
            text=self._mode_sentence(ctx, rules),
            fields=(
                Field(_("Mode"), f"{rules.mode} ({_(_MODE_NAMES[rules.mode])})", inline=True),
                Field(_("Committee"), _mentions(_, rules.committee) or unset, inline=True),
                Field(_("Quorum"), share_text(_, rules.quorum), inline=True),
                Field(_("Majority (more than)"), share_text(_, rules.majority), inline=True),
                Field(_("Vote duration"), format_duration(rules.vote_duration), inline=True),
                Field(_("Grace period"), format_duration(rules.grace_period), inline=True),
                Field(_("Reminder after"), format_duration(rules.reacceptance_reminder_after), inline=True),
            ),
            footer=_("Change them with /agora charter rules and the option's name."),
            ephemeral=True,
        )


def check_fields(
    _: Translator, values: dict[str, str], labels: dict[str, str], limits: dict[str, int] | None = None
) -> None:
    """Every field filled in and not too long, or FormErrors naming each one that isn't."""
    errors = {}
    for name, label in labels.items():
        text = (values.get(name) or "").strip()
        limit = (limits or {}).get(name, SECTION_LIMIT)
        if not text:
            errors[name] = _("“{field}” is empty: write at least a line.", field=label)
        elif len(text) > limit:
            errors[name] = _(
                "“{field}” is {length} characters long; keep it under {limit}.",
                field=label,
                length=len(text),
                limit=limit,
            )
    if errors:
        raise FormErrors(errors)
