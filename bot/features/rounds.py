"""Grouping rounds ("coffee roulette", lunch tables): at each round, every member taking part meets a small group
of members they have not met yet.

Members opt in or out at any time (a button or ``/agora round join|leave``), skip a few rounds
(``/agora round snooze``) and may privately ask never to be grouped with someone (``/agora round avoid``), which
nobody else ever learns. Rounds follow the community's cadence (weekly, every two weeks, monthly, in its time
zone) or start by hand (``/agora round start``). The optimizer (``bot.features.grouping``) makes the groups from
the stored history; each group gets a conversation (a group DM on Slack, a private thread in the rounds channel
on Discord) introducing its members from their profiles, saying what they share and offering a conversation
starter. A few days later each member is asked "Did you meet?"; the answers feed ``/agora round status`` and
the next round (a group that did not meet may be formed again).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.content import ContentItem, load_bank
from bot.context import Context
from bot.durations import format_duration
from bot.errors import UserError
from bot.events import ButtonPressed, CommandInvoked, SettingsChanged, TimerFired
from bot.features.grouping import PastRound, Person, Plan, pairs_of, plan_round
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Message, mention
from bot.router import Feature, Option, action, command, on, timer
from bot.scheduler import cron_trigger, next_fire_time
from bot.settings.rounds import CADENCES, DAYS, ODD_POLICIES, RoundSettings
from storage.models import Base, Member, Schedule
from storage.tables.rounds import Round, RoundExclusion, RoundGroup, RoundGroupMember, RoundParticipant

__all__ = ["RoundsFeature"]

ROUND = "rounds:round"
FOLLOW_UP = "rounds:follow_up"
JOIN = "rounds:join"
LEAVE = "rounds:leave"
SNOOZE = "rounds:snooze"
ANSWERS = {"met": "rounds:met", "not_yet": "rounds:not_yet", "wont": "rounds:wont"}
MAX_SNOOZE = 12

CADENCE_NAMES = {
    "weekly": N_("every week"),
    "biweekly": N_("every two weeks"),
    "monthly": N_("every month"),
}
DAY_NAMES = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
ODD_NAMES = {
    "bigger": N_("bigger groups (one member more)"),
    "smaller": N_("smaller groups (one member fewer)"),
}

SETTINGS_OPTIONS = (
    Option("enabled", N_("Whether rounds run on their schedule"), kind="boolean"),
    Option("cadence", N_("How often: weekly, biweekly or monthly"), choices=CADENCES),
    Option("day", N_("Day of the round: mon, tue, wed, thu, fri, sat or sun"), choices=DAYS),
    Option("time", N_("Local time of the round, e.g. 09:00")),
    Option("group_size", N_("Members per group, 2 to 4"), kind="integer"),
    Option("odd", N_("When the count is odd: bigger (a group of one more) or smaller"), choices=ODD_POLICIES),
    Option("follow_up_after", N_("Delay before asking whether the group met, e.g. 3d")),
)


# --- reading the history ---------------------------------------------------------------------------------------


@dataclass
class PlayedRound:
    """A stored round with its groups (member ids) and what their members answered."""

    round: Round
    groups: list[list[int]] = field(default_factory=list)
    answers: list[list[str | None]] = field(default_factory=list)

    def met(self, position: int) -> bool | None:
        """Whether group ``position`` met: someone said so (True), those who answered all said no (False), or
        nobody answered (None)."""
        given = [a for a in self.answers[position] if a]
        if "met" in given:
            return True
        return False if given else None


async def played_rounds(ctx: Context) -> list[PlayedRound]:
    """Every round of the community, oldest first, with its groups."""
    rounds = (
        await ctx.session.scalars(
            select(Round).where(Round.community_id == ctx.community.id).order_by(Round.number)
        )
    ).all()
    played = {r.id: PlayedRound(r) for r in rounds}
    rows = (
        await ctx.session.execute(
            select(
                RoundGroup.round_id, RoundGroup.position, RoundGroupMember.member_id, RoundGroupMember.answer
            )
            .join(RoundGroupMember, RoundGroupMember.group_id == RoundGroup.id)
            .where(RoundGroup.community_id == ctx.community.id)
            .order_by(RoundGroup.round_id, RoundGroup.position, RoundGroupMember.id)
        )
    ).all()
    slots: dict[tuple[int, int], int] = {}
    for round_id, position, member_id, answer in rows:
        entry = played[round_id]
        key = (round_id, position)
        if key not in slots:
            slots[key] = len(entry.groups)
            entry.groups.append([])
            entry.answers.append([])
        entry.groups[slots[key]].append(member_id)
        entry.answers[slots[key]].append(answer)
    return list(played.values())


def optimizer_history(played: list[PlayedRound]) -> list[PastRound]:
    """The past rounds as the optimizer sees them: a group whose members said they did not meet is left out,
    so the next rounds may bring them together again."""
    history = []
    for entry in played:
        groups = tuple(
            tuple(str(m) for m in group)
            for position, group in enumerate(entry.groups)
            if entry.met(position) is not False
        )
        history.append(PastRound(groups=groups, when=entry.round.started_at))
    return history


@dataclass
class Profile:
    """What a group's introduction says about a member (from their profile when there is one)."""

    name: str
    what: str = ""
    location: str = ""
    interests: list[str] = field(default_factory=list)
    company: str = ""


