"""The community's health report as plain data (:class:`HealthReport`), computed by :func:`health_report` from
the features' declared steps. The chat command, the monthly digest, the charts and the web dashboard all read it.

The funnel follows the members who joined in the period (a cohort): how many of them went on to accept the
charter, introduce themselves, take part in a round, meet, come to a meeting and act (by the end of the period),
each stage counting only those who reached the stage before. The previous period's cohort, followed to the end of
that period, gives the comparison."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import FUNNEL_STAGES
from bot.i18n import N_
from storage.models import Member

from . import queries, rules

__all__ = [
    "DebateFigures",
    "Figure",
    "HealthReport",
    "MeetingAttendance",
    "MemberAtRisk",
    "Period",
    "RoundFigures",
    "StageLabel",
    "Week",
    "health_report",
    "member_stages",
    "stage_flags",
]

# The funnel's stages as members read them (English message ids): the labels of the report and of the charts.
StageLabel = dict[str, str]
STAGE_LABELS: StageLabel = {
    "joined": N_("Joined"),
    "accepted": N_("Accepted the charter"),
    "introduced": N_("Introduced themselves"),
    "round": N_("Took part in a round"),
    "met": N_("Met in a round"),
    "meeting": N_("Came to a meeting"),
    "acted": N_("Acted (motion, question, amendment, mission)"),
}
# How many past meetings the attendance shows.
MEETINGS_SHOWN = 6


@dataclass(frozen=True)
class Period:
    """``[since, until)``."""

    since: datetime
    until: datetime

    @property
    def length(self) -> timedelta:
        return self.until - self.since

    @property
    def days(self) -> int:
        return max(1, round(self.length / timedelta(days=1)))

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.since - self.length, self.since)


@dataclass(frozen=True)
class Figure:
    """A figure in the period (``now``) and in the previous one (``before``)."""

    now: int
    before: int

    @property
    def change(self) -> int:
        return rules.change(self.now, self.before)


@dataclass(frozen=True)
class Counter(Figure):
    """A feature's counter (meetings held, questions asked): ``label`` is an English message id."""

    key: str = ""
    label: str = ""


@dataclass(frozen=True)
class Week:
    """A week of the period (``[start, end)``, the last one ending with the period) and how many members did
    anything in it."""

    start: datetime
    end: datetime
    active: int


@dataclass(frozen=True)
class MemberAtRisk:
    """A member who joined more than 30 days ago and reached no stage past accepting the charter."""

    member_id: int
    external_id: str
    name: str
    joined_at: datetime
    accepted: bool

    @property
    def missing(self) -> tuple[str, ...]:
        """The stages they have not reached (keys of :data:`FUNNEL_STAGES`)."""
        done = {"joined", "accepted"} if self.accepted else {"joined"}
        return tuple(stage for stage in FUNNEL_STAGES if stage not in done)


@dataclass(frozen=True)
class MeetingAttendance:
    """A past meeting and how many were going (``capacity`` None: no limit). ``title`` is member text."""

    meeting_id: int
    title: str
    starts_at: datetime
    going: int
    capacity: int | None


@dataclass(frozen=True)
class RoundFigures:
    """Places in the groups of the period's rounds, and how many said they met; the same the period before."""

    grouped: int
    met: int
    previous_grouped: int
    previous_met: int

    @property
    def rate(self) -> float | None:
        return rules.rate(self.met, self.grouped)

    @property
    def previous_rate(self) -> float | None:
        return rules.rate(self.previous_met, self.previous_grouped)


@dataclass(frozen=True)
class DebateFigures:
    """The period's debates: how many, the members who took a position, the positions, the minds changed."""

    held: int
    participants: int
    positions: int
    minds_changed: int
    previous_held: int
    previous_participants: int

    @property
    def changed_rate(self) -> float | None:
        return rules.rate(self.minds_changed, self.positions)


