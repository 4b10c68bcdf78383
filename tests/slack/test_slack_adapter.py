"""The Slack adapter end to end: the real slack-bolt and slack-sdk against the loopback Slack fake.

Each test starts ``FakeSlack`` (Web API, Socket Mode link, response URLs) and the real ``Agora`` on a temporary
SQLite file, with the adapter pointed at the fake (``slack.api_base_url``) and, in HTTP mode, serving
``/slack/events`` on 127.0.0.1 with an ephemeral port. Payloads are what Slack sends: signed HTTP requests, or
envelopes on the Socket Mode link. Assertions read what reached the fake and what the database holds.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.context import Context
from bot.errors import FormErrors
from bot.events import ButtonPressed, ChannelRef, FormSubmitted, ReactionChanged
from bot.messages import Button, Form, FormField, Message
from bot.router import Feature, action, command, form, on
from storage.models import Acknowledgement, Member, OutboxEntry, ProcessedDelivery, Timer
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import (
    ALICE,
    BOB,
    CAMILLE,
    INTROS,
    MEMBERS,
    MODES,
    SCOPE,
    TIMEOUT,
    WELCOME,
    BedFactory,
    buttons,
    texts,
)

# --- test features: what the core will have soon (forms, reactions), and a slow handler --------------------


class ProfileFeature(Feature):
    """A form with one required field, validated by the handler; a valid one posts an introduction."""

    name = "profile-test"

    def profile_form(self) -> Form:
        return Form(
            "test-profile",
            "Introduce yourself to the community",
            fields=(
                FormField("headline", "Your headline", required=True, max_length=80, placeholder="Designer"),
                FormField("about", "A few words about you", multiline=True, default="I like"),
            ),
            ref="42",
        )

    @command("test-profile", "Introduce yourself")
    async def ask(self, ctx: Context) -> None:
        ctx.open_form(self.profile_form())

    @action("test-profile:open")
    async def open(self, ctx: Context) -> None:
        ctx.open_form(self.profile_form())

    @form("test-profile")
    async def submitted(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, FormSubmitted)
        headline = event.values.get("headline", "").strip()
        if len(headline) < 3:
            raise FormErrors({"headline": "Say a little more (three letters at least)."})
        ctx.post(INTROS, Message(f"<@{event.actor.id}>: {headline}", title="A new member"))
        ctx.reply(f"Thanks, ref {event.ref}!")


class Recorder(Feature):
    """Keeps the reactions and button presses the core received."""

    name = "recorder"

    def __init__(self) -> None:
        self.reactions: list[ReactionChanged] = []
        self.presses: list[ButtonPressed] = []

    @on(ReactionChanged)
    async def reaction(self, ctx: Context) -> None:
        assert isinstance(ctx.event, ReactionChanged)
        self.reactions.append(ctx.event)

    @action("test-tally:vote")
    async def vote(self, ctx: Context) -> None:
        assert isinstance(ctx.event, ButtonPressed)
        self.presses.append(ctx.event)
        ctx.replace_pressed(
            Message(f"{len(self.presses)} vote(s)", buttons=(Button("test-tally:vote", "Vote", "7"),))
        )


class SlowFeature(Feature):
    """A command whose handler waits until the test lets it finish."""

    name = "slow-test"

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    @command("test-slow", "Takes its time")
    async def slow(self, ctx: Context) -> None:
        self.started.set()
        await self.release.wait()
        ctx.reply("Done at last.")


# --- the walking skeleton on Slack -------------------------------------------------------------------------


async def test_http_a_newcomer_is_welcomed_accepts_and_is_invited(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http") as b:
        joined = await b.send(fake.event_callback(fake.team_join_event(ALICE)))
        assert joined.status == 200

        # The welcome: a DM (conversations.open + chat.postMessage) in Block Kit, with its text fallback.
        post = await b.dm_post(ALICE)
        opened = fake.calls_to("conversations.open")[0]
        assert opened.args["users"] == ALICE
        blocks = post.args["blocks"]
        assert blocks[0] == {
            "type": "header",
            "text": {"type": "plain_text", "text": "Welcome to The Indies!", "emoji": True},
        }
        assert (
            blocks[1]["type"] == "section" and "here is what this group is for" in blocks[1]["text"]["text"]
        )
        assert any(b.get("text", {}).get("text", "").startswith("*Our objective*\n") for b in blocks)
        assert "I freelanced alone for three years" in texts(blocks)
        assert blocks[-2] == {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Charter of The Indies, version 1"}],
        }
        [button] = buttons(blocks)
        assert button == {
            "type": "button",
            "action_id": "agora:charter:accept:1",
            "text": {"type": "plain_text", "text": "I accept the charter", "emoji": True},
            "value": "1",
            "style": "primary",
        }
        assert post.args["text"].startswith("Welcome to The Indies!\nBefore you meet the members")
        assert "Our objective: Help Lyon's digital freelancers grow together." in post.args["text"]

        # She presses "I accept": acknowledged, invited to the member channels, the DM no longer asks.
        dm = post.args["channel"]
        press = fake.block_actions(ALICE, "agora:charter:accept:1", channel=dm)
        pressed = await b.send(press)
        assert pressed.status == 200 and not pressed.body  # a bare, immediate ack

        update = await fake.wait_for_call("chat.update", timeout=TIMEOUT)
        assert (update.args["channel"], update.args["ts"]) == (dm, press["container"]["message_ts"])
        assert buttons(update.args["blocks"]) == []
        assert "✅ You accepted this charter on" in texts(update.args["blocks"])
        assert fake.find_message(press["container"]["message_ts"])["text"].startswith(
            "Welcome to The Indies!"
        )

        invite = await fake.wait_for_call("conversations.invite", timeout=TIMEOUT)
        assert (invite.args["channel"], invite.args["users"]) == (MEMBERS, ALICE)
        assert ALICE in fake.channels[MEMBERS].members

        thanks = await fake.wait_for_response(timeout=TIMEOUT)
        assert thanks.body["response_type"] == "ephemeral" and thanks.body["replace_original"] is False
        assert thanks.body["text"].startswith(
            "Thank you! You accepted the charter of The Indies (version 1)."
        )

        await b.settle()
        assert await b.count(Acknowledgement) == 1
        [invited] = await b.outbox("invite")
        assert (invited.status, invited.payload["channels"]) == ("sent", [MEMBERS])
        community = await b.community()
        assert (community.external_id, community.name) == (fake.team_id, "Agora Test")

        # Anyone can read the charter with /agora charter.
        since = len(fake.responses)
        shown = await b.send(fake.slash_command(BOB, "charter", channel_id=WELCOME))
        assert shown.status == 200 and not shown.body
        reply = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert reply.body["response_type"] == "ephemeral"
        assert reply.body["blocks"][0]["text"]["text"] == "The charter of The Indies"
        assert "1 member has accepted this version." in texts(reply.body["blocks"])
        assert [b["action_id"] for b in buttons(reply.body["blocks"])] == ["agora:charter:accept:1"]


async def test_socket_mode_a_newcomer_is_welcomed_and_accepts(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("socket") as b:
        opened = fake.calls_to("apps.connections.open")
        assert opened and all(c.headers["Authorization"] == "Bearer xapp-test" for c in opened)
        assert b.adapter.ready

        joined = await b.send(fake.event_callback(fake.team_join_event(ALICE)))
        assert joined.body is None  # {"envelope_id": ...} and nothing else
        post = await b.dm_post(ALICE)
        [button] = buttons(post.args["blocks"])

        press = fake.block_actions(ALICE, button["action_id"], channel=post.args["channel"])
        assert (await b.send(press)).body is None
        await fake.wait_for_call("chat.update", timeout=TIMEOUT)
        await fake.wait_for_call("conversations.invite", timeout=TIMEOUT)
        await b.settle()

        assert await b.count(Acknowledgement) == 1
        assert ALICE in fake.channels[MEMBERS].members
        assert all(e["envelope_id"] in fake.acks for e in fake.envelopes)

        # A slash command over the link: acknowledged at once, answered through its response_url.
        since = len(fake.responses)
        await b.send(fake.slash_command(ALICE, "charter"))
        reply = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert "You accepted it on" in texts(reply.body["blocks"])


async def test_accepting_from_an_ephemeral_charter_replaces_it_through_the_response_url(
    bed: BedFactory, fake: FakeSlack
) -> None:
    async with bed("http") as b:
        await b.send(fake.slash_command(BOB, "charter", channel_id=WELCOME))
        shown = await fake.wait_for_response(timeout=TIMEOUT)
        [button] = buttons(shown.body["blocks"])
        ephemeral = {"type": "message", "ts": "1700000000.000100", "blocks": shown.body["blocks"]}
        container = {
            "type": "message",
            "message_ts": ephemeral["ts"],
            "channel_id": WELCOME,
            "is_ephemeral": True,
        }
        since = len(fake.responses)
        await b.send(
            fake.block_actions(
                BOB, button["action_id"], message=ephemeral, channel=WELCOME, container=container
            )
        )

        replaced = await fake.wait_for_response(
            lambda r: r.body.get("replace_original") is True, TIMEOUT, since=since
        )
        assert buttons(replaced.body["blocks"]) == []
        assert "✅ You accepted this charter on" in texts(replaced.body["blocks"])
        await b.settle()
        assert fake.calls_to("chat.update") == []  # an ephemeral message has no ts chat.update could use
        assert await b.count(Acknowledgement) == 1


async def test_a_form_whose_trigger_expired_is_an_apology(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http", features=[ProfileFeature()]) as b:
        fake.fail_next("views.open", "expired_trigger_id")
        await b.send(fake.slash_command(ALICE, "test-profile", channel_id=WELCOME))
        sorry = await fake.wait_for_response(timeout=TIMEOUT)
        assert sorry.body["text"].startswith("Sorry, something went wrong on my side.")


async def test_a_button_pressed_after_a_restart_still_works(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http") as b:
        await b.send(fake.event_callback(fake.team_join_event(ALICE)))
        post = await b.dm_post(ALICE)
        await b.settle()
    async with bed("http") as b:
        await b.send(fake.block_actions(ALICE, "agora:charter:accept:1", channel=post.args["channel"]))
        await fake.wait_for_call("conversations.invite", timeout=TIMEOUT)
        await b.settle()
        assert await b.count(Acknowledgement) == 1


# --- security and re-deliveries --------------------------------------------------------------------------------


@pytest.mark.parametrize(("bad_signature", "skew"), [(True, 0), (False, -301), (False, 360)])
async def test_http_refuses_a_bad_signature_or_a_stale_timestamp(
    bed: BedFactory, fake: FakeSlack, bad_signature: bool, skew: int
) -> None:
    async with bed("http") as b:
        since = fake.mark()
        requester = fake.requester(b.url)
        payloads = [
            fake.event_callback(fake.team_join_event(ALICE)),
            fake.slash_command(CAMILLE, "setup locale=fr", channel_id=WELCOME),
            fake.block_actions(ALICE, "agora:charter:accept:1", message={"ts": "1.000001"}, channel=WELCOME),
        ]
        for payload in payloads:
            answer = await requester.send(payload, bad_signature=bad_signature, skew=skew)
            assert answer.status == 401
        await b.settle()

        assert fake.calls[since:] == [] and fake.responses == []
        assert await b.count(ProcessedDelivery) == 0
        assert await b.count(Member, Member.existing_at.is_(None)) == 0  # only those learnt at start
        assert await b.count(OutboxEntry) == 0


async def test_http_answers_slacks_url_verification(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http") as b:
        answer = await fake.requester(b.url).url_verification("3eZbrw1aBm2rZgRNFdxV")
        assert (answer.status, answer.json()) == (200, {"challenge": "3eZbrw1aBm2rZgRNFdxV"})


@pytest.mark.parametrize("mode", MODES)
async def test_the_same_event_delivered_three_times_has_one_effect(
    bed: BedFactory, fake: FakeSlack, mode: str
) -> None:
    async with bed(mode) as b:
        event = fake.event_callback(fake.team_join_event(ALICE), event_id="Ev0RETRIED01")
        answers = [await b.send(event, retry=retry) for retry in (None, 1, 2)]
        assert [a.status for a in answers] == [200, 200, 200]
        await b.dm_post(ALICE)
        await b.settle()

        dm = fake.dm_channel_id(ALICE)
        assert len([c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == dm]) == 1
        assert len(fake.messages[dm]) == 1
        # A user joins a workspace once: the join's delivery id is the user's, whatever the event's id.
        joined = f"slack:join:{fake.team_id}:{ALICE}"
        assert await b.count(ProcessedDelivery, ProcessedDelivery.delivery_id == joined) == 1
        assert len(await b.outbox("dm")) == 1
        assert await b.count(Timer) == 1
        assert await b.count(Member, Member.existing_at.is_(None)) == 0  # the three users learnt at start
        assert await b.count(Member) == 3


async def test_the_bot_keeps_its_connections_to_slack_open_rather_than_one_per_call(
    bed: BedFactory, fake: FakeSlack
) -> None:
    async with bed("http") as b:
        await b.settle()
        fake.connections.clear()
        before = len(fake.calls)
        for _ in range(12):
            await b.send(fake.slash_command(BOB, "help", channel_id=WELCOME))
            await b.settle()
        await b.send(fake.event_callback(fake.team_join_event(ALICE)))
        await b.dm_post(ALICE)
        await b.settle()

        # Twelve answers through response URLs and the Web API calls of a welcome, on one or two connections.
        assert len(fake.responses) == 12 and len(fake.calls) > before
        assert fake.connects <= 2, fake.connections


async def test_the_ack_comes_before_slow_work(bed: BedFactory, fake: FakeSlack) -> None:
    slow = SlowFeature()
    async with bed("http", features=[slow]) as b:
        answer = await asyncio.wait_for(b.send(fake.slash_command(BOB, "test-slow", channel_id=WELCOME)), 2.0)
        assert answer.status == 200
        await asyncio.wait_for(slow.started.wait(), TIMEOUT)
        assert fake.responses == []  # acknowledged while the handler still works

        slow.release.set()
        reply = await fake.wait_for_response(timeout=TIMEOUT)
        assert reply.body["text"] == "Done at last."


# --- forms ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_modal_with_an_invalid_value_shows_the_error_next_to_the_field(
    bed: BedFactory, fake: FakeSlack, mode: str
) -> None:
    async with bed(mode, features=[ProfileFeature()]) as b:
        command = fake.slash_command(ALICE, "test-profile", channel_id=INTROS)
        fake.channels[INTROS].members.append(ALICE)
        await b.send(command)

        opened = await fake.wait_for_call("views.open", timeout=TIMEOUT)
        assert opened.args["trigger_id"] == command["trigger_id"]
        view = opened.args["view"]
        assert (view["type"], view["callback_id"], view["private_metadata"]) == (
            "modal",
            "agora:test-profile:42",
            "42",
        )
        assert view["title"]["text"] == "Introduce yourself to t…"  # Slack's title holds 24 characters
        assert view["submit"]["text"] == "Send" and view["close"]["text"] == "Cancel"
        header, headline, about = view["blocks"]
        assert header["text"]["text"] == "Introduce yourself to the community"
        assert headline == {
            "type": "input",
            "block_id": "headline",
            "label": {"type": "plain_text", "text": "Your headline", "emoji": True},
            "optional": False,
            "element": {
                "type": "plain_text_input",
                "action_id": "headline",
                "multiline": False,
                "max_length": 80,
                "placeholder": {"type": "plain_text", "text": "Designer", "emoji": True},
            },
        }
        assert about["optional"] is True and about["element"]["multiline"] is True
        assert about["element"]["initial_value"] == "I like"

        since = fake.mark()
        rejected = await b.send(
            fake.view_submission(
                ALICE, "agora:test-profile:42", {"headline": {"headline": "Al"}, "about": {"about": ""}}
            )
        )
        assert rejected.body == {
            "response_action": "errors",
            "errors": {"headline": "Say a little more (three letters at least)."},
        }
        await b.settle()
        assert await b.count(OutboxEntry) == 0
        assert await b.count(ProcessedDelivery, ProcessedDelivery.delivery_id.like("slack:view:%")) == 0
        assert [c.method for c in fake.calls[since:] if c.method.startswith("chat.")] == []

        accepted = await b.send(
            fake.view_submission(
                ALICE,
                "agora:test-profile:42",
                {"headline": {"headline": "Designer"}, "about": {"about": "Hi"}},
            )
        )
        assert accepted.status == 200 and not accepted.body  # the modal closes
        intro = await fake.wait_for_call("chat.postMessage", lambda c: c.args["channel"] == INTROS, TIMEOUT)
        assert f"<@{ALICE}>: Designer" in intro.args["text"]
        # The reply goes to the channel the form was asked from, for her eyes only.
        thanks = await fake.wait_for_call("chat.postEphemeral", timeout=TIMEOUT)
        assert (thanks.args["channel"], thanks.args["user"], thanks.args["text"]) == (
            INTROS,
            ALICE,
            "Thanks, ref 42!",
        )


async def test_a_button_can_open_a_form(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http", features=[ProfileFeature()]) as b:
        await b.adapter.chat.post(
            ChannelRef("slack", WELCOME),
            Message("Tell us about you", buttons=(Button("test-profile:open", "Go", "42"),)),
        )
        press = fake.block_actions(BOB, "agora:test-profile:open:42", channel=WELCOME)
        await b.send(press)
        opened = await fake.wait_for_call("views.open", timeout=TIMEOUT)
        assert opened.args["trigger_id"] == press["trigger_id"]
        assert fake.views[next(iter(fake.views))]["callback_id"] == "agora:test-profile:42"


# --- commands and permissions -----------------------------------------------------------------------------


async def test_a_member_who_isnt_an_animator_is_refused_and_nothing_changes(
    bed: BedFactory, fake: FakeSlack
) -> None:
    async with bed("http") as b:
        await b.send(fake.slash_command(ALICE, "setup locale=fr", channel_id=WELCOME))
        refused = await fake.wait_for_response(timeout=TIMEOUT)
        assert refused.body["response_type"] == "ephemeral"
        assert refused.body["text"].startswith("Only the animators of this community can do that.")
        await b.settle()
        assert (await b.community()).settings == {}
        assert (await b.app.community_settings(b.adapter.communities.ref())).locale == "en"

        # Bob animates through the "moderators" user group; quoted values are read as one.
        since = len(fake.responses)
        await b.send(fake.slash_command(BOB, 'setup timezone="America/Montreal"', channel_id=WELCOME))
        saved = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert saved.body["blocks"][0]["text"]["text"] == "Settings saved."
        assert (await b.community()).settings == {"timezone": "America/Montreal"}

        # /agora alone is the help; Alice sees no animator commands.
        since = len(fake.responses)
        await b.send(fake.slash_command(ALICE, "", channel_id=WELCOME))
        shown = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert "/agora charter" in texts(shown.body["blocks"]) and "/agora setup" not in shown.body["text"]


async def test_usage_errors_come_back_in_the_members_language(bed: BedFactory, fake: FakeSlack) -> None:
    # Camille's Slack speaks French, as her community does; what can't be read is worded after the
    # acknowledgement, once Slack has said so (users.info).
    fake.add_user(CAMILLE, "camille", "Camille Durand", "fr-FR", is_admin=True)
    async with bed("http", "fr") as b:
        await b.send(fake.slash_command(CAMILLE, "setup couleur=bleu", channel_id=WELCOME))
        wrong = await fake.wait_for_response(timeout=TIMEOUT)
        assert wrong.body["response_type"] == "ephemeral"
        assert wrong.body["text"].startswith(
            "« couleur » n'est pas une option de /agora setup. Utilisation : "
        )

        since = len(fake.responses)
        await b.send(fake.slash_command(CAMILLE, "danse", channel_id=WELCOME))
        unknown = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert unknown.body["text"] == "Il n'existe pas de commande « danse ». Essayez /agora help."
        # Alice's Slack speaks English: so does Agora to her, as it would to anything else she does.
        since = len(fake.responses)
        await b.send(fake.slash_command(ALICE, "danse", channel_id=WELCOME))
        unknown = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert unknown.body["text"] == "There is no command “danse”. Try /agora help."

        since = len(fake.responses)
        await b.send(fake.slash_command(CAMILLE, 'setup timezone="Europe/Brussels', channel_id=WELCOME))
        unclosed = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert "guillemet" in unclosed.body["text"]
        await b.settle()
        assert (await b.community()).settings == {}
        assert await b.count(ProcessedDelivery) == 0


# --- DMs that can't be delivered, channel-scoped communities, reactions, rate limits -----------------------


@pytest.mark.parametrize(
    ("method", "error"), [("conversations.open", "user_disabled"), ("chat.postMessage", "channel_not_found")]
)
async def test_a_welcome_that_cannot_be_a_dm_mentions_the_member_in_the_welcome_channel(
    bed: BedFactory, fake: FakeSlack, method: str, error: str
) -> None:
    async with bed("http") as b:
        fake.fail_next(method, error)
        await b.send(fake.event_callback(fake.team_join_event(ALICE)))
        post = await fake.wait_for_call("chat.postMessage", lambda c: c.args["channel"] == WELCOME, TIMEOUT)
        assert post.args["text"].startswith(f"Welcome to The Indies!\n<@{ALICE}> Before you meet")
        assert [e["action_id"] for e in buttons(post.args["blocks"])] == ["agora:charter:accept:1"]
        await b.settle()
        [dm] = await b.outbox("dm")
        assert dm.status == "sent" and dm.result["fallback"] == "mention"


async def test_a_channel_scoped_community_is_joined_through_its_channel(
    bed: BedFactory, fake: FakeSlack
) -> None:
    async with bed("http", scope_channel=SCOPE) as b:
        since = fake.mark()
        await b.send(fake.event_callback(fake.team_join_event(ALICE)))  # the workspace: not the community
        await b.send(fake.event_callback(fake.member_joined_channel_event(ALICE, WELCOME)))  # another channel
        await b.send(
            fake.event_callback(fake.member_joined_channel_event(BOB, SCOPE, inviter=fake.bot_user_id))
        )
        await b.settle()
        assert [c for c in fake.calls[since:] if c.method.startswith(("chat.", "conversations.open"))] == []

        await b.send(fake.event_callback(fake.member_joined_channel_event(ALICE, SCOPE)))
        post = await b.dm_post(ALICE)
        assert post.args["blocks"][0]["text"]["text"] == "Welcome to The Indies!"
        await b.settle()
        community = await b.community()
        assert (community.external_id, community.name) == (SCOPE, "freelances-lyon")

        await b.send(fake.event_callback({"type": "member_left_channel", "user": ALICE, "channel": SCOPE}))
        await b.settle()
        async with b.database.transaction() as session:
            alice = await session.scalar(select(Member).where(Member.external_id == ALICE))
            assert alice is not None and alice.left_at is not None


async def test_reactions_reach_the_core(bed: BedFactory, fake: FakeSlack) -> None:
    recorder = Recorder()
    async with bed("socket", features=[recorder]) as b:
        message = fake.post_user_message(BOB, WELCOME, "Who's coming on Thursday?")
        await b.send(fake.event_callback(fake.reaction_event(ALICE, "raised_hands", WELCOME, message["ts"])))
        await b.send(
            fake.event_callback(
                fake.reaction_event(ALICE, "raised_hands", WELCOME, message["ts"], removed=True)
            )
        )
        await b.settle()

        assert [(r.emoji, r.added) for r in recorder.reactions] == [
            ("raised_hands", True),
            ("raised_hands", False),
        ]
        first = recorder.reactions[0]
        assert (first.actor.id, first.actor.display_name) == (ALICE, "Alice Martin")
        assert (first.message.channel_id, first.message.id) == (WELCOME, message["ts"])
        assert first.delivery_id and first.delivery_id.startswith("slack:event:")


async def test_a_press_that_changes_a_tally_updates_the_message(bed: BedFactory, fake: FakeSlack) -> None:
    recorder = Recorder()
    async with bed("http", features=[recorder]) as b:
        posted = await b.adapter.chat.post(
            ChannelRef("slack", WELCOME),
            Message("0 vote(s)", buttons=(Button("test-tally:vote", "Vote", "7"),)),
        )
        for voter in (BOB, CAMILLE):
            since = fake.mark()
            await b.send(fake.block_actions(voter, "agora:test-tally:vote:7", channel=WELCOME))
            await fake.wait_for_call("chat.update", timeout=TIMEOUT, since=since)
        await b.settle()
        assert fake.find_message(posted.id)["text"] == "2 vote(s)"
        assert [p.actor.id for p in recorder.presses] == [BOB, CAMILLE]
        assert recorder.presses[0].actor.roles >= {"S0MODS0001", "moderators", "@moderators"}
        assert recorder.presses[1].actor.is_admin


async def test_a_rate_limited_post_is_retried_by_the_sdk_then_by_the_outbox(
    bed: BedFactory, fake: FakeSlack
) -> None:
    async with bed("http") as b:
        fake.rate_limit_next("chat.postMessage", retry_after=0, times=2)  # slack-sdk retries once: both fail
        await b.send(fake.event_callback(fake.team_join_event(ALICE)))
        await fake.wait_until(lambda: len(fake.calls_to("chat.postMessage")) == 2, TIMEOUT, "two tries")
        await b.settle()
        [dm] = await b.outbox("dm")
        assert (dm.status, dm.attempts) == ("pending", 1) and "ratelimited" in (dm.last_error or "")
        assert fake.messages[fake.dm_channel_id(ALICE)] == []

        await b.scheduler.advance(timedelta(seconds=6))  # the outbox's back-off
        await b.dm_post(ALICE, since=0)
        await b.settle()
        [dm] = await b.outbox("dm")
        assert dm.status == "sent"
        assert len(fake.calls_to("chat.postMessage")) == 3


class LateFeature(Feature):
    """A form whose handler answers after Slack's three seconds, and a command that crashes."""

    name = "late-test"

    def __init__(self) -> None:
        self.release = asyncio.Event()

    @command("test-later", "A slow form")
    async def ask(self, ctx: Context) -> None:
        ctx.open_form(Form("test-later", "Later", fields=(FormField("when", "When?", required=True),)))

    @form("test-later")
    async def submitted(self, ctx: Context) -> None:
        await self.release.wait()
        raise FormErrors({"when": "That date has passed."})

    @command("test-boom", "Crashes")
    async def boom(self, ctx: Context) -> None:
        ctx.reply("never shown")
        raise RuntimeError("kaboom")


