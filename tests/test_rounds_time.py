"""A captain per group and the group's own date poll, through the console: the captain is asked in the group's
first message, "Find a time" opens a small form, the group answers in its conversation, and the time that suits
it best is posted with an .ics; the next round passes the task on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from adapters.console import ConsoleCommunity
from adapters.console.chat import Sent
from tests.support import everyone_joins, groups_opened, members_of, monday_morning


@pytest.fixture
async def by_hand(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    community = make_harness("en", rounds={"enabled": False})
    monday_morning(community)  # Sunday 5 July 2026, 10:00 in Paris
    await community.start()
    yield community
    await community.stop()


def conversation_posts(h: ConsoleCommunity, opened: Sent) -> list[Sent]:
    return h.chat.posts(opened.to)


async def test_the_captain_finds_a_time_and_the_group_gets_the_invitation(by_hand: ConsoleCommunity) -> None:
    h = by_hand
    await everyone_joins(h, "alice", "bob")
    await h.command("camille", "round start")
    [(opened, first)] = groups_opened(h)
    assert first.message is not None
    assert "<@alice>, you're this round's captain" in first.message.text  # never captain, first to join
    assert [b.label for b in first.message.buttons] == ["Find a time"]

    button, _ = h.find_button("alice", "Find a time")
    asked = await h.press("alice", "Find a time")
    assert asked.form is not None and asked.form.title == "Find a time"
    refused = await h.submit("alice", "rounds:time_poll", {"options": "someday, maybe"}, ref=button.ref)
    assert refused.form_errors and refused.form_errors["options"].startswith("Line 1 (“someday, maybe”)")

    sent = await h.submit(
        "alice", "rounds:time_poll", {"options": "Tuesday 12:30\nThursday 6pm"}, ref=button.ref
    )
    assert sent.error is None, sent
    poll = conversation_posts(h, opened)[-1]
    assert poll.message is not None and poll.message.title == "Find a time"
    assert [b.label for b in poll.message.buttons] == ["✅ 1", "🤔 1", "❌ 1", "✅ 2", "🤔 2", "❌ 2"]
    assert "<@alice> suggests these times" in poll.message.text

    await h.press("alice", "✅ 1")
    await h.press("alice", "❌ 2")
    await h.press("bob", "🤔 1")
    voted = await h.press("bob", "✅ 2")  # everyone answered every time: it is set
    assert voted.update is not None and not voted.update.buttons
    [set_] = [p for p in conversation_posts(h, opened) if p.message and p.message.title == "It's a date!"]
    assert set_.message is not None
    [ics] = set_.message.attachments
    assert ics.filename.endswith(".ics") and "BEGIN:VEVENT" in ics.content
    # Time 1 has a yes and an if-need-be, time 2 a yes and a no: time 1 wins (Tuesday 7 July, 12:30 in Paris).
    assert "DTSTART:20260707T103000Z" in ics.content
    assert "Tuesday 7 July 2026" in set_.message.plain()
    assert members_of(opened) == {"alice", "bob"}

    # The next round, bob is captain: the task goes round.
    await h.command("camille", "round start")
    _opened, second = groups_opened(h)[-1]
    assert second.message is not None and "<@bob>, you're this round's captain" in second.message.text


async def test_a_poll_nobody_answers_closes_on_its_own(by_hand: ConsoleCommunity) -> None:
    h = by_hand
    await everyone_joins(h, "alice", "bob", "chloe")
    await h.command("camille", "round start")
    [(opened, _first)] = groups_opened(h)
    button, _ = h.find_button("alice", "Find a time")
    await h.submit("alice", "rounds:time_poll", {"options": "in 3 days at 10am"}, ref=button.ref)
    await h.press("alice", "✅ 1")
    await h.advance(days=2, hours=1)
    [set_] = [p for p in conversation_posts(h, opened) if p.message and p.message.title == "It's a date!"]
    assert set_.message is not None and set_.message.attachments


async def test_only_the_groups_members_answer_its_poll(by_hand: ConsoleCommunity) -> None:
    from bot.events import ButtonPressed

    h = by_hand
    await everyone_joins(h, "alice", "bob", "chloe", "dan")
    await h.command("camille", "round start")
    opened, first = next((o, f) for o, f in groups_opened(h) if "alice" in members_of(o))
    outsider = sorted({"chloe", "dan", "bob"} - members_of(opened))[0]
    assert first.message is not None
    [button] = first.message.buttons
    outcome = await h.submit(outsider, "rounds:time_poll", {"options": "Tuesday 12:30"}, ref=button.ref)
    assert outcome.replies[0].text == "Only the members of this group can find a time for it."
    await h.submit("alice", "rounds:time_poll", {"options": "Tuesday 12:30"}, ref=button.ref)
    poll = h.chat.posts(opened.to)[-1]
    assert poll.message is not None
    vote = poll.message.buttons[0]
    pressed = await h.deliver(
        ButtonPressed(
            community=h.ref,
            actor=h.member(outsider),
            action=vote.action,
            ref=vote.ref,
            delivery_id="outsider-1",
        ),
        actor=outsider,
    )
    assert pressed.replies[0].text == "Only the members of this group can find a time for it."


async def test_a_poll_the_group_cannot_see_is_dropped_and_the_captain_told(by_hand: ConsoleCommunity) -> None:
    from sqlalchemy import select

    from storage.tables.rounds import RoundPoll

    h = by_hand
    await everyone_joins(h, "alice", "bob")
    await h.command("camille", "round start")
    [(opened, first)] = groups_opened(h)
    assert first.message is not None
    [button] = first.message.buttons
    h.chat.read_only_channels.add(opened.to)  # the conversation no longer takes posts
    sent = await h.submit("alice", "rounds:time_poll", {"options": "Tuesday 12:30"}, ref=button.ref)
    told = [r.plain() for r in sent.replies] + [s.text for s in h.chat.sent]
    assert any("could not be posted in the group's conversation" in t for t in told)
    assert not any(t.startswith("Your times are in the group's conversation") for t in told)
    assert h.database is not None
    async with h.database.transaction() as session:
        poll = await session.scalar(select(RoundPoll))
        assert poll is not None and poll.status == "failed"
    await h.advance(days=3)
    assert not [p for p in h.chat.sent if p.message and p.message.title == "It's a date!"]
