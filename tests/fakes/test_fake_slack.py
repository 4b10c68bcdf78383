"""The Slack fake drives a plain, unmodified slack-bolt AsyncApp over HTTP and Socket Mode."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from .fake_slack import FakeSlack, SlackRequester

SECRET = "test-signing-secret"
ALICE = "U0ALICE001"
BOB = "U0BOB00001"
WELCOME = "C0WELCOME1"
TIMEOUT = 5.0

MODAL = {
    "type": "modal",
    "callback_id": "profile_modal",
    "title": {"type": "plain_text", "text": "Profile"},
    "submit": {"type": "plain_text", "text": "Save"},
    "private_metadata": "charter-v1",
    "blocks": [
        {
            "type": "input",
            "block_id": "name_block",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "name"},
        }
    ],
}

BUTTON_BLOCKS = [
    {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Welcome!"}},
    {
        "type": "actions",
        "block_id": "charter_actions",
        "elements": [
            {
                "type": "button",
                "action_id": "accept_charter",
                "text": {"type": "plain_text", "text": "I accept"},
                "value": "charter-v1",
            }
        ],
    },
]


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """A started fake with two members and a #welcome channel."""
    async with FakeSlack(signing_secret=SECRET) as fake_slack:
        fake_slack.add_user(ALICE, "alice", "Alice Martin", "fr-FR", email="alice@example.org")
        fake_slack.add_user(BOB, "bob", "Bob Stone", "en-US")
        fake_slack.add_channel(WELCOME, "welcome", members=[ALICE])
        fake_slack.add_usergroup("S0MODS0001", "moderators", [BOB])
        yield fake_slack


def make_client(fake: FakeSlack, **kwargs: Any) -> AsyncWebClient:
    """A bot-token Web API client pointed at the fake."""
    return AsyncWebClient(token="xoxb-test", base_url=fake.api_base, **kwargs)