async def test_a_form_answered_too_late_closes_the_modal_and_follows_by_message(
    bed: BedFactory, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.slack.app.VIEW_DEADLINE", 0.2)
    late = LateFeature()
    async with bed("http", features=[late]) as b:
        await b.send(fake.slash_command(CAMILLE, "test-later", channel_id=WELCOME))
        await fake.wait_for_call("views.open", timeout=TIMEOUT)

        answer = await b.send(
            fake.view_submission(CAMILLE, "agora:test-later:", {"when": {"when": "yesterday"}})
        )
        assert answer.status == 200 and not answer.body  # closed within Slack's deadline
        late.release.set()
        told = await fake.wait_for_call("chat.postEphemeral", timeout=TIMEOUT)
        assert (told.args["channel"], told.args["user"]) == (WELCOME, CAMILLE)
        assert told.args["text"] == (
            "Your answers could not be saved: That date has passed. Please open the form again."
        )


async def test_a_crash_is_an_apology_and_records_nothing(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http", features=[LateFeature()]) as b:
        await b.send(fake.slash_command(CAMILLE, "test-boom", channel_id=WELCOME))
        sorry = await fake.wait_for_response(timeout=TIMEOUT)
        assert sorry.body["response_type"] == "ephemeral"
        assert sorry.body["text"].startswith("Sorry, something went wrong on my side.")
        await b.settle()
        assert await b.count(ProcessedDelivery) == 0


async def test_payloads_nobody_handles_are_still_acknowledged(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("socket") as b:
        since = fake.mark()
        user = {"id": BOB, "username": "bob", "team_id": fake.team_id}
        team = {"id": fake.team_id, "domain": fake.team_domain}
        message = fake.post_user_message(BOB, WELCOME, "hello")
        payloads = [
            fake.event_callback(fake.app_mention_event(BOB, WELCOME, "hi")),
            fake.event_callback({"type": "channel_rename", "channel": {"id": WELCOME, "name": "hello"}}),
            fake.block_actions(BOB, "someone_elses_button", message=message, channel=WELCOME),
            fake.view_submission(BOB, "someone_elses_modal", {}),
            {"type": "view_closed", "user": user, "team": team, "view": {"id": "V1", "callback_id": "x"}},
            {"type": "shortcut", "callback_id": "x", "trigger_id": "1.2.3", "user": user, "team": team},
            fake.slash_command(BOB, "hi", command="/other"),
        ]
        for payload in payloads:
            answer = await b.send(payload)  # waits for the acknowledgement
            assert answer.status == 200
        await b.settle()
        assert len(fake.acks) == len(fake.envelopes) == len(payloads)
        assert [c.method for c in fake.calls[since:] if c.method.startswith(("chat.", "views."))] == []
