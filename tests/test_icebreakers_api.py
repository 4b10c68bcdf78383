"""Icebreakers on Feature API v2: the declared schedule, personal data and health figures, and answers by
reaction (a member reacting to a question's post counts as having answered it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.clock import FakeClock
from bot.events import MessageRef
from bot.feature import PersonalData
from bot.features.icebreakers import IcebreakersFeature
from storage.models import Community, Schedule
from storage.tables.icebreakers import IcebreakerQuestion, IcebreakerReaction
from tests.support import health_figure

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "icebreakers": "icebreakers"}


def community(make_harness: Callable[..., ConsoleCommunity], **settings: object) -> ConsoleCommunity:
    settings.setdefault("channels", CHANNELS)
    h = make_harness("en", **settings)
    h.clock = FakeClock(datetime(2026, 3, 23, 8, 0, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC))
    return h


def question_ref(h: ConsoleCommunity) -> MessageRef:
    post = h.chat.posts("icebreakers")[-1]
    assert post.ref is not None
    return post.ref


async def community_id(h: ConsoleCommunity) -> int:
    assert h.database is not None
    async with h.database.transaction() as session:
        found = await session.scalar(select(Community.id))
        assert found is not None
        return found


async def test_reacting_to_a_question_counts_as_answering_it(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        for name in ("alice", "bruno", "chloe"):
            await h.join(name)
        await h.command("camille", "icebreaker now")
        ref = question_ref(h)

        await h.react("alice", ref, "👍")
        await h.react("alice", ref, "🎉")  # a second emoji is still one answer
        await h.react("bruno", ref, "❤️")
        await h.react("chloe", MessageRef(ref.platform, ref.channel_id, "not-a-question"), "👍")

        status = (await h.command("alice", "icebreaker status")).replies[0].plain()
        assert "Answers by reaction: 2 members reacted to it." in status

        await h.react("bruno", ref, "❤️", added=False)
        await h.react("alice", ref, "👍", added=False)  # alice's 🎉 stays: she still answered
        status = (await h.command("alice", "icebreaker status")).replies[0].plain()
        assert "Answers by reaction: 1 member reacted to it." in status

        assert h.database is not None
        async with h.database.transaction() as session:
            rows = (await session.scalars(select(IcebreakerReaction))).all()
            assert [r.emoji for r in rows] == ["🎉"]


async def test_a_question_nobody_reacted_to_shows_no_answer_count(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await h.join("alice")
        await h.command("camille", "icebreaker now")
        status = (await h.command("alice", "icebreaker status")).replies[0].plain()
        assert "Answers by reaction" not in status


async def test_the_health_counters_count_on_the_database(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await h.join("alice")
        since = h.clock.now() - timedelta(days=1)
        await h.command("camille", "icebreaker now")
        await h.command("alice", 'icebreaker suggest question="What did you learn this week?"')
        await h.command("camille", 'icebreaker add question="Which tool could you not live without?"')
        await h.react("alice", question_ref(h), "👍")
        await h.react("camille", question_ref(h), "👍")
        cid = await community_id(h)
        assert h.database is not None
        async with h.database.transaction() as session:
            assert await health_figure(session, "icebreakers_asked", cid, since) == 1
            assert (
                await health_figure(session, "icebreakers_suggested", cid, since) == 1
            )  # camille's addition is not a suggestion
            assert await health_figure(session, "icebreakers_reactions", cid, since) == 2
            assert (
                await health_figure(session, "icebreakers_asked", cid, h.clock.now() + timedelta(hours=1))
                == 0
            )
        labels = {step.key: step.label for step in IcebreakersFeature.health}
        assert labels == {
            "icebreakers_asked": "icebreaker questions asked",
            "icebreakers_suggested": "questions suggested by members",
            "icebreakers_reactions": "answers by reaction",
        }


def test_every_table_naming_a_member_is_declared() -> None:
    declared = {(d.tablename, d.member) for d in IcebreakersFeature.personal_data}
    assert declared == {
        ("icebreaker_questions", "suggested_by"),
        ("icebreaker_questions", "decided_by"),
        ("icebreaker_reactions", "member_id"),
    }
    assert all(isinstance(d, PersonalData) for d in IcebreakersFeature.personal_data)
    assert IcebreakerQuestion.__tablename__ == "icebreaker_questions"


async def test_the_schedule_is_declared_and_reconciled_by_the_core(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, channels={"announcements": "announcements"}) as h:
        await h.join("alice")
        assert h.database is not None
        async with h.database.transaction() as session:
            # Only the announcements channel: questions wait for an animator to start them.
            assert (await session.scalars(select(Schedule).where(Schedule.kind == "icebreaker"))).all() == []
        await h.command("camille", 'icebreaker schedule rule="0 10 * * wed"')
        await h.restart()  # the core reconciles at start: the schedule an animator started stays on
        async with h.database.transaction() as session:
            [row] = (await session.scalars(select(Schedule).where(Schedule.kind == "icebreaker"))).all()
            assert (row.kind, row.cron, row.paused) == ("icebreaker", "0 10 * * wed", False)
        await h.advance(days=3)
        assert len(h.chat.posts("announcements")) == 1
