"""200 members answering the same poll at once: every answer is counted, once, on SQLite and on PostgreSQL.

The events go through ``Agora.dispatch`` together (``asyncio.gather``), each with its own delivery id, as a busy
channel would send them; the same deliveries replayed change nothing."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.console import ConsoleCommunity
from bot.clock import FakeClock
from bot.events import ButtonPressed, MemberRef
from storage.database import Database
from storage.models import Acknowledgement, Charter, Community, Member
from storage.tables.meetings import Meeting, MeetingPoll, PollAnswer, PollOption
from tests.support import make_config

MEMBERS = 200
PG_URL = os.environ.get("AGORA_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each kind (PostgreSQL in a database of its own, not to disturb other suites)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
        return
    if not PG_URL:
        pytest.skip(
            "PostgreSQL not configured: set AGORA_TEST_DATABASE_URL to run the concurrency test on it"
        )
    base = make_url(PG_URL)
    name = f"{base.database}_meetings"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        if not await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await database.close()
    yield url


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


async def a_poll(h: ConsoleCommunity) -> tuple[int, int]:
    await h.command("camille", "meeting poll")
    await h.submit(
        "camille",
        "meeting_poll",
        {"title": "General assembly", "options": "2026-12-03 18:00\n2026-12-10 18:00", "capacity": ""},
    )
    assert h.database is not None
    async with h.database.transaction() as session:
        first, second = (await session.scalars(select(PollOption.id).order_by(PollOption.position))).all()
    return first, second


def votes(h: ConsoleCommunity, first: int, second: int) -> list[ButtonPressed]:
    """Every member says yes to the first date and if-need-be to the second."""
    return [
        ButtonPressed(
            community=h.ref,
            actor=MemberRef("console", f"member-{i}", f"Member {i}"),
            action="meeting:vote",
            ref=f"{option}.{choice}",
            delivery_id=f"console:vote:{i}:{option}",
        )
        for option, choice in ((first, "yes"), (second, "maybe"))
        for i in range(MEMBERS)
    ]


async def counts(h: ConsoleCommunity) -> dict[str, int]:
    assert h.database is not None
    async with h.database.transaction() as session:
        rows = await session.execute(
            select(PollAnswer.choice, func.count(PollAnswer.id)).group_by(PollAnswer.choice)
        )
        return {choice: number for choice, number in rows.all()}


@pytest.mark.slow
async def test_200_members_answering_at_once_are_all_counted(url: str) -> None:
    h = ConsoleCommunity(
        make_config("en", url, meetings={"nudge_after": "off"}),
        animators={"camille"},
        clock=FakeClock(paris(2026, 11, 23, 9, 0)),
    )
    async with h:
        assert h.app is not None
        first, second = await a_poll(h)
        events = votes(h, first, second)

        outcomes = await asyncio.gather(*(h.app.dispatch(event) for event in events))
        assert [o.error for o in outcomes] == [None] * len(events)
        assert not any(o.duplicate for o in outcomes)
        replayed = await asyncio.gather(*(h.app.dispatch(event) for event in events[:50]))
        assert all(o.duplicate for o in replayed)
        await h.app.settle()

        assert await counts(h) == {"yes": MEMBERS, "maybe": MEMBERS}
        post = next(
            s for s in h.chat.posts("announcements") if s.message and s.message.title == "General assembly"
        )
        assert post.ref is not None
        tally = h.chat.current[post.ref.id]
        assert tally.fields[0].value.startswith(f"✅ {MEMBERS} · 🤔 0 · ❌ 0")
        assert tally.fields[1].value.startswith(f"✅ 0 · 🤔 {MEMBERS} · ❌ 0")

        await h.advance(days=3)
        async with h.database.transaction() as session:  # type: ignore[union-attr]
            [meeting] = (await session.scalars(select(Meeting))).all()
        assert meeting.starts_at == paris(2026, 12, 3, 18, 0)
        told = {
            s.to
            for s in h.chat.sent
            if s.kind == "dm" and s.message and s.message.title == "The date is set: General assembly"
        }
        assert len(told) == MEMBERS


@pytest.mark.slow
async def test_the_poll_closes_once_when_the_last_of_200_members_answers(url: str) -> None:
    h = ConsoleCommunity(
        make_config("en", url, meetings={"nudge_after": "off"}),
        animators={"camille"},
        clock=FakeClock(paris(2026, 11, 23, 9, 0)),
    )
    async with h:
        assert h.app is not None and h.database is not None
        first, second = await a_poll(h)
        # 200 members who accepted the charter: the poll waits for every one of them.
        async with h.database.transaction() as session:
            community = await session.scalar(select(Community))
            charter = await session.scalar(select(Charter))
            assert community is not None and charter is not None
            people = [
                Member(
                    community_id=community.id,
                    external_id=f"member-{i}",
                    display_name=f"Member {i}",
                    joined_at=h.clock.now(),
                )
                for i in range(MEMBERS)
            ]
            session.add_all(people)
            await session.flush()
            session.add_all(
                Acknowledgement(
                    community_id=community.id,
                    member_id=m.id,
                    charter_id=charter.id,
                    accepted_at=h.clock.now(),
                )
                for m in people
            )

        outcomes = await asyncio.gather(*(h.app.dispatch(event) for event in votes(h, first, second)))
        await h.app.settle()

        assert [o.error for o in outcomes] == [None] * (2 * MEMBERS)
        closing = [o for o in outcomes if any("Everyone has answered" in r.text for r in o.replies)]
        assert len(closing) == 1
        assert await counts(h) == {"yes": MEMBERS, "maybe": MEMBERS}
        async with h.database.transaction() as session:
            [poll] = (await session.scalars(select(MeetingPoll))).all()
            meetings = (await session.scalars(select(Meeting))).all()
        assert poll.status == "closed" and len(meetings) == 1
