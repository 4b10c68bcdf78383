"""Commands as Discord members see them (the real discord.py against the loopback Discord fake): help and every
message name a command as Discord spells it (``/agora charter show``: on Discord a name is a command or a group,
not both); a command Discord still shows but Agora no longer has is named, with the commands that exist; a wall
of pasted text is refused with an excerpt of it; the animators' commands stay under the one ``/agora`` and say "(animators)" in both languages."""

from __future__ import annotations

from typing import Any

from adapters.discord.commands import command_paths
from bot.features.debates import DebatesFeature
from bot.features.onboarding import OnboardingFeature
from bot.features.rounds import RoundsFeature
from tests.discord.support import Bot, World, discord_config, every_command_tree, text_of
from tests.fakes.fake_discord import FakeDiscord


async def test_help_and_refusals_name_the_commands_as_discord_spells_them(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    features = [OnboardingFeature(), RoundsFeature(), DebatesFeature()]
    bot = await Bot(discord_config(fake, world, db_url), features=features, with_probe=False).start()
    try:
        shown = await fake.wait_for_answer(await fake.slash_command(world.guild, world.alice, "agora help"))
        said = text_of(shown["data"])
        assert "/agora charter show — Read the community's charter" in said
        assert "/agora round show — Your place in the grouping rounds" in said
        assert "/agora charter — " not in said and "/agora round — " not in said

        # alice has not accepted the charter yet: the refusal names the command she can run.
        refused = await fake.wait_for_answer(
            await fake.slash_command(world.guild, world.alice, "agora profile")
        )
        assert refused["data"]["content"] == (
            "Before introducing yourself, please read and accept the charter: /agora charter show shows it."
        )

        # A command Discord still shows from an older version of Agora.
        stale = await fake.wait_for_answer(
            await fake.slash_command(world.guild, world.alice, "agora debate frobnicate")
        )
        assert stale["data"]["content"].startswith(
            "/agora debate has no command “frobnicate”. Its commands: add, close, motions, proposals, propose,"
        )

        # A motion pasted as one wall of characters is refused with an excerpt, in one short message.
        pasted = "x" * 1990
        proposed = await fake.slash_command(
            world.guild, world.alice, "agora debate propose", {"motion": pasted}
        )
        refused = await fake.wait_for_answer(proposed)
        await bot.settle()
        assert refused["data"]["content"].startswith("“" + "x" * 59 + "…” is a single word.")
        assert len(refused["data"]["content"]) < 300
        assert not fake.find_requests("POST", rf"^/webhooks/{fake.application_id}/{proposed.token}$")
    finally:
        await bot.stop()


async def test_animators_commands_stay_under_agora_and_say_so_in_both_languages() -> None:
    router, tree, payload = await every_command_tree()
    assert [c.name for c in tree.get_commands()] == ["agora"]  # no second top-level command

    def leaves(node: dict[str, Any], path: tuple[str, ...]) -> dict[tuple[str, ...], dict[str, Any]]:
        found: dict[tuple[str, ...], dict[str, Any]] = {}
        for child in node.get("options", []):
            if child["type"] == 1:
                found[(*path, child["name"])] = child
            elif child["type"] == 2:
                found.update(leaves(child, (*path, child["name"])))
        return found

    shown = leaves(payload, ())
    paths = command_paths(router.commands)
    animators = [spec for spec in router.commands.values() if spec.animator_only]
    assert len(animators) > 20
    for spec in router.commands.values():
        node = shown[paths[spec.name]]
        english, french = node["description"], node["description_localizations"]["fr"]
        assert english.endswith("(animators)") == spec.animator_only, spec.name
        assert french.endswith("(animateurs)") == spec.animator_only, spec.name
        assert len(english) <= 100 and len(french) <= 100