async def read_profiles(ctx: Context, members: list[Member]) -> dict[int, Profile]:
    """Each member's name, line and interests: from the onboarding profiles when that table exists and the
    member has a visible profile, else their display name. Read defensively: a profile table that is missing
    or shaped differently leaves the display names."""
    out = {m.id: Profile(name=m.display_name or m.external_id) for m in members}
    table = Base.metadata.tables.get("member_profiles")
    if table is None or "member_id" not in table.c or not members:
        return out
    columns = table.c
    try:
        async with ctx.session.begin_nested():
            rows = (
                (await ctx.session.execute(select(table).where(columns.member_id.in_(list(out)))))
                .mappings()
                .all()
            )
    except SQLAlchemyError:
        return out
    for row in rows:
        if row.get("hidden"):
            continue
        profile = out.get(row["member_id"])
        if profile is None:
            continue
        profile.name = str(row.get("name") or "").strip() or profile.name
        profile.what = str(row.get("what") or "").strip()
        profile.location = str(row.get("location") or "").strip()
        interests = row.get("interests") or []
        if isinstance(interests, str):
            interests = interests.split(",")
        profile.interests = [str(i).strip() for i in interests if str(i).strip()]
        profile.company = str(row.get("company") or "").strip()
    return out


# --- the messages ------------------------------------------------------------------------------------------------


def starter_for(language: str, community_id: int, index: int) -> ContentItem:
    """A conversation starter: the community's own shuffled walk through the bank, one step per group."""
    bank = list(load_bank("starters", language))
    random.Random(f"starters:{community_id}").shuffle(bank)
    return bank[index % len(bank)]


def shared_line(_: Translator, people: list[Profile]) -> str:
    """Why these members were put together, when they share something (interests, as they wrote them)."""

    def folded(p: Profile) -> dict[str, str]:
        return {i.casefold(): i for i in p.interests}

    sets = [folded(p) for p in people]
    common = set(sets[0]).intersection(*sets[1:]) if sets else set()
    if common and len(people) > 2:
        return _("You all mentioned {things}.", things=_.list(sorted(sets[0][c] for c in common)))
    if common:
        return _(
            "{first} and {second} both mentioned {things}.",
            first=people[0].name,
            second=people[1].name,
            things=_.list(sorted(sets[0][c] for c in common)),
        )
    lines = []
    for i, a in enumerate(people):
        for j in range(i + 1, len(people)):
            shared = set(sets[i]) & set(sets[j])
            if shared:
                lines.append(
                    _(
                        "{first} and {second} both mentioned {things}.",
                        first=a.name,
                        second=people[j].name,
                        things=_.list(sorted(sets[i][c] for c in shared)),
                    )
                )
    return "\n".join(lines)


def group_message(
    _: Translator, number: int, members: list[Member], profiles: dict[int, Profile], starter: ContentItem
) -> Message:
    """The first message of a group's conversation: who is who, what they share, something to start with."""
    people = [profiles[m.id] for m in members]
    fields = []
    for person in people:
        parts = [p for p in (person.what, person.location) if p]
        if person.interests:
            parts.append(_("Interests: {things}", things=", ".join(person.interests)))
        fallback = _("Not introduced yet: {name}, tell the others in one line what you do.", name=person.name)
        fields.append(Field(person.name, " · ".join(parts) if parts else fallback))
    shared = shared_line(_, people)
    if shared:
        fields.append(Field(_("What you have in common"), shared))
    starter_text = starter.text
    if starter.author:
        starter_text = _("{text} (suggested by {author})", text=starter.text, author=starter.author)
    fields.append(Field(_("To get the conversation going"), starter_text))
    return Message(
        title=_("Round {number}: meet each other", number=number),
        text=_(
            "Hello {people}! This round puts you together. Find half an hour in the coming days (a coffee, a "
            "call or lunch) and start by saying hello here.",
            people=_.list([mention(m.external_id) for m in members]),
        ),
        fields=tuple(fields),
        footer=_(
            "Can't make it this time? /agora round snooze skips the next round; "
            "/agora round leave stops the rounds for you."
        ),
    )


