"""Grouping rounds on Slack, end to end: the real slack-bolt against the loopback Slack fake (the bed of
``tests/slack/conftest.py``). Two members opt in by slash command, an animator starts a round, the group
gets a group DM (conversations.open with both, then its introduction in Block Kit), and three days later (virtual
clock) each member is asked once by DM whether they met; a press records the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.features.rounds import RoundsFeature
from storage.models import Member
from storage.tables.rounds import RoundGroupMember
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import ALICE, BOB, CAMILLE, TIMEOUT, BedFactory, buttons, texts


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_round_on_slack_opens_a_group_dm_and_asks_did_you_meet(
    bed: BedFactory,
    fake: FakeSlack,
    mode: str,
) -> None:
    async with bed(mode, features=[RoundsFeature()]) as b:
        for user in (ALICE, BOB):
            since = len(fake.responses)
            await b.send(fake.slash_command(user, "round join"))
            joined = await fake.wait_for_response(since=since, timeout=TIMEOUT)
            assert joined.body["response_type"] == "ephemeral"
            assert joined.body["text"].startswith("You're in! At each round I'll put you in a small group")
            await b.settle()

        mark = fake.mark()
        since = len(fake.responses)
        await b.send(fake.slash_command(CAMILLE, "round start"))
        started = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert started.body["text"] == "Round 1 is out: 2 members in 1 group."

        # The group: a group DM with both members, opened with their introductions and a starter.
        opened = await fake.wait_for_call(
            "conversations.open", lambda c: "," in str(c.args.get("users", "")), TIMEOUT, since=mark
        )
        assert set(str(opened.args["users"]).split(",")) == {ALICE, BOB}
        posted = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: "Round 1: meet each other" in c.args.get("text", ""),
            TIMEOUT,
            since=mark,
        )
        shown = texts(posted.args["blocks"])
        assert f"<@{ALICE}>" in posted.args["text"] and f"<@{BOB}>" in posted.args["text"]
        assert "To get the conversation going" in shown
        assert "/agora round leave" in shown

        # Three days later, one question each, by DM, with the three answers as buttons.
        mark = fake.mark()
        await b.scheduler.advance(timedelta(days=3, hours=1))
        await b.settle()
        question = await b.dm_post(ALICE, since=mark)
        assert question.args["text"].startswith("Round 1: did you meet?")
        actions = [button["action_id"] for button in buttons(question.args["blocks"])]
        assert [a.rsplit(":", 1)[0] for a in actions] == [
            "agora:rounds:met",
            "agora:rounds:not_yet",
            "agora:rounds:wont",
        ]

        since = len(fake.responses)
        await b.send(fake.block_actions(ALICE, actions[0], channel=question.args["channel"]))
        thanks = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert thanks.body["response_type"] == "ephemeral"
        assert thanks.body["text"] == "Wonderful! Thank you for telling me."
        update = await fake.wait_for_call("chat.update", timeout=TIMEOUT, since=mark)
        assert buttons(update.args["blocks"]) == [] and "✅ You met" in texts(update.args["blocks"])
        await b.settle()

        async with b.database.transaction() as session:
            answers = dict(
                (
                    await session.execute(
                        select(Member.external_id, RoundGroupMember.answer).join(
                            Member, Member.id == RoundGroupMember.member_id
                        )
                    )
                ).all()
            )
        assert answers == {ALICE: "met", BOB: None}
