"""The dashboard of a community that says « tu » speaks its French, and its language switch keeps it."""

from __future__ import annotations

from adapters.console import ConsoleCommunity
from tests.web.support import Browser, link_in


async def test_the_dashboard_of_a_familiar_community_says_tu(w: ConsoleCommunity, browser: Browser) -> None:
    await w.command("camille", "setup locale=fr-tu")
    await w.command("camille", "dashboard")
    await browser.sign_in(link_in(w, "camille"))
    assert browser.status == 200, browser.text
    settings = browser.path
    assert 'href="?lang=fr-tu"' in browser.html

    await browser.get(settings + "?lang=en")
    assert 'href="?lang=fr-tu"' in browser.html  # back to the community's French, not to « vous »
    await browser.get(settings + "?lang=fr-tu")
    assert browser.status == 200 and 'lang="fr"' in browser.html
