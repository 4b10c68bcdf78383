"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright (the system's browser, no
download). An animator of the console community gets the link from ``/agora dashboard``, opens it, signs in,
goes through the pages (a screenshot of each in the test's output folder), changes a setting and writes a new
version of the charter, and the console community shows the effect: the members who had accepted are asked to
accept the new version."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.console import ConsoleCommunity
from bot.web import Dashboard
from tests.support import arrive, charter_dms
from tests.web.support import link_in

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no system Chromium (Debian: apt-get install chromium)"),
]


async def test_an_animator_runs_the_community_from_the_browser(
    w: ConsoleCommunity, dashboard: Dashboard, tmp_path: Path
) -> None:
    for name in ("alice", "bob", "chloe", "david"):
        await arrive(w, name)
    await w.join("emma")
    await w.submit("alice", "intro", {"what": "Designer"})  # one introduced herself; emma never accepted
    await w.advance(days=31)
    await w.command("camille", "dashboard")
    link = f"http://127.0.0.1:{dashboard.port}{link_in(w, 'camille')}"
    shots = tmp_path / "screenshots"
    shots.mkdir()

    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = await browser.new_page(viewport={"width": 1200, "height": 900})
        try:
            await page.goto(link)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url("**/c/*/*")
            await page.keyboard.press("Tab")  # the keyboard's first stop skips to the content
            assert await page.evaluate("document.activeElement.textContent") == "Skip to the content"
            nav = page.get_by_role("navigation", name="Dashboard")
            titles = [t.strip() for t in await nav.get_by_role("link").all_inner_texts()]
            assert {"Health", "Settings", "Charter"} <= set(titles)
            assert await page.locator("figure svg").count() == 2  # the health charts, inline
            for title in titles:
                await nav.get_by_role("link", name=title, exact=True).click()
                await page.wait_for_load_state()
                assert await page.get_by_role("heading", level=1).inner_text() == title
                await page.screenshot(path=shots / f"{title.lower()}.png", full_page=True)

            # A setting, as /agora setup would change it.
            await nav.get_by_role("link", name="Settings").click()
            await page.get_by_label("timezone").fill("America/Montreal")
            await page.get_by_role("button", name="Save “General”").click()
            await page.get_by_role("status").wait_for()
            assert "Settings saved." in await page.get_by_role("status").inner_text()
            assert await page.get_by_label("timezone").input_value() == "America/Montreal"

            # A new version of the charter, previewed then saved.
            await nav.get_by_role("link", name="Charter").click()
            rights = page.get_by_label("Your rights")
            await rights.fill(await rights.input_value() + "\nBring a guest once a term")
            await page.get_by_label("What changed, and why").fill("Guests are welcome")
            await page.get_by_role("button", name="Preview").click()
            assert await page.locator("ins", has_text="Bring a guest once a term").count() == 1
            await page.get_by_role("button", name="Save the new version").click()
            status = await page.get_by_role("status").inner_text()
            assert "Version 2 is saved. 4 members are asked to accept it" in status
            await page.screenshot(path=shots / "charter-saved.png", full_page=True)

            # The same pages on a phone.
            await page.set_viewport_size({"width": 390, "height": 844})
            await page.goto(page.url.split("#")[0] + "?from=1&to=2#compare")
            await page.screenshot(path=shots / "charter-phone.png", full_page=False)
            await nav.get_by_role("link", name="Health").click()
            await page.screenshot(path=shots / "health-phone.png", full_page=False)
        finally:
            await browser.close()

    assert w.app is not None
    assert (await w.app.community_settings(w.ref)).timezone == "America/Montreal"
    asked = charter_dms(w, "alice")[-1]
    assert "Bring a guest once a term" in asked.plain()
    assert any(
        "Version 2 replaces version 1" in (p.message.text if p.message else "") for p in w.chat.posts()
    )
    assert {p.name for p in shots.iterdir()} >= {"settings.png", "charter.png", "charter-phone.png"}
