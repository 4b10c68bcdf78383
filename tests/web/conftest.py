"""Fixtures of the dashboard's tests: ``w``, a console community (camille animates it) with its dashboard
served on a free port, and ``browser``, a client that keeps cookies."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.console import ConsoleCommunity
from bot.web import Dashboard
from tests.web.support import Browser, serve, web_harness


@pytest.fixture
async def w(db_url: str, transcript: list[str]) -> AsyncIterator[ConsoleCommunity]:
    community = web_harness(db_url, transcript)
    await community.start()
    yield community
    await community.stop()


@pytest.fixture
async def dashboard(w: ConsoleCommunity) -> AsyncIterator[Dashboard]:
    served = await serve(w)
    yield served
    await served.stop()


@pytest.fixture
async def browser(dashboard: Dashboard) -> AsyncIterator[Browser]:
    client = Browser(dashboard)
    yield client
    await client.close()