@contextlib.asynccontextmanager
async def serve_bolt(app: AsyncApp) -> AsyncIterator[str]:
    """Serve ``app.web_app()`` on 127.0.0.1 (ephemeral port); yields the /slack/events URL."""
    runner = web.AppRunner(app.web_app(), shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        await runner.cleanup()


# ---------------------------------------------------------------------- HTTP mode


@pytest.mark.asyncio
async def test_http_team_join_reaches_handler_and_dm_is_sent(fake: FakeSlack) -> None:
    app = AsyncApp(client=make_client(fake), signing_secret=SECRET)
    seen: list[dict[str, Any]] = []

    @app.event("team_join")
    async def on_team_join(event: dict[str, Any], client: AsyncWebClient) -> None:
        seen.append(event)
        info = await client.users_info(user=event["user"]["id"], include_locale=True)
        dm = await client.conversations_open(users=event["user"]["id"])
        await client.chat_postMessage(
            channel=dm["channel"]["id"],
            text=f"Bienvenue {info['user']['real_name']} ({info['user']['locale']})",
        )

    async with serve_bolt(app) as url:
        response = await SlackRequester(url, SECRET).send_event(
            fake.event_callback(fake.team_join_event(ALICE))
        )
        assert response.status == 200
        post = await fake.wait_for_call("chat.postMessage", timeout=TIMEOUT)

    dm_id = fake.calls_to("conversations.open")[0]
    assert dm_id.args["users"] == ALICE  # sent in the query string, merged with the rest
    assert post.args["channel"] == fake.dm_channel_id(ALICE)
    assert post.args["channel"].startswith("D")
    assert post.headers["authorization"] == "Bearer xoxb-test"
    assert fake.messages[post.args["channel"]][-1]["text"] == "Bienvenue Alice Martin (fr-FR)"
    assert "locale" not in seen[0]["user"]  # team_join carries no locale; users.info does on request
    assert seen[0]["user"]["profile"]["email"] == "alice@example.org"
    assert len(fake.calls_to("auth.test")) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(("bad_signature", "skew"), [(True, 0), (False, -360), (False, 360)])
async def test_http_rejects_bad_signature_and_stale_timestamp(
    fake: FakeSlack, bad_signature: bool, skew: int
) -> None:
    app = AsyncApp(client=make_client(fake), signing_secret=SECRET)
    handled: list[dict[str, Any]] = []

    @app.event("team_join")
    async def on_team_join(event: dict[str, Any]) -> None:
        handled.append(event)

    async with serve_bolt(app) as url:
        body = fake.event_callback(fake.team_join_event(ALICE))
        response = await fake.requester(url).send_event(body, bad_signature=bad_signature, skew=skew)
        assert response.status == 401
        # The same body, correctly signed, is accepted: the rejection was the signature/timestamp.
        assert (await fake.requester(url).send_event(body)).status == 200
        await fake.wait_until(lambda: handled, TIMEOUT, "the handler")
    assert len(handled) == 1


@pytest.mark.asyncio
async def test_http_url_verification_and_retry_headers(fake: FakeSlack) -> None:
    app = AsyncApp(client=make_client(fake), signing_secret=SECRET)
    retries: list[tuple[Any, Any]] = []

    @app.event("app_mention")
    async def on_mention(request: Any) -> None:
        retries.append(
            (request.headers.get("x-slack-retry-num"), request.headers.get("x-slack-retry-reason"))
        )

    async with serve_bolt(app) as url:
        requester = fake.requester(url)
        verification = await requester.url_verification("abc123")
        assert verification.status == 200
        assert verification.json() == {"challenge": "abc123"}

        body = fake.event_callback(fake.app_mention_event(ALICE, WELCOME, "hello"), event_id="Ev0DUPLICATE")
        assert (await requester.send(body)).status == 200
        assert (await requester.send(body, retry_num=1, retry_reason="http_timeout")).status == 200
        await fake.wait_until(lambda: len(retries) == 2, TIMEOUT, "both deliveries")
    assert sorted(retries, key=str) == sorted([(None, None), (["1"], ["http_timeout"])], key=str)
    assert fake.messages[WELCOME][-1]["text"].startswith(f"<@{fake.bot_user_id}>")


@pytest.mark.asyncio
async def test_http_slash_command_ack_and_respond(fake: FakeSlack) -> None:
    app = AsyncApp(client=make_client(fake), signing_secret=SECRET)

    @app.command("/agora")
    async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack(f"Hello <@{command['user_id']}>, you said: {command['text']}")
        await respond(text="Done", response_type="ephemeral")

    async with serve_bolt(app) as url:
        payload = fake.slash_command(ALICE, "help me", channel_id=WELCOME)
        response = await fake.requester(url).send(payload)
        assert response.status == 200
        # bolt answers ack("...") with a text/plain body over HTTP (Socket Mode wraps it as {"text": ...}).
        assert response.text == f"Hello <@{ALICE}>, you said: help me"
        assert response.headers["Content-Type"].startswith("text/plain")
        posted = await fake.wait_for_response(timeout=TIMEOUT)
    assert posted.body["text"] == "Done"
    assert payload["response_url"].endswith(f"/response/{posted.response_id}")
    assert fake.ephemeral[-1]["user"] == ALICE


@pytest.mark.asyncio
async def test_http_block_actions_and_view_submission_round_trip(fake: FakeSlack) -> None:
    app = AsyncApp(client=make_client(fake), signing_secret=SECRET)
    opened: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    submitted: list[dict[str, Any]] = []

    @app.action("accept_charter")
    async def on_accept(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        result = await client.views_open(trigger_id=body["trigger_id"], view=MODAL)
        await client.chat_update(
            channel=body["container"]["channel_id"],
            ts=body["message"]["ts"],
            text="Charter accepted",
            blocks=[],
        )
        opened.set_result({"view": result["view"], "trigger_id": body["trigger_id"]})

    @app.view("profile_modal")
    async def on_submit(ack: Any, view: dict[str, Any]) -> None:
        name = view["state"]["values"]["name_block"]["name"]["value"]
        submitted.append(view)
        if len(name) < 3:
            await ack(response_action="errors", errors={"name_block": "Too short"})
        else:
            await ack()

    client = make_client(fake)
    posted = await client.chat_postMessage(channel=WELCOME, text="Welcome!", blocks=BUTTON_BLOCKS)

    async with serve_bolt(app) as url:
        requester = fake.requester(url)
        click = fake.block_actions(ALICE, "accept_charter", channel=WELCOME)
        assert click["actions"][0]["block_id"] == "charter_actions"
        assert click["actions"][0]["value"] == "charter-v1"
        assert (await requester.send(click)).status == 200
        result = await asyncio.wait_for(opened, TIMEOUT)
        await fake.wait_for_call("chat.update", timeout=TIMEOUT)

        view = result["view"]
        assert fake.views[view["id"]]["private_metadata"] == "charter-v1"
        assert fake.find_message(posted["ts"])["text"] == "Charter accepted"

        short = fake.view_submission(ALICE, "profile_modal", {"name_block": {"name": "Al"}})
        assert short["view"]["id"] == view["id"]
        rejected = await requester.send(short)
        assert rejected.status == 200
        assert rejected.json() == {"response_action": "errors", "errors": {"name_block": "Too short"}}

        fine = fake.view_submission(
            ALICE, "profile_modal", {"name_block": {"name": {"type": "plain_text_input", "value": "Alice"}}}
        )
        accepted = await requester.send(fine)
        assert (accepted.status, accepted.text) == (200, "")
    assert [v["private_metadata"] for v in submitted] == ["charter-v1", "charter-v1"]

    # A trigger_id works once, and only if the fake issued it.
    for trigger_id in (result["trigger_id"], "123.456.forged"):
        with pytest.raises(SlackApiError) as excinfo:
            await client.views_open(trigger_id=trigger_id, view=MODAL)
        assert excinfo.value.response["error"] == "invalid_trigger_id"


# ---------------------------------------------------------------------- Socket Mode


@pytest.mark.asyncio
async def test_socket_mode_events_and_slash_command(fake: FakeSlack) -> None:
    app = AsyncApp(client=make_client(fake), signing_secret=SECRET)
    retry_nums: list[Any] = []

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: Any, request: Any) -> None:
        retry_nums.append(request.headers.get("x-slack-retry-num"))
        await say(text=f"Hi <@{event['user']}>", thread_ts=event["ts"])

    @app.command("/agora")
    async def on_command(ack: Any, command: dict[str, Any]) -> None:
        await ack(text=f"pong {command['text']}")

    # The handler's SocketModeClient uses app.client (so its base_url) for apps.connections.open.
    handler = AsyncSocketModeHandler(app, app_token="xapp-test")
    try:
        await asyncio.wait_for(handler.connect_async(), TIMEOUT)
        await fake.wait_for_link(TIMEOUT)
        opened = fake.calls_to("apps.connections.open")[0]
        assert opened.headers["Authorization"] == "Bearer xapp-test"

        mention = fake.event_callback(fake.app_mention_event(ALICE, WELCOME, "hello"))
        envelope_id = await fake.socket_send("events_api", mention)
        ack = await fake.wait_for_ack(envelope_id, TIMEOUT)
        assert ack == {"envelope_id": envelope_id}
        reply = await fake.wait_for_call("chat.postMessage", timeout=TIMEOUT)
        assert reply.args["channel"] == WELCOME
        assert reply.args["thread_ts"] == mention["event"]["ts"]
        assert retry_nums == [["0"]]  # a first Socket Mode delivery says retry_attempt 0

        command_id = await fake.socket_deliver(fake.slash_command(BOB, "ping"))
        command_ack = await fake.wait_for_ack(command_id, TIMEOUT)
        assert command_ack["payload"] == {"text": "pong ping"}
        assert fake.envelopes[-1]["type"] == "slash_commands"
    finally:
        await handler.close_async()


# ---------------------------------------------------------------------- Web API behaviour


@pytest.mark.asyncio
async def test_rate_limit_is_retried_by_the_sdk_handler(fake: FakeSlack) -> None:
    plain = make_client(fake)
    fake.rate_limit_next("chat.postMessage", retry_after=3)
    with pytest.raises(SlackApiError) as excinfo:
        await plain.chat_postMessage(channel=WELCOME, text="first")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "3"
    assert excinfo.value.response["error"] == "ratelimited"

    retrying = make_client(fake)
    retrying.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    fake.rate_limit_next("chat.postMessage", retry_after=0)
    since = fake.mark()
    response = await retrying.chat_postMessage(channel=WELCOME, text="second")
    assert response["ok"] is True
    assert [c.method for c in fake.calls[since:]] == ["chat.postMessage", "chat.postMessage"]
    assert [m["text"] for m in fake.messages[WELCOME]] == ["second"]


@pytest.mark.asyncio
async def test_failure_injection_and_unknown_methods(fake: FakeSlack) -> None:
    client = make_client(fake)
    fake.fail_next("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            await client.chat_postMessage(channel=WELCOME, text="hi")
        assert excinfo.value.response["error"] == "channel_not_found"
    assert (await client.chat_postMessage(channel=WELCOME, text="hi"))["ok"] is True

    with pytest.raises(SlackApiError) as excinfo:
        await client.api_call("admin.doesNotExist", params={"x": "1"})
    assert excinfo.value.response["error"] == "unknown_method"
    assert fake.unknown_methods == ["admin.doesNotExist"]

    with pytest.raises(SlackApiError) as excinfo:
        await client.apps_connections_open(app_token="xoxb" + "-not-an-app-token")
    assert excinfo.value.response["error"] == "not_allowed_token_type"


@pytest.mark.asyncio
async def test_channels_the_bot_is_not_in_archived_or_private(fake: FakeSlack) -> None:
    client = make_client(fake)
    fake.add_channel("C0PUBLIC01", "public", bot_member=False)
    fake.add_channel("C0SECRET01", "secret", is_private=True, bot_member=False)
    fake.add_channel("C0ARCHIVE1", "archive", is_archived=True)

    async def error(call: Any) -> str:
        with pytest.raises(SlackApiError) as excinfo:
            await call
        return str(excinfo.value.response["error"])

    # A public channel: not_in_channel until the bot joins it.
    assert await error(client.chat_postMessage(channel="C0PUBLIC01", text="hi")) == "not_in_channel"
    assert (await client.conversations_join(channel="C0PUBLIC01"))["channel"]["is_member"] is True
    assert (await client.chat_postMessage(channel="C0PUBLIC01", text="hi"))["ok"] is True
    # A private channel the bot was not invited to: invisible.
    assert await error(client.chat_postMessage(channel="C0SECRET01", text="hi")) == "channel_not_found"
    assert await error(client.conversations_info(channel="C0SECRET01")) == "channel_not_found"
    assert await error(client.conversations_join(channel="C0SECRET01")) == "channel_not_found"
    # An archived one.
    assert await error(client.chat_postMessage(channel="C0ARCHIVE1", text="hi")) == "is_archived"
    assert (await client.conversations_info(channel="C0ARCHIVE1"))["channel"]["is_archived"] is True


@pytest.mark.asyncio
async def test_workspace_web_api(fake: FakeSlack) -> None:
    client = make_client(fake)

    dm = await client.conversations_open(users=ALICE)
    again = await client.conversations_open(users=[ALICE])
    group = await client.conversations_open(users=[ALICE, BOB])
    group_again = await client.conversations_open(users=f"{BOB},{ALICE}")
    assert dm["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == dm["channel"]["id"]
    assert group["channel"]["id"][0] in "GC"
    assert group_again["channel"]["id"] == group["channel"]["id"]

    with pytest.raises(SlackApiError) as excinfo:
        await client.conversations_invite(channel=WELCOME, users=ALICE)
    assert excinfo.value.response["error"] == "already_in_channel"
    await client.conversations_invite(channel=WELCOME, users=BOB)
    members = await client.conversations_members(channel=WELCOME)
    assert set(members["members"]) == {ALICE, BOB, fake.bot_user_id}
    info = await client.conversations_info(channel=WELCOME)
    assert info["channel"]["name"] == "welcome" and info["channel"]["is_member"] is True

    user = await client.users_info(user=ALICE)
    assert "locale" not in user["user"]
    user = await client.users_info(user=ALICE, include_locale=True)
    assert user["user"]["locale"] == "fr-FR"
    everyone = await client.users_list(include_locale=True, limit=1)
    assert len(everyone["members"]) == 1 and everyone["response_metadata"]["next_cursor"]
    moderators = await client.usergroups_users_list(usergroup="S0MODS0001")
    assert moderators["users"] == [BOB]

    first = await client.chat_postMessage(channel=WELCOME, text="one")
    second = await client.chat_postMessage(channel=WELCOME, text="two")
    assert float(second["ts"]) > float(first["ts"])
    await client.chat_postMessage(channel=WELCOME, text="reply", thread_ts=first["ts"])
    await client.chat_update(channel=WELCOME, ts=first["ts"], text="one (edited)")
    await client.reactions_add(channel=WELCOME, timestamp=second["ts"], name="wave")
    with pytest.raises(SlackApiError) as excinfo:
        await client.reactions_add(channel=WELCOME, timestamp=second["ts"], name="wave")
    assert excinfo.value.response["error"] == "already_reacted"

    history = await client.conversations_history(channel=WELCOME)
    assert [m["text"] for m in history["messages"]] == ["two", "one (edited)"]
    replies = await client.conversations_replies(channel=WELCOME, ts=first["ts"])
    assert [m["text"] for m in replies["messages"]] == ["one (edited)", "reply"]
    assert fake.find_message(second["ts"])["reactions"] == [
        {"name": "wave", "users": [fake.bot_user_id], "count": 1}
    ]

    link = await client.chat_getPermalink(channel=WELCOME, message_ts=second["ts"])
    assert link["permalink"].endswith(second["ts"].replace(".", ""))
    eph = await client.chat_postEphemeral(channel=WELCOME, user=ALICE, text="psst")
    assert eph["message_ts"] and fake.ephemeral[-1]["text"] == "psst"

    home = await client.views_publish(user_id=ALICE, view={"type": "home", "blocks": []})
    assert fake.home_tabs[ALICE]["id"] == home["view"]["id"]

    with pytest.raises(SlackApiError) as excinfo:
        await client.chat_postMessage(channel="C0NOWHERE1", text="lost")
    assert excinfo.value.response["error"] == "channel_not_found"
    fake.add_channel("C0PRIVATE1", "private", [ALICE], bot_member=False)
    with pytest.raises(SlackApiError) as excinfo:
        await client.chat_postMessage(channel="C0PRIVATE1", text="hi")
    assert excinfo.value.response["error"] == "not_in_channel"


@pytest.mark.asyncio
async def test_files_upload_v2(fake: FakeSlack) -> None:
    client = make_client(fake)
    response = await client.files_upload_v2(
        channel=WELCOME,
        content="line 1\nline 2\n",
        filename="report.txt",
        title="Report",
        initial_comment="Weekly",
    )
    file_id = response["file"]["id"]
    assert fake.uploads[file_id] == b"line 1\nline 2\n"
    complete = fake.calls_to("files.completeUploadExternal")[0]
    assert complete.args["files"] == [{"id": file_id, "title": "Report"}]  # JSON string, decoded by the fake
    message = fake.messages[WELCOME][-1]
    assert message["text"] == "Weekly" and message["files"][0]["id"] == file_id


@pytest.mark.asyncio
async def test_wait_for_call_times_out_with_a_clear_message(fake: FakeSlack) -> None:
    with pytest.raises(AssertionError, match=r"chat\.postMessage"):
        await fake.wait_for_call("chat.postMessage", timeout=0.05)
