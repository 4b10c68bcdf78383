"""Meeting polls on Slack, end to end: the real slack-bolt against the loopback Slack fake (the bed of
``tests/slack/conftest.py``). An animator opens a poll by slash command (a modal), the poll is posted in the
meetings channel in Block Kit, a member answers on her ephemeral ballot, the deadline (virtual clock) fixes the
date: the announcement is posted with its .ics file uploaded, and members RSVP. Slack has no calendar events:
the .ics carries the date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.features.meetings import MeetingPollsFeature, MeetingsFeature, MissionsFeature
from storage.models import OutboxEntry
from storage.tables.meetings import Meeting, Rsvp
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import ALICE, BOB, CAMILLE, INTROS, TIMEOUT, WELCOME, BedFactory, buttons, texts

MEETINGS = "C0MEETING1"
CHANNELS = {"welcome": WELCOME, "introductions": INTROS, "meetings": MEETINGS}


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_poll_on_slack_fixes_the_date_of_a_meeting_with_its_ics(
    bed: BedFactory,
    fake: FakeSlack,
    mode: str,
) -> None:
    fake.add_channel(MEETINGS, "meetings", members=[ALICE, BOB, CAMILLE])
    features = [MeetingsFeature(), MissionsFeature(), MeetingPollsFeature()]
    async with bed(mode, features=features, channels=CHANNELS) as b:
        # The animator opens the poll: a modal with the five fields.
        await b.send(fake.slash_command(CAMILLE, "meeting poll", channel_id=MEETINGS))
        opened = await fake.wait_for_call("views.open", timeout=TIMEOUT)
        view = opened.args["view"]
        assert view["callback_id"] == "agora:meeting_poll:"
        assert [block["block_id"] for block in view["blocks"] if block["type"] == "input"] == [
            "title",
            "options",
            "place",
            "duration",
            "capacity",
        ]
        since = len(fake.responses)
        accepted = await b.send(
            fake.view_submission(
                CAMILLE,
                "agora:meeting_poll:",
                {
                    "title": {"title": "Monthly meetup"},
                    "options": {"options": "Tuesday 13 January 6:30pm\n2026-01-15 18:00"},
                    "place": {"place": "La Cordée, Lyon"},
                    "duration": {"duration": "2h"},
                    "capacity": {"capacity": "1"},
                },
            )
        )
        assert accepted.status == 200 and not accepted.body  # the modal closes

        post = await fake.wait_for_call("chat.postMessage", lambda c: c.args["channel"] == MEETINGS, TIMEOUT)
        assert post.args["blocks"][0]["text"]["text"] == "Monthly meetup"
        assert [button["action_id"] for button in buttons(post.args["blocks"])] == ["agora:meeting:ballot:1"]
        assert "1. Tue 13 Jan, 6:30 PM" in texts(post.args["blocks"])
        # Slack shows the community's words for each date, and says once which time zone they are in.
        assert texts(post.args["blocks"]).count("Times are in Europe/Paris time.") == 1
        await b.settle()
        [poll] = [m for m in fake.messages[MEETINGS] if "Monthly meetup" in m.get("text", "")]

        # alice opens her ballot (ephemeral) and answers; the ballot is replaced, the tally on the post follows.
        since = len(fake.responses)
        await b.send(fake.block_actions(ALICE, "agora:meeting:ballot:1", message=poll, channel=MEETINGS))
        ballot = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert ballot.body["response_type"] == "ephemeral"
        assert [button["action_id"] for button in buttons(ballot.body["blocks"])][:3] == [
            "agora:meeting:vote:1.yes",
            "agora:meeting:vote:1.maybe",
            "agora:meeting:vote:1.no",
        ]
        ephemeral = {"type": "message", "ts": "1767603600.000100", "blocks": ballot.body["blocks"]}
        container = {
            "type": "message",
            "message_ts": ephemeral["ts"],
            "channel_id": MEETINGS,
            "is_ephemeral": True,
        }
        since = len(fake.responses)
        await b.send(
            fake.block_actions(
                ALICE, "agora:meeting:vote:2.yes", message=ephemeral, channel=MEETINGS, container=container
            )
        )
        replaced = await fake.wait_for_response(
            lambda r: r.body.get("replace_original") is True, TIMEOUT, since=since
        )
        assert "Your answer: ✅ yes" in texts(replaced.body["blocks"])
        await b.settle()
        tally = fake.calls_to("chat.update")[-1]
        assert tally.args["ts"] == poll["ts"] and "✅ 1 · 🤔 0 · ❌ 0" in texts(tally.args["blocks"])

        # The deadline, on the virtual clock: the date is fixed and announced, with the .ics uploaded.
        mark = fake.mark()
        await b.scheduler.advance(timedelta(days=3))
        await b.settle()
        announced = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: (
                c.args["channel"] == MEETINGS
                and any(btn["action_id"] == "agora:meeting:going:1" for btn in buttons(c.args["blocks"]))
            ),
            TIMEOUT,
            since=mark,
        )
        assert "Thursday 15 January 2026 at 6:00 PM – 8:00 PM" in texts(announced.args["blocks"])
        assert texts(announced.args["blocks"]).count("Times are in Europe/Paris time.") == 1
        # The notification's plain text too reads the community's words (no timestamp markup there).
        assert "Thursday 15 January 2026 at 6:00 PM" in announced.args["text"]
        await fake.wait_for_call(
            "files.completeUploadExternal", lambda c: c.args["channel_id"] == MEETINGS, TIMEOUT, since=mark
        )
        # The announcement's .ics, and the one sent to alice with the date (she answered the poll).
        assert [f["name"] for f in fake.files.values()] == ["monthly-meetup.ics"] * 2
        assert await b.outbox("event") == []  # no calendar on Slack: nothing asked of it

        # One place: alice takes it, camille goes on the waiting list.
        await b.settle()
        [message] = [
            m
            for m in fake.messages[MEETINGS]
            if any(btn["action_id"] == "agora:meeting:going:1" for btn in buttons(m.get("blocks") or []))
        ]
        since = len(fake.responses)
        await b.send(fake.block_actions(ALICE, "agora:meeting:going:1", message=message, channel=MEETINGS))
        going = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert going.body["text"].startswith("You're on the list for “Monthly meetup”")
        since = len(fake.responses)
        await b.send(fake.block_actions(CAMILLE, "agora:meeting:going:1", message=message, channel=MEETINGS))
        waiting = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert "You're number 1 on the waiting list" in waiting.body["text"]
        await b.settle()
        listed = fake.calls_to("chat.update")[-1]
        assert listed.args["ts"] == message["ts"] and f"<@{ALICE}>" in texts(listed.args["blocks"])
        async with b.database.transaction() as session:
            meeting = await session.scalar(select(Meeting))
            statuses = sorted((await session.scalars(select(Rsvp.status))).all())
            failed = (await session.scalars(select(OutboxEntry).where(OutboxEntry.status == "failed"))).all()
        assert meeting is not None and meeting.capacity == 1 and statuses == ["going", "waitlist"]
        assert failed == []