@dataclass(frozen=True)
class HealthReport:
    """Everything the health report says about a community over ``period`` (and the one before it)."""

    community_id: int
    now: datetime
    period: Period
    previous: Period
    members: int
    funnel: tuple[rules.FunnelStage, ...]
    active: Figure
    at_risk: tuple[MemberAtRisk, ...]
    weeks: tuple[Week, ...]
    meetings: tuple[MeetingAttendance, ...]
    next_meeting_at: datetime | None
    last_meeting_fixed_at: datetime | None
    open_polls: int
    rounds: RoundFigures
    debates: DebateFigures
    counters: tuple[Counter, ...]
    not_introduced: int

    def stage(self, key: str) -> rules.FunnelStage:
        """The funnel stage ``key``."""
        return next(stage for stage in self.funnel if stage.key == key)

    def changes(self) -> list[rules.Change]:
        """Every figure with its value in the previous period, for the digest's "what changed most"."""
        out = [rules.Change(s.key, s.label, s.count, s.previous) for s in self.funnel]
        out.append(rules.Change("active", N_("Active members"), self.active.now, self.active.before))
        if self.rounds.rate is not None and self.rounds.previous_rate is not None:
            out.append(
                rules.Change(
                    "round_rate",
                    N_("Round meeting rate"),
                    self.rounds.rate,
                    self.rounds.previous_rate,
                    "rate",
                )
            )
        out.extend(rules.Change(c.key, c.label, c.now, c.before, "times") for c in self.counters)
        return out

    def top_changes(self, n: int = 3) -> list[rules.Change]:
        return rules.top_changes(self.changes(), n)

    def facts(self) -> rules.Facts:
        return rules.Facts(
            now=self.now,
            next_meeting_at=self.next_meeting_at,
            last_meeting_fixed_at=self.last_meeting_fixed_at,
            open_polls=self.open_polls,
            not_introduced=self.not_introduced,
            at_risk=len(self.at_risk),
            debates_held=self.debates.held,
            active=self.active.now,
        )

    def suggestion(self) -> rules.Suggestion | None:
        return rules.suggest(self.facts())


async def _funnel_counts(session: AsyncSession, community_id: int, period: Period) -> tuple[list[int], int]:
    """The cohort funnel of ``period`` (see the module's docstring), and how many of the cohort still there have
    not introduced themselves."""
    cohort = await queries.member_ids(
        session, queries.joined(community_id, period.since, period.until).subquery().c[0]
    )
    counts = [len(cohort)]
    reached = cohort
    introduced: set[int] = set()
    cohort_query = select(queries.joined(community_id, period.since, period.until).subquery().c[0])
    for stage in FUNNEL_STAGES[1:]:
        column = queries.stage_members(community_id, stage, queries.EPOCH, period.until)
        got = (
            await queries.member_ids(session, column, cohort_query)
            if column is not None and reached
            else set()
        )
        if stage == "introduced":
            introduced = got
        reached = reached & got
        counts.append(len(reached))
    still_there = set(
        await session.scalars(
            select(Member.id).where(*queries.current_members(community_id), Member.id.in_(cohort_query))
        )
    )
    return counts, len(still_there - introduced)


