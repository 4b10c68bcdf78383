"""``GET /healthz`` on a local port: what Docker's HEALTHCHECK and supervisors ask."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.deliveries import failures_report
from storage.models import Heartbeat

if TYPE_CHECKING:
    from bot.app import Agora

__all__ = ["HealthServer", "serve_on"]


async def serve_on(web_app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``web_app`` on ``host:port``; returns its runner (to clean up) and the port (the one chosen when
    ``port`` is 0)."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    return runner, (sockets[0].getsockname()[1] if sockets else port)


class HealthServer:
    """Answers 200 when the database accepts a write, the outbox is not stuck retrying and every adapter is
    connected; 503 otherwise.

    The write is real (the ``heartbeat`` row rewritten): a full disk or a read-only file still answers reads, and
    an Agora that can't write can't handle anything. The outbox "keeps failing" when a post has failed
    ``bot.outbox.FAILING_ATTEMPTS`` times in a row and is still waiting for its next try (the platform refuses, or is
    unreachable, for a minute or more)."""

    def __init__(self, app: Agora, host: str, port: int, adapters: Mapping[str, object]) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.adapters = adapters
        self._runner: web.AppRunner | None = None

    async def handle(self, _request: web.Request) -> web.Response:
        adapters: dict[str, str] = {}
        status: dict[str, Any] = {
            "status": "ok",
            "adapters": adapters,
            "database": "ok",
            # Events being handled or waiting (``bot.backlog``), and how many were told to wait since the start.
            "backlog": self.app.backlog.size,
            "backlog_limit": self.app.backlog.limit,
            "busy_refused": self.app.backlog.refused,
        }
        healthy = True
        try:
            async with self.app.database.transaction() as session:
                await session.merge(Heartbeat(name="healthz", beat_at=self.app.clock.now()))
        except Exception:
            status["database"] = "refuses writes"
            healthy = False
        try:
            status["outbox_pending"] = await self.app.courier.pending_count()
            failing = await self.app.courier.failing_count()
            status["outbox"] = "failing" if failing else "ok"
            healthy = healthy and not failing
            status["outbox_failed_24h"] = await failures_report(self.app.database, self.app.clock.now())
        except Exception:
            status["database"] = "unreachable"
            healthy = False
        for name, adapter in self.adapters.items():
            ready = bool(getattr(adapter, "ready", True))
            adapters[name] = "connected" if ready else "connecting"
            healthy = healthy and ready
        if not healthy:
            status["status"] = "degraded"
        return web.json_response(status, status=200 if healthy else 503)

    async def start(self) -> int:
        """Start serving; returns the port (useful when configured as 0)."""
        web_app = web.Application()
        web_app.router.add_get("/healthz", self.handle)
        self._runner, self.port = await serve_on(web_app, self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
