"""The health report's figures on a community seeded with known answers: 40 newcomers in the last 90 days, of
whom 30 accepted the charter, 20 introduced themselves, 12 took part in a round, 9 met, 6 came to a meeting and
3 acted; and 20 newcomers the 90 days before (16, 8, 4, 2, 2, 1). Shares, changes, members at risk, the weekly
activity and the digest's choices follow exactly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.health import charts, health_report, member_stages
from bot.features.health.report import HealthReport
from bot.i18n import translator
from bot.runtime import Database, open_database
from storage.models import Acknowledgement, Charter, Community, Member, RoundAnswer, RsvpStatus
from storage.tables.debates import DebateMotion
from storage.tables.icebreakers import IcebreakerQuestion
from storage.tables.meetings import Meeting, MissionDraw, Rsvp
from storage.tables.profiles import Profile
from storage.tables.rounds import Round, RoundGroup, RoundGroupMember

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


class Seeder:
    """Writes a community's history straight into its tables, with the dates the test needs."""

    def __init__(self, session: AsyncSession, community: Community, charter: Charter) -> None:
        self.session = session
        self.community = community
        self.charter = charter
        self.rounds = 0

    async def members(self, count: int, joined: datetime, prefix: str, **extra: object) -> list[Member]:
        made = [
            Member(
                community_id=self.community.id,
                external_id=f"{prefix}{index}",
                display_name=f"{prefix}{index}",
                joined_at=joined + timedelta(minutes=index),
                **extra,
            )
            for index in range(count)
        ]
        self.session.add_all(made)
        await self.session.flush()
        return made

    def accepted(self, members: list[Member], at: datetime) -> None:
        self.session.add_all(
            Acknowledgement(
                community_id=self.community.id, member_id=m.id, charter_id=self.charter.id, accepted_at=at
            )
            for m in members
        )

    def introduced(self, members: list[Member], at: datetime) -> None:
        self.session.add_all(
            Profile(community_id=self.community.id, member_id=m.id, introduced_at=at, updated_at=at)
            for m in members
        )

    async def round(self, members: list[Member], met: int, at: datetime) -> None:
        self.rounds += 1
        played = Round(community_id=self.community.id, number=self.rounds, started_at=at, group_size=3)
        self.session.add(played)
        await self.session.flush()
        group = RoundGroup(community_id=self.community.id, round_id=played.id, position=1)
        self.session.add(group)
        await self.session.flush()
        for index, member in enumerate(members):
            self.session.add(
                RoundGroupMember(
                    community_id=self.community.id,
                    round_id=played.id,
                    group_id=group.id,
                    member_id=member.id,
                    answer=RoundAnswer.MET if index < met else None,
                    answered_at=at + timedelta(days=2) if index < met else None,
                )
            )

    async def meeting(self, going: list[Member], ended: datetime, fixed: datetime, title: str) -> Meeting:
        meeting = Meeting(
            community_id=self.community.id,
            title=title,
            starts_at=ended - timedelta(hours=2),
            ends_at=ended,
            ended_at=ended,
            created_by="camille",
            created_at=fixed,
        )
        self.session.add(meeting)
        await self.session.flush()
        self.session.add_all(
            Rsvp(
                community_id=self.community.id,
                meeting_id=meeting.id,
                member_id=m.id,
                status=RsvpStatus.GOING,
                updated_at=fixed,
            )
            for m in going
        )
        return meeting


async def seed(session: AsyncSession) -> int:
    community = Community(platform="console", external_id="demo", name="The Indies", created_at=days_ago(400))
    session.add(community)
    await session.flush()
    charter = Charter(community_id=community.id, version=1, created_at=days_ago(400))
    session.add(charter)
    await session.flush()
    s = Seeder(session, community, charter)
    # Someone who was there before Agora, and did nothing: at risk, but no newcomer.
    await s.members(1, days_ago(400), "old", existing_at=days_ago(399))
    # Someone who left: neither at risk nor active.
    await s.members(1, days_ago(300), "gone", left_at=days_ago(250))

    # The 90 days before: 20 newcomers.
    before = await s.members(20, days_ago(150), "b")
    s.accepted(before[:16], days_ago(149))
    s.introduced(before[:8], days_ago(148))
    await s.round(before[:4], met=2, at=days_ago(140))
    old_meeting = await s.meeting(before[:2], days_ago(130), days_ago(135), "Spring drinks")
    session.add(
        IcebreakerQuestion(
            community_id=community.id, text="?", suggested_by=before[0].id, created_at=days_ago(130)
        )
    )

    # The last 90 days: 40 newcomers.
    now = await s.members(40, days_ago(60), "n")
    s.accepted(now[:30], days_ago(59))
    s.introduced(now[:20], days_ago(58))
    await s.round(now[:12], met=9, at=days_ago(50))
    meeting = await s.meeting(now[:6], days_ago(40), days_ago(45), "Summer drinks")
    session.add_all(
        MissionDraw(
            community_id=community.id,
            meeting_id=meeting.id,
            member_id=m.id,
            card_id="notes",
            drawn_at=days_ago(40),
        )
        for m in now[:3]
    )
    # One who accepted but never introduced themselves proposed a motion: they acted (not at risk), yet the
    # funnel counts only those who came through every stage before.
    session.add(
        DebateMotion(
            community_id=community.id, text="Motion", proposed_by=now[25].id, created_at=days_ago(57)
        )
    )
    assert old_meeting.id != meeting.id
    await session.flush()
    return community.id


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    database = await open_database(db_url)
    yield database
    await database.close()


