"""The versioned charter on Discord, end to end: the real discord.py against the loopback Discord fake (the bed of
``tests/discord/conftest.py``). Two members accept the charter and get the member role; an animator edits it
in a five-input modal; each member is asked again by DM with the change highlighted; one accepts, the other lets
the grace period pass (virtual clock) and loses the role, then accepts and gets it back; the animator downloads
the acknowledgement log as a CSV file."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio

from bot.features.charter import AmendmentsFeature
from tests.discord.support import (
    EPHEMERAL,
    Bot,
    World,
    custom_ids,
    discord_config,
    dm_to,
    eventually,
    make_world,
    text_of,
)
from tests.fakes.fake_discord import FakeDiscord, FakeUser


@pytest_asyncio.fixture
async def bot_and_world(fake: FakeDiscord, db_url: str) -> AsyncIterator[tuple[Bot, World]]:
    world = make_world(fake)
    config = discord_config(fake, world, db_url)
    bot = Bot(config, probe=AmendmentsFeature(), virtual_time=True)  # type: ignore[arg-type]
    await bot.start()
    yield bot, world
    await bot.stop()
    fake.assert_all_handled()


async def joins_and_accepts(fake: FakeDiscord, bot: Bot, world: World, name: str) -> FakeUser:
    member = await fake.member_join(world.guild, name)
    welcome = await dm_to(fake, member.user)
    press = await fake.press_button(custom_ids(welcome)[0], member.user, message=welcome["id"])
    await fake.wait_for_answer(press)
    await bot.settle()
    return member.user


def has_role(fake: FakeDiscord, world: World, user: FakeUser) -> bool:
    return world.member_role.id in fake.member(world.guild, user).roles


async def test_a_new_version_on_discord_asked_again_gated_after_the_grace_period_and_exported(
    fake: FakeDiscord,
    bot_and_world: tuple[Bot, World],
) -> None:
    bot, world = bot_and_world
    nadia = await joins_and_accepts(fake, bot, world, "nadia")
    bob = await joins_and_accepts(fake, bot, world, "bob")
    assert has_role(fake, world, nadia) and has_role(fake, world, bob)

    # The animator edits the charter: one modal, five inputs, prefilled with the current version.
    opened = await fake.slash_command(world.guild, world.camille, "agora charter edit")
    modal = await fake.wait_for_answer(opened)
    assert modal["type"] == 9 and modal["data"]["title"] == "Charter, version 2"
    custom_id = modal["data"]["custom_id"]
    inputs = [(row.get("component") or row["components"][0]) for row in fake.modals[custom_id].components]
    assert len(inputs) == 5
    values = {i["custom_id"]: i.get("value", "") for i in inputs}
    [rights] = [k for k in values if "Leave the group at any time" in values[k]]
    values[rights] = (
        "Suggest a meeting topic\nPropose an amendment to this charter\nLeave the group at any time"
    )
    [note] = [k for k in values if not values[k]]
    values[note] = "Members can now amend the charter."
    mark = fake.mark()
    saved = await fake.submit_modal(custom_id, world.camille, values)
    answer = await fake.wait_for_answer(saved)
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith("Version 2 is saved. 2 members are asked to accept it, until")

    # Each member gets the new version by DM: the change highlighted, accept or "not now".
    for user in (nadia, bob):
        asked = await dm_to(fake, user, since=mark)
        assert asked["embeds"][0]["title"] == "The charter of The Indies has changed"
        assert "➕ Propose an amendment to this charter" in text_of(asked)
        assert [c.split(":", 1)[1] for c in custom_ids(asked)] == ["charter:accept:2", "charter:later:2"]
    nadia_dm = await dm_to(fake, nadia, since=mark)
    press = await fake.press_button(custom_ids(nadia_dm)[0], nadia, message=nadia_dm["id"])
    await fake.wait_for_answer(press)
    await bot.settle()
    # The DM no longer asks: it says she accepted.
    await eventually(lambda: custom_ids(fake.message(nadia_dm["id"])) == [], "the DM loses its buttons")
    assert "✅ You accepted this charter on" in text_of(fake.message(nadia_dm["id"]))

    # The grace period passes on the virtual clock: bob loses the member role, nadia keeps it.
    assert bot.app is not None
    await bot.app.scheduler.advance(timedelta(days=15))  # type: ignore[attr-defined]
    await bot.settle()
    await eventually(lambda: not has_role(fake, world, bob), "bob loses the member role")
    assert has_role(fake, world, nadia)
    assert fake.find_requests(
        "DELETE", rf"^/guilds/{world.guild.id}/members/{bob.id}/roles/{world.member_role.id}$"
    )

    # bob accepts at last (from the DM): the role comes back.
    bob_dm = await dm_to(fake, bob, since=mark)
    press = await fake.press_button(custom_ids(bob_dm)[0], bob, message=bob_dm["id"])
    await fake.wait_for_answer(press)
    await bot.settle()
    await eventually(lambda: has_role(fake, world, bob), "bob gets the member role back")

    # The acknowledgement log, as a CSV file attached to the animator's answer.
    mark = fake.mark()
    exported = await fake.slash_command(world.guild, world.camille, "agora charter export")
    await fake.wait_for_answer(exported)
    await bot.settle()

    def csv_file() -> Any:
        for request in fake.requests[mark:]:
            for part in getattr(request, "files", None) or ():
                if (part.filename or "").endswith(".csv"):
                    return part
        return None

    await eventually(csv_file, "the CSV is sent")
    rows = list(csv.reader(io.StringIO(csv_file().text().lstrip("\ufeff"))))
    assert rows[0][:3] == ["member id", "display name", "version"]
    assert [(r[0], r[2]) for r in rows[1:]] == [
        (nadia.id, "1"),
        (bob.id, "1"),
        (nadia.id, "2"),
        (bob.id, "2"),
    ]
