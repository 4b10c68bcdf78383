"""Discord shards (README, "More than one process"): ``shard_count`` alone runs every shard in one process
(discord.py's AutoShardedClient); ``shard_ids`` runs some of them here, the rest in other processes; a wrong
shard setting is named in the config's words."""

from __future__ import annotations

import pytest

from adapters.discord.client import AgoraShardedClient
from bot.config import ConfigError, parse_config
from tests.discord.support import Bot, World, discord_config
from tests.fakes.fake_discord import FakeDiscord


def sharded(fake: FakeDiscord, world: World, db_url: str, **shards: object) -> Bot:
    config = discord_config(fake, world, db_url)
    assert config.discord is not None
    section = config.discord.model_copy(update=shards)
    return Bot(config.model_copy(update={"discord": section}))


async def test_one_process_runs_every_shard_with_shard_count_alone(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    bot = await sharded(fake, world, db_url, shard_count=2).start()
    try:
        assert bot.adapter is not None and isinstance(bot.adapter.client, AgoraShardedClient)
        assert sorted(s.shard for s in fake._sessions.values() if s.shard) == [[0, 2], [1, 2]]
    finally:
        await bot.stop()


async def test_a_process_given_shard_ids_runs_those_shards_only(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    bot = await sharded(fake, world, db_url, shard_count=3, shard_ids=[1]).start()
    try:
        assert [s.shard for s in fake._sessions.values() if s.shard] == [[1, 3]]
    finally:
        await bot.stop()


@pytest.mark.parametrize(
    ("shards", "said"),
    [
        ({"shard_ids": [0]}, "shard_ids needs shard_count"),
        ({"shard_count": 2, "shard_ids": [2]}, "numbered from 0 to 1"),
        ({"shard_count": 2, "shard_ids": [0, 0]}, "each shard once"),
        ({"shard_count": 0}, "shard_count"),
    ],
)
def test_a_wrong_shard_setting_is_named(shards: dict[str, object], said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        parse_config({"discord": {"token": "x.y.z", **shards}}, env={})
