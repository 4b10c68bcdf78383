"""The settings page: every settings command as a form; saving runs that command as the animator, so the chat's
checks, refusals and effects are the page's."""

from __future__ import annotations

from adapters.console import ConsoleCommunity
from tests.web.support import Browser, link_in


async def signed_in(w: ConsoleCommunity, browser: Browser, who: str = "camille") -> str:
    await w.command(who, "dashboard")
    await browser.sign_in(link_in(w, who))
    settings = browser.path.rsplit("/", 1)[0] + "/settings"
    await browser.get(settings)
    assert browser.status == 200, browser.text
    return settings


async def test_the_page_shows_every_feature_with_settings(w: ConsoleCommunity, browser: Browser) -> None:
    await signed_in(w, browser)

    assert w.app is not None
    titles = ["General"] + [type(f).title for f in w.app.router.features if type(f).settings is not None]
    assert {"Debates", "Meetings", "Icebreakers", "Charter"} <= set(titles)
    for title in titles:
        assert f">{title}<" in browser.text, title
    assert 'name="timezone" value="Europe/Paris"' in browser.text
    assert '<label for="f-setup-timezone">timezone</label>' in browser.text


async def test_saving_a_section_is_the_chat_command(w: ConsoleCommunity, browser: Browser) -> None:
    settings = await signed_in(w, browser)

    await browser.post(settings, {"section": "setup", "timezone": "America/Montreal"})

    assert browser.status == 200
    assert "Settings saved." in browser.text
    assert 'name="timezone" value="America/Montreal"' in browser.text
    assert w.app is not None
    assert (await w.app.community_settings(w.ref)).timezone == "America/Montreal"


async def test_a_bad_value_gets_the_chat_refusal_and_changes_nothing(
    w: ConsoleCommunity, browser: Browser
) -> None:
    settings = await signed_in(w, browser)
    chat = await w.command("camille", "setup timezone=Mars/Olympus")

    await browser.post(settings, {"section": "setup", "timezone": "Mars/Olympus"})

    assert browser.status == 422
    assert chat.replies[0].text.split("“")[0] in browser.text
    assert w.app is not None
    assert (await w.app.community_settings(w.ref)).timezone == "Europe/Paris"


async def test_a_feature_section_saves_through_its_settings_command(
    w: ConsoleCommunity, browser: Browser
) -> None:
    settings = await signed_in(w, browser)
    assert w.app is not None
    chat = await w.command("camille", "round settings group_size=9")

    await browser.post(settings, {"section": "round settings", "group_size": "9"})
    assert browser.status == 422
    assert chat.replies[0].text in browser.text
    await browser.post(settings, {"section": "round settings", "group_size": "4", "odd": "smaller"})

    assert browser.status == 200
    assert w.app is not None
    rounds = (await w.app.community_settings(w.ref)).rounds
    assert (rounds.group_size, rounds.odd) == (4, "smaller")


async def test_the_page_follows_the_language_chosen(w: ConsoleCommunity, browser: Browser) -> None:
    settings = await signed_in(w, browser)

    await browser.get(settings + "?lang=fr")
    assert "Réglages" in browser.text and 'lang="fr"' in browser.text
    await browser.get(settings)
    assert "Réglages" in browser.text  # remembered


async def test_the_charter_rules_are_a_form_of_their_own_command(
    w: ConsoleCommunity, browser: Browser
) -> None:
    settings = await signed_in(w, browser)
    assert 'name="grace_period" value="14d"' in browser.html
    assert 'name="quorum" value="30%"' in browser.html

    await browser.post(settings, {"section": "charter rules", "grace_period": "21d"})

    assert browser.status == 200, browser.text
    assert 'name="grace_period" value="21d"' in browser.html
    assert w.app is not None
    assert (await w.app.community_settings(w.ref)).charter_rules.grace_period.days == 21
