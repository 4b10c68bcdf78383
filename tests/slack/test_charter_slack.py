"""The co-constructed charter on Slack, end to end: the real slack-bolt against the loopback Slack fake (the bed of
``tests/slack/conftest.py``). In a community that changes its charter by vote, a member proposes an amendment
in a modal; it is posted in the announcements channel in Block Kit with For / Against / Abstain buttons and a live
tally; at the deadline (virtual clock) the result is posted, the new version goes to every member by DM with the
change highlighted, and a member accepts it. Slack has no roles to withdraw: the animators get the list. The
acknowledgement log reaches the animator as a CSV file in a DM."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from bot.features.charter import AmendmentsFeature
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import (
    ALICE,
    BOB,
    CAMILLE,
    INTROS,
    MODES,
    TIMEOUT,
    WELCOME,
    BedFactory,
    SlackBed,
    buttons,
    texts,
)

ANNOUNCEMENTS = "C0ANNOUNCE"
CHANNELS = {"welcome": WELCOME, "introductions": INTROS, "announcements": ANNOUNCEMENTS}
OBJECTIVE = "Help the digital freelancers of Lyon and beyond grow together."
WHY = "Half of us now live outside Lyon."


async def joins_and_accepts(b: SlackBed, fake: FakeSlack, user: str) -> None:
    await b.send(fake.event_callback(fake.team_join_event(user)))
    welcome = await b.dm_post(user)
    [accept] = buttons(welcome.args["blocks"])
    await b.send(fake.block_actions(user, accept["action_id"], channel=welcome.args["channel"]))
    await b.settle()


@pytest.mark.parametrize("mode", MODES)
async def test_an_amendment_voted_on_slack_becomes_the_new_version_members_accept(
    bed: BedFactory,
    fake: FakeSlack,
    mode: str,
) -> None:
    fake.add_channel(ANNOUNCEMENTS, "announcements", members=[ALICE, BOB, CAMILLE])
    async with bed(
        mode,
        features=[AmendmentsFeature()],
        channels=CHANNELS,
        animators=[CAMILLE],
        charter_rules={"mode": "community", "quorum": 0.5, "vote_duration": "3d"},
    ) as b:
        await joins_and_accepts(b, fake, ALICE)
        await joins_and_accepts(b, fake, BOB)

        # alice proposes a new objective in a modal, prefilled with the current one.
        since = fake.mark()
        await b.send(fake.slash_command(ALICE, "charter propose objective", channel_id=ANNOUNCEMENTS))
        opened = await fake.wait_for_call("views.open", timeout=TIMEOUT, since=since)
        view = opened.args["view"]
        inputs = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
        assert list(inputs) == ["text", "reason"]
        assert inputs["text"]["element"]["initial_value"] == "Help Lyon's digital freelancers grow together."
        submitted = await b.send(
            fake.view_submission(
                ALICE, view["callback_id"], {"text": {"text": OBJECTIVE}, "reason": {"reason": WHY}}
            )
        )
        assert submitted.status == 200 and not submitted.body  # the modal closes

        # The vote, in Block Kit, in the announcements channel.
        post = await fake.wait_for_call(
            "chat.postMessage", lambda c: c.args["channel"] == ANNOUNCEMENTS, TIMEOUT, since=since
        )
        blocks = post.args["blocks"]
        assert blocks[0]["text"]["text"] == "Amendment #1: Objective"
        assert f"✏️ {OBJECTIVE} (was: Help Lyon's digital freelancers grow together.)" in texts(blocks)
        assert [x["action_id"] for x in buttons(blocks)] == [
            "agora:charter:vote:for:1",
            "agora:charter:vote:against:1",
            "agora:charter:vote:abstain:1",
        ]
        await b.settle()
        [vote] = [m for m in fake.messages[ANNOUNCEMENTS] if m.get("thread_ts", m["ts"]) == m["ts"]]

        # Members vote by button; the tally is updated in place; bob changes his mind.
        for user, choice in ((ALICE, "for"), (BOB, "against"), (BOB, "for")):
            await b.send(fake.block_actions(user, f"agora:charter:vote:{choice}:1", channel=ANNOUNCEMENTS))
            await b.settle()
        confirmation = fake.responses[-1].body
        assert confirmation["response_type"] == "ephemeral"
        assert confirmation["text"].startswith("Your vote is now “For”.")
        tally = fake.calls_to("chat.update")[-1]
        assert tally.args["ts"] == vote["ts"]
        assert "For: 2 · Against: 0 · Abstain: 0" in texts(tally.args["blocks"])

        # The deadline, on the virtual clock: the result is posted, the vote closes, everyone is asked again.
        since = fake.mark()
        await b.scheduler.advance(timedelta(days=3))
        await b.settle()
        result = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: c.args["channel"] == ANNOUNCEMENTS and "Result of the vote" in c.args.get("text", ""),
            TIMEOUT,
            since=since,
        )
        assert "Amendment #1 is adopted. The charter is now at version 2" in texts(result.args["blocks"])
        assert buttons(fake.calls_to("chat.update")[-1].args["blocks"]) == []
        for user in (ALICE, BOB):
            asked = await b.dm_post(user, since=since)
            assert asked.args["blocks"][0]["text"]["text"] == "The charter of The Indies has changed"
            assert f"✏️ {OBJECTIVE}" in texts(asked.args["blocks"])
            # No roles on Slack: nothing to lose, so the DM only asks for the date.
            assert "member access pauses" not in asked.args["text"]
            assert [x["action_id"] for x in buttons(asked.args["blocks"])] == [
                "agora:charter:accept:2",
                "agora:charter:later:2",
            ]
        asked = await b.dm_post(ALICE, since=since)
        await b.send(fake.block_actions(ALICE, "agora:charter:accept:2", channel=asked.args["channel"]))
        await b.settle()
        thanks = fake.responses[-1].body
        assert thanks["text"] == "Thank you! You accepted version 2 of the charter of The Indies."

        # The grace period ends: nobody is removed from a channel; the animators get who hasn't accepted.
        since = fake.mark()
        await b.scheduler.advance(timedelta(days=15))
        await b.settle()
        summary = await b.dm_post(CAMILLE, since=since)
        assert "removes no one from channels" in summary.args["text"]
        assert f"<@{BOB}>" in texts(summary.args["blocks"])
        assert not [c for c in fake.calls[since:] if c.method == "conversations.kick"]

        # The acknowledgement log, as a CSV file in the animator's DM.
        since = fake.mark()
        await b.send(fake.slash_command(CAMILLE, "charter export", channel_id=ANNOUNCEMENTS))
        await fake.wait_for_call("files.completeUploadExternal", timeout=TIMEOUT, since=since)
        await b.settle()
        [data] = list(fake.uploads.values())
        rows = list(csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))
        assert [(r[0], r[2]) for r in rows[1:]] == [(ALICE, "1"), (BOB, "1"), (ALICE, "2")]
