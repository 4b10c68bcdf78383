"""Signing in to the dashboard: ``/agora dashboard`` gives an animator a one-time link (ten minutes, once, theirs,
their community's), which opens a signed session; every request checks they still animate the community, every
form carries a CSRF token, and one community's pages are never another's."""

from __future__ import annotations

from yarl import URL

from adapters.console import ConsoleCommunity
from bot.web import Dashboard
from tests.support import make_config
from tests.web.support import Browser, link_in, web_harness


async def test_an_animator_gets_a_private_link_that_opens_the_dashboard(
    w: ConsoleCommunity, browser: Browser
) -> None:
    outcome = await w.command("camille", "dashboard")

    assert outcome.replies[0].ephemeral
    assert "works once, for you only, within 10 minutes" in outcome.replies[0].text
    page = await browser.get(link_in(w, "camille"))
    assert "Sign in to the dashboard" in page  # a link preview fetching it does not use it up
    await browser.sign_in(link_in(w, "camille"))
    assert browser.status == 200
    assert browser.path.endswith("/health")
    assert "The Indies" in browser.text


async def test_members_get_no_link(w: ConsoleCommunity) -> None:
    await w.join("alice")

    outcome = await w.command("alice", "dashboard")

    assert outcome.error == "refused"
    assert "Only the animators" in outcome.replies[0].text


async def test_a_link_works_once(w: ConsoleCommunity, browser: Browser, dashboard: Dashboard) -> None:
    await w.command("camille", "dashboard")
    link = link_in(w, "camille")
    await browser.sign_in(link)
    other = Browser(dashboard)
    try:
        await other.sign_in(link)

        assert other.status == 403
        assert "This link can't be used" in other.text
        await other.get(browser.path)
        assert other.status == 403
    finally:
        await other.close()


async def test_a_link_expires_after_ten_minutes(w: ConsoleCommunity, browser: Browser) -> None:
    await w.command("camille", "dashboard")
    await w.advance(minutes=10, seconds=1)

    await browser.sign_in(link_in(w, "camille"))

    assert browser.status == 403
    assert "more than 10 minutes old" in browser.text


async def test_a_link_of_someone_who_no_longer_animates_opens_nothing(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await w.join("bob")
    await w.command("camille", "setup add_animator=bob")
    await w.command("bob", "dashboard")
    await w.command("camille", "setup remove_animator=bob")

    await browser.sign_in(link_in(w, "bob"))

    assert browser.status == 403


async def test_a_session_ends_when_its_animator_stops_animating(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await w.join("bob")
    await w.command("camille", "setup add_animator=bob")
    await w.command("bob", "dashboard")
    await browser.sign_in(link_in(w, "bob"))
    settings = browser.path.rsplit("/", 1)[0] + "/settings"
    assert browser.status == 200

    await w.command("camille", "setup remove_animator=bob")
    await browser.get(settings)

    assert browser.status == 403
    assert "/agora dashboard" in browser.text


async def test_a_session_lasts_twelve_hours(w: ConsoleCommunity, browser: Browser) -> None:
    await w.command("camille", "dashboard")
    await browser.sign_in(link_in(w, "camille"))
    settings = browser.path.rsplit("/", 1)[0] + "/settings"

    await w.advance(hours=11, minutes=59)
    await browser.get(settings)
    assert browser.status == 200
    await w.advance(minutes=2)
    await browser.get(settings)
    assert browser.status == 403


async def test_a_form_without_its_csrf_token_is_refused(w: ConsoleCommunity, browser: Browser) -> None:
    await w.command("camille", "dashboard")
    await browser.sign_in(link_in(w, "camille"))
    settings = browser.path.rsplit("/", 1)[0] + "/settings"

    await browser.post(settings, {"section": "setup", "timezone": "America/Montreal"}, csrf=False)

    assert browser.status == 403
    assert "Nothing was changed" in browser.text
    assert w.app is not None
    assert (await w.app.community_settings(w.ref)).timezone == "Europe/Paris"


async def test_a_forged_session_cookie_opens_nothing(w: ConsoleCommunity, browser: Browser) -> None:
    await w.command("camille", "dashboard")
    await browser.sign_in(link_in(w, "camille"))
    settings = browser.path.rsplit("/", 1)[0] + "/settings"
    cookie = next(iter(browser.session.cookie_jar))
    login, community, expires, signature = cookie.value.split(".")
    forged = f"{login}.{community}.{int(expires) + 86400}.{signature}"  # a day longer, the same signature
    browser.session.cookie_jar.clear()
    browser.session.cookie_jar.update_cookies({cookie.key: forged}, URL(browser.base))

    await browser.get(settings)

    assert browser.status == 403


async def test_an_animator_of_one_community_never_sees_another(
    w: ConsoleCommunity, browser: Browser, db_url: str, transcript: list[str]
) -> None:
    """Two communities on one Agora: camille animates the first; editing the page's address to the second's
    shows nothing of it, whatever the page."""
    assert w.app is not None
    other = ConsoleCommunity(w.config, animators={"dana"}, community_id="other", name="Other place")
    other.app, other.database, other.scheduler = w.app, w.database, w.scheduler
    await other.command("dana", "setup timezone=America/Montreal", delivery_id="other:1")
    await w.command("camille", "dashboard")
    await browser.sign_in(link_in(w, "camille"))
    mine = browser.path
    ours = mine.split("/")[2]
    theirs = str(int(ours) + 1)

    for page in ("health", "settings", "charter", "nowhere", ""):
        await browser.get(f"/c/{theirs}/{page}")
        assert browser.status in (403, 404), page
        assert "Other place" not in browser.text and "Montreal" not in browser.text
    await browser.post(f"/c/{theirs}/settings", {"section": "setup", "timezone": "Asia/Tokyo"})
    assert browser.status == 403
    assert (await w.app.community_settings(other.ref)).timezone == "America/Montreal"


async def test_without_the_web_section_the_command_says_how_to_turn_it_on(h: ConsoleCommunity) -> None:
    outcome = await h.command("camille", "dashboard")

    assert "not turned on" in outcome.replies[0].text
    assert "web: enabled: true" in outcome.replies[0].text


async def test_the_link_speaks_french_in_a_french_community(db_url: str, transcript: list[str]) -> None:
    community = web_harness(db_url, transcript, locale="fr")
    async with community:
        outcome = await community.command("camille", "dashboard")

    assert "une seule fois" in outcome.replies[0].text


def test_check_config_wants_a_public_url_with_the_dashboard() -> None:
    import pytest

    from bot.config import ConfigError, parse_config

    with pytest.raises(ConfigError) as refused:
        parse_config({"web": {"enabled": True}}, "config.yaml", env={})
    assert "public_url is needed" in str(refused.value)
    with pytest.raises(ConfigError) as refused:
        parse_config({"web": {"public_url": "agora.example.org"}}, "config.yaml", env={})
    assert "must start with https://" in str(refused.value)
    assert make_config().web.enabled is False


async def test_another_site_cannot_post_a_link_for_someone(w: ConsoleCommunity, browser: Browser) -> None:
    await w.command("camille", "dashboard")
    link = link_in(w, "camille")

    async with browser.session.post(
        browser.base + link, headers={"Origin": "https://evil.example"}
    ) as response:
        assert response.status == 403
    await browser.sign_in(link)  # not used up by the refusal
    assert browser.status == 200
