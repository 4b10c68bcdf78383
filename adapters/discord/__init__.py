"""Agora on Discord: discord.py 2.x, one bot serving every guild it is in, each guild its own community.

``agora run`` finds this adapter through the ``agora.adapters`` entry point ``discord = "adapters.discord:create"``.

* ``client``: the discord.py client, its intents, ``setup_hook`` (persistent buttons, the ``/agora`` tree) and the
  gateway events (members joining and leaving, reactions on the bot's prompts);
* ``commands``: the ``/agora`` group built from the core's commands, typed options, French descriptions;
* ``interactions``: commands, buttons and modals answered within Discord's three seconds;
* ``components``: the persistent buttons (``DynamicItem``) and the modals, and their custom ids;
* ``render``: messages as content, embeds, buttons and files (split, never rejected), forms as modals;
* ``chat``: the core's ``Chat`` port (DMs, posts, roles, private threads, threads, events), errors mapped;
* ``notices``: what the bot can't do for lack of a permission, logged and told to the animators once.

The config's ``platforms.discord:`` section is this adapter's: ``config_model`` (``config.DiscordConfig``) validates
it and ``check_config`` says what looks wrong in it (``agora check-config``).

``discord.api_base_url`` and ``discord.gateway_url`` point discord.py elsewhere than discord.com (tests and
proxies): they are set on discord.py's class-level defaults when the adapter starts and restored when it stops,
so one process talks to one Discord at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.chat import DiscordChat
from adapters.discord.client import INTENTS, PERMISSIONS, AgoraClient, AgoraShardedClient, invite_url
from adapters.discord.config import MEMBER_ID_HELP, DiscordConfig, check_config, is_member_id
from adapters.discord.inbound import PLATFORM
from adapters.discord.notices import PermissionNotices
from bot.logs import quiet_libraries

if TYPE_CHECKING:
    from bot.app import Agora
    from bot.config import Config

__all__ = [
    "INTENTS",
    "MEMBER_ID_HELP",
    "PERMISSIONS",
    "AgoraClient",
    "DiscordAdapter",
    "DiscordChat",
    "DiscordStartError",
    "check_config",
    "config_model",
    "create",
    "invite_url",
    "is_member_id",
]

log = logging.getLogger("agora.discord")

config_model = DiscordConfig

START_TIMEOUT = 120.0
STOP_GRACE = 10.0
DEFAULT_API = DiscordConfig.model_fields["api_base_url"].default
DEFAULT_GATEWAY = DiscordConfig.model_fields["gateway_url"].default


class DiscordStartError(RuntimeError):
    """Discord refused to start the adapter (bad token, intents not enabled, unreachable); the message says how
    to fix it."""


class DiscordAdapter:
    """Agora on Discord: ``start()`` logs in, syncs the commands and connects; ``stop()`` disconnects."""

    def __init__(
        self,
        app: Agora,
        config: Config,
        *,
        client_options: dict[str, Any] | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        settings: DiscordConfig | None = config.platform(PLATFORM)
        if settings is None:
            raise ValueError("the configuration has no platforms.discord: section")
        self.app = app
        self.settings = settings
        self.client_options = dict(client_options or {})
        self.start_timeout = start_timeout
        self.notices = PermissionNotices(app)
        self.client: AgoraClient | None = None
        self.chat: DiscordChat | None = None
        self._task: asyncio.Task[None] | None = None
        self._patched: tuple[str, yarl.URL, str, yarl.URL] | None = None

    # --- life cycle -------------------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Connected to the gateway and serving (read by ``/healthz``)."""
        client = self.client
        return (
            client is not None
            and client.is_ready()
            and not client.is_closed()
            and self._task is not None
            and not self._task.done()
        )

    async def start(self) -> None:
        """Log in (``setup_hook`` syncs the commands), attach the Chat port, connect, and wait until ready."""
        self._point_at_endpoints()
        shards = self.settings.client_options()
        kind = AgoraShardedClient if shards else AgoraClient
        client = kind(self.app, self.settings, **shards, **self.client_options)
        self.client = client
        self.chat = DiscordChat(client, self.notices, self.app.router.commands)
        try:
            await client.login(self.settings.token.get_secret_value())
        except discord.LoginFailure:
            await self._abort()
            raise DiscordStartError(
                "Discord refused the bot token (discord.token): copy it again from the Developer Portal, "
                "Bot → Reset Token"
            ) from None
        except (aiohttp.ClientError, discord.HTTPException, OSError) as exc:
            where = discord.http.Route.BASE
            await self._abort()
            raise DiscordStartError(
                f"could not reach Discord at {where} ({type(exc).__name__}: {exc})"
            ) from None
        except BaseException:  # setup_hook failed (the command tree can't be built): leave nothing behind
            await self._abort()
            raise
        # Attached before the gateway connects, so no event is ever handled without the platform.
        self.app.attach(self.chat)
        self._task = asyncio.create_task(client.connect(reconnect=True), name="agora-discord-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {self._task, ready}, timeout=self.start_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            await client.ensure_communities()  # before start() returns: each guild is served from then on
            await (
                client.reconcile_members()
            )  # who was there before Agora, who came and went while it was down
            log.info("discord connected", extra={"agora": {"guilds": len(client.guilds)}})
            return
        ready.cancel()
        failure = self._task.exception() if self._task in done else None
        await self._abort()
        if isinstance(failure, discord.PrivilegedIntentsRequired):
            raise DiscordStartError(
                "Discord refused the members intent: enable “Server Members Intent” in the Developer Portal, "
                "Bot → Privileged Gateway Intents"
            ) from None
        if failure is not None:
            raise DiscordStartError(
                f"the Discord gateway failed ({type(failure).__name__}: {failure})"
            ) from failure
        raise DiscordStartError(f"Discord did not get ready within {self.start_timeout:g} s")

    async def stop(self) -> None:
        """Let the interactions being answered finish (briefly), disconnect, restore the endpoints."""
        client = self.client
        if client is not None:
            pending = [
                t for t in client.interactions.inflight if not t.done() and t is not asyncio.current_task()
            ]
            if pending:
                await asyncio.wait(pending, timeout=STOP_GRACE)
        await self._abort()

    async def _abort(self) -> None:
        client, task = self.client, self._task
        if client is not None and not client.is_closed():
            await client.close()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError, Exception):
                await asyncio.wait_for(task, STOP_GRACE)
        self._task = None
        self._restore_endpoints()

    async def settle(self) -> None:
        """Wait until the events received so far are handled, outbox deliveries included (tests, demos)."""
        current = asyncio.current_task()
        while True:
            client = self.client
            tasks = [
                t
                for t in (client.interactions.inflight if client else ())
                if t is not current and not t.done()
            ]
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
                continue
            await self.app.settle()
            if not any(
                t is not current and not t.done() for t in (client.interactions.inflight if client else ())
            ):
                return

    # --- endpoints --------------------------------------------------------------------------------------------

    def _point_at_endpoints(self) -> None:
        """Use the configured endpoints (only those that differ from Discord's own)."""
        api = self.settings.api_base_url.rstrip("/")
        gateway = self.settings.gateway_url
        old_api, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        new_api = old_api if api == DEFAULT_API.rstrip("/") else api
        new_gateway = old_gateway if gateway == DEFAULT_GATEWAY else yarl.URL(gateway)
        if (new_api, new_gateway) == (old_api, old_gateway):
            return
        discord.http.Route.BASE = new_api
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = new_gateway
        self._patched = (old_api, old_gateway, new_api, new_gateway)
        log.info(
            "discord endpoints overridden",
            extra={"agora": {"api_base_url": new_api, "gateway_url": str(new_gateway)}},
        )

    def _restore_endpoints(self) -> None:
        if self._patched is None:
            return
        old_api, old_gateway, new_api, new_gateway = self._patched
        self._patched = None
        # Put back what was there, unless someone else changed them since.
        if discord.http.Route.BASE == new_api:
            discord.http.Route.BASE = old_api
        if discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == new_gateway:
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def create(app: Agora, config: Config) -> DiscordAdapter:
    """The Discord adapter for ``app``, configured by ``platforms.discord`` (not started: ``await adapter.start()``)."""
    quiet_libraries("discord")
    return DiscordAdapter(app, config)
