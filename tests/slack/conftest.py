"""Fixtures of the Slack end-to-end tests: the loopback Slack fake with the workspace's members and channels, and
``bed``, which starts the real Agora app and the Slack adapter on it, on the test's database (``db_url``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.slack import create
from bot.app import Agora
from bot.clock import FakeClock
from bot.config import WebConfig
from bot.features.charter import CharterFeature
from bot.features.help import HelpFeature
from bot.features.setup import SetupFeature
from bot.router import Feature
from bot.scheduler import VirtualScheduler
from storage.database import Database
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import (
    ALICE,
    BOB,
    CAMILLE,
    INTROS,
    MEMBERS,
    SCOPE,
    SECRET,
    TIMEOUT,
    WELCOME,
    BedFactory,
    SlackBed,
    slack_config,
)
from tests.support import make_config


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(signing_secret=SECRET, team_name="Agora Test") as fake_slack:
        fake_slack.add_user(ALICE, "alice", "Alice Martin", "en-US")
        fake_slack.add_user(BOB, "bob", "Bob Stone", "en-US")
        fake_slack.add_user(CAMILLE, "camille", "Camille Durand", "en-US", is_admin=True)
        fake_slack.add_channel(WELCOME, "welcome", members=[BOB, CAMILLE])
        fake_slack.add_channel(MEMBERS, "members", members=[BOB, CAMILLE])
        fake_slack.add_channel(INTROS, "introductions", members=[BOB, CAMILLE])
        fake_slack.add_channel(SCOPE, "freelances-lyon", members=[BOB, CAMILLE])
        fake_slack.add_usergroup("S0MODS0001", "moderators", [BOB], name="Moderators")
        yield fake_slack


@pytest.fixture
def bed(fake: FakeSlack, db_url: str) -> BedFactory:
    """``async with bed(mode, locale, ...) as b``: the app and the adapter on ``fake``, on the test's database
    (``web``: with the dashboard's configuration)."""

    @contextlib.asynccontextmanager
    async def start(
        mode: str = "http",
        locale: str = "en",
        *,
        scope_channel: str | None = None,
        features: list[Feature] | None = None,
        web: WebConfig | None = None,
        **community: Any,
    ) -> AsyncIterator[SlackBed]:
        community = {
            "member_channels": [MEMBERS],
            "channels": {"welcome": WELCOME, "introductions": INTROS},
            "animator_role": "moderators",
            **community,
        }
        config = slack_config(
            make_config(locale, db_url, **community),
            fake,
            mode,
            scope_channel,
        )
        if web is not None:
            config = config.model_copy(update={"web": web})
        database = Database(config.database.url)
        await database.upgrade()
        clock = FakeClock()
        scheduler = VirtualScheduler(clock)
        app = Agora(
            config,
            database,
            clock=clock,
            scheduler=scheduler,
            # The walking skeleton's features, not every feature of bot/features: what the adapter must carry,
            # without the assertions depending on what other features also say to a newcomer.
            features=[CharterFeature(), SetupFeature(), HelpFeature(), *(features or [])],
        )
        scheduler.after_job = app.settle
        adapter = create(app, config)
        await app.start()
        await asyncio.wait_for(adapter.start(), TIMEOUT)
        if mode == "socket":
            await fake.wait_for_link(TIMEOUT)
        try:
            yield SlackBed(fake, app, adapter, database, clock, scheduler, mode)
        finally:
            await adapter.stop()
            await app.stop()
            await database.close()

    return start
