"""What the fuzz (``test_fuzz_hypothesis.py``: hypothesis strategies built from each command's declared options
and each form's fields) draws on: the hostile values, a second community whose rows the fuzz aims at, a busy
community for the handlers to reach, and what is recorded (to check that nothing is lost)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from adapters.console.community import ScriptError
from bot.context import Outcome
from bot.events import CommandInvoked, CommunityRef, Event, FormSubmitted, MemberJoined
from storage.models import Acknowledgement, Base, Member
from tests.support import OPTIONS, members

HUGE = ["2147483648", "99999999999", "9223372036854775808", "-2147483649", "1e309", "-1", "0", "１２", "²"]
TEXTS = [
    "x" * 10_000,
    "é" * 2_001,
    "a\x00b",
    "\x00",
    "bell\x07 escape\x1b[31m red \x7f",
    "\u202eevil\u202c",
    "👩\u200d👩\u200d👧\u200d👦" * 300,
    "\ud800 lone surrogate",
    "   ",
    "<@camille> <@&member> <#general> @everyone @here",
    "<script>alert(1)</script> **bold** `code` ||spoiler||",
    "Robert'); DROP TABLE members;--",
    "{value} {option} %s %(name)s {0}",
    "ﬁﬂ Ǆ İ ß ẞ Σ ς",
]
DURATIONS = ["99999999999d", "999999999w", "-3d", "0d", "3d" * 500, "1h30", "1y", "∞", "9" * 400 + "s"]
CRONS = [
    "0 18 * * thu " + "1" * 120,
    "* " * 60,
    "61 25 * * *",
    "*/0 * * * *",
    "0 18 * * thu,fri,sat,sun,mon,tue",
]
TIMEZONES = ["A" * 256, "Europe/" * 60, "../../../etc/passwd", "Europe/Paris\x00", "UTC\n", "Mars/Olympus"]
DATES = [
    "2026-02-30 18:00",
    "9999-12-31 23:59",
    "0001-01-01 00:00",
    "31/31/31",
    "next thursday 25:99",
    "\n\n\n",
]
REFS = ["<@nobody>", "<@" + "9" * 200 + ">", "<@a\x00b>", "<@>", "<#" + "c" * 300 + ">", "<@&x y>", "@"]


def other_community(h: ConsoleCommunity) -> CommunityRef:
    return CommunityRef(h.ref.platform, "elsewhere", "Elsewhere")


async def seed_another_community(h: ConsoleCommunity) -> list[str]:
    """A second community on the same database, with a poll, a debate and a suggestion; the ids of its rows."""
    assert h.app is not None
    ref = other_community(h)
    camille = h.member("camille")
    serial = iter(range(1, 100))

    async def send(event: Event) -> None:
        await h.app.dispatch(event)  # type: ignore[union-attr]

    await send(MemberJoined(community=ref, member=h.member("zoe"), delivery_id=f"elsewhere:{next(serial)}"))
    for name, args in (
        ("icebreaker suggest", {"question": "What did you learn this week?"}),
        ("debate start", {"motion": "Remote work weakens networks", "positions": "Yes\nNo"}),
        ("meeting poll", {}),
    ):
        await send(
            CommandInvoked(
                community=ref, actor=camille, name=name, args=args, delivery_id=f"elsewhere:{next(serial)}"
            )
        )
    await send(
        FormSubmitted(
            community=ref,
            actor=camille,
            form="meeting_poll",
            values={"title": "Elsewhere meetup", "options": OPTIONS, "duration": "2h"},
            delivery_id=f"elsewhere:{next(serial)}",
        )
    )
    rows = await snapshot(h, ref)
    ids = sorted({str(row["id"]) for table in rows.values() for row in table if "id" in row}, key=int)
    assert ids, rows
    return ids


async def snapshot(h: ConsoleCommunity, ref: CommunityRef) -> dict[str, list[dict[str, Any]]]:
    """Every row of the community ``ref``, table by table."""
    assert h.database is not None
    async with h.database.transaction() as session:
        community_id = await session.scalar(
            select(Base.metadata.tables["communities"].c.id).where(
                Base.metadata.tables["communities"].c.external_id == ref.id
            )
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for table in Base.metadata.sorted_tables:
            if "community_id" not in table.c:
                continue
            query = select(table).where(table.c.community_id == community_id)
            if "id" in table.c:
                query = query.order_by(table.c.id)
            out[table.name] = [dict(row._mapping) for row in (await session.execute(query)).all()]
        return out


async def recorded(h: ConsoleCommunity) -> tuple[set[str], set[tuple[int, int]]]:
    """The members of the fuzzed community and their acknowledgements (member id, charter id)."""
    assert h.database is not None
    async with h.database.transaction() as session:
        names = set((await session.scalars(select(Member.external_id))).all())
        acks = {(a.member_id, a.charter_id) for a in (await session.scalars(select(Acknowledgement))).all()}
    return names, acks


async def busy_community(h: ConsoleCommunity, seen: Callable[[Outcome], None]) -> None:
    """Members, a meeting that took place and a poll for the next, a debate, a suggestion, a round, a charter
    open to members' amendments: state for the handlers to reach, and every form opened once."""
    await members(h, "alice", "bob", "dan")
    for name in ("camille", "alice", "bob"):
        await h.command(name, "round join")
    seen(await h.command("camille", "meeting poll"))
    await h.submit("camille", "meeting_poll", {"title": "Monthly meetup", "options": "tomorrow 6pm"})
    await h.command("camille", "meeting close")
    await h.advance(days=2)
    seen(await h.command("camille", "meeting recap"))
    seen(await h.command("camille", "meeting poll"))
    await h.submit("camille", "meeting_poll", {"title": "Next meetup", "options": OPTIONS})
    await h.command("camille", 'debate start motion="A network should co-opt its members" positions="Yes|No"')
    seen(await h.command("alice", "icebreaker suggest"))
    await h.command("alice", 'icebreaker suggest question="What tool saved your week?"')
    await h.command("camille", "round start")
    captain = next(n for n in ("alice", "bob", "camille") if _sees(h, n, "Find a time"))
    seen(await h.press(captain, "Find a time"))
    seen(await h.command("camille", "charter edit"))
    await h.command("camille", "charter rules mode=community")
    for section in ("objective", "animators", "rights", "duties"):
        seen(await h.command("alice", f"charter propose section={section}"))
    seen(await h.press("dan", "onboarding:introduce"))
    seen(await h.command("alice", "ask"))
    await h.submit("alice", "help:ask", {"need": "a hand with my accounts", "visibility": "public"})
    seen(await h.press("bob", "help:knows"))
    await h.command("alice", "asks")
    seen(await h.press("alice", "help:solved"))


def _sees(h: ConsoleCommunity, who: str, button: str) -> bool:
    try:
        h.find_button(who, button)
    except ScriptError:
        return False
    return True
