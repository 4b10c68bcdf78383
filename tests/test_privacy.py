"""Privacy on the console: a member's page, the export (JSON and summary by DM), the erase (with a scan of every
table for what identified them, including what waits: a round being planned for an animator), retention after
leaving, and the animators' status page."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.console import ConsoleCommunity
from bot.features.privacy.render import ERASE_CONFIRM
from storage.database import Database
from storage.models import Acknowledgement, OutboxEntry
from storage.tables.debates import DebateStance
from storage.tables.meetings import Rsvp
from tests.every_feature import PROFILE, privacy_community, uses_every_feature
from tests.support import (
    OPTIONS,
    Watched,
    introduce,
    make_config,
    open_poll,
    pressed,
    rounds_and_groups,
    thirty_six_join,
    traces_in,
    typed,
)

PG_URL = os.environ.get("AGORA_TEST_DATABASE_URL")


EVERYTHING_ALICE_DID = {
    "Who you are here: your platform id, the name you go by, when you joined and left, the language you read "
    "Agora in and your time zone (as you chose them or your platform says)",
    "Which versions of the charter you accepted, and when",
    "When you were asked to accept the charter, reminded, or said “not now”",
    "The amendments you proposed, and why",
    "Your votes on amendments",
    "Your introduction: what you do, where, your interests, what you offer and look for",
    "Your first steps: when you joined, accepted the charter, were invited and reminded",
    "Your positions in debates",
    "Whether you volunteer to lead debates",
    "The debate motions you proposed",
    "Your meeting preferences: time zone and reminders",
    "Your answers to meeting invitations (going, maybe, not going)",
    "The mission cards you drew",
    "Your answers to date polls",
    "Whether you take part in the grouping rounds, your snoozes and pauses",
    "The members you asked never to be grouped with (private: only you see them)",
    "Your groups in the rounds and your answers to “Did you meet?”",
    "The round groups you were captain of",
    "The icebreaker questions you suggested",
    "Your reactions to icebreaker questions",
}


async def counts(h: ConsoleCommunity) -> list[int]:
    """The aggregates an erasure keeps: a debate's positions, a meeting's answers, the charter's acceptances."""
    assert h.database is not None
    async with h.database.transaction() as session:
        return [
            len((await session.scalars(select(model))).all())
            for model in (DebateStance, Rsvp, Acknowledgement)
        ]


