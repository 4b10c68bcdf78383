"""Fixtures: the console harness ``h`` on a real SQLite file, and the database URLs the storage suite runs on."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from adapters.console import ConsoleCommunity
from tests.support import make_config


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"


@pytest.fixture
def transcript() -> list[str]:
    return []


@pytest.fixture
def make_harness(db_url: str, transcript: list[str]) -> Callable[..., ConsoleCommunity]:
    def make(locale: str = "en", **community: object) -> ConsoleCommunity:
        config = make_config(locale, db_url, **community)
        return ConsoleCommunity(config, animators={"camille"}, out=transcript.append)

    return make


@pytest.fixture
async def h(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    """An English console community, started on a fresh SQLite file; camille animates it."""
    community = make_harness("en")
    await community.start()
    yield community
    await community.stop()


def postgres_url() -> str | None:
    return os.environ.get("AGORA_TEST_DATABASE_URL")