@pytest.fixture
async def report(database: Database) -> HealthReport:
    async with database.transaction() as session:
        community_id = await seed(session)
    async with database.transaction() as session:
        return await health_report(session, community_id, NOW, timedelta(days=90))


async def test_the_funnel_counts_each_stage_among_those_who_reached_the_one_before(
    report: HealthReport,
) -> None:
    assert [(s.key, s.count, s.previous) for s in report.funnel] == [
        ("joined", 40, 20),
        ("accepted", 30, 16),
        ("introduced", 20, 8),
        ("round", 12, 4),
        ("met", 9, 2),
        ("meeting", 6, 2),
        ("acted", 3, 1),
    ]
    assert [s.share for s in report.funnel] == [None, 0.75, 20 / 30, 0.6, 0.75, 6 / 9, 0.5]
    assert [s.previous_share for s in report.funnel][1:] == [0.8, 0.5, 0.5, 0.5, 1.0, 0.5]
    assert [s.change for s in report.funnel] == [20, 14, 12, 8, 7, 4, 2]


async def test_active_members_and_members_at_risk(report: HealthReport) -> None:
    # Everyone who did something in the period: the 30 who accepted (the motion's author among them).
    assert (report.active.now, report.active.before, report.active.change) == (30, 16, 14)
    # 19 of the newcomers, 12 of the earlier ones, and the member who was there before Agora.
    assert len(report.at_risk) == 32
    assert report.at_risk[0].external_id == "old0" and not report.at_risk[0].accepted
    named = {m.external_id for m in report.at_risk}
    assert "n25" not in named and "n20" in named and "gone0" not in named
    assert {"b8", "b16"} <= named
    assert next(m for m in report.at_risk if m.external_id == "b16").missing[0] == "accepted"
    assert report.members == 61
    assert report.not_introduced == 20


async def test_meetings_rounds_and_weeks(report: HealthReport) -> None:
    assert [(m.title, m.going) for m in report.meetings] == [("Spring drinks", 2), ("Summer drinks", 6)]
    assert report.next_meeting_at is None and report.last_meeting_fixed_at == days_ago(45)
    assert (report.rounds.grouped, report.rounds.met, report.rounds.rate, report.rounds.previous_rate) == (
        12,
        9,
        0.75,
        0.5,
    )
    assert len(report.weeks) == 13
    assert report.weeks[-1].end == report.period.until and report.weeks[0].start == report.period.since
    assert report.period.until - NOW == timedelta(microseconds=1)  # what happens at this very moment counts
    busy = next(w for w in report.weeks if w.start <= days_ago(59) < w.end)
    assert busy.active == 30
    # The week they accepted; the round; the week they said they met; the meeting (and its cards).
    assert sum(w.active for w in report.weeks) == 30 + 12 + 9 + 6


async def test_the_digest_picks_what_moved_most_and_one_action(report: HealthReport) -> None:
    assert [c.key for c in report.top_changes()] == ["met", "round", "introduced"]
    suggestion = report.suggestion()
    assert suggestion is not None and (suggestion.key, suggestion.count) == ("meeting", 6)


async def test_each_members_stages(database: Database) -> None:
    async with database.transaction() as session:
        community_id = await seed(session)
    async with database.transaction() as session:
        ids = {
            m.external_id: m.id
            for m in await session.scalars(select(Member).where(Member.external_id.in_(["n0", "n25", "n39"])))
        }
        stages = await member_stages(session, community_id, list(ids.values()), NOW)
    assert stages[ids["n0"]] == {"joined", "accepted", "introduced", "round", "met", "meeting", "acted"}
    assert stages[ids["n25"]] == {"joined", "accepted", "acted"}
    assert stages[ids["n39"]] == {"joined"}


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_the_charts_are_pngs_and_svgs_with_labels_in_the_communitys_language(
    report: HealthReport, locale: str
) -> None:
    _ = translator(locale)
    png = charts.report_png(report, _, "Europe/Paris")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    svg = charts.funnel_svg(report, _).decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    expected = "Ont accepté la charte" if locale == "fr" else "Accepted the charter"
    assert expected in svg.replace("\n", " ")
    assert "<svg" in charts.activity_svg(report, _, "Europe/Paris").decode("utf-8")