async def traces_of(h: ConsoleCommunity, needles: list[str]) -> list[tuple[str, str, str]]:
    assert h.database is not None
    return await traces_in(h.database, needles)


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[..., ConsoleCommunity]]:
    """``make_harness`` on SQLite, then on PostgreSQL (a database of its own, emptied first)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    else:
        if not PG_URL:
            pytest.skip("PostgreSQL not configured: set AGORA_TEST_DATABASE_URL")
        base = make_url(PG_URL)
        name = f"{base.database}_privacy"
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

    def make(locale: str = "en", **community: object) -> ConsoleCommunity:
        return ConsoleCommunity(make_config(locale, url, **community), animators={"camille"})

    yield make


async def test_export_then_erase_leaves_no_trace(any_database: Callable[..., ConsoleCommunity]) -> None:
    async with privacy_community(any_database) as h:
        await uses_every_feature(h, "alice")
        needles = ["alice", *PROFILE.values()]
        assert await traces_of(h, needles)  # the story has left traces to erase

        page = (await h.command("alice", "privacy")).replies[0]
        assert page.title == "Your data"
        assert [b.label for b in page.buttons] == ["Export my data", "Erase my data"]
        fields = {f.name: f.value for f in page.fields}
        assert "Your introduction" in fields["Introductions"]

        await h.press("alice", "Export my data")
        export = h.chat.dms("alice")[-1].message
        assert export is not None and export.title == "Your data"
        data = json.loads(export.attachments[0].content)
        what = {entry["what"]: entry["entries"] for entry in data["data"]}
        assert set(what) == EVERYTHING_ALICE_DID
        [profile] = what["Your introduction: what you do, where, your interests, what you offer and look for"]
        assert profile["what"] == PROFILE["what"] and profile["introduced at"].startswith("20")
        assert "Potière" in export.attachments[1].content

        before = await counts(h)
        confirm = (await h.press("alice", "Erase my data")).replies[0]
        assert "cannot be undone" in confirm.text
        done = await h.press("alice", "Yes, erase my data")
        assert done.replies[0].text.startswith("Done: your data is erased")

        assert await traces_of(h, needles) == []
        assert await counts(h) == before == [1, 1, 3]
        deleted = [s for s in h.chat.sent if s.kind == "delete"]
        assert len(deleted) == 1  # the introduction post


async def test_a_member_who_left_is_erased_after_the_retention(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with privacy_community(make_harness, privacy={"retention_after_leaving": "30d"}) as h:
        await introduce(h, "bob")
        await introduce(h, "alice", **PROFILE)
        await h.leave("alice")
        status = (await h.command("camille", "privacy status")).replies[0]
        fields = {f.name: f.value for f in status.fields}
        assert fields["Waiting to be erased"] == "1 member who left is not erased yet."
        assert fields["Retention after leaving"].startswith("30d\n")
        assert "/agora charter export" in fields["Exports that exist"]
        assert (
            "• Your introduction: what you do, where, your interests, what you offer and look for (2)"
            in (fields["Introductions"])
        )

        await h.advance(days=29)
        assert await traces_of(h, ["alice"])  # not yet
        await h.advance(days=2)
        assert await traces_of(h, ["alice", *PROFILE.values()]) == []
        assert [s.kind for s in h.chat.sent].count("delete") == 1
        status = (await h.command("camille", "privacy status")).replies[0]
        fields = {f.name: f.value for f in status.fields}
        assert fields["Waiting to be erased"] == "0 members who left are not erased yet."


async def test_retention_0d_erases_at_once_and_off_keeps(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with privacy_community(make_harness, privacy={"retention_after_leaving": "0d"}) as h:
        await introduce(h, "alice", **PROFILE)
        await h.leave("alice")
        assert await traces_of(h, ["alice", *PROFILE.values()]) == []
        saved = await h.command("camille", "privacy settings retention_after_leaving=off")
        assert saved.error is None, saved.replies
        await introduce(h, "bob")
        await h.leave("bob")
        await h.advance(days=400)
        assert await traces_of(h, ["bob"])


async def test_a_member_who_comes_back_is_not_erased(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with privacy_community(make_harness, privacy={"retention_after_leaving": "2d"}) as h:
        await introduce(h, "alice", **PROFILE)
        await h.leave("alice")
        await h.advance(days=1)
        await h.join("alice")
        await h.advance(days=5)
        assert await traces_of(h, ["Potière"])


async def test_the_outbox_drops_what_waits_for_the_erased_member(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with privacy_community(make_harness) as h:
        await introduce(h, "alice", **PROFILE)
        assert h.app is not None and h.database is not None
        async with h.database.transaction() as session:
            before = await session.scalar(select(func.max(OutboxEntry.id)))
        h.app.chats.clear()  # the platform is away: what is decided now waits in the outbox
        await h.command("camille", "icebreaker now")  # a post for everyone
        await h.command("alice", "privacy")
        await h.press("alice", "Export my data")  # a DM for alice
        await h.press("alice", "Erase my data")
        await h.press("alice", "Yes, erase my data")
        async with h.database.transaction() as session:
            waiting = await session.scalars(
                select(OutboxEntry).where(OutboxEntry.id > before).order_by(OutboxEntry.id)
            )
            statuses = [(e.op, e.status) for e in waiting]
        assert statuses == [("post", "pending"), ("dm", "dropped")]


async def test_posts_redrawn_after_an_erasure_show_nobody_where_the_member_was(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with privacy_community(make_harness) as h:
        await introduce(h, "alice", **PROFILE)
        await introduce(h, "bob")
        await open_poll(h, OPTIONS)
        for who in ("alice", "bob"):
            await h.press(who, "Answer")
            await h.press(who, "✅ 3")
        await h.advance(days=3)  # the poll closes: the meeting is announced
        await h.press("alice", "Going")
        await h.press("bob", "Going")
        await h.command("alice", "privacy")
        await h.press("alice", "Erase my data")
        await h.press("alice", "Yes, erase my data")

        await h.press("bob", "Maybe")  # the announcement is redrawn from what is stored
        going = [m.plain() for m in h.chat.current.values() if "Going (1)" in m.plain()]
        assert going and "Going (1): …" in going[-1]
        assert not [m for m in h.chat.current.values() if "erased:" in m.plain() or "<@>" in m.plain()]


def round_out_dms(h: ConsoleCommunity, name: str) -> list[str]:
    return [d.message.text for d in h.chat.dms(name) if d.message and "Round 1 is out" in d.message.text]


async def test_an_animator_who_erases_their_data_while_their_round_is_planned_leaves_no_trace(
    make_harness: Callable[..., ConsoleCommunity], watched: Watched
) -> None:
    """The plan of a round of 36 takes seconds, outside the community's lock: ysolde, the animator who started
    it, erases her data meanwhile. The round comes out all the same (the members are waiting, its announcement
    tells everyone), its outcome is told to nobody, and nothing stored names her: not the planning timer, not
    the round."""
    h = make_harness("en", rounds={"group_size": 4, "planning_budget": "3s"})
    h.animators.add("ysolde")  # an animator the published charter does not name
    async with h:
        await thirty_six_join(h)
        assert h.app is not None and h.database is not None
        watched.hold()  # the plan is handed back only once she is erased
        started = await h.app.dispatch(typed(h, "ysolde", "round start"))
        assert started.replies[0].text.startswith("Planning round 1:")
        assert await traces_in(h.database, ["ysolde"])  # her member row, while she is still here

        erased = await h.app.dispatch(pressed(h, "ysolde", ERASE_CONFIRM))
        assert erased.replies[0].text.startswith("Done: your data is erased")
        assert await traces_in(h.database, ["ysolde"]) == []  # the round's planning timer included

        watched.release()
        await h.app.settle()
        assert await rounds_and_groups(h) == (1, 9)
        [announcement] = h.chat.posts("announcements")
        assert announcement.text.startswith("Round 1 is out: 36 members in 9 groups")
        assert round_out_dms(h, "ysolde") == []
        assert await traces_in(h.database, ["ysolde"]) == []


async def test_a_round_planned_again_after_a_restart_for_an_erased_animator_names_nobody(
    make_harness: Callable[..., ConsoleCommunity], watched: Watched
) -> None:
    """The process stops while ysolde's round is planned; she erases her data before the planning timer comes
    due. The round is planned again and comes out, and still nothing names her."""
    h = make_harness("en", rounds={"group_size": 4, "planning_budget": "3s"})
    h.animators.add("ysolde")  # an animator the published charter does not name
    async with h:
        await thirty_six_join(h)
        assert h.app is not None and h.database is not None
        command = asyncio.create_task(h.app.dispatch(typed(h, "ysolde", "round start")))
        await watched.computing.wait()
        for task in list(h.app._tasks):  # the process dies while planning
            task.cancel()
        command.cancel()
        await asyncio.gather(command, return_exceptions=True)
        await h.restart()

        await h.command("ysolde", "privacy")
        await h.press("ysolde", "Erase my data")
        await h.press("ysolde", "Yes, erase my data")
        assert await traces_in(h.database, ["ysolde"]) == []

        await h.advance(minutes=2)  # the planning timer comes due: planned again, then out
        assert await rounds_and_groups(h) == (1, 9)
        assert round_out_dms(h, "ysolde") == []
        assert await traces_in(h.database, ["ysolde"]) == []
