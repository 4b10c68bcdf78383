"""The charter page: the current version, the history side by side, and the editor whose saving is the chat's
own edit form (new version, re-acceptance asked of the members who had accepted)."""

from __future__ import annotations

from adapters.console import ConsoleCommunity
from tests.support import arrive, charter_dms
from tests.web.support import Browser, link_in

RIGHTS = "Suggest a meeting topic\nLeave the group at any time\nBring a guest once a term"


async def charter_page(w: ConsoleCommunity, browser: Browser) -> str:
    await w.command("camille", "dashboard")
    await browser.sign_in(link_in(w, "camille"))
    page = browser.path.rsplit("/", 1)[0] + "/charter"
    await browser.get(page)
    assert browser.status == 200, browser.text
    return page


async def test_the_page_shows_the_charter_and_who_would_be_asked(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await arrive(w, "alice")
    await w.join("bob")  # has not accepted: not asked again

    await charter_page(w, browser)

    assert "The charter today: version 1" in browser.text
    assert "Help Lyon's digital freelancers grow together." in browser.text
    assert (
        "asks these members, who accepted an earlier version, to accept it by direct message:" in browser.text
    )
    asked = browser.text.split("by direct message:")[1].split("</p>")[0]
    assert "alice" in asked and "bob" not in asked


async def test_saving_makes_a_new_version_members_are_asked_to_accept(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await arrive(w, "alice")
    page = await charter_page(w, browser)
    before = len(charter_dms(w, "alice"))

    await browser.post(page, {"rights": RIGHTS, "note": "Guests are welcome", "action": "preview"})
    assert "Your draft" in browser.text and "Bring a guest once a term" in browser.text
    assert "The charter today: version 1" in browser.text  # a preview saves nothing
    await browser.post(page, {"rights": RIGHTS, "note": "Guests are welcome", "action": "save"})

    assert browser.status == 200, browser.text
    assert "Version 2 is saved. 1 member is asked to accept it" in browser.text
    assert "The charter today: version 2" in browser.text
    dms = charter_dms(w, "alice")
    assert len(dms) == before + 1 and "Bring a guest once a term" in dms[-1].plain()
    shown = await w.command("alice", "charter")
    assert "Bring a guest once a term" in shown.replies[0].plain()


async def test_the_history_compares_two_versions_side_by_side(w: ConsoleCommunity, browser: Browser) -> None:
    page = await charter_page(w, browser)
    await browser.post(page, {"rights": RIGHTS, "note": "Guests", "action": "save"})

    await browser.get(page + "?from=1&to=2")

    assert "Version 1 and version 2, side by side" in browser.text
    assert '<td class="added"><ins>Bring a guest once a term</ins></td>' in browser.html
    assert "Changed by @camille: “Guests”" in browser.text


async def test_the_chat_refusals_come_back_next_to_the_fields(w: ConsoleCommunity, browser: Browser) -> None:
    page = await charter_page(w, browser)

    await browser.post(page, {"rights": RIGHTS, "note": "", "action": "save"})

    assert browser.status == 422
    assert 'aria-invalid="true" aria-describedby="c-note-error"' in browser.html
    assert "The charter today: version 1" in browser.text
    assert RIGHTS.split("\n")[2] in browser.text  # what was written is kept in the editor


async def test_in_a_community_that_votes_the_page_says_so_and_saves_nothing(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await w.command("camille", "charter rules mode=community")
    page = await charter_page(w, browser)

    await browser.post(page, {"rights": RIGHTS, "note": "Guests", "action": "save"})

    assert browser.status == 422
    assert "the members vote on changes to the charter" in browser.text
    assert "The charter today: version 1" in browser.text


async def test_member_text_in_the_charter_is_text(w: ConsoleCommunity, browser: Browser) -> None:
    page = await charter_page(w, browser)

    await browser.post(page, {"rights": "<script>alert(1)</script>", "note": "<b>bold</b>", "action": "save"})

    assert "<script>alert(1)</script>" not in browser.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in browser.html
