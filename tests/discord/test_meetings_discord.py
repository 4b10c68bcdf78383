"""Meeting polls on Discord, end to end: the real discord.py against the loopback Discord fake (the world of
``tests/discord/conftest.py``). An animator opens a poll with ``/agora meeting poll`` (a modal), the poll is
posted in the meetings channel, a member answers on her own ballot, the deadline (virtual clock) fixes the date:
the announcement carries the .ics file, the meeting is a Scheduled Event of the guild, and members RSVP; a
cancelled meeting leaves the guild's calendar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, timedelta

import pytest_asyncio
from sqlalchemy import select

from bot.features.meetings import MeetingPollsFeature, MeetingsFeature, MissionsFeature
from storage.tables.meetings import Meeting, MeetingPoll, Rsvp
from tests.discord.support import (
    EPHEMERAL,
    TIMEOUT,
    Bot,
    World,
    custom_ids,
    discord_config,
    eventually,
    text_of,
)
from tests.fakes.fake_discord import FakeChannel, FakeDiscord
from tests.support import paris


def unix(*moment: int) -> int:
    """A moment in Paris (the community's time zone) as Discord's timestamps write it."""
    return int(paris(*moment).timestamp())


@pytest_asyncio.fixture
async def meetings(fake: FakeDiscord, world: World) -> FakeChannel:
    return fake.add_channel(world.guild, "meetings")


@pytest_asyncio.fixture
async def bot(
    fake: FakeDiscord,
    world: World,
    db_url: str,
    meetings: FakeChannel,
) -> AsyncIterator[Bot]:
    """The Agora app with the meeting features, and the Discord adapter, on the virtual clock."""
    config = discord_config(
        fake,
        world,
        db_url,
        channels={
            "welcome": world.welcome.id,
            "announcements": world.announcements.id,
            "meetings": meetings.id,
        },
    )
    running = await Bot(
        config, virtual_time=True, features=[MeetingsFeature(), MissionsFeature(), MeetingPollsFeature()]
    ).start()
    yield running
    await running.stop()
    fake.assert_all_handled()


async def test_a_poll_on_discord_fixes_the_date_of_a_meeting_with_its_ics_and_scheduled_event(
    fake: FakeDiscord,
    world: World,
    bot: Bot,
    meetings: FakeChannel,
) -> None:
    # The animator opens the poll: a modal with the five fields.
    opener = await fake.slash_command(world.guild, world.camille, "agora meeting poll")
    modal = await fake.wait_for_answer(opener)
    assert modal["type"] == 9 and modal["data"]["title"] == "New date poll"
    form_id = modal["data"]["custom_id"]
    assert len(fake.modals[form_id].components) == 5
    submitted = await fake.submit_modal(
        form_id,
        world.camille,
        {
            "title": "Monthly meetup",
            "options": "Tuesday 13 January 6:30pm\n2026-01-15 18:00",
            "place": "La Cordée, Lyon",
            "duration": "2h",
            "capacity": "1",
        },
    )
    opened = await fake.wait_for_answer(submitted)
    assert opened["data"]["flags"] & EPHEMERAL
    assert "The poll is posted with 2 dates." in text_of(opened["data"])

    posted = await fake.wait_for_request(
        "POST", rf"^/channels/{meetings.id}/messages$", status=200, timeout=TIMEOUT
    )
    poll = fake.message(posted.response["id"])
    assert poll["embeds"][0]["title"] == "Monthly meetup"
    assert custom_ids(poll) == ["agora:meeting:ballot:1"]
    # Dates are Discord timestamps, each member reading them in their own time zone: the options (18:30 and
    # 18:00 in Paris), the deadline; so no footer names the community's time zone.
    fields = poll["embeds"][0]["fields"]
    assert [(f["name"], f["value"].splitlines()[0]) for f in fields[:2]] == [
        ("1.", f"<t:{unix(2026, 1, 13, 18, 30)}:f>"),
        ("2.", f"<t:{unix(2026, 1, 15, 18)}:f>"),
    ]
    async with bot.database.transaction() as session:
        closes_at = await session.scalar(select(MeetingPoll.closes_at))
    assert closes_at is not None
    assert f"The poll closes on <t:{int(closes_at.replace(tzinfo=UTC).timestamp())}:F>" in text_of(poll)
    assert "Europe/Paris" not in text_of(poll) and "footer" not in poll["embeds"][0]

    # alice opens her ballot (for her eyes only) and answers; the tally on the post follows.
    press = await fake.press_button("agora:meeting:ballot:1", world.alice, message=poll["id"])
    ballot = await fake.wait_for_answer(press)
    assert ballot["data"]["flags"] & EPHEMERAL
    assert custom_ids(ballot["data"])[:3] == [
        "agora:meeting:vote:1.yes",
        "agora:meeting:vote:1.maybe",
        "agora:meeting:vote:1.no",
    ]
    answered = await fake.press_button("agora:meeting:vote:2.yes", world.alice)
    updated = await fake.wait_for_answer(answered)
    assert updated["type"] == 7  # the ballot is updated in place
    assert "Your answer: ✅ yes" in text_of(updated["data"])
    await bot.settle()
    await eventually(
        lambda: "✅ 1 · 🤔 0 · ❌ 0" in text_of(fake.message(poll["id"])), "the tally shows alice's yes"
    )

    # The deadline, on the virtual clock: the date is fixed and announced with its .ics, and a Scheduled Event.
    mark = fake.mark()
    await bot.scheduler.advance(timedelta(days=3))
    await bot.settle()
    announced = await fake.wait_for_request(
        "POST",
        rf"^/channels/{meetings.id}/messages$",
        status=200,
        since=mark,
        timeout=TIMEOUT,
    )
    announcement = fake.message(announced.response["id"])
    assert announcement["embeds"][0]["title"] == "Monthly meetup"
    assert announcement["embeds"][0]["fields"][0] == {
        "name": "When",
        "value": f"<t:{unix(2026, 1, 15, 18)}:F> – <t:{unix(2026, 1, 15, 20)}:t>",
        "inline": False,
    }
    assert "Times are in" not in text_of(announcement)
    assert announcement["embeds"][0]["footer"]["text"] == "The .ics file adds it to your calendar."
    assert [a["filename"] for a in announcement["attachments"]] == ["monthly-meetup.ics"]
    assert custom_ids(announcement) == [
        "agora:meeting:going:1",
        "agora:meeting:maybe:1",
        "agora:meeting:not-going:1",
    ]
    event = await fake.wait_for_request(
        "POST", rf"^/guilds/{world.guild.id}/scheduled-events$", since=mark, timeout=TIMEOUT
    )
    assert event.body["name"] == "Monthly meetup" and event.body["scheduled_start_time"].startswith(
        "2026-01-15T17:00:00"
    )
    assert "✅ 1" in text_of(fake.message(poll["id"])) and custom_ids(fake.message(poll["id"])) == []

    # One place: alice takes it, camille goes on the waiting list.
    going = await fake.press_button("agora:meeting:going:1", world.alice, message=announcement["id"])
    assert (await fake.wait_for_answer(going))["data"]["content"].startswith(
        "You're on the list for “Monthly meetup”"
    )
    waiting = await fake.press_button("agora:meeting:going:1", world.camille, message=announcement["id"])
    assert "You're number 1 on the waiting list" in (await fake.wait_for_answer(waiting))["data"]["content"]
    await bot.settle()
    await eventually(
        lambda: f"Going (1/1) <@{world.alice.id}>" in text_of(fake.message(announcement["id"])),
        "the list is shown",
    )
    async with bot.database.transaction() as session:
        meeting = await session.scalar(select(Meeting))
        statuses = sorted((await session.scalars(select(Rsvp.status))).all())
    assert meeting is not None and meeting.capacity == 1 and statuses == ["going", "waitlist"]

    # The animator cancels the meeting: its Scheduled Event leaves the server's calendar too.
    [event_id] = list(world.guild.scheduled_events)
    mark = fake.mark()
    cancelled = await fake.slash_command(world.guild, world.camille, "agora meeting cancel")
    assert "is cancelled" in (await fake.wait_for_answer(cancelled))["data"]["content"]
    await bot.settle()
    await fake.wait_for_request(
        "DELETE",
        rf"^/guilds/{world.guild.id}/scheduled-events/{event_id}$",
        status=204,
        since=mark,
        timeout=TIMEOUT,
    )
    assert world.guild.scheduled_events == {}


async def test_a_member_choosing_a_time_zone_is_told_dates_already_follow_her_device_on_discord(
    fake: FakeDiscord, world: World, bot: Bot
) -> None:
    # Discord writes every date as a timestamp each member reads in her own zone: "your dates are shown in
    # America/Montreal time" would not be true there.
    chose = await fake.slash_command(
        world.guild, world.alice, "agora meeting timezone", {"zone": "America/Montreal"}
    )
    answer = text_of((await fake.wait_for_answer(chose))["data"])
    assert "dates already show in your device's time zone" in answer
    assert "America/Montreal" in answer and "Your dates are shown in" not in answer
