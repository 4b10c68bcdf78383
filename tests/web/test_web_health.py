"""The health page: the chat's report over a period, its charts inline as SVG (with their figures as tables), and
every member at risk with what they have not done yet."""

from __future__ import annotations

from adapters.console import ConsoleCommunity
from tests.support import arrive
from tests.web.support import Browser, link_in, open_page


async def health_page(w: ConsoleCommunity, browser: Browser, query: str = "") -> str:
    return await open_page(w, browser, "health", query)


async def test_the_health_page_is_the_first_and_draws_the_charts(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await arrive(w, "alice")
    await w.command("camille", "dashboard")
    await browser.sign_in(link_in(w, "camille"))

    assert browser.path.endswith("/health")
    assert browser.html.count("<svg") >= 2 and "<?xml" not in browser.html
    assert "Members who joined in the period, step by step" in browser.text
    assert '<th scope="row">Accepted the charter</th><td>1</td><td>50%</td>' in browser.html  # camille, alice
    assert "style-src 'self' 'unsafe-inline'" in (await _policy(browser))
    assert "script" not in (await _policy(browser))


async def _policy(browser: Browser) -> str:
    async with browser.session.get(browser.url) as response:
        return response.headers["Content-Security-Policy"]


async def test_members_at_risk_are_listed_with_what_they_have_not_done(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await arrive(w, "alice")
    await w.join("bob")
    await w.advance(days=31)

    await health_page(w, browser)

    rows = browser.text.split('id="at-risk"')[1]
    assert "alice" in rows and "bob" in rows
    assert "Introduced themselves, Took part in a round" in rows


async def test_the_period_and_the_language_can_be_chosen(w: ConsoleCommunity, browser: Browser) -> None:
    await health_page(w, browser, "?period=30&lang=fr")

    assert '<option value="30" selected>' in browser.html
    assert "Santé" in browser.text or "santé" in browser.text
    await browser.get(browser.path.split("?")[0] + "?period=99999")
    assert '<option value="90" selected>' in browser.html  # an unknown period is the default one
