"""Killed during a burst of interactions, ``agora run`` loses nothing it acknowledged to Discord.

The real ``agora run`` runs in a subprocess against the Discord fake; once it has answered a first press, 40 members
press "I accept the charter" at once while another writer holds the database for three seconds, and the process is
SIGKILLed 0.05–0.6 s after the first press was deferred (an answer before the work is done: Discord never
delivers an interaction again), then started again on the same database. Every
acknowledged press must have its effect: the member's acceptance of the charter.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.features.charter.render import ACCEPT
from storage.database import Database
from storage.models import Acknowledgement, Charter, Member
from tests.fakes.fake_discord import FakeDiscord, FakeInteraction
from tests.support import AgoraProcess, kill_delay, kill_during, lost_after_restart, run_config

BURST = 40
HOLD = 3.0
DEFERRED = (5, 6)  # the interaction callback types that acknowledge without answering yet
TIMEOUT = 30.0


def hold_the_database(path: Path, seconds: float) -> None:
    """Another writer holds the SQLite file for ``seconds`` (a backup, a migration in another process): the bot's
    transactions wait, and the presses it can't answer in time are deferred, as under a heavy load."""
    connection = sqlite3.connect(path, timeout=10.0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        time.sleep(seconds)
        connection.rollback()
    finally:
        connection.close()


async def charter_id(url: str) -> int:
    database = Database(url)
    try:
        async with database.transaction() as session:
            found = await session.scalar(select(Charter.id))
    finally:
        await database.close()
    assert found is not None
    return found


@pytest.mark.slow  # two starts of discord.py (each waits 2 s for the guilds) and the hold: about 25 s in all
async def test_no_interaction_answered_is_lost_when_agora_is_killed_during_a_burst(tmp_path: Path) -> None:
    async with FakeDiscord(bot_name="Agora", token="secret-token") as fake:
        guild = fake.add_guild("Kill Test")
        channel = fake.add_channel(guild, "welcome")
        users = [fake.add_member(guild, f"member{n}").user for n in range(BURST + 1)]
        url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
        section: dict[str, Any] = {
            "token": "secret-token",
            "api_base_url": fake.api_base,
            "gateway_url": fake.gateway_url,
        }
        agora = AgoraProcess(run_config(tmp_path / "config.yaml", url, {"discord": section}))
        await agora.start("discord connected")
        button = f"agora:{ACCEPT}:{await charter_id(url)}"

        async def press(user: Any) -> FakeInteraction:
            return await fake.press_button(button, user, guild_id=guild, channel_id=channel)

        warm = await press(users[0])  # the first press's one-off costs paid, as in a bot running for a while
        await fake.wait_for_response(warm, TIMEOUT)
        pressed: dict[str, FakeInteraction] = {}
        first = asyncio.Event()

        since = fake.mark()

        async def deferred() -> None:
            # The first acknowledgement that comes before the work: a press deferred.
            with contextlib.suppress(TimeoutError):
                await fake.wait_for(
                    lambda r: r.path.endswith("/callback") and r.body["type"] in DEFERRED, 10.0, since=since
                )
            first.set()

        async def burst() -> None:
            watcher = asyncio.ensure_future(deferred())
            holding = asyncio.ensure_future(asyncio.to_thread(hold_the_database, tmp_path / "agora.db", HOLD))
            for user in users[1:]:
                pressed[user.id] = await press(user)
            await asyncio.gather(watcher, holding)

        delay = kill_delay("discord")
        await kill_during(burst, first, delay)
        await agora.kill()
        acknowledged = {user_id for user_id, i in pressed.items() if i.acknowledged}
        accepted = select(Member.external_id).join(Acknowledgement, Acknowledgement.member_id == Member.id)
        # What was left is handled as soon as the platform attaches, before the gateway is even connected.
        lost = await lost_after_restart(agora, "discord commands synced", url, acknowledged, accepted)

    assert lost == [], (
        f"killed after {delay:.2f} s: {len(lost)} of {len(acknowledged)} acknowledged presses lost"
    )
