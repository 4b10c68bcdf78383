"""Each feature that posts in a channel, when its post fails for good (a read-only channel, through the console):
its state does not move past the post, and whoever acted hears what happened instead of "it is posted"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from storage.models import AmendmentStatus, MeetingPollStatus, OutboxEntry
from storage.tables.charter import Amendment
from storage.tables.meetings import Meeting, MeetingPoll
from storage.tables.rounds import Round, RoundGroup, RoundGroupMember
from tests.support import (
    community,
    introduce,
    members,
    monday_morning,
    open_poll,
    paris,
    profile_of,
    until,
)


@pytest.fixture
async def meetings(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    h = community(make_harness)
    await h.start()
    yield h
    await h.stop()


async def test_a_poll_nobody_can_see_is_cancelled_and_never_fixes_a_date(meetings: ConsoleCommunity) -> None:
    h = meetings
    await members(h, "alice", "bob")
    h.chat.read_only_channels.add("announcements")

    opened = await open_poll(h)

    [reply] = opened.replies
    assert "Poll opened" not in (reply.title or "")
    assert reply.text.startswith("⚠️ I could not post in <#announcements>.")
    assert "The poll “Monthly meetup” is cancelled, since nobody can see it." in reply.text
    assert h.database is not None
    async with h.database.transaction() as session:
        poll = await session.scalar(select(MeetingPoll))
        assert poll is not None and poll.status == MeetingPollStatus.CANCELLED

    await until(h, paris(2026, 12, 4, 9, 0))
    async with h.database.transaction() as session:
        assert (await session.scalars(select(Meeting))).all() == []


async def test_an_introduction_that_cannot_be_posted_stays_in_the_directory_and_the_animators_are_told(
    o: ConsoleCommunity,
) -> None:
    o.chat.read_only_channels.add("introductions")

    await introduce(o, "alice")

    # Alice is not told "your introduction is now in #introductions", nor the animators' part.
    told = [s.message.text for s in o.chat.sent if s.kind == "reply" and s.to == "alice" and s.message]
    assert not any("is now in" in text for text in told)
    assert told[-1] == (
        "The introduction of <@alice> is saved (members find it with /agora members) but was not posted in the "
        "introductions channel."
    )
    profile = await profile_of(o, "alice")
    assert profile is not None and profile.post_entry_id is None
    # The animators hear it, with what to fix, once.
    [notice] = [p.text for p in o.chat.posts("announcements") if p.text.startswith("⚠️")]
    assert notice.startswith(
        "⚠️ I could not post in <#introductions>. Please give me these permissions there: Send Messages."
    )

    # Editing it later does not pretend to update a post that does not exist.
    edited = await o.submit("alice", "intro", {"what": "Alice's new trade"})
    assert "in its post" not in edited.replies[0].text


async def test_an_amendment_nobody_can_vote_on_is_withdrawn(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness("en", charter_rules={"mode": "community"})
    await h.start()
    try:
        for name in ("alice", "bob"):
            await h.join(name)
            await h.press(name, "I accept the charter")
        h.chat.read_only_channels.add("announcements")

        opened = await h.command("alice", "charter propose rights")
        assert opened.form is not None
        submitted = await h.submit(
            "alice", opened.form.id, {"text": "Leave at any time", "reason": "Freedom."}, ref=opened.form.ref
        )

        text = submitted.replies[0].text
        assert "is open for votes" not in text
        assert text.startswith("Amendment #1 is withdrawn, since nobody could vote on it.")
        assert h.database is not None
        async with h.database.transaction() as session:
            amendment = await session.scalar(select(Amendment))
            assert amendment is not None and amendment.status == AmendmentStatus.WITHDRAWN
            [post] = (
                await session.scalars(select(OutboxEntry).where(OutboxEntry.origin == "amendment"))
            ).all()
            # A member acted: the animators are the ones named as told, not her.
            assert post.actor_id is None
    finally:
        await h.stop()


async def test_a_meeting_whose_announcement_fails_keeps_no_post_to_update(meetings: ConsoleCommunity) -> None:
    h = meetings
    await members(h, "alice", "bob")
    await open_poll(h)
    h.chat.read_only_channels.add("announcements")  # from now on: the poll was posted, its result can't be

    for name, choices in (("alice", ("✅ 1", "✅ 2", "❌ 3")), ("bob", ("❌ 1", "✅ 2", "🤔 3"))):
        await h.press(name, "Answer")
        for choice in choices:
            await h.press(name, choice)

    assert h.database is not None
    async with h.database.transaction() as session:
        [meeting] = (await session.scalars(select(Meeting))).all()
        [failed] = (
            await session.scalars(
                select(OutboxEntry).where(OutboxEntry.origin == "meeting", OutboxEntry.op == "post")
            )
        ).all()
    assert failed.status == "failed" and meeting.announcement_entry_id is None
    # Those who answered the poll still got the date, with the buttons, by direct message.
    assert any("Will you come?" in s.text for s in h.chat.dms("alice"))


async def test_a_round_group_whose_conversation_cannot_be_opened_is_taken_out_of_the_round(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness("en")
    monday_morning(h)
    async with h:
        for name in ("alice", "bob", "chloe", "dan"):
            await h.command(name, "round join")
        h.chat.read_only_channels.add("announcements")  # where the groups' private threads open

        await h.advance(days=1)  # Monday 9:00: the weekly round

        assert h.database is not None
        async with h.database.transaction() as session:
            assert len((await session.scalars(select(Round))).all()) == 1
            # Nobody is asked "Did you meet?", and nobody counts as having met.
            assert (await session.scalars(select(RoundGroupMember))).all() == []
            assert (await session.scalars(select(RoundGroup))).all() == []
