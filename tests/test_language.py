"""Each member's language: an English speaker in a French community reads Agora in English, alone; channels stay
French. ``/agora language`` chooses it, ``auto`` follows the member's app, a language with no catalog falls back
to the community's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from adapters.console import ConsoleCommunity
from bot.context import Outcome
from bot.i18n import language_of, member_locale


@pytest.fixture
async def fr(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    """A French community where alice's app speaks American English."""
    community = make_harness("fr")
    community.locales["alice"] = "en-US"
    await community.start()
    yield community
    await community.stop()


def test_platform_locales_name_a_language_that_has_a_catalog() -> None:
    assert [language_of(x) for x in ("fr", "fr-FR", "fr-CA", "en-US", "en-GB", "EN_gb", "de", "", None)] == [
        "fr", "fr", "fr", "en", "en", "en", None, None, None,
    ]  # fmt: skip
    # Chosen, else the platform's, else the community's; the community's variant for its own language.
    assert member_locale(None, "en-US", "fr") == "en"
    assert member_locale("fr", "en-US", "en") == "fr"
    assert member_locale(None, "de", "fr") == "fr"
    assert member_locale(None, None, "en") == "en"
    assert member_locale(None, "fr-CA", "fr-tu") == "fr-tu"
    assert member_locale("en", "fr-FR", "fr-tu") == "en"


async def test_an_english_speaker_reads_their_answers_in_english_in_a_french_community(
    fr: ConsoleCommunity,
) -> None:
    mine = await fr.command("alice", "help")
    assert "What you can do with Agora" in (mine.replies[0].title or "") + mine.replies[0].text
    theirs = await fr.command("bob", "help")
    assert "Ce que vous pouvez faire avec Agora" in (theirs.replies[0].title or "") + theirs.replies[0].text


async def test_a_member_chooses_their_language_then_goes_back_to_their_apps(fr: ConsoleCommunity) -> None:
    chosen = await fr.command("alice", "language fr")
    assert chosen.replies[0].text.startswith("Je vous parlerai désormais en français.")
    assert "Ce que vous pouvez faire" in _help_text(await fr.command("alice", "help"))

    back = await fr.command("alice", "language auto")
    assert back.replies[0].text.startswith("I'll speak to you in your app's language")
    assert "What you can do with Agora" in _help_text(await fr.command("alice", "help"))

    english = await fr.command("bob", "language en")
    assert english.replies[0].text.startswith("I'll speak to you in English from now on.")
    await fr.restart()  # the choice is kept
    assert "What you can do with Agora" in _help_text(await fr.command("bob", "help"))


async def test_a_language_agora_does_not_speak_is_refused_in_the_members_words(fr: ConsoleCommunity) -> None:
    refused = await fr.command("alice", "language de")
    assert refused.error == "refused"
    assert (
        refused.replies[0].text
        == "“de” is not a language I speak. Choose fr (français), en (English) or auto."
    )
    refused = await fr.command("bob", "language klingon")
    assert refused.replies[0].text.startswith("« klingon » n'est pas une langue que je parle.")


async def test_an_app_in_a_language_without_a_catalog_reads_the_communitys(fr: ConsoleCommunity) -> None:
    fr.locales["dora"] = "de-DE"
    assert "Ce que vous pouvez faire" in _help_text(await fr.command("dora", "help"))


def _help_text(outcome: Outcome) -> str:
    return " ".join((m.title or "") + " " + m.text for m in outcome.replies)