def answer_buttons(_: Translator, group_member_id: int) -> tuple[Button, ...]:
    ref = str(group_member_id)
    return (
        Button(ANSWERS["met"], _("Yes, we met"), ref=ref, style="success"),
        Button(ANSWERS["not_yet"], _("Not yet"), ref=ref, style="secondary"),
        Button(ANSWERS["wont"], _("We won't"), ref=ref, style="secondary"),
    )


# --- the feature ---------------------------------------------------------------------------------------------------


class RoundsFeature(Feature):
    """Opt in and out, snooze, private exclusions, rounds on a cadence, group conversations, "Did you meet?",
    and the animators' statistics and settings."""

    name = "rounds"
    order = 60
    settings = RoundSettings

    # --- taking part ---------------------------------------------------------------------------------------

    @command("round", N_("Your place in the grouping rounds, and the date of the next one"))
    async def mine(self, ctx: Context) -> None:
        _ = ctx._
        member = await ctx.member()
        participant = await self._participant(ctx, member)
        lines = []
        if participant is None or not participant.active:
            lines.append(_("You don't take part in the rounds. Join with /agora round join."))
        elif participant.snooze_rounds:
            lines.append(
                _.ngettext(
                    "You take part in the rounds, and skip the next one.",
                    "You take part in the rounds, and skip the next {count} ones.",
                    participant.snooze_rounds,
                )
            )
        else:
            lines.append(_("You take part in the rounds."))
        lines.append(await self._when(ctx))
        avoided = await ctx.session.scalar(
            select(func.count(RoundExclusion.id)).where(RoundExclusion.member_id == member.id)
        )
        if avoided:
            lines.append(
                _.ngettext(
                    "You asked not to be grouped with {count} member (only you can see this).",
                    "You asked not to be grouped with {count} members (only you can see this).",
                    avoided,
                )
            )
        buttons = (
            (Button(JOIN, _("Count me in"), style="success"),)
            if participant is None or not participant.active
            else (
                Button(SNOOZE, _("Skip the next round"), ref="1", style="secondary"),
                Button(LEAVE, _("Leave the rounds"), style="secondary"),
            )
        )
        ctx.reply(Message(title=_("Grouping rounds"), text="\n".join(lines), buttons=buttons, ephemeral=True))

    @command("round join", N_("Take part in the grouping rounds: meet a few members at each round"))
    async def join_command(self, ctx: Context) -> None:
        await self._join(ctx)

    @action(JOIN)
    async def join_button(self, ctx: Context) -> None:
        await self._join(ctx)

    async def _join(self, ctx: Context) -> None:
        _ = ctx._
        member = await ctx.member()
        participant = await self._participant(ctx, member)
        if participant is not None and participant.active and not participant.snooze_rounds:
            ctx.reply(_("You already take part in the rounds. {when}", when=await self._when(ctx)))
            return
        if participant is None:
            participant = RoundParticipant(
                community_id=ctx.community.id, member_id=member.id, joined_at=ctx.now, updated_at=ctx.now
            )
            ctx.session.add(participant)
        participant.active, participant.snooze_rounds, participant.updated_at = True, 0, ctx.now
        await self._ensure_schedule(ctx)
        ctx.reply(
            Message(
                text=_(
                    "You're in! At each round I'll put you in a small group with members you haven't met yet. "
                    "{when}",
                    when=await self._when(ctx),
                ),
                buttons=(
                    Button(SNOOZE, _("Skip the next round"), ref="1", style="secondary"),
                    Button(LEAVE, _("Leave the rounds"), style="secondary"),
                ),
                ephemeral=True,
            )
        )

    @command("round leave", N_("Stop taking part in the grouping rounds"))
    async def leave_command(self, ctx: Context) -> None:
        await self._leave(ctx)

    @action(LEAVE)
    async def leave_button(self, ctx: Context) -> None:
        await self._leave(ctx)

    async def _leave(self, ctx: Context) -> None:
        _ = ctx._
        participant = await self._participant(ctx, await ctx.member())
        if participant is None or not participant.active:
            ctx.reply(_("You weren't taking part in the rounds. Join any time with /agora round join."))
            return
        participant.active, participant.snooze_rounds, participant.updated_at = False, 0, ctx.now
        ctx.reply(
            Message(
                text=_(
                    "Done: you no longer take part in the rounds. Come back any time with /agora round join."
                ),
                buttons=(Button(JOIN, _("Count me in"), style="secondary"),),
                ephemeral=True,
            )
        )

    @command(
        "round snooze",
        N_("Skip the next rounds (the next one by default)"),
        options=[Option("rounds", N_("How many rounds to skip, 1 to 12"), kind="integer")],
    )
    async def snooze_command(self, ctx: Context) -> None:
        assert isinstance(ctx.event, CommandInvoked)
        await self._snooze(ctx, ctx.event.args.get("rounds", 1))

    @action(SNOOZE)
    async def snooze_button(self, ctx: Context) -> None:
        assert isinstance(ctx.event, ButtonPressed)
        await self._snooze(ctx, ctx.event.ref or 1)

    async def _snooze(self, ctx: Context, raw: Any) -> None:
        _ = ctx._
        try:
            count = int(raw)
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= MAX_SNOOZE:
            raise UserError(
                _(
                    "“{value}” won't do: choose a number of rounds between 1 and {max}.",
                    value=raw,
                    max=MAX_SNOOZE,
                )
            )
        participant = await self._participant(ctx, await ctx.member())
        if participant is None or not participant.active:
            raise UserError(
                _(
                    "You don't take part in the rounds, so there is nothing to skip. Join with /agora round join."
                )
            )
        participant.snooze_rounds, participant.updated_at = count, ctx.now
        ctx.reply(
            _.ngettext(
                "Noted: you skip the next round, and you're back automatically after it.",
                "Noted: you skip the next {count} rounds, and you're back automatically after them.",
                count,
            )
        )

    @command(
        "round avoid",
        N_("Never be grouped with a member (private: nobody else is told)"),
        options=[
            Option("member", N_("The member you'd rather not be grouped with"), kind="member", required=True)
        ],
    )
    async def avoid(self, ctx: Context) -> None:
        _ = ctx._
        member, other = await self._other(ctx)
        found = await ctx.session.scalar(
            select(RoundExclusion).where(
                RoundExclusion.member_id == member.id, RoundExclusion.excluded_id == other.id
            )
        )
        if found is None:
            ctx.session.add(
                RoundExclusion(
                    community_id=ctx.community.id,
                    member_id=member.id,
                    excluded_id=other.id,
                    created_at=ctx.now,
                )
            )
        ctx.reply(
            _(
                "Noted: the rounds will never put you with {name}. This stays between us: nobody is told, "
                "{name} included. Undo it with /agora round allow.",
                name=other.display_name or other.external_id,
            )
        )

    @command(
        "round allow",
        N_("Be grouped again with a member you avoided"),
        options=[Option("member", N_("The member you avoided"), kind="member", required=True)],
    )
    async def allow(self, ctx: Context) -> None:
        _ = ctx._
        member, other = await self._other(ctx)
        result = await ctx.session.execute(
            delete(RoundExclusion).where(
                RoundExclusion.member_id == member.id, RoundExclusion.excluded_id == other.id
            )
        )
        name = other.display_name or other.external_id
        if not getattr(result, "rowcount", 0):
            ctx.reply(_("You weren't avoiding {name}: nothing to change.", name=name))
            return
        ctx.reply(_("Noted: the rounds may put you with {name} again.", name=name))

    async def _other(self, ctx: Context) -> tuple[Member, Member]:
        """The actor and the member named in the command, checked."""
        assert isinstance(ctx.event, CommandInvoked)
        _ = ctx._
        member = await ctx.member()
        raw = str(ctx.event.args.get("member") or "").strip().lstrip("@")
        other = await ctx.find_member(raw) if raw else None
        if other is None and raw:
            other = await ctx.session.scalar(
                select(Member).where(Member.community_id == ctx.community.id, Member.display_name == raw)
            )
        if other is None:
            raise UserError(
                _("I don't know “{name}” in this community. Mention them, like @name.", name=raw or "?")
            )
        if other.id == member.id:
            raise UserError(_("That's you! You can't be kept away from yourself."))
        return member, other

    # --- the answers to "Did you meet?" ----------------------------------------------------------------------

    @action(ANSWERS["met"])
    async def answered_met(self, ctx: Context) -> None:
        await self._answer(ctx, "met")

    @action(ANSWERS["not_yet"])
    async def answered_not_yet(self, ctx: Context) -> None:
        await self._answer(ctx, "not_yet")

    @action(ANSWERS["wont"])
    async def answered_wont(self, ctx: Context) -> None:
        await self._answer(ctx, "wont")

    async def _answer(self, ctx: Context, answer: str) -> None:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        _ = ctx._
        seat = await ctx.session.get(RoundGroupMember, int(event.ref)) if event.ref.isdigit() else None
        if seat is None or seat.community_id != ctx.community.id:
            raise UserError(_("This button no longer matches a round of this community."))
        member = await ctx.member()
        if seat.member_id != member.id:
            raise UserError(_("This question was meant for another member: only they can answer it."))
        seat.answer, seat.answered_at = answer, ctx.now
        round_ = await ctx.session.get(Round, seat.round_id)
        assert round_ is not None
        others = await self._group_names(ctx, seat)
        text = {
            "met": _("Wonderful! Thank you for telling me."),
            "not_yet": _(
                "No rush: your conversation stays open. If you meet later, press “Yes, we met” above."
            ),
            "wont": _("Thanks for saying so. A later round may put you together again."),
        }[answer]
        ctx.reply(text)
        shown = {
            "met": _("✅ You met {names}.", names=others),
            "not_yet": _("⏳ Not yet met with {names}.", names=others),
            "wont": _("You won't meet {names} this time.", names=others),
        }[answer]
        ctx.replace_pressed(
            Message(
                title=_("Round {number}: did you meet?", number=round_.number),
                text=shown,
                buttons=(Button(ANSWERS["met"], _("Yes, we met"), ref=event.ref, style="success"),)
                if answer == "not_yet"
                else (),
            )
        )

    async def _group_names(self, ctx: Context, seat: RoundGroupMember) -> str:
        rows = (
            await ctx.session.scalars(
                select(Member)
                .join(RoundGroupMember, RoundGroupMember.member_id == Member.id)
                .where(
                    RoundGroupMember.group_id == seat.group_id, RoundGroupMember.member_id != seat.member_id
                )
                .order_by(RoundGroupMember.id)
            )
        ).all()
        return ctx._.list([m.display_name or m.external_id for m in rows])

    # --- running a round -------------------------------------------------------------------------------------

    @command("round start", N_("Start a grouping round now (animators)"), animator_only=True)
    async def start(self, ctx: Context) -> None:
        _ = ctx._
        assert ctx.actor is not None
        # Not from the scheduled handler: re-arming a rule from inside its own run would race its chain.
        await self._ensure_schedule(ctx)
        outcome = await self._run_round(ctx, started_by=ctx.actor.id)
        if isinstance(outcome, str):
            ctx.reply(outcome)
            return
        round_, plan = outcome
        ctx.reply(
            _.ngettext(
                "Round {number} is out: {people} members in {count} group.",
                "Round {number} is out: {people} members in {count} groups.",
                len(plan.groups),
                number=round_.number,
                people=sum(len(g) for g in plan.groups),
            )
        )

    @timer(ROUND)
    async def scheduled(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, TimerFired)
        settings = ctx.settings.rounds
        if not settings.enabled:
            return
        last = await self._last_round(ctx)
        due = event.due or ctx.now
        if last is not None and due - last.started_at < settings.min_gap:
            return  # a round started by hand a day before, or the off week of a fortnightly cadence
        await self._run_round(ctx, started_by="schedule")

    async def _run_round(self, ctx: Context, *, started_by: str) -> tuple[Round, Plan] | str:
        """Make and record the groups of a new round, open their conversations and set the follow-up. Returns
        the round and its plan, or why there is no round (for the animator who asked)."""
        _ = ctx._
        settings = ctx.settings.rounds
        rows = (
            await ctx.session.execute(
                select(RoundParticipant, Member)
                .join(Member, Member.id == RoundParticipant.member_id)
                .where(
                    RoundParticipant.community_id == ctx.community.id,
                    RoundParticipant.active,
                    Member.left_at.is_(None),
                )
                .order_by(Member.id)
            )
        ).all()
        taking = [(p, m) for p, m in rows if p.snooze_rounds <= 0]
        if not taking:
            return _("No round: nobody takes part yet. Members join with /agora round join.")
        if len(taking) == 1:
            only = taking[0][1]
            ctx.dm(
                only.external_id,
                Message(
                    _(
                        "You were the only member taking part this time, so there is no group for you in this "
                        "round. Invite a colleague to join with /agora round join! {when}",
                        when=await self._when(ctx),
                    ),
                    footer=_("To stop the rounds: /agora round leave."),
                ),
            )
            return _("No round: only one member takes part for now, and a round needs at least two.")
        for participant, _member in rows:
            if participant.snooze_rounds > 0:
                participant.snooze_rounds -= 1
        members = {m.id: m for _p, m in taking}
        played = await played_rounds(ctx)
        profiles = await read_profiles(ctx, list(members.values()))
        exclusions = [
            (str(a), str(b))
            for a, b in (
                await ctx.session.execute(
                    select(RoundExclusion.member_id, RoundExclusion.excluded_id).where(
                        RoundExclusion.community_id == ctx.community.id
                    )
                )
            ).all()
        ]
        people = [
            Person(
                id=str(mid),
                interests=frozenset(i.casefold() for i in profiles[mid].interests),
                company=profiles[mid].company,
            )
            for mid in members
        ]
        plan = plan_round(
            people,
            size=settings.group_size,
            history=optimizer_history(played),
            exclusions=exclusions,
            odd=settings.odd,
            seed=ctx.community.id,
            now=ctx.now,
        )
        number = (played[-1].round.number if played else 0) + 1
        round_ = Round(
            community_id=ctx.community.id,
            number=number,
            started_at=ctx.now,
            group_size=settings.group_size,
            started_by=started_by,
            method=plan.method,
            left_out=[int(m) for m in plan.unplaced],
            follow_up_at=ctx.now + settings.follow_up_after,
        )
        ctx.session.add(round_)
        await ctx.session.flush()
        starters_used = sum(len(p.groups) for p in played)
        groups = []
        for position, ids in enumerate(plan.groups):
            group_members = [members[int(i)] for i in ids]
            starter = starter_for(ctx.settings.locale, ctx.community.id, starters_used + position)
            group = RoundGroup(
                community_id=ctx.community.id, round_id=round_.id, position=position, starter=starter.id
            )
            ctx.session.add(group)
            groups.append((group, group_members, starter))
        await ctx.session.flush()
        for group, group_members, starter in groups:
            ctx.session.add_all(
                RoundGroupMember(
                    community_id=ctx.community.id, round_id=round_.id, group_id=group.id, member_id=m.id
                )
                for m in group_members
            )
            entry = ctx.open_group(
                [m.external_id for m in group_members],
                _("Round {number}", number=number),
                group_message(_, number, group_members, profiles, starter),
            )
            await ctx.session.flush()
            group.entry_id = entry.id
        when = await self._when(ctx, after=ctx.now, last=ctx.now)
        for member_id in plan.unplaced:
            ctx.dm(
                members[int(member_id)].external_id,
                Message(
                    _(
                        "Round {number} could not find a group for you this time, sorry. You're still in for the "
                        "next one. {when}",
                        number=number,
                        when=when,
                    ),
                    footer=_("To stop the rounds: /agora round leave."),
                ),
            )
        await ctx.set_timer(FOLLOW_UP, str(round_.id), ctx.now + settings.follow_up_after)
        ctx.post_to(
            "rounds",
            Message(
                _.ngettext(
                    "Round {number} is out: {people} members in {count} group, each in its own conversation. "
                    "{when}",
                    "Round {number} is out: {people} members in {count} groups, each in its own conversation. "
                    "{when}",
                    len(plan.groups),
                    number=number,
                    people=sum(len(g) for g in plan.groups),
                    when=when,
                ),
                buttons=(Button(JOIN, _("Count me in"), style="success"),),
                footer=_("Join the next one with the button, or /agora round join."),
            ),
        )
        return round_, plan

    @timer(FOLLOW_UP)
    async def follow_up(self, ctx: Context) -> None:
        """ "Did you meet?", once, to each member of each group of the round (no reminder after this one)."""
        event = ctx.event
        assert isinstance(event, TimerFired)
        _ = ctx._
        round_ = await ctx.session.get(Round, int(event.ref)) if event.ref.isdigit() else None
        if round_ is None or round_.community_id != ctx.community.id:
            return
        rows = (
            await ctx.session.execute(
                select(RoundGroupMember, Member)
                .join(Member, Member.id == RoundGroupMember.member_id)
                .where(RoundGroupMember.round_id == round_.id)
                .order_by(RoundGroupMember.group_id, RoundGroupMember.id)
            )
        ).all()
        by_group: dict[int, list[tuple[RoundGroupMember, Member]]] = defaultdict(list)
        for seat, member in rows:
            by_group[seat.group_id].append((seat, member))
        for seats in by_group.values():
            for seat, member in seats:
                if member.left_at is not None or seat.answer == "met":
                    continue
                others = _.list([m.display_name or m.external_id for s, m in seats if s.id != seat.id])
                ctx.dm(
                    member.external_id,
                    Message(
                        title=_("Round {number}: did you meet?", number=round_.number),
                        text=_(
                            "A few days ago, round {number} put you with {names}. Did you manage to meet?",
                            number=round_.number,
                            names=others,
                        ),
                        buttons=answer_buttons(_, seat.id),
                        footer=_(
                            "Your answer helps plan the next rounds. I won't ask again. "
                            "To stop the rounds: /agora round leave."
                        ),
                    ),
                )

    # --- the animators' view -----------------------------------------------------------------------------------

    @command(
        "round status",
        N_("Participation, meeting rate and new pairs of the grouping rounds (animators)"),
        animator_only=True,
    )
    async def status(self, ctx: Context) -> None:
        _ = ctx._
        counts = (
            await ctx.session.execute(
                select(
                    RoundParticipant.active,
                    RoundParticipant.snooze_rounds > 0,
                    func.count(RoundParticipant.id),
                )
                .join(Member, Member.id == RoundParticipant.member_id)
                .where(RoundParticipant.community_id == ctx.community.id, Member.left_at.is_(None))
                .group_by(RoundParticipant.active, RoundParticipant.snooze_rounds > 0)
            )
        ).all()
        active = sum(c for a, s, c in counts if a and not s)
        snoozed = sum(c for a, s, c in counts if a and s)
        out = sum(c for a, _s, c in counts if not a)
        played = await played_rounds(ctx)
        fields = [
            Field(
                _("Participation"),
                _(
                    "{active} taking part, {snoozed} skipping the next round, {out} left the rounds.",
                    active=active,
                    snoozed=snoozed,
                    out=out,
                ),
            ),
            Field(_("Next round"), await self._when(ctx, bare=True)),
        ]
        if not played:
            text = _(
                "No round yet. Members join with /agora round join; start one now with /agora round start."
            )
        else:
            seen: set[frozenset[int]] = set()
            lines = []
            met_total = answered_total = 0
            for entry in played:
                pairs = {
                    frozenset(map(int, p)) for p in pairs_of([[str(m) for m in g] for g in entry.groups])
                }
                new = len(pairs - seen)
                seen |= pairs
                outcomes = [entry.met(i) for i in range(len(entry.groups))]
                met = sum(1 for o in outcomes if o)
                answered = sum(1 for o in outcomes if o is not None)
                met_total += met
                answered_total += answered
                lines.append(
                    _(
                        "Round {number}, {date}: {people} members in {groups} groups · {new} new pairs of "
                        "{pairs} · {met} of {groups} groups met ({answered} answered)",
                        number=entry.round.number,
                        date=ctx._.datetime(entry.round.started_at, ctx.settings.timezone, "d MMM y"),
                        people=sum(len(g) for g in entry.groups),
                        groups=len(entry.groups),
                        new=new,
                        pairs=len(pairs),
                        met=met,
                        answered=answered,
                    )
                )
            fields.append(Field(_("Last rounds"), "\n".join(lines[-8:])))
            rate = round(100 * met_total / answered_total) if answered_total else None
            fields.append(
                Field(
                    _("Meeting rate"),
                    _(
                        "{rate}% of the groups that answered met ({met} of {answered}).",
                        rate=rate,
                        met=met_total,
                        answered=answered_total,
                    )
                    if rate is not None
                    else _("Nobody has answered “Did you meet?” yet."),
                )
            )
            text = _.ngettext("{count} round so far.", "{count} rounds so far.", len(played))
        ctx.reply(Message(title=_("Grouping rounds"), text=text, fields=tuple(fields), ephemeral=True))

    @command(
        "round settings",
        N_("Set the rounds' cadence, day, time, group size, odd counts and follow-up (animators)"),
        options=SETTINGS_OPTIONS,
        animator_only=True,
    )
    async def configure(self, ctx: Context) -> None:
        _ = ctx._
        args = ctx.settings_args(SETTINGS_OPTIONS)
        if not args:
            ctx.reply(self._summary(ctx, _("Rounds settings")))
            return
        changes = self._validated(ctx, args)
        ctx.save_settings(changes, section="rounds")
        await self._ensure_schedule(ctx, create=True)
        ctx.reply(self._summary(ctx, _("Rounds settings saved.")))

    def _validated(self, ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
        _ = ctx._
        out: dict[str, Any] = {}
        if "enabled" in args:
            value = args["enabled"]
            if isinstance(value, str):
                value = {
                    "yes": True,
                    "oui": True,
                    "true": True,
                    "no": False,
                    "non": False,
                    "false": False,
                }.get(value.lower(), value)
            if not isinstance(value, bool):
                raise UserError(
                    _("“{value}” should be yes or no (option {option}).", value=value, option="enabled")
                )
            out["enabled"] = value
        for key, choices in (("cadence", CADENCES), ("day", DAYS), ("odd", ODD_POLICIES)):
            if key in args:
                value = str(args[key]).strip().lower()
                if value not in choices:
                    raise UserError(
                        _(
                            "“{value}” is not a choice for {option}. Choose one of: {choices}.",
                            value=args[key],
                            option=key,
                            choices=", ".join(choices),
                        )
                    )
                out[key] = value
        if "time" in args:
            try:
                out["time"] = RoundSettings(time=str(args["time"])).time
            except ValueError:
                raise UserError(
                    _(
                        "“{value}” is not a time of day I understand. Examples: 09:00, 12:30.",
                        value=args["time"],
                    )
                ) from None
        if "group_size" in args:
            try:
                size = int(args["group_size"])
            except (TypeError, ValueError):
                size = 0
            if not 2 <= size <= 4:
                raise UserError(
                    _("Groups have 2 to 4 members: “{value}” won't do.", value=args["group_size"])
                )
            out["group_size"] = size
        if "follow_up_after" in args:
            out["follow_up_after"] = format_duration(ctx.delay(args["follow_up_after"]))
        return out

    def _summary(self, ctx: Context, title: str) -> Message:
        _ = ctx._
        s = ctx.settings.rounds
        return Message(
            title=title,
            text=_("Change any of them with /agora round settings and the option's name."),
            fields=(
                Field(_("Rounds"), _("running") if s.enabled else _("paused"), inline=True),
                Field(_("Cadence"), _(CADENCE_NAMES[s.cadence]), inline=True),
                Field(_("When"), _("{day} at {time}", day=_(DAY_NAMES[s.day]), time=s.time), inline=True),
                Field(_("Group size"), str(s.group_size), inline=True),
                Field(_("Odd counts"), _(ODD_NAMES[s.odd]), inline=True),
                Field(_("“Did you meet?” asked after"), format_duration(s.follow_up_after), inline=True),
            ),
            ephemeral=True,
        )

    # --- helpers ---------------------------------------------------------------------------------------------

    async def _participant(self, ctx: Context, member: Member) -> RoundParticipant | None:
        return await ctx.session.scalar(
            select(RoundParticipant).where(RoundParticipant.member_id == member.id)
        )

    async def _last_round(self, ctx: Context) -> Round | None:
        return await ctx.session.scalar(
            select(Round).where(Round.community_id == ctx.community.id).order_by(Round.number.desc()).limit(1)
        )

    @on(SettingsChanged)
    async def settings_changed(self, ctx: Context) -> None:
        # Rounds happen at a local time: a new time zone from /agora setup moves the rule with it.
        await self._ensure_schedule(ctx)

    async def _ensure_schedule(self, ctx: Context, *, create: bool = False) -> None:
        """Keep the recurring rule in step with the settings (created when the first member joins)."""
        settings = ctx.settings.rounds
        existing = await ctx.session.scalar(
            select(Schedule).where(Schedule.community_id == ctx.community.id, Schedule.kind == ROUND)
        )
        if existing is None and not settings.enabled and not create:
            return
        cron = settings.cron()
        if (
            existing is not None
            and existing.cron == cron
            and existing.paused == (not settings.enabled)
            and existing.timezone == ctx.settings.timezone
        ):
            return
        await ctx.set_schedule(ROUND, cron, paused=not settings.enabled)

    async def next_round_at(
        self, ctx: Context, *, after: datetime | None = None, last: datetime | None = None
    ) -> datetime | None:
        """When the next scheduled round will take place (None when the rounds are paused)."""
        settings = ctx.settings.rounds
        if not settings.enabled:
            return None
        if last is None:
            previous = await self._last_round(ctx)
            last = previous.started_at if previous is not None else None
        trigger = cron_trigger(settings.cron(), ctx.settings.timezone)
        moment = next_fire_time(trigger, after or ctx.now)
        for _ in range(8):
            if moment is None or last is None or moment - last >= settings.min_gap:
                break
            moment = next_fire_time(trigger, moment)
        return moment

    async def _when(
        self, ctx: Context, *, after: datetime | None = None, last: datetime | None = None, bare: bool = False
    ) -> str:
        """ "Next round: Monday 6 July at 9:00." (regularity: members always see the next date)."""
        _ = ctx._
        moment = await self.next_round_at(ctx, after=after, last=last)
        if moment is None:
            return _("paused") if bare else _("The rounds are paused for now.")
        date = ctx.format_time(moment)
        return date if bare else _("Next round: {date}.", date=date)
