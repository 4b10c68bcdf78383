"""The outbox: what must not be lost is delivered after the commit, retried, and survives restarts."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.chat import ChannelRef, MessageRef, PermanentChatError, TransientChatError
from bot.messages import Message
from bot.outbox import MARK_EVERY, MAX_ATTEMPTS, backoff
from storage.models import Community, OutboxEntry
from tests.support import record_posts


async def entries(h: ConsoleCommunity) -> list[OutboxEntry]:
    assert h.database is not None
    async with h.database.transaction() as session:
        return list((await session.scalars(select(OutboxEntry).order_by(OutboxEntry.id))).all())


async def record_post(h: ConsoleCommunity, channel: str, text: str) -> None:
    """Write a pending post straight into the outbox, as a handler's transaction would."""
    assert h.database is not None
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        session.add(
            OutboxEntry(
                community_id=community.id,
                op="post",
                payload={"channel": channel, "message": Message(text).to_dict()},
                next_attempt_at=h.clock.now(),
                created_at=h.clock.now(),
            )
        )


async def test_a_delivery_that_fails_twice_then_succeeds_is_delivered_exactly_once(
    h: ConsoleCommunity,
) -> None:
    h.chat.failures = [TransientChatError("502 from the platform"), TransientChatError("timeout")]

    await h.join("alice")
    assert h.chat.dms("alice") == []
    [entry] = await entries(h)
    assert entry.status == "pending" and entry.attempts == 1

    await h.advance(seconds=4)
    assert h.chat.dms("alice") == []  # still waiting out the back-off
    await h.advance(seconds=20)

    assert len(h.chat.dms("alice")) == 1
    [entry] = await entries(h)
    assert entry.status == "sent" and entry.attempts == 3
    await h.advance(hours=2)
    assert len(h.chat.dms("alice")) == 1


async def test_an_undelivered_post_survives_a_restart(h: ConsoleCommunity) -> None:
    h.chat.failures = [TransientChatError("platform down")]
    await h.join("alice")
    await h.stop()
    await h.start()
    await h.advance(seconds=10)
    assert len(h.chat.dms("alice")) == 1


async def test_a_post_recorded_but_never_attempted_is_delivered_at_start(h: ConsoleCommunity) -> None:
    await h.join("alice")  # makes the community
    await h.stop()
    await h.start()
    await record_post(h, "announcements", "Meeting moved to Thursday")  # as if we crashed right after commit
    await h.restart()
    assert [p.text for p in h.chat.posts("announcements")] == ["Meeting moved to Thursday"]


async def test_a_post_that_will_never_succeed_is_recorded_logged_once_and_blocks_nothing(
    h: ConsoleCommunity, caplog: pytest.LogCaptureFixture
) -> None:
    await h.join("alice")
    h.chat.deleted_channels.add("gone")
    await record_post(h, "gone", "to a deleted channel")
    await record_post(h, "announcements", "to a live channel")

    with caplog.at_level(logging.WARNING, logger="agora.outbox"):
        await h.restart()
        await h.advance(days=1)

    statuses = [(e.payload.get("channel"), e.status) for e in await entries(h)][-3:]
    assert statuses == [("gone", "failed"), ("announcements", "sent"), ("announcements", "sent")]
    failed = next(e for e in await entries(h) if e.status == "failed")
    assert "unknown channel gone" in (failed.last_error or "")
    assert failed.problem == "not_found"
    assert len([r for r in caplog.records if "failed for good" in r.getMessage()]) == 1
    # Nobody acted (the post was the bot's own): the animators are told in the announcements channel, once.
    live, notice = [p.text for p in h.chat.posts("announcements")]
    assert live == "to a live channel"
    assert notice.startswith("⚠️ I could not post in <#gone>. It no longer exists: choose another one.")


async def test_a_member_whose_dms_are_closed_is_welcomed_in_a_private_thread(h: ConsoleCommunity) -> None:
    h.chat.closed_dms.add("alice")
    await h.join("alice")

    [group] = [s for s in h.chat.sent if s.kind == "group"]
    assert group.visible_to == {"alice"}
    [welcome] = h.chat.posts(group.to)
    assert welcome.message is not None and welcome.message.buttons[0].label == "I accept the charter"
    [entry] = await entries(h)
    assert (
        entry.status == "sent" and entry.result is not None and entry.result["fallback"] == "private_thread"
    )

    outcome = await h.press("alice", "I accept the charter")
    assert outcome.replies[0].text.startswith("Thank you!")


async def test_a_platform_that_keeps_failing_is_given_up_on_after_many_tries(h: ConsoleCommunity) -> None:
    h.chat.failures = [TransientChatError("down")] * (MAX_ATTEMPTS + 5)
    await h.join("alice")
    await h.advance(days=2)
    entry = (await entries(h))[0]
    assert entry.status == "abandoned" and entry.attempts == MAX_ATTEMPTS


def test_back_off_grows_and_respects_the_platforms_retry_after() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(30).total_seconds() == 3600
    assert backoff(1, retry_after=60).total_seconds() == 60


async def test_a_permanent_error_is_not_retried(h: ConsoleCommunity) -> None:
    h.chat.failures = [PermanentChatError("member left the workspace")]
    await h.join("alice")
    await h.advance(days=1)
    [entry] = await entries(h)
    assert entry.status == "failed" and entry.attempts == 1


class Killed(BaseException):
    """The process dies (a SIGKILL): nothing after it runs, nothing catches it."""


async def test_a_crash_posts_again_at_most_a_few_of_a_long_transactions_messages(
    h: ConsoleCommunity, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One transaction records 25 posts (as a nudge to everyone does); the process dies sending the 15th.
    await h.join("alice")
    assert h.database is not None and h.app is not None
    courier = h.app.courier
    claim = (
        {"claimed_by": courier.worker, "lease_until": h.clock.now() + courier.lease} if courier.claims else {}
    )
    recorded = await record_posts(h, 25, **claim)
    courier.hand(recorded, h.ref)
    post = h.chat.post

    async def dies_at_the_fifteenth(channel: ChannelRef, message: Message) -> MessageRef:
        if len(h.chat.posts("announcements")) == 14:
            raise Killed
        return await post(channel, message)

    monkeypatch.setattr(h.chat, "post", dies_at_the_fifteenth)
    with pytest.raises(Killed):
        await courier.deliver_due(handed_only=True)
    monkeypatch.setattr(h.chat, "post", post)

    # What was posted and not yet marked sent is posted again after the restart: a few messages, not all 14.
    sent = [e for e in await entries(h) if e.op == "post" and e.status == "sent"]
    assert len(sent) >= 14 - MARK_EVERY + 1
    await h.restart()
    texts = [p.text for p in h.chat.posts("announcements")]
    assert sorted(set(texts)) == sorted(f"post {n}" for n in range(25))
    assert len(texts) - 25 == 14 - len(sent) < MARK_EVERY
