"""Installing Agora in a workspace: the manifest asks for everything the adapter uses, ``agora run`` itself drives
Slack (here the loopback fake, through ``slack.api_base_url``), and a bad token stops the start clearly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from adapters.slack import EVENTS, MANIFEST, SlackStartError, create
from bot.app import Agora
from bot.clock import SystemClock
from bot.config import parse_config
from bot.runtime import load_adapter, run
from bot.scheduler import APScheduler
from storage.database import Database
from tests.fakes.fake_slack import FakeSlack
from tests.support import CHARTERS

ALICE = "U0ALICE001"
MEMBERS = "C0MEMBERS1"
TIMEOUT = 15.0

# The scopes each Web API method and event the adapter uses needs (one of them is enough).
SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "apps.connections.open": set(),  # the app-level token's connections:write
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "conversations.open": {"im:write", "mpim:write"},
    "conversations.invite": {"channels:manage", "groups:write"},
    "conversations.join": {"channels:join"},
    "conversations.info": {"channels:read", "groups:read"},
    "users.info": {"users:read"},
    "users.list": {"users:read"},
    "conversations.members": {"channels:read", "groups:read"},
    "usergroups.list": {"usergroups:read"},
    "usergroups.users.list": {"usergroups:read"},
    "reactions.add": {"reactions:write"},
    "views.open": set(),
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    # events
    "team_join": {"users:read"},
    "user_change": {"users:read"},
    "member_joined_channel": {"channels:read", "groups:read"},
    "member_left_channel": {"channels:read", "groups:read"},
    "reaction_added": {"reactions:read"},
    "reaction_removed": {"reactions:read"},
}


def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_the_manifest_subscribes_to_every_event_the_adapter_handles() -> None:
    settings = manifest()["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == set(EVENTS)
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True  # the easy start; the comments say how to switch to HTTP


def test_the_manifest_declares_the_slash_command_with_escaped_mentions() -> None:
    features = manifest()["features"]
    [command] = features["slash_commands"]
    assert command["command"] == "/agora" and command["should_escape"] is True
    assert features["bot_user"]["display_name"] == "Agora"
    assert features["app_home"]["messages_tab_enabled"] is True  # welcomes arrive by DM


def test_the_manifest_asks_for_every_scope_the_adapter_needs() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert "commands" in scopes
    missing = {name: needed for name, needed in SCOPES.items() if needed and not needed & scopes}
    assert missing == {}
    # Both public and private member channels can be opened to members.
    assert {"channels:manage", "groups:write", "im:write", "mpim:write"} <= scopes


def test_the_adapter_is_found_by_its_entry_point() -> None:
    assert load_adapter("slack") is create


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake_slack:
        fake_slack.add_user(ALICE, "alice", "Alice Martin", "fr-FR")
        fake_slack.add_channel(MEMBERS, "membres")
        yield fake_slack


def run_config(fake: FakeSlack, tmp_path: Path, **slack: Any) -> Any:
    return parse_config(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"},
            "health": {"enabled": True, "host": "127.0.0.1", "port": 0},
            "slack": {
                "bot_token": "${SLACK_BOT_TOKEN}",
                "mode": "socket",
                "app_token": "${SLACK_APP_TOKEN}",
                "api_base_url": fake.api_base,
                **slack,
            },
            "community": {
                "name": "Les Indés",
                "locale": "fr",
                "member_channels": [MEMBERS],
                "charter": CHARTERS["fr"],
            },
        },
        "slack-test",
        env={"SLACK_BOT_TOKEN": "xoxb-from-env", "SLACK_APP_TOKEN": "xapp-from-env"},
    )


async def test_agora_run_serves_a_workspace_over_socket_mode(fake: FakeSlack, tmp_path: Path) -> None:
    stop = asyncio.Event()
    ready: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(run(run_config(fake, tmp_path), stop=stop, on_ready=ready.set_result))
    try:
        info = await asyncio.wait_for(ready, TIMEOUT)
        await fake.wait_for_link(TIMEOUT)
        assert fake.calls_to("apps.connections.open")[0].headers["Authorization"] == "Bearer xapp-from-env"
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{info['health_port']}/healthz") as response,
        ):
            assert response.status == 200
            assert (await response.json())["adapters"] == {"slack": "connected"}

        joined = await fake.socket_deliver(fake.event_callback(fake.team_join_event(ALICE)))
        await fake.wait_for_ack(joined, TIMEOUT)
        dm = fake.dm_channel_id(ALICE)
        welcome = await fake.wait_for_call(
            "chat.postMessage",
            lambda c: c.args["channel"] == dm and c.args["text"].startswith("Bienvenue dans Les Indés !"),
            TIMEOUT,
        )
        assert welcome.args["blocks"][0]["text"]["text"] == "Bienvenue dans Les Indés !"
        assert welcome.headers["Authorization"] == "Bearer xoxb-from-env"

        [button] = [e for b in welcome.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert button["text"]["text"] == "J'accepte la charte"
        pressed = await fake.socket_deliver(fake.block_actions(ALICE, button["action_id"], channel=dm))
        await fake.wait_for_ack(pressed, TIMEOUT)
        await fake.wait_for_call("conversations.invite", timeout=TIMEOUT)
        await fake.wait_for_response(
            lambda r: r.body["text"].startswith("Merci ! Vous avez accepté"), TIMEOUT
        )
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)
    assert fake.link_count == 0  # disconnected on stop

    # Every Web API method the run used is one the manifest's scopes allow.
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    used = {c.method for c in fake.calls}
    assert used <= set(SCOPES), used - set(SCOPES)
    assert all(not SCOPES[m] or SCOPES[m] & scopes for m in used)


@pytest.mark.parametrize(
    ("mode", "method", "word"),
    [("http", "auth.test", "bot token"), ("socket", "apps.connections.open", "app token")],
)
async def test_a_refused_token_stops_the_start_with_a_clear_error(
    fake: FakeSlack, tmp_path: Path, mode: str, method: str, word: str
) -> None:
    http = {"signing_secret": "secret", "http": {"host": "127.0.0.1", "port": 0}} if mode == "http" else {}
    config = run_config(fake, tmp_path, mode=mode, **http)
    database = Database(config.database.url)
    await database.upgrade()
    clock = SystemClock()
    app = Agora(config, database, clock=clock, scheduler=APScheduler(clock))
    adapter = create(app, config)
    fake.fail_next(method, "invalid_auth")
    try:
        with pytest.raises(SlackStartError, match=f"{word}.*invalid_auth") as excinfo:
            await adapter.start()
        assert "xoxb-" not in str(excinfo.value) and "xapp-" not in str(excinfo.value)
        assert not adapter.ready
    finally:
        await adapter.stop()
        await database.close()
