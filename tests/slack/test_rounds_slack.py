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


async def test_the_captain_finds_a_time_in_the_group_dm_and_the_invitation_follows(
    bed: BedFactory,
    fake: FakeSlack,
) -> None:
    """The captain's date poll on Slack: "Find a time" in the group DM opens a modal, the poll is posted in the
    group DM, both answer with its buttons, and the time is posted with its .ics uploaded to the group DM."""
    async with bed("http", features=[RoundsFeature()]) as b:
        for user in (ALICE, BOB):
            since = len(fake.responses)
            await b.send(fake.slash_command(user, "round join"))
            await fake.wait_for_response(since=since, timeout=TIMEOUT)
            await b.settle()
        mark = fake.mark()
        since = len(fake.responses)
        await b.send(fake.slash_command(CAMILLE, "round start"))
        await fake.wait_for_response(since=since, timeout=TIMEOUT)
        intro = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: "Round 1: meet each other" in c.args.get("text", ""),
            TIMEOUT,
            since=mark,
        )
        group_dm = intro.args["channel"]
        captain = next(
            u for u in (ALICE, BOB) if f"<@{u}>, you're this round's captain" in texts(intro.args["blocks"])
        )
        [find_time] = [
            x["action_id"] for x in buttons(intro.args["blocks"]) if ":rounds:find_time:" in x["action_id"]
        ]
        await b.settle()
        [intro_message] = [
            m for m in fake.messages[group_dm] if "Round 1: meet each other" in m.get("text", "")
        ]

        mark = fake.mark()
        await b.send(fake.block_actions(captain, find_time, message=intro_message, channel=group_dm))
        opened = await fake.wait_for_call("views.open", timeout=TIMEOUT, since=mark)
        view = opened.args["view"]
        assert view["callback_id"].startswith("agora:rounds:time_poll:")
        [block] = [block["block_id"] for block in view["blocks"] if block["type"] == "input"]
        accepted = await b.send(
            fake.view_submission(
                captain, view["callback_id"], {block: {block: "in 2 days at 12:30\nin 3 days at 18:00"}}
            )
        )
        assert accepted.status == 200 and not accepted.body  # the modal closes
        poll_post = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: c.args["channel"] == group_dm and "Find a time" in c.args.get("text", ""),
            TIMEOUT,
            since=mark,
        )
        votes = [x["action_id"] for x in buttons(poll_post.args["blocks"])]
        assert len(votes) == 6 and "suggests these times" in texts(poll_post.args["blocks"])
        await b.settle()
        [poll] = [m for m in fake.messages[group_dm] if "suggests these times" in texts(m.get("blocks", []))]

        mark = fake.mark()
        for user, chosen in ((ALICE, (0, 5)), (BOB, (1, 3))):  # alice: yes 1, no 2; bob: maybe 1, yes 2
            for index in chosen:
                await b.send(fake.block_actions(user, votes[index], message=poll, channel=group_dm))
                await b.settle()
        done = await fake.wait_for_call("files.completeUploadExternal", timeout=TIMEOUT, since=mark)
        assert done.args["channel_id"] == group_dm
        [posted] = [
            c
            for c in fake.calls_to("chat.postMessage")
            if c.args["channel"] == group_dm and "It's a date!" in c.args.get("text", "")
        ]
        assert "The group meets on" in texts(posted.args["blocks"])
        [ics] = [f for f in fake.files.values() if f["name"].endswith(".ics")]
        assert b"BEGIN:VEVENT" in fake.uploads[ics["id"]]
