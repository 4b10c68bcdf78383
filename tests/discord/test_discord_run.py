"""``agora run`` itself, driven against the Discord fake: the config's endpoints, the entry point, every feature."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http
import pytest

from bot.config import parse_config
from bot.runtime import load_adapter, run
from tests.fakes.fake_discord import FakeDiscord
from tests.support import make_config

TIMEOUT = 15.0


def test_the_discord_adapter_is_an_entry_point() -> None:
    from adapters.discord import create

    assert load_adapter("discord") is create


def test_the_readme_section_says_what_the_adapter_needs() -> None:
    from adapters.discord import invite_url

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    text = readme[readme.index("## Run it on Discord") : readme.index("## Run it on Slack")]
    assert invite_url("APPLICATION_ID") in text  # the permissions the bot asks for are the ones it uses
    assert "Server Members Intent" in text
    for key in ("token: ${DISCORD_TOKEN}", "api_base_url", "gateway_url", "sync_commands", "agora run"):
        assert key in text


async def test_agora_run_serves_a_guild_from_its_configuration(tmp_path: Path) -> None:
    default_api = discord.http.Route.BASE
    default_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    async with FakeDiscord(bot_name="Agora", token="secret-token") as fake:
        guild = fake.add_guild("Run Test")
        welcome = fake.add_channel(guild, "welcome")
        member_role = fake.add_role(guild, "Members")
        config = make_config(
            "fr",
            f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}",
            member_role="Members",
            channels={"welcome": welcome.id},
        )
        # What an operator writes: the token from the environment, the endpoints for a proxy (here, the fake).
        section = parse_config(
            {
                "discord": {
                    "token": "${DISCORD_TOKEN}",
                    "api_base_url": fake.api_base,
                    "gateway_url": fake.gateway_url,
                }
            },
            env={"DISCORD_TOKEN": "secret-token"},
        ).discord
        config = config.model_copy(update={"discord": section})

        stop = asyncio.Event()
        ready: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(run(config, stop=stop, on_ready=ready.set_result))
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()  # the run failed: show why
            assert ready in done, "agora run did not get ready"
            assert discord.http.Route.BASE == fake.api_base
            assert fake.command_names() == ["agora"]
            assert fake.identifies[0]["token"] == "secret-token"

            newcomer = await fake.member_join(guild, "nina")
            dm = fake.dm_channel(newcomer.user)
            sent = await fake.wait_for_request(
                "POST", rf"^/channels/{dm.id}/messages$", status=200, timeout=TIMEOUT
            )
            welcome_dm = fake.message(sent.response["id"])
            assert welcome_dm["embeds"][0]["title"] == "Bienvenue dans Les Indés !"
            button = welcome_dm["components"][0]["components"][0]["custom_id"]
            press = await fake.press_button(button, newcomer.user, message=welcome_dm["id"])
            assert (await fake.wait_for_response(press, TIMEOUT))["type"] == 7
            await fake.wait_for_request(
                "PUT", rf"^/guilds/{guild.id}/members/{newcomer.id}/roles/{member_role.id}$", timeout=TIMEOUT
            )
        finally:
            stop.set()
            await asyncio.wait_for(task, TIMEOUT)
    # The endpoints are Discord's own again once the adapter stopped.
    assert discord.http.Route.BASE == default_api
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == default_gateway


@pytest.mark.parametrize("bad", ["wrong-token"])
async def test_a_refused_token_stops_the_start_with_a_clear_error(tmp_path: Path, bad: str) -> None:
    from adapters.discord import DiscordStartError, create
    from bot.app import Agora
    from bot.clock import FakeClock
    from bot.scheduler import VirtualScheduler
    from storage.database import Database

    async with FakeDiscord(token="right-token") as fake:
        fake.add_guild("Strict")
        config = make_config("en", f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}")
        section = parse_config(
            {"discord": {"token": bad, "api_base_url": fake.api_base, "gateway_url": fake.gateway_url}},
            env={},
        ).discord
        config = config.model_copy(update={"discord": section})
        database = Database(config.database.url)
        await database.upgrade()
        clock = FakeClock()
        app = Agora(config, database, clock=clock, scheduler=VirtualScheduler(clock))
        adapter = create(app, config)
        with pytest.raises(DiscordStartError, match=r"refused the bot token \(discord\.token\)") as caught:
            await adapter.start()
        assert bad not in str(caught.value)
        assert not adapter.ready
        await database.close()
