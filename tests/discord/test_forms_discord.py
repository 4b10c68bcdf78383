"""Forms open at once on Discord, whatever the load: a modal can only be an interaction's first answer, within
three seconds, so it is opened from what can be read without waiting for the community's other events, and the
submission does the work (the real discord.py against the loopback Discord fake)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from storage.models import Charter
from tests.discord.support import EPHEMERAL, TIMEOUT, Bot, World, discord_config
from tests.fakes.fake_discord import FakeDiscord
from tests.support import BusyFeature

MODAL = 9


async def test_charter_edit_opens_its_modal_while_the_community_is_busy_and_the_submission_saves_it(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    fake.interaction_deadline = 3.0  # Discord's own limit
    busy = BusyFeature()
    bot = await Bot(discord_config(fake, world, db_url), features=[busy]).start()
    try:
        # Another event of the community holds it (and the database) for longer than Discord waits.
        await fake.slash_command(world.guild, world.camille, "agora test-busy")
        await asyncio.wait_for(busy.started.wait(), TIMEOUT)

        opened = await fake.slash_command(world.guild, world.camille, "agora charter edit")
        modal = await fake.wait_for_response(opened, timeout=3.0)
        assert modal["type"] == MODAL and modal["data"]["title"] == "Charter, version 2"

        busy.release.set()
        await bot.settle()
        custom_id = modal["data"]["custom_id"]
        inputs = [(row.get("component") or row["components"][0]) for row in fake.modals[custom_id].components]
        values = {i["custom_id"]: i.get("value", "") for i in inputs}
        [objective] = [k for k in values if values[k] == "Help Lyon's digital freelancers grow together."]
        values[objective] = "Help freelancers everywhere grow together."
        [note] = [k for k in values if not values[k]]
        values[note] = "We are no longer only in Lyon."
        saved = await fake.submit_modal(custom_id, world.camille, values)
        answer = await fake.wait_for_response(saved)
        assert answer["data"]["flags"] & EPHEMERAL
        assert answer["data"]["content"].startswith("Version 2 is saved.")
        assert bot.database is not None
        async with bot.database.transaction() as session:
            versions = (await session.scalars(select(Charter.version).order_by(Charter.version))).all()
        assert versions == [1, 2]
    finally:
        await bot.stop()