async def _weeks(session: AsyncSession, community_id: int, period: Period) -> tuple[Week, ...]:
    count = -(-period.length // timedelta(weeks=1))
    bounds = []
    for index in range(count, 0, -1):
        end = period.until - timedelta(weeks=index - 1)
        bounds.append((max(period.since, end - timedelta(weeks=1)), end))
    active = await queries.weekly_active(session, community_id, period.since, period.until, count)
    if active is None:  # a step that gives no moment: week by week
        active = [
            await queries.count_members(session, queries.activity(community_id, start, end))
            for start, end in bounds
        ]
    return tuple(Week(start, end, number) for (start, end), number in zip(bounds, active, strict=True))


async def health_report(
    session: AsyncSession, community_id: int, now: datetime, period: timedelta = timedelta(days=90)
) -> HealthReport:
    """The health report of a community over the ``period`` ending ``now``, compared with the one before."""
    # The period ends just after ``now``: what happened at this very moment (a member who joined as the report
    # was asked for) is in it.
    end = now + timedelta(microseconds=1)
    current = Period(end - period, end)
    previous = current.previous()
    counts, not_introduced = await _funnel_counts(session, community_id, current)
    previous_counts, _ = await _funnel_counts(session, community_id, previous)
    labels = [(stage, STAGE_LABELS[stage]) for stage in FUNNEL_STAGES]
    active = Figure(
        await queries.count_members(session, queries.activity(community_id, current.since, current.until)),
        await queries.count_members(session, queries.activity(community_id, previous.since, previous.until)),
    )
    at_risk = tuple(
        MemberAtRisk(*row)
        for row in await queries.at_risk_rows(session, community_id, now - rules.AT_RISK_AFTER, now)
    )
    members = int(
        await session.scalar(select(func.count(Member.id)).where(*queries.current_members(community_id))) or 0
    )
    upcoming, fixed, polls = await queries.meeting_dates(session, community_id, now)
    grouped, met = await queries.round_figures(session, community_id, current.since, current.until)
    previous_grouped, previous_met = await queries.round_figures(
        session, community_id, previous.since, previous.until
    )
    held, participants, positions, changed = await queries.debate_figures(
        session, community_id, current.since, current.until
    )
    previous_held, previous_participants, _, _ = await queries.debate_figures(
        session, community_id, previous.since, previous.until
    )
    counters = []
    for step in queries.steps():
        if step.count is None:
            continue
        counters.append(
            Counter(
                await step.tally(session, community_id, current.since, current.until),
                await step.tally(session, community_id, previous.since, previous.until),
                key=step.key,
                label=step.label,
            )
        )
    return HealthReport(
        community_id=community_id,
        now=now,
        period=current,
        previous=previous,
        members=members,
        funnel=rules.funnel(labels, counts, previous_counts),
        active=active,
        at_risk=at_risk,
        weeks=await _weeks(session, community_id, current),
        meetings=tuple(
            MeetingAttendance(*row)
            for row in await queries.last_meetings(session, community_id, now, MEETINGS_SHOWN)
        ),
        next_meeting_at=upcoming,
        last_meeting_fixed_at=fixed,
        open_polls=polls,
        rounds=RoundFigures(grouped, met, previous_grouped, previous_met),
        debates=DebateFigures(held, participants, positions, changed, previous_held, previous_participants),
        counters=tuple(counters),
        not_introduced=not_introduced,
    )


def stage_flags(
    community_id: int, now: datetime, among: Sequence[int] | None = None
) -> list[tuple[str, ColumnElement[bool]]]:
    """For each funnel stage past joining that a feature declares (in :data:`FUNNEL_STAGES`' order), whether
    ``Member.id`` reached it by ``now``: a column to select beside the members, so every member's stages come in
    the one statement that lists them (each stage's members read once by the database, not once a member).
    ``among``: only those member ids can be asked about (each step's query narrowed to them: a page of members
    reads its own rows only)."""
    # Steps are counted in [since, until): what happened at ``now`` itself counts too, as in the report.
    until = now + timedelta(microseconds=1)
    flags: list[tuple[str, ColumnElement[bool]]] = []
    for stage in FUNNEL_STAGES[1:]:
        column = queries.stage_members(community_id, stage, queries.EPOCH, until, among)
        if column is not None:
            flags.append((stage, Member.id.in_(select(column))))
    return flags


async def member_stages(
    session: AsyncSession, community_id: int, member_ids: list[int] | None, now: datetime
) -> dict[int, frozenset[str]]:
    """The funnel stages each member reached by ``now`` (keys of :data:`FUNNEL_STAGES`; "joined" for every
    member), for ``member_ids`` or every member of the community (the dashboard's Members page)."""
    flags = stage_flags(community_id, now, member_ids)
    query = select(Member.id, *(flag for _, flag in flags)).where(Member.community_id == community_id)
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    return {
        int(member): frozenset(
            ("joined", *(stage for (stage, _), hit in zip(flags, hits, strict=True) if hit))
        )
        for member, *hits in (await session.execute(query)).all()
    }
