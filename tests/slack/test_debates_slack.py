"""Debates on Slack, end to end: the real slack-bolt against the loopback Slack fake (the bed of
``tests/slack/conftest.py``). An animator starts a debate by slash command; the motion is posted in the
debates channel in Block Kit with one button per position and a thread under it; members take and change
positions; the deadline (virtual clock) posts the before/after summary and closes the post."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.features.debates import DebatesFeature
from storage.models import InboxEntry, Member
from storage.tables.debates import Debate, DebateStance
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import ALICE, BOB, CAMILLE, INTROS, TIMEOUT, WELCOME, BedFactory, buttons, texts

DEBATES = "C0DEBATES1"
CHANNELS = {"welcome": WELCOME, "introductions": INTROS, "debates": DEBATES}
DANA = "U0DANA0001"
YES, NO, DEPENDS = "Yes, distance thins the ties", "No, it widens them", "It depends on the rituals"


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_debate_on_slack_positions_changed_and_the_summary_at_the_deadline(
    bed: BedFactory,
    fake: FakeSlack,
    mode: str,
) -> None:
    fake.add_channel(DEBATES, "debates", members=[ALICE, BOB, CAMILLE])
    async with bed(mode, features=[DebatesFeature()], channels=CHANNELS) as b:
        since = fake.mark()
        await b.send(
            fake.slash_command(CAMILLE, "debate start motion=remote-networks duration=2d", channel_id=DEBATES)
        )

        # The motion, in Block Kit, with its positions as buttons; then the thread for the arguments.
        post = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: c.args["channel"] == DEBATES and not c.args.get("thread_ts"),
            TIMEOUT,
        )
        blocks = post.args["blocks"]
        assert blocks[0]["text"]["text"] == "Debate: Remote work weakens professional networks."
        assert [button["text"]["text"] for button in buttons(blocks)] == [YES, NO, DEPENDS]
        assert [button["action_id"] for button in buttons(blocks)] == [
            "agora:debate:take:1.0",
            "agora:debate:take:1.1",
            "agora:debate:take:1.2",
        ]
        opened = await fake.wait_for_response(timeout=TIMEOUT)
        assert opened.body["response_type"] == "ephemeral"
        assert opened.body["text"].startswith(f"Debate #1 is open in <#{DEBATES}> until")
        await b.settle()
        [message] = [m for m in fake.messages[DEBATES] if m.get("thread_ts", m["ts"]) == m["ts"]]
        intro = [c for c in fake.calls[since:] if c.method == "chat.postMessage" and c.args.get("thread_ts")]
        assert [c.args["thread_ts"] for c in intro] == [message["ts"]]
        assert intro[0].args["text"].startswith("Arguments here, one idea per message.")

        # Members take positions by button; alice changes her mind.
        async def press(user: str, index: int) -> None:
            await b.send(
                fake.block_actions(user, f"agora:debate:take:1.{index}", message=message, channel=DEBATES)
            )
            await b.settle()

        await press(ALICE, 0)
        await press(BOB, 0)
        await press(ALICE, 2)
        confirmation = fake.responses[-1].body
        assert confirmation["response_type"] == "ephemeral"
        assert confirmation["text"].startswith(f"You moved from “{YES}” to “{DEPENDS}”.")
        counted = fake.calls_to("chat.update")[-1]
        assert counted.args["ts"] == message["ts"]
        assert "2 members so far" in texts(counted.args["blocks"])

        async with b.database.transaction() as session:
            rows = await session.execute(
                select(Member.external_id, DebateStance.first_position, DebateStance.position).join(
                    Member, Member.id == DebateStance.member_id
                )
            )
            assert sorted(rows.all()) == [(ALICE, 0, 2), (BOB, 0, 0)]

        # A member can't close it; the deadline does, on the virtual clock.
        before = len(fake.responses)
        await b.send(fake.slash_command(ALICE, "debate close", channel_id=DEBATES))
        refused = await fake.wait_for_response(since=before, timeout=TIMEOUT)
        assert refused.body["text"].startswith("Only the animators of this community can do that.")

        await b.scheduler.advance(timedelta(days=2))
        await b.settle()
        summary = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: c.args["channel"] == DEBATES and "Debate closed" in c.args.get("text", ""),
            TIMEOUT,
        )
        shown = texts(summary.args["blocks"])
        assert "2 members took a position. 1 of them changed their mind during the debate." in shown
        assert f"• {YES}: 1 (50%), 2 at the start" in shown
        assert f"• 1 member went from “{YES}” to “{DEPENDS}”" in shown
        closed = fake.calls_to("chat.update")[-1]
        assert closed.args["ts"] == message["ts"] and buttons(closed.args["blocks"]) == []
        async with b.database.transaction() as session:
            debate = await session.scalar(select(Debate))
            assert debate is not None and (debate.status, debate.closed_by) == ("closed", "deadline")


async def test_a_press_is_acknowledged_before_slack_says_who_pressed(
    bed: BedFactory, fake: FakeSlack
) -> None:
    # Issue 12: the acknowledgement waits only for the press to be recorded; users.info (a member never seen
    # before) is asked afterwards, as the press is handled.
    fake.add_channel(DEBATES, "debates", members=[ALICE, BOB, CAMILLE])
    async with bed("http", features=[DebatesFeature()], channels=CHANNELS) as b:
        await b.send(
            fake.slash_command(CAMILLE, "debate start motion=remote-networks duration=2d", channel_id=DEBATES)
        )
        await fake.wait_for_response(timeout=TIMEOUT)
        await b.settle()
        [message] = [m for m in fake.messages[DEBATES] if m.get("thread_ts", m["ts"]) == m["ts"]]

        # Dana arrived after the start (unknown to the member list read then) and presses at once.
        fake.add_user(DANA, "dana", "Dana Leroy")
        fake.channels[DEBATES].members.append(DANA)
        slack_answers = fake.hold("users.info")
        pressed = await asyncio.wait_for(
            b.send(fake.block_actions(DANA, "agora:debate:take:1.1", message=message, channel=DEBATES)),
            TIMEOUT,
        )
        # Acknowledged while users.info is unanswered, and only once the press was recorded: never lost.
        assert pressed.status == 200 and not pressed.body
        async with b.database.transaction() as session:
            assert (await session.scalars(select(InboxEntry.delivery_id))).all() != []
            assert (await session.scalars(select(DebateStance))).all() == []  # handled only after the lookup

        slack_answers.set()
        await b.settle()
        confirmation = fake.responses[-1].body
        assert confirmation["text"].startswith(f"Your position: “{NO}”.")
        async with b.database.transaction() as session:
            [(name, position)] = (
                await session.execute(
                    select(Member.display_name, DebateStance.position).join(
                        Member, Member.id == DebateStance.member_id
                    )
                )
            ).all()
        assert (name, position) == ("Dana Leroy", 1)  # the name users.info gave
