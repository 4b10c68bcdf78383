"""Animators set their community up; members are refused politely; help shows each what they may do."""

from __future__ import annotations

from collections.abc import Callable

from adapters.console import ConsoleCommunity


async def test_an_animator_sets_the_channels_language_time_zone_and_roles(h: ConsoleCommunity) -> None:
    outcome = await h.command(
        "camille",
        "setup locale=fr timezone=America/Montreal animator_role=Animateurs member_role=Membres "
        "introductions_channel=#presentations charter_reminder_after=36h add_animator=@dominique",
    )
    assert outcome.replies[0].title == "Réglages enregistrés."  # answered in the new language
    assert h.app is not None
    settings = await h.app.community_settings(h.ref)
    assert (settings.locale, settings.timezone) == ("fr", "America/Montreal")
    assert (settings.animator_role, settings.member_role) == ("Animateurs", "Membres")
    assert settings.channels["introductions"] == "presentations"
    assert settings.channels["welcome"] == "welcome"  # the YAML default is kept
    assert settings.charter_reminder_after.total_seconds() == 36 * 3600
    assert settings.animators == ["dominique"]

    # dominique animates now, and the settings survive a restart
    await h.restart()
    shown = await h.command("dominique", "setup")
    assert shown.replies[0].title == "Réglages actuels"


async def test_a_member_who_is_not_an_animator_is_refused_and_nothing_changes(h: ConsoleCommunity) -> None:
    refused = await h.command("bob", "setup locale=fr")
    assert refused.replies[0].ephemeral
    assert refused.replies[0].text.startswith("Only the animators of this community can do that.")
    assert h.app is not None
    assert (await h.app.community_settings(h.ref)).locale == "en"


async def test_the_animator_role_makes_an_animator(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("en", animator_role="hosts") as h:
        from bot.events import CommandInvoked, MemberRef

        member = MemberRef("console", "zoe", "Zoé", roles=frozenset({"hosts"}))
        event = CommandInvoked(community=h.ref, actor=member, name="setup", args={"locale": "fr"})
        assert h.app is not None
        outcome = await h.app.dispatch(event)
        assert outcome.error is None
        assert (await h.app.community_settings(h.ref)).locale == "fr"


async def test_bad_settings_are_explained_and_nothing_is_recorded(h: ConsoleCommunity) -> None:
    assert h.app is not None
    for text, expected in (
        ("setup timezone=Mars/Olympus", "“Mars/Olympus” is not a time zone I know."),
        ("setup locale=de", "“de” is not a choice for locale. Choose one of: fr, fr-tu, en."),
        ("setup charter_reminder_after=soon", "“soon” is not a delay I understand."),
        ("setup colour=blue", "“colour” is not an option of /agora setup."),
        ("setup locale=fr timezone=Nowhere", "“Nowhere” is not a time zone I know."),
    ):
        outcome = await h.command("camille", text)
        assert outcome.replies[0].text.startswith(expected), text
    settings = await h.app.community_settings(h.ref)
    assert (settings.locale, settings.timezone) == ("en", "Europe/Paris")


async def test_help_lists_what_the_caller_may_do(h: ConsoleCommunity) -> None:
    member = (await h.command("bob", "help")).replies[0].plain()
    animator = (await h.command("camille", "help")).replies[0].plain()

    assert "/agora charter" in member and "/agora help" in member
    assert "/agora setup" not in member
    assert "/agora setup" in animator and "For animators" in animator


async def test_help_speaks_the_communitys_language(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("fr") as h:
        shown = (await h.command("bob", "help")).replies[0]
        assert shown.title == "Ce que vous pouvez faire avec Agora"
        assert "Lire la charte de la communauté" in shown.plain()


async def test_an_unknown_command_points_to_help(h: ConsoleCommunity) -> None:
    outcome = await h.command("bob", "dance")
    assert outcome.replies[0].text == "There is no command “dance”. Try /agora help."


async def test_an_empty_command_shows_help(h: ConsoleCommunity) -> None:
    outcome = await h.command("bob", "")
    assert outcome.replies[0].title == "What you can do with Agora"
