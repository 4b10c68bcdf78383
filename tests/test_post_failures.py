"""Posts that fail for good, through the console: /agora setup says at once when the bot can't post in a channel
it is given; a scheduled post that fails rolls its feature back and the animators are told once (nobody waits
for an answer: in the announcements channel); /agora status and /healthz list the failures of the last 24 hours.
The adapters' end-to-end tests (tests/slack, tests/discord) show the same on each platform."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.chat import MissingPermission, Problem, TransientChatError
from bot.health import HealthServer
from bot.messages import Message
from storage.models import Community, OutboxEntry, OutboxStatus
from tests.support import asked


async def test_setup_says_at_once_which_channel_the_bot_cannot_post_in(h: ConsoleCommunity) -> None:
    h.chat.read_only_channels.add("read-only")

    outcome = await h.command("camille", "setup icebreakers_channel=read-only debates_channel=offtopic")

    [reply] = outcome.replies
    access = next(f for f in reply.fields if f.name == "Access")
    assert access.value == "⚠️ <#read-only>: Please give me these permissions there: Send Messages."
    # Saved all the same: the animators may fix the access afterwards.
    assert "• icebreakers: <#read-only>" in reply.plain()

    fine = await h.command("camille", "setup debates_channel=offtopic")
    access = next(f for f in fine.replies[0].fields if f.name == "Access")
    assert access.value == "✅ I can do my work in the channels you chose."


async def test_a_scheduled_question_that_cannot_be_posted_is_not_asked_and_the_animators_are_told_once(
    h: ConsoleCommunity,
) -> None:
    await h.command("camille", "setup icebreakers_channel=read-only announcements_channel=announcements")
    await h.command("camille", "icebreaker schedule rule=0 9 * * *")
    h.chat.read_only_channels.add("read-only")

    await h.advance(days=1)

    assert await asked(h) == []
    [notice] = [p.text for p in h.chat.posts("announcements")]
    assert notice.startswith(
        "⚠️ I could not post in <#read-only>. Please give me these permissions there: Send Messages."
    )
    assert "was not asked: it goes back among the questions to ask." in notice

    # Animators see it in /agora status; members can't ask for it.
    status = (await h.command("camille", "status")).replies[0]
    failed = next(f for f in status.fields if f.name == "Failed for good in the last 24 hours")
    assert "<#read-only>: Please give me these permissions there: Send Messages." in failed.value
    refused = await h.command("alice", "status")
    assert refused.replies[0].text.startswith("Only the animators of this community can do that.")

    # A day later, it is no longer "lately".
    h.chat.read_only_channels.clear()
    await h.advance(days=1, hours=1)
    status = (await h.command("camille", "status")).replies[0]
    failed = next(f for f in status.fields if f.name == "Failed for good in the last 24 hours")
    assert failed.value == "Nothing: every post went out."


async def test_healthz_lists_the_posts_that_failed_for_good_in_the_last_24_hours(h: ConsoleCommunity) -> None:
    await h.command("camille", "setup icebreakers_channel=gone")
    h.chat.deleted_channels.add("gone")
    await h.command("camille", "icebreaker now")
    await h.command("camille", "icebreaker pause")

    assert h.app is not None
    server = HealthServer(h.app, "127.0.0.1", 0, {})
    port = await server.start()
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as got:
            status, body = got.status, await got.json()
        assert status == 200  # a channel the community must fix is not the bot's ill health
        failed = body["outbox_failed_24h"]
        assert failed["count"] == 1
        [latest] = failed["latest"]
        assert (latest["op"], latest["channel"], latest["origin"], latest["problems"]) == (
            "post",
            "gone",
            "icebreaker",
            ["not_found"],
        )

        await h.advance(timedelta(hours=25))
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as got:
            assert (await got.json())["outbox_failed_24h"] == {"count": 0, "latest": []}
    finally:
        await server.stop()


async def test_a_welcome_that_can_reach_the_newcomer_nowhere_is_told_to_the_animators(
    h: ConsoleCommunity,
) -> None:
    h.chat.closed_dms.add("alice")
    h.chat.read_only_channels.add("welcome")

    await h.join("alice")

    [notice] = [p.text for p in h.chat.posts("announcements") if p.text.startswith("⚠️")]
    assert notice.startswith(
        "⚠️ I could not post in <#welcome>. Please give me these permissions there: Create Private Threads."
    )


async def test_a_post_still_on_its_way_is_promised_truthfully_and_its_later_failure_told_by_dm(
    h: ConsoleCommunity,
) -> None:
    await h.command("camille", "setup icebreakers_channel=icebreakers")
    h.chat.failures = [
        TransientChatError("rate limited", retry_after=30),
        MissingPermission("refused", [Problem.SEND_MESSAGES]),
    ]

    outcome = await h.command("camille", "icebreaker now")

    [reply] = outcome.replies
    assert reply.text == (
        "I am posting it in <#icebreakers>; it is taking longer than usual. I will tell you if it fails."
    )
    assert len(await asked(h)) == 1  # on its way: counted until it fails

    await h.advance(seconds=60)

    assert await asked(h) == []
    [dm] = [s.text for s in h.chat.dms("camille") if s.text.startswith("⚠️")]
    assert dm.startswith(
        "⚠️ I could not post in <#icebreakers>. Please give me these permissions there: Send Messages."
    )
    assert "was not asked" in dm


async def test_a_failure_whose_report_a_crash_cut_short_is_reported_once_at_start(
    h: ConsoleCommunity,
) -> None:
    await h.join("alice")  # makes the community
    assert h.database is not None
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        # Recorded failed, then the process died before the feature and the animators heard of it.
        session.add(
            OutboxEntry(
                community_id=community.id,
                op="post",
                payload={"channel": "gone", "message": Message("Hello").to_dict()},
                status=OutboxStatus.FAILED,
                problem="not_found",
                next_attempt_at=h.clock.now(),
                created_at=h.clock.now(),
                done_at=h.clock.now(),
            )
        )

    await h.restart()
    await h.restart()

    notices = [p.text for p in h.chat.posts("announcements") if p.text.startswith("⚠️")]
    assert notices == [
        "⚠️ I could not post in <#gone>. It no longer exists: choose another one.\n"
        "Channels are chosen with /agora setup, which also checks that I can post in them."
    ]
