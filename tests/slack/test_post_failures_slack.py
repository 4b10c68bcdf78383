"""Posts on Slack that the platform refuses: the bot joins a public channel it isn't in by itself, and a post it
can't make for good (a private channel it was not invited to, an archived one) rolls the feature back and is told
to the animator who acted, truthfully, instead of "Debate #1 is open"."""

from __future__ import annotations

from sqlalchemy import select

from bot.features.debates import DebatesFeature
from storage.models import OutboxStatus
from storage.tables.debates import Debate
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import CAMILLE, INTROS, TIMEOUT, WELCOME, BedFactory, texts

OFFTOPIC = "C0OFFTOPIC"
CHANNELS = {"welcome": WELCOME, "introductions": INTROS, "debates": OFFTOPIC}


async def test_a_debate_in_a_public_channel_the_bot_is_not_in_joins_it_and_posts(
    bed: BedFactory, fake: FakeSlack
) -> None:
    fake.add_channel(OFFTOPIC, "offtopic", members=[CAMILLE], bot_member=False)
    async with bed(features=[DebatesFeature()], channels=CHANNELS) as b:
        await b.send(fake.slash_command(CAMILLE, "debate start motion=remote-networks", channel_id=OFFTOPIC))
        answer = await fake.wait_for_response(timeout=TIMEOUT)
        assert answer.body["text"].startswith(f"Debate #1 is open in <#{OFFTOPIC}> until")
        await b.settle()

        [joined] = fake.calls_to("conversations.join")
        assert joined.args["channel"] == OFFTOPIC
        assert fake.bot_user_id in fake.channels[OFFTOPIC].members
        posted = [m for m in fake.messages[OFFTOPIC] if m.get("thread_ts", m["ts"]) == m["ts"]]
        assert len(posted) == 1 and "Remote work weakens professional networks" in posted[0]["text"]
        assert [e.status for e in await b.outbox("post")] == [OutboxStatus.SENT, OutboxStatus.SENT]


async def test_a_debate_in_a_private_channel_the_bot_was_not_invited_to_is_not_open(
    bed: BedFactory, fake: FakeSlack
) -> None:
    fake.add_channel(OFFTOPIC, "secret", members=[CAMILLE], is_private=True, bot_member=False)
    async with bed(features=[DebatesFeature()], channels=CHANNELS) as b:
        await b.send(fake.slash_command(CAMILLE, "debate start motion=remote-networks", channel_id=WELCOME))
        answer = await fake.wait_for_response(timeout=TIMEOUT)
        await b.settle()

        # Told at once, in the answer they were waiting for: not "open", but why, and what it changed.
        text = answer.body["text"]
        assert "is open" not in text
        assert text.startswith(
            f"⚠️ I could not post in <#{OFFTOPIC}>. It is a private channel I am not in (or it no longer "
            "exists): invite me to it, or choose another one."
        )
        assert "Debate #1 (“Remote work weakens professional networks.”) is not open" in text
        assert fake.messages[OFFTOPIC] == []
        # Told once: no direct message on top of the answer.
        assert fake.calls_to("conversations.open") == []

        async with b.database.transaction() as session:
            debate = await session.scalar(select(Debate))
        assert debate is not None and debate.status == "unposted"
        # The thread under the post that never was is dropped, not reported a second time.
        statuses = [e.status for e in await b.outbox("post")]
        assert statuses == [OutboxStatus.FAILED, OutboxStatus.SUPERSEDED]

        # Nothing open for members either.
        before = len(fake.responses)
        await b.send(fake.slash_command(CAMILLE, "debate status", channel_id=WELCOME))
        shown = (await fake.wait_for_response(since=before, timeout=TIMEOUT)).body["text"]
        assert "#1" not in shown
        before = len(fake.responses)
        await b.send(fake.slash_command(CAMILLE, "debate close debate=1", channel_id=WELCOME))
        shown = (await fake.wait_for_response(since=before, timeout=TIMEOUT)).body["text"]
        assert shown.startswith("Debate #1 never opened: I could not post it.")


async def test_setup_says_at_once_that_the_bot_is_not_in_a_private_channel_and_joins_a_public_one(
    bed: BedFactory, fake: FakeSlack
) -> None:
    fake.add_channel(OFFTOPIC, "offtopic", members=[CAMILLE], bot_member=False)
    fake.add_channel("C0SECRET01", "secret", members=[CAMILLE], is_private=True, bot_member=False)
    async with bed() as b:
        await b.send(
            fake.slash_command(
                CAMILLE,
                f"setup debates_channel=<#{OFFTOPIC}> icebreakers_channel=<#C0SECRET01>",
                channel_id=WELCOME,
            )
        )
        answer = (await fake.wait_for_response(timeout=TIMEOUT)).body
        shown = texts(answer["blocks"])
        assert (
            "⚠️ <#C0SECRET01>: It is a private channel I am not in (or it no longer exists): invite me to it, "
            "or choose another one." in shown
        )
        assert f"<#{OFFTOPIC}>:" not in shown
        # The public one, it joined at once: the first debate does not wait on that.
        assert [c.args["channel"] for c in fake.calls_to("conversations.join")] == [OFFTOPIC]
        await b.settle()
