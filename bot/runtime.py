"""Putting Agora together: the database (migrated), the app, the adapters named in the config, health, signals.

The core never imports an adapter and names none: each section under ``platforms:`` in the config starts the
adapter of that name, found through the ``agora.adapters`` entry points (see ``bot.platforms``), each a factory
``create(app, config) -> Adapter``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from typing import Any, Protocol

from bot.app import Agora
from bot.clock import SystemClock
from bot.config import Config
from bot.health import HealthServer
from bot.platforms import installed, load_adapter
from bot.scheduler import APScheduler
from bot.web import Dashboard
from storage.database import Database
from storage.process_lock import SingleProcess

__all__ = ["Adapter", "Database", "load_adapter", "open_database", "run"]

log = logging.getLogger("agora")


class Adapter(Protocol):
    """A running platform connection."""

    ready: bool

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def open_database(url: str, *, echo: bool = False) -> Database:
    """The database at ``url``, with pending migrations applied (``agora run``, ``agora db upgrade``, the
    console community)."""
    database = Database(url, echo=echo)
    try:
        await database.upgrade()
    except BaseException:
        await database.close()
        raise
    return database


async def run(
    config: Config,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """``agora run``: serve every platform configured until SIGINT/SIGTERM (or ``stop`` is set).

    ``on_ready`` is called once the adapters started, with ``{"health_port": port, "web_port": port}`` (None
    when health or the dashboard is off),
    so tests and supervisors learn the port chosen when the config says 0."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    for warning in config.warnings():  # what `agora check-config` prints, for whoever only reads the logs
        log.warning("config: %s", warning)
    with SingleProcess(config.database.url):  # one process per SQLite file; PostgreSQL takes several
        await _serve(config, stop, on_ready)


async def _serve(
    config: Config, stop: asyncio.Event, on_ready: Callable[[dict[str, Any]], None] | None
) -> None:
    database = await open_database(config.database.url, echo=config.database.echo)
    clock = SystemClock()
    app = Agora(config, database, clock=clock, scheduler=APScheduler(clock))
    adapters: dict[str, Adapter] = {}
    for name in config.platforms:
        adapters[name] = load_adapter(name)(app, config)
    if not adapters:
        log.warning(
            "no platform configured: add a section under platforms: (or try `agora demo`)",
            extra={"agora": {"installed": list(installed())}},
        )
    health = (
        HealthServer(app, config.health.host, config.health.port, adapters) if config.health.enabled else None
    )
    dashboard = Dashboard(app, config.web) if config.web.enabled else None
    sweeping: asyncio.Task[None] | None = None
    port: int | None = None
    web_port: int | None = None
    try:
        await app.start()
        if not database.is_sqlite:
            sweeping = asyncio.create_task(_sweep(app, stop))
        if health is not None:
            port = await health.start()
            log.info(
                "health endpoint ready",
                extra={"agora": {"url": f"http://{config.health.host}:{port}/healthz"}},
            )
        if dashboard is not None:
            web_port = await dashboard.start()
            log.info(
                "dashboard ready",
                extra={"agora": {"listening": f"{config.web.host}:{web_port}", "url": config.web.public_url}},
            )
        for name, adapter in adapters.items():
            await adapter.start()
            log.info("adapter started", extra={"agora": {"adapter": name}})
        if on_ready is not None:
            on_ready({"health_port": port, "web_port": web_port})
        await stop.wait()
    finally:
        log.info("stopping")
        if sweeping is not None:
            sweeping.cancel()
        for adapter in adapters.values():
            with contextlib.suppress(Exception):
                await adapter.stop()
        if health is not None:
            await health.stop()
        if dashboard is not None:
            await dashboard.stop()
        await app.stop()
        await database.close()


async def _sweep(app: Agora, stop: asyncio.Event) -> None:
    """On PostgreSQL, another process may die holding outbox entries: look for entries whose lease ran out
    (``bot.outbox.LEASE``) every half lease, so they are taken over while this process keeps running."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), app.courier.lease.total_seconds() / 2)
        if not stop.is_set():
            app.kick_outbox()
