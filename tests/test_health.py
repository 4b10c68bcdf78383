"""``GET /healthz``: what Docker's HEALTHCHECK asks, and ``agora run`` starting and stopping cleanly."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.console import ConsoleCommunity
from bot.chat import TransientChatError
from bot.config import Config, parse_config
from bot.health import HealthServer
from bot.outbox import FAILING_ATTEMPTS
from bot.runtime import run
from tests.support import refusing_writes

READY_TIMEOUT = 30.0


class StubAdapter:
    """A platform connection that is connected or not."""

    def __init__(self, ready: bool) -> None:
        self.ready = ready


async def get_health(port: int) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz", timeout=aiohttp.ClientTimeout(total=10)) as response,
    ):
        return response.status, await response.json()


@pytest.fixture
async def serve(h: ConsoleCommunity) -> AsyncIterator[Callable[..., Any]]:
    """Start a HealthServer on an ephemeral port for ``h``'s app, with the adapters given."""
    servers: list[HealthServer] = []

    async def start(**adapters: object) -> int:
        assert h.app is not None
        server = HealthServer(h.app, "127.0.0.1", 0, dict(adapters))
        servers.append(server)
        return await server.start()

    yield start
    for server in servers:
        await server.stop()


async def test_healthz_is_ok_when_the_database_answers(serve: Callable[..., Any]) -> None:
    port = await serve()

    assert port > 0
    status, body = await get_health(port)

    assert status == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["outbox_pending"] == 0


async def test_healthz_reports_each_connected_adapter(serve: Callable[..., Any]) -> None:
    port = await serve(discord=StubAdapter(ready=True), slack=StubAdapter(ready=True))

    status, body = await get_health(port)

    assert status == 200
    assert body["adapters"] == {"discord": "connected", "slack": "connected"}


async def test_healthz_is_degraded_while_an_adapter_connects(serve: Callable[..., Any]) -> None:
    port = await serve(discord=StubAdapter(ready=True), slack=StubAdapter(ready=False))

    status, body = await get_health(port)

    assert status == 503
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["adapters"] == {"discord": "connected", "slack": "connecting"}


async def test_healthz_recovers_once_the_adapter_is_connected(serve: Callable[..., Any]) -> None:
    slack = StubAdapter(ready=False)
    port = await serve(slack=slack)
    assert (await get_health(port))[0] == 503

    slack.ready = True

    assert (await get_health(port))[0] == 200


async def test_healthz_is_degraded_when_the_database_does_not_answer(
    h: ConsoleCommunity, serve: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextlib.asynccontextmanager
    async def unreachable() -> AsyncIterator[None]:
        raise ConnectionRefusedError("database is down")
        yield

    assert h.database is not None
    monkeypatch.setattr(h.database, "transaction", unreachable)
    port = await serve()

    status, body = await get_health(port)

    assert status == 503
    assert body["status"] == "degraded"
    assert body["database"] == "unreachable"
    assert "database is down" not in str(body)


# --- agora run ----------------------------------------------------------------------------------------------


@pytest.fixture
def run_config(tmp_path: Path) -> Config:
    """No platform, health on an ephemeral local port, a fresh SQLite file."""
    return parse_config(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"},
            "health": {"host": "127.0.0.1", "port": 0},
            "logging": {"level": "WARNING", "format": "text"},
        },
        "run-test",
        env={},
    )


async def test_agora_run_serves_healthz_and_stops_when_asked(run_config: Config) -> None:
    stop = asyncio.Event()
    ready: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(run(run_config, stop=stop, on_ready=ready.set_result))
    try:
        info = await asyncio.wait_for(asyncio.shield(ready), READY_TIMEOUT)
        port = info["health_port"]

        status, body = await get_health(port)

        assert status == 200
        assert body == {
            "status": "ok",
            "adapters": {},
            "database": "ok",
            "backlog": 0,
            "backlog_limit": 50,
            "busy_refused": 0,
            "outbox_pending": 0,
            "outbox": "ok",
            "outbox_failed_24h": {"count": 0, "latest": []},
        }
    finally:
        stop.set()
        await asyncio.wait_for(task, READY_TIMEOUT)

    assert task.exception() is None
    with pytest.raises(aiohttp.ClientConnectionError):
        await get_health(port)


async def test_agora_run_without_health_endpoint_says_so(run_config: Config) -> None:
    config = run_config.model_copy(update={"health": run_config.health.model_copy(update={"enabled": False})})
    stop = asyncio.Event()
    seen: list[dict[str, Any]] = []

    def ready(info: dict[str, Any]) -> None:
        seen.append(info)
        stop.set()

    await asyncio.wait_for(run(config, stop=stop, on_ready=ready), READY_TIMEOUT)

    assert seen == [{"health_port": None, "web_port": None}]


async def test_healthz_answers_503_while_the_database_refuses_writes(
    h: ConsoleCommunity, serve: Callable[..., Any]
) -> None:
    port = await serve()
    assert h.app is not None

    async with refusing_writes(h.app.database):  # reads still work: a full disk, a read-only file
        status, body = await get_health(port)
        assert status == 503
        assert body["status"] == "degraded"
        assert body["database"] == "refuses writes"

    status, body = await get_health(port)
    assert (status, body["database"]) == (200, "ok")


async def test_healthz_answers_503_while_the_outbox_keeps_failing(
    h: ConsoleCommunity, serve: Callable[..., Any]
) -> None:
    port = await serve()
    h.chat.failures = [TransientChatError("platform down")] * FAILING_ATTEMPTS
    await h.join("alice")  # her welcome can't be delivered
    await h.advance(seconds=5 + 10)  # tried again twice: three failures in a row
    status, body = await get_health(port)
    assert status == 503
    assert body["outbox"] == "failing"

    await h.advance(seconds=20)  # the platform is back: delivered at the next try
    status, body = await get_health(port)
    assert (status, body["outbox"], body["outbox_pending"]) == (200, "ok", 0)
