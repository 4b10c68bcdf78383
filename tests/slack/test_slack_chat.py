"""``SlackChat``, the core's Chat port on Slack, against the loopback fake: what each call sends, and how
Slack's errors become the core's transient and permanent ones."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from adapters.slack.chat import SlackChat, make_client
from bot.chat import (
    Capability,
    Chat,
    DirectMessagesClosed,
    MissingPermission,
    PermanentChatError,
    Problem,
    ScheduledEvent,
    TransientChatError,
)
from bot.clock import SystemClock
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Attachment, Button, Field, Message
from tests.fakes.fake_slack import FakeSlack

ALICE = "U0ALICE001"
BOB = "U0BOB00001"
WELCOME = "C0WELCOME1"
MEMBERS = "C0MEMBERS1"
PUBLIC = "C0PUBLIC01"
COMMUNITY = CommunityRef("slack", "T0AGORA01", "Agora Test")


def member(user_id: str) -> MemberRef:
    return MemberRef("slack", user_id)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake_slack:
        fake_slack.add_user(ALICE, "alice", "Alice Martin", "fr-FR")
        fake_slack.add_user(BOB, "bob", "Bob Stone")
        fake_slack.add_channel(WELCOME, "welcome", members=[BOB])
        fake_slack.add_channel(MEMBERS, "members", members=[BOB])
        fake_slack.add_channel(PUBLIC, "public", members=[BOB], bot_member=False)
        yield fake_slack


@pytest.fixture
def chat(fake: FakeSlack) -> SlackChat:
    return SlackChat(make_client("xoxb-test", fake.api_base))


def test_slack_chat_is_a_chat_without_roles() -> None:
    chat = SlackChat(make_client("xoxb-test", "http://127.0.0.1:9/api/"))
    assert isinstance(chat, Chat)
    assert Capability.CHANNEL_INVITE in chat.capabilities and Capability.GROUP_DM in chat.capabilities
    assert not {Capability.ROLES, Capability.PRIVATE_THREADS, Capability.SCHEDULED_EVENTS} & chat.capabilities


async def test_post_update_and_react(chat: SlackChat, fake: FakeSlack) -> None:
    message = Message(
        "Vote for the next topic",
        title="Poll",
        fields=(Field("Remote work", "2 votes", inline=True), Field("Mentoring", "1 vote", inline=True)),
        buttons=(Button("poll:vote", "Remote work", "7:1"), Button("poll:close", "Close", "7", "danger")),
    )
    posted = await chat.post(ChannelRef("slack", WELCOME), message)
    stored = fake.find_message(posted.id, WELCOME)
    assert posted == MessageRef("slack", WELCOME, stored["ts"])
    assert stored["text"] == "Poll\nVote for the next topic\nRemote work: 2 votes\nMentoring: 1 vote"
    assert [b["type"] for b in stored["blocks"]] == ["header", "section", "section", "actions"]
    assert stored["blocks"][2]["fields"][0]["text"] == "*Remote work*\n2 votes"
    assert [(e["action_id"], e.get("style")) for e in stored["blocks"][3]["elements"]] == [
        ("agora:poll:vote:7:1", "primary"),
        ("agora:poll:close:7", "danger"),
    ]

    await chat.update(posted, Message("Poll closed: Remote work wins", title="Poll"))
    assert fake.find_message(posted.id)["text"] == "Poll\nPoll closed: Remote work wins"
    assert "actions" not in [b["type"] for b in fake.find_message(posted.id)["blocks"]]

    await chat.react(posted, ":tada:")
    await chat.react(posted, "tada")  # already there: not an error
    assert fake.find_message(posted.id)["reactions"] == [
        {"name": "tada", "users": [fake.bot_user_id], "count": 1}
    ]


async def test_a_thread_is_the_replies_under_a_message(chat: SlackChat, fake: FakeSlack) -> None:
    parent = await chat.post(ChannelRef("slack", WELCOME), Message("Motion: remote work weakens networks"))
    thread = await chat.start_thread(parent, "Debate")
    reply = await chat.post(thread, Message("I disagree"))
    assert reply.channel_id == WELCOME  # the real channel, for updates and reactions
    stored = fake.find_message(reply.id, WELCOME)
    assert stored["thread_ts"] == parent.id and fake.find_message(parent.id)["reply_count"] == 1
    await chat.update(reply, Message("I disagree, politely"))
    assert fake.find_message(reply.id)["text"] == "I disagree, politely"


async def test_a_dm_opens_the_conversation_then_posts(chat: SlackChat, fake: FakeSlack) -> None:
    sent = await chat.direct_message(member(ALICE), Message("Hello"))
    assert sent.channel_id == fake.dm_channel_id(ALICE) and sent.channel_id.startswith("D")
    assert fake.calls_to("conversations.open")[0].args["users"] == ALICE
    assert fake.messages[sent.channel_id][-1]["text"] == "Hello"


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("conversations.open", "user_not_found"),
        ("conversations.open", "cannot_dm_bot"),
        ("chat.postMessage", "channel_not_found"),
        ("chat.postMessage", "is_archived"),
        ("conversations.open", "missing_scope"),
    ],
)
async def test_a_dm_that_can_never_be_delivered_is_dms_closed(
    chat: SlackChat, fake: FakeSlack, method: str, error: str
) -> None:
    fake.fail_next(method, error)
    with pytest.raises(DirectMessagesClosed, match=error):
        await chat.direct_message(member(ALICE), Message("Hello"))


async def test_a_group_dm_for_several_members(chat: SlackChat, fake: FakeSlack) -> None:
    group = await chat.open_group(COMMUNITY, [member(ALICE), member(BOB)], "Round 1, group A")
    assert group.id.startswith("G") and group.name == "Round 1, group A"
    assert fake.channels[group.id].is_mpim
    assert set(fake.channels[group.id].members) == {ALICE, BOB, fake.bot_user_id}
    assert fake.calls_to("conversations.open")[-1].args["users"] == f"{ALICE},{BOB}"
    await chat.post(group, Message("Say hello to each other!"))
    assert fake.messages[group.id][-1]["text"] == "Say hello to each other!"

    with pytest.raises(PermanentChatError):
        await chat.open_group(COMMUNITY, [member(f"U0MANY{i:04d}") for i in range(9)], "Too many")


async def test_invitations_are_idempotent_and_join_public_channels_first(
    chat: SlackChat, fake: FakeSlack
) -> None:
    await chat.invite_to_channels(
        COMMUNITY, member(ALICE), [ChannelRef("slack", MEMBERS), ChannelRef("slack", PUBLIC)]
    )
    assert ALICE in fake.channels[MEMBERS].members and ALICE in fake.channels[PUBLIC].members
    assert fake.calls_to("conversations.join")[0].args["channel"] == PUBLIC

    # Invited again (a retried outbox entry): already there is success, nothing else happens.
    await chat.invite_to_channels(COMMUNITY, member(ALICE), [ChannelRef("slack", MEMBERS)])
    assert fake.channels[MEMBERS].members.count(ALICE) == 1


async def test_an_invitation_to_a_missing_channel_fails_for_good_after_the_others(
    chat: SlackChat, fake: FakeSlack
) -> None:
    with pytest.raises(PermanentChatError, match="channel_not_found"):
        await chat.invite_to_channels(
            COMMUNITY, member(ALICE), [ChannelRef("slack", "C0GONE0001"), ChannelRef("slack", MEMBERS)]
        )
    assert ALICE in fake.channels[MEMBERS].members


async def test_slack_has_no_roles_and_no_calendar(chat: SlackChat) -> None:
    with pytest.raises(PermanentChatError):
        await chat.grant_role(COMMUNITY, member(ALICE), "member")
    with pytest.raises(PermanentChatError):
        await chat.revoke_role(COMMUNITY, member(ALICE), "member")
    now = SystemClock().now()
    with pytest.raises(PermanentChatError):
        await chat.create_event(COMMUNITY, ScheduledEvent("Meetup", now, now))


async def test_a_rate_limit_the_sdk_could_not_absorb_is_transient_with_its_retry_after(
    chat: SlackChat, fake: FakeSlack
) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=0, times=2)
    with pytest.raises(TransientChatError) as excinfo:
        await chat.post(ChannelRef("slack", WELCOME), Message("Hello"))
    assert excinfo.value.retry_after == 0
    assert len(fake.calls_to("chat.postMessage")) == 2  # the sdk's retry handler tried once more

    fake.rate_limit_next("chat.postMessage", retry_after=0)
    posted = await chat.post(ChannelRef("slack", WELCOME), Message("Hello again"))
    assert fake.find_message(posted.id)["text"] == "Hello again"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("channel_not_found", PermanentChatError),
        ("is_archived", PermanentChatError),
        ("missing_scope", MissingPermission),
        ("internal_error", TransientChatError),
        ("service_unavailable", TransientChatError),
    ],
)
async def test_slack_errors_are_transient_or_permanent(
    chat: SlackChat, fake: FakeSlack, error: str, kind: type[Exception]
) -> None:
    fake.fail_next("chat.postMessage", error)
    with pytest.raises(kind, match=error):
        await chat.post(ChannelRef("slack", WELCOME), Message("Hello"))


async def test_the_bot_joins_a_public_channel_it_is_not_in_and_posts(
    chat: SlackChat, fake: FakeSlack
) -> None:
    fake.add_channel("C0PUBLIC01", "offtopic", bot_member=False)
    posted = await chat.post(ChannelRef("slack", "C0PUBLIC01"), Message("Hello"))
    assert [c.args["channel"] for c in fake.calls_to("conversations.join")] == ["C0PUBLIC01"]
    assert fake.find_message(posted.id, "C0PUBLIC01")["text"] == "Hello"


@pytest.mark.parametrize(
    ("private", "archived", "problem"),
    [(True, False, Problem.NOT_A_MEMBER), (False, True, Problem.ARCHIVED)],
)
async def test_a_channel_the_bot_cannot_post_in_is_a_permanent_failure_naming_why(
    chat: SlackChat, fake: FakeSlack, private: bool, archived: bool, problem: Problem
) -> None:
    fake.add_channel("C0CLOSED01", "closed", is_private=private, is_archived=archived, bot_member=not private)
    with pytest.raises(PermanentChatError) as failed:
        await chat.post(ChannelRef("slack", "C0CLOSED01"), Message("Hello"))
    assert failed.value.problems == (problem,)
    assert fake.messages["C0CLOSED01"] == []

    # /agora setup asks the same before anything is posted.
    community = CommunityRef("slack", "T0TEST")
    access = await chat.channel_access(community, ChannelRef("slack", "C0CLOSED01"), frozenset())
    assert access == {problem}


async def test_checking_a_public_channel_joins_it_at_once(chat: SlackChat, fake: FakeSlack) -> None:
    fake.add_channel("C0PUBLIC01", "offtopic", bot_member=False)
    access = await chat.channel_access(
        CommunityRef("slack", "T0"), ChannelRef("slack", "C0PUBLIC01"), frozenset()
    )
    assert access == frozenset() and fake.bot_user_id in fake.channels["C0PUBLIC01"].members


async def test_a_network_failure_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed when the block ends: nothing listens there
    chat = SlackChat(make_client("xoxb-test", f"http://127.0.0.1:{port}/api/"))
    with pytest.raises(TransientChatError):
        await chat.post(ChannelRef("slack", WELCOME), Message("Hello"))


async def test_attachments_are_uploaded_in_the_messages_thread(chat: SlackChat, fake: FakeSlack) -> None:
    posted = await chat.post(
        ChannelRef("slack", WELCOME),
        Message("Next meeting", attachments=(Attachment("meeting.ics", "BEGIN:VCALENDAR", "text/calendar"),)),
    )
    [file_id] = fake.uploads
    assert fake.uploads[file_id] == b"BEGIN:VCALENDAR"
    [upload] = [m for m in fake.messages[WELCOME] if m.get("upload")]
    assert upload["thread_ts"] == posted.id and upload["files"][0]["name"] == "meeting.ics"


async def test_delete_removes_the_bots_message_and_one_already_gone_is_no_error(
    chat: SlackChat, fake: FakeSlack
) -> None:
    assert Capability.DELETE in chat.capabilities
    posted = await chat.post(ChannelRef("slack", WELCOME), Message("Say hello to Alice!"))
    await chat.delete(posted)
    assert [c.args["ts"] for c in fake.calls_to("chat.delete")] == [posted.id]
    assert fake.messages[WELCOME] == []
    await chat.delete(posted)  # gone already: what was asked is done
    with pytest.raises(PermanentChatError):
        await chat.delete(MessageRef("slack", "C0NOWHERE1", posted.id))
