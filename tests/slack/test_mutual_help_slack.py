"""Mutual help on Slack, end to end: the real slack-bolt against the loopback Slack fake. A member asks through
the modal (views.open); the public ask is posted in the help channel; two members are asked by DM, one declines
and one accepts; the two get a group DM (conversations.open with both) introducing each to the other; the ask is
marked solved and the thanks posted. A discreet ask reaches no channel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.features.mutual_help import MutualHelpFeature
from bot.features.onboarding import OnboardingFeature
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import (
    ALICE,
    BOB,
    INTROS,
    MODES,
    TIMEOUT,
    WELCOME,
    BedFactory,
    SlackBed,
    arrive,
    buttons,
    introduce,
    texts,
)

CAROL = "U0CAROL001"
HELP = "C0HELP0001"


def action(message: dict[str, Any], name: str) -> str:
    return next(
        x["action_id"] for x in buttons(message["blocks"]) if x["action_id"].startswith(f"agora:{name}:")
    )


async def ask(b: SlackBed, fake: FakeSlack, user: str, **values: str) -> Any:
    """``user`` types /agora ask and submits the modal; returns the answer to the submission."""
    since = fake.mark()
    await b.send(fake.slash_command(user, "ask", channel_id=WELCOME))
    opened = await fake.wait_for_call("views.open", timeout=TIMEOUT, since=since)
    assert opened.args["view"]["title"]["text"] == "Ask the network for help"
    fields = {"need": "", "details": "", "when": "", "visibility": "public", **values}
    return await b.send(fake.view_submission(user, "agora:help:ask:", {k: {k: v} for k, v in fields.items()}))


@pytest.mark.parametrize("mode", MODES[:1])
async def test_an_ask_on_slack_meets_a_helper_in_a_group_dm_and_is_solved_with_thanks(
    bed: BedFactory, fake: FakeSlack, mode: str
) -> None:
    fake.add_user(CAROL, "carol", "Carol Avocate", "en-US")
    fake.add_channel(HELP, "help", members=[BOB])
    channels = {"welcome": WELCOME, "introductions": INTROS, "help": HELP}
    async with bed(mode, features=[OnboardingFeature(), MutualHelpFeature()], channels=channels) as b:
        await introduce(b, fake, CAROL, name="Carol", what="Avocate", offers="droit des contrats")
        await introduce(b, fake, BOB, name="Bob", what="Developer", offers="contract reviews")
        await arrive(b, fake, ALICE)

        since = fake.mark()
        answer = await ask(b, fake, ALICE, need="a lawyer who knows freelance contracts")
        assert answer.status == 200 and not answer.body  # the modal closes
        post = await fake.wait_for_call(
            "chat.postMessage", lambda c: c.args["channel"] == HELP, TIMEOUT, since=since
        )
        assert f"<@{ALICE}> is looking for: a lawyer who knows freelance contracts" in texts(
            post.args["blocks"]
        )
        assert [x["action_id"].split(":")[2] for x in buttons(post.args["blocks"])] == ["can", "knows"]
        to_carol = (await b.dm_post(CAROL, since=since)).args
        to_bob = (await b.dm_post(BOB, since=since)).args
        assert "Could you help?" in texts(to_carol["blocks"]) and "offers: contract." in texts(
            to_bob["blocks"]
        )

        await b.send(fake.block_actions(BOB, action(to_bob, "help:no"), channel=to_bob["channel"]))
        await b.settle()
        assert not fake.calls_to("conversations.open") or all(
            "," not in str(c.args.get("users", "")) for c in fake.calls_to("conversations.open")
        )

        since = fake.mark()
        await b.send(fake.block_actions(CAROL, action(to_carol, "help:yes"), channel=to_carol["channel"]))
        opened = await fake.wait_for_call(
            "conversations.open", lambda c: "," in str(c.args.get("users", "")), TIMEOUT, since=since
        )
        assert set(str(opened.args["users"]).split(",")) == {ALICE, CAROL}
        intro = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: "A warm introduction" in texts(c.args.get("blocks") or []),
            TIMEOUT,
            since=since,
        )
        assert f"<@{ALICE}>, meet <@{CAROL}>" in texts(intro.args["blocks"])

        since = fake.mark()
        await b.send(
            fake.block_actions(ALICE, action(intro.args, "help:solved"), channel=intro.args["channel"])
        )
        form = await fake.wait_for_call("views.open", timeout=TIMEOUT, since=since)
        assert form.args["view"]["title"]["text"] == "Solved!"
        callback = form.args["view"]["callback_id"]
        values = {"helper": {"helper": f"<@{CAROL}>"}, "thanks": {"thanks": "Merci Carol !"}}
        await b.send(fake.view_submission(ALICE, callback, values))
        thanks = await fake.wait_for_call(
            "chat.postMessage", lambda c: c.args["channel"] == HELP, TIMEOUT, since=since
        )
        assert f"<@{ALICE}> thanks <@{CAROL}>" in texts(thanks.args["blocks"])

        # A week later (nobody is asked twice a week), a discreet ask: Carol hears of it by DM, no channel does.
        await b.scheduler.advance(timedelta(days=8))
        await b.settle()
        since = fake.mark()
        await ask(b, fake, ALICE, need="a lawyer for a contract dispute", visibility="discreet")
        assert "contract dispute" in texts((await b.dm_post(CAROL, since=since)).args["blocks"])
        await b.settle()
        dms = {fake.dm_channel_id(user) for user in (ALICE, BOB, CAROL)}
        for call in fake.calls_to("chat.postMessage") + fake.calls_to("chat.postEphemeral"):
            if call.args.get("channel") not in dms and str(call.args.get("channel", "")).startswith("C"):
                assert "contract dispute" not in str(call.args), call.args.get("channel")
