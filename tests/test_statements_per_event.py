"""What an event costs the database, counted: SQL statements and commits from the dispatch to the end of the
outbox's delivery (``storage.counting``). A count, not a timing, so it holds on any machine: it keeps round trips
that were taken out (the community and its settings read on every event, the de-duplication's read before its
insert, the same member looked up twice, the outbox read again after its own commit, the waiting updates of a
post read before a new one, a poll read apart from its option and answers, the lookups for a member first seen
now, a timer read before it is set) from creeping back.

Targets of issue 12: a button press in 6 statements or fewer and 2 commits, delivery included; a join in 10 (it
takes 9)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.events import ButtonPressed
from storage.counting import Statements
from storage.tables.meetings import PollOption

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "debates": "debates"}


async def counted(h: ConsoleCommunity, act: Callable[[], object]) -> Statements:
    assert h.database is not None
    with Statements(h.database) as count:
        await act()  # type: ignore[misc]
    return count


def press(h: ConsoleCommunity, who: str, action: str, ref: str, delivery: str) -> Callable[[], object]:
    event = ButtonPressed(community=h.ref, actor=h.member(who), action=action, ref=ref, delivery_id=delivery)
    return lambda: h.deliver(event)


async def test_a_button_press_and_a_join_cost_a_few_statements_and_two_commits(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness("en", channels=CHANNELS, meetings={"nudge_after": "off"})
    await h.start()
    try:
        await h.join("alice")
        await h.command("camille", "debate start motion=remote-networks duration=2d")
        await h.command("camille", "meeting poll")
        await h.submit(
            "camille", "meeting_poll", {"title": "Drinks", "options": "2026-12-03 18:00\n2026-12-10 18:00"}
        )
        assert h.database is not None
        async with h.database.transaction() as session:
            option = (await session.scalars(select(PollOption.id).order_by(PollOption.position))).first()

        joined = await counted(h, lambda: h.join("bob"))
        took = await counted(h, press(h, "bob", "debate:take", "1.0", "take-1"))
        answered = await counted(h, press(h, "bob", "meeting:vote", f"{option}.yes", "vote-1"))
        again = await counted(h, press(h, "bob", "meeting:vote", f"{option}.yes", "vote-1"))

        # The press's post was updated, the answer's tally too: delivery included in the count.
        assert h.chat.posts("debates") and h.chat.posts("announcements")
        # Each bound on its own (a pair compared as a tuple would let 5 statements and 9 commits pass).
        assert took.statements <= 6 and took.commits == 2, "\n".join(took.log)
        assert answered.statements <= 6 and answered.commits == 2, "\n".join(answered.log)
        assert joined.statements <= 9 and joined.commits == 2, "\n".join(joined.log)
        # A duplicate delivery: one statement, nothing else read.
        assert (again.statements, again.commits) == (1, 1), "\n".join(again.log)
    finally:
        await h.stop()
