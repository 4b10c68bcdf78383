"""Every request asks the platform whether the signed-in animator still animates: a member whose animator role
is taken away, who is no longer an admin, or who left, is refused at the next request, not twelve hours later.
When the platform can't answer, what it said last stands for a minute; past that the page says it can't check,
and nobody is let in on what can't be checked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.console import ConsoleCommunity
from bot.chat import TransientChatError
from bot.web import Dashboard
from tests.web.support import Browser, link_in, serve, web_harness

ROLE = "animators"  # the community's animator role on the console platform


@pytest.fixture
async def w(db_url: str, transcript: list[str]) -> AsyncIterator[ConsoleCommunity]:
    """The dashboard's console community, whose animators are also those holding the "animators" role."""
    community = web_harness(db_url, transcript, animator_role=ROLE)
    await community.start()
    yield community
    await community.stop()


async def signed_in(w: ConsoleCommunity, browser: Browser, who: str) -> str:
    """``who`` asks for a link and signs in; returns their settings page (open, 200)."""
    await w.command(who, "dashboard")
    await browser.sign_in(link_in(w, who))
    settings = browser.path.rsplit("/", 1)[0] + "/settings"
    await browser.get(settings)
    assert browser.status == 200, browser.text
    return settings


async def test_an_animator_whose_role_is_taken_away_is_refused_at_the_next_request(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await w.join("bob")
    w.chat.roles["bob"] = {ROLE}  # the platform gives bob the animator role
    settings = await signed_in(w, browser, "bob")

    w.chat.roles["bob"].discard(ROLE)  # ...and takes it away: Agora sees no event of it
    await browser.get(settings)

    assert browser.status == 403
    assert "/agora dashboard" in browser.text
    await browser.get(settings.rsplit("/", 1)[0] + "/health")
    assert browser.status == 403


async def test_a_form_is_refused_too_and_changes_nothing(w: ConsoleCommunity, browser: Browser) -> None:
    await w.join("bob")
    w.chat.roles["bob"] = {ROLE}
    settings = await signed_in(w, browser, "bob")

    w.chat.roles["bob"].clear()
    await browser.post(settings, {"section": "setup", "timezone": "America/Montreal"})

    assert browser.status == 403
    assert w.app is not None
    assert (await w.app.community_settings(w.ref)).timezone == "Europe/Paris"


async def test_an_admin_who_is_no_longer_one_is_refused(w: ConsoleCommunity, browser: Browser) -> None:
    w.animators.add("dana")  # a platform admin: she animates
    settings = await signed_in(w, browser, "dana")

    w.animators.discard("dana")
    await browser.get(settings)

    assert browser.status == 403


async def test_a_member_who_left_unseen_is_refused(w: ConsoleCommunity, browser: Browser) -> None:
    await w.join("bob")
    w.chat.roles["bob"] = {ROLE}
    settings = await signed_in(w, browser, "bob")

    w.leave_unseen("bob")  # Agora missed the departure; the platform knows
    await browser.get(settings)

    assert browser.status == 403


async def test_a_link_asked_with_the_role_is_refused_once_the_role_is_gone(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await w.join("bob")
    w.chat.roles["bob"] = {ROLE}
    await w.command("bob", "dashboard")

    w.chat.roles["bob"].clear()
    await browser.sign_in(link_in(w, "bob"))

    assert browser.status == 403
    assert "This link can't be used" in browser.text


async def test_the_refusal_speaks_the_community_language(db_url: str, transcript: list[str]) -> None:
    community = web_harness(db_url, transcript, locale="fr", animator_role=ROLE)
    async with community:
        dashboard = await serve(community)
        browser = Browser(dashboard)
        try:
            await community.join("bob")
            community.chat.roles["bob"] = {ROLE}
            settings = await signed_in(community, browser, "bob")

            community.chat.roles["bob"].clear()
            await browser.get(settings)

            assert browser.status == 403
            assert "Pour vous connecter, tapez /agora dashboard" in browser.text
        finally:
            await browser.close()
            await dashboard.stop()


async def test_when_the_platform_cannot_answer_its_last_word_stands_for_a_minute(
    w: ConsoleCommunity, browser: Browser
) -> None:
    settings = await signed_in(w, browser, "camille")

    await w.advance(seconds=50)
    w.chat.failures.append(TransientChatError("the platform is rate limiting"))
    await browser.get(settings)
    assert browser.status == 200  # it said she animates 50 seconds ago

    await w.advance(seconds=20)
    w.chat.failures.append(TransientChatError("the platform is rate limiting"))
    await browser.get(settings)
    assert browser.status == 503  # 70 seconds: too old to let her in, yet her session did not end
    assert "Agora can't check right now" in browser.text
    assert "Nothing was changed" in browser.text

    await browser.get(settings)
    assert browser.status == 200  # the platform answers again


async def test_what_the_platform_said_last_is_not_taken_for_a_yes(
    w: ConsoleCommunity, browser: Browser
) -> None:
    """The platform's last answer stands for a minute, and it stands as it was: a member it said has lost the
    role stays refused while it can't be asked."""
    await w.join("bob")
    w.chat.roles["bob"] = {ROLE}
    settings = await signed_in(w, browser, "bob")
    w.chat.roles["bob"].clear()
    await browser.get(settings)
    assert browser.status == 403

    w.chat.failures.append(TransientChatError("network"))
    await browser.get(settings)

    assert browser.status == 403


async def test_a_link_that_cannot_be_checked_is_not_used_up(w: ConsoleCommunity, browser: Browser) -> None:
    await w.command("camille", "dashboard")
    await w.advance(minutes=2)  # what the platform said with the command is two minutes old
    link = link_in(w, "camille")

    w.chat.failures.append(TransientChatError("network"))
    await browser.sign_in(link)
    assert browser.status == 503

    await browser.sign_in(link)
    assert browser.status == 200
    assert browser.path.endswith("/health")


async def test_without_the_platform_in_this_process_a_session_lasts_a_minute(
    w: ConsoleCommunity, browser: Browser, dashboard: Dashboard
) -> None:
    """A dashboard served by a process where the community's platform is not connected (another process holds
    it) lets an animator in only on what the platform said within the minute."""
    settings = await signed_in(w, browser, "camille")
    assert w.app is not None
    chat = w.app.chats.pop("console")
    try:
        await browser.get(settings)
        assert browser.status == 200
        await w.advance(seconds=61)
        await browser.get(settings)
        assert browser.status == 503
    finally:
        w.app.chats["console"] = chat
