"""Agora arrives in a Slack workspace of 300 users, and catches up after downtime: the real slack-bolt against the
loopback fake, ``users.list`` read page by page (bots, Slackbot and deactivated accounts left out). The users
already there are learnt without a direct message; a user who joined while Agora was down is welcomed once after
the restart; a deactivated account is never welcomed, by DM or in the welcome channel, and counts as gone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import Member
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import ALICE, BOB, CAMILLE, SCOPE, WELCOME, BedFactory, SlackBed


def workspace(fake: FakeSlack, users: int) -> None:
    """``users`` active humans in all (alice, bob, camille and more), plus two bots and two deactivated accounts."""
    for number in range(users - 3):
        fake.add_user(f"U1{number:08d}", f"member{number}")
    fake.add_user("U0HELPBOT1", "helpbot", is_bot=True, bot_id="B0HELPBOT1")
    fake.add_user("USLACKBOT", "slackbot")
    fake.add_user("U0GONE0001", "gone1", deleted=True)
    fake.add_user("U0GONE0002", "gone2", deleted=True)


async def members(b: SlackBed) -> dict[str, Member]:
    async with b.database.transaction() as session:
        return {m.external_id: m for m in (await session.scalars(select(Member))).all()}


def dms_to(fake: FakeSlack, user: str) -> list[dict[str, object]]:
    return list(fake.messages.get(fake.dm_channel_id(user), [])) if user in fake.users else []


def welcome_posts(fake: FakeSlack) -> list[dict[str, object]]:
    return [c.args for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == WELCOME]


async def test_a_300_user_workspace_is_learnt_page_by_page_without_a_direct_message(
    bed: BedFactory, fake: FakeSlack
) -> None:
    workspace(fake, 300)
    async with bed("http") as b:
        await b.settle()
        pages = fake.calls_to("users.list")
        assert len(pages) == 2 and pages[1].args["cursor"]
        known = await members(b)
        assert len(known) == 300
        assert not {"U0HELPBOT1", "USLACKBOT", "U0GONE0001", "U0GONE0002"} & set(known)
        assert all(m.existing_at is not None for m in known.values())
        assert fake.calls_to("conversations.open") == [] and fake.calls_to("chat.postMessage") == []

        status = await b.send(fake.slash_command("U0CAMILLE1", "charter status", channel_id=WELCOME))
        assert status.status == 200
        await b.settle()
        [answer] = fake.responses
        assert "0 of 300 members accepted version 1" in str(answer.body)


async def test_a_join_while_down_is_welcomed_once_and_a_deactivation_is_a_departure(
    bed: BedFactory, fake: FakeSlack
) -> None:
    workspace(fake, 10)
    async with bed("http") as b:
        await b.settle()
    # While Agora is down: zoe joins, member0 is deactivated.
    fake.add_user("U0ZOE00001", "zoe", "Zoé Petit")
    fake.users["U1" + "0" * 8].deleted = True
    async with bed("http") as b:
        await b.settle()
        await b.dm_post("U0ZOE00001")
        known = await members(b)
        assert known["U0ZOE00001"].existing_at is None and known["U0ZOE00001"].left_at is None
        assert known["U1" + "0" * 8].left_at is not None
        # Slack delivers zoe's team_join late after all (a retry): the same join, no second welcome.
        await b.send(fake.event_callback(fake.team_join_event("U0ZOE00001")))
        await b.settle()
        assert len(dms_to(fake, "U0ZOE00001")) == 1
    async with bed("http") as b:  # and a restart changes nothing
        await b.settle()
        assert len(dms_to(fake, "U0ZOE00001")) == 1


async def test_a_deactivated_user_is_never_welcomed_and_a_deactivation_counts_as_leaving(
    bed: BedFactory, fake: FakeSlack
) -> None:
    async with bed("http", channels={"welcome": WELCOME}) as b:
        await b.settle()
        fake.add_user("U0GHOST001", "ghost", deleted=True)
        fake.add_user("U0ROBOT001", "robot", is_bot=True, bot_id="B0ROBOT001")
        for user in ("U0GHOST001", "U0ROBOT001"):
            answer = await b.send(fake.event_callback(fake.team_join_event(user)))
            assert answer.status == 200
        await b.settle()
        assert dms_to(fake, "U0GHOST001") == [] and welcome_posts(fake) == []
        assert fake.calls_to("conversations.open") == []
        assert not {"U0GHOST001", "U0ROBOT001"} & set(await members(b))

        # alice, a member learnt at start, is deactivated: she has left.
        fake.users[ALICE].deleted = True
        await b.send(fake.event_callback(fake.user_change_event(ALICE)))
        await b.settle()
        assert (await members(b))[ALICE].left_at is not None
        assert dms_to(fake, ALICE) == [] and welcome_posts(fake) == []


async def test_the_users_already_there_are_invited_a_few_at_a_time(bed: BedFactory, fake: FakeSlack) -> None:
    workspace(fake, 300)
    async with bed("http") as b:
        await b.settle()
        await b.send(
            fake.slash_command("U0CAMILLE1", "charter invite-existing per_hour=120", channel_id=WELCOME)
        )
        await b.settle()
        assert "300 members who were here before Agora are invited" in str(fake.responses[-1].body)
        assert len(fake.calls_to("conversations.open")) == 2  # 2 every minute, not 300 at once

        await b.scheduler.advance(timedelta(minutes=10))
        await b.settle()
        assert len(fake.calls_to("conversations.open")) == 22
        invitation = fake.calls_to("chat.postMessage")[0].args
        assert "You were here before it" in str(invitation["blocks"])

        await b.send(fake.slash_command("U0CAMILLE1", "charter status", channel_id=WELCOME))
        await b.settle()
        assert "22 of 300 sent so far" in str(fake.responses[-1].body)


async def test_a_community_scoped_to_a_channel_lists_that_channels_members(
    bed: BedFactory, fake: FakeSlack
) -> None:
    workspace(fake, 10)
    async with bed("http", scope_channel=SCOPE) as b:
        await b.settle()
        assert fake.calls_to("conversations.members")
        assert sorted(await members(b)) == sorted([BOB, CAMILLE])
    # While Agora is down, alice joins the channel and bob leaves it.
    fake.channels[SCOPE].members.append(ALICE)
    fake.channels[SCOPE].members.remove(BOB)
    async with bed("http", scope_channel=SCOPE) as b:
        await b.settle()
        await b.dm_post(ALICE)
        known = await members(b)
        assert known[ALICE].left_at is None and known[BOB].left_at is not None
    async with bed("http", scope_channel=SCOPE) as b:
        await b.settle()
        assert len(dms_to(fake, ALICE)) == 1
