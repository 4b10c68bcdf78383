"""The members page: the directory with its search, each member's steps, one member's card, the CSV download
(formulas made harmless), and nothing of another community even by editing the address."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.web.pages.members import csv_cell, filename
from storage.models import Member
from tests.support import arrive, introduce
from tests.web.support import Browser, open_page


async def members_page(w: ConsoleCommunity, browser: Browser, query: str = "") -> str:
    return await open_page(w, browser, "members", query)


async def test_the_directory_lists_every_member_with_their_steps_and_searches_what_they_wrote(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await introduce(w, "alice", offers="Proofreading in <b>French</b>", interests="écologie, design")
    await arrive(w, "bob")
    await w.join("carol")

    page = await members_page(w, browser)

    assert "alice" in browser.text and "bob" in browser.text and "carol" in browser.text
    assert "Alice's trade" in browser.text
    alice = browser.html.split(">alice</a>")[1].split("</tr>")[0]
    assert alice.count("✓") == 2  # accepted the charter, introduced herself
    carol = browser.html.split(">carol</a>")[1].split("</tr>")[0]
    assert carol.count("✓") == 0

    await browser.get(page + "?q=ECOLOGIE")
    assert "alice" in browser.text and "bob" not in browser.text
    await browser.get(page + "?q=proofreading")
    assert "alice" in browser.text and "1 member" in browser.text
    await browser.get(page + "?q=nothing-like-it")
    assert "No member matches" in browser.text


async def test_a_members_card_shows_what_they_wrote_as_text(w: ConsoleCommunity, browser: Browser) -> None:
    await introduce(w, "alice", offers="Proofreading in <b>French</b>")
    page = await members_page(w, browser)
    link = re.search(r'href="([^"]*member=\d+)">alice<', browser.html)
    assert link is not None

    await browser.get(link.group(1))

    assert browser.status == 200
    assert "&lt;b&gt;French&lt;/b&gt;" in browser.html  # member text is data
    assert "Introduced themselves" in browser.text
    await browser.get(page + "?member=abc")
    assert browser.status == 404


async def test_the_csv_download_is_a_safe_file(w: ConsoleCommunity, browser: Browser) -> None:
    await introduce(w, "alice", offers='=HYPERLINK("http://evil","x")', needs="+1 help", what="-dash, @me")
    page = await members_page(w, browser)

    async with browser.session.get(browser.base + page + "?format=csv") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == 'attachment; filename="members-the-indies.csv"'
        assert response.headers["X-Content-Type-Options"] == "nosniff"  # streamed, with every page's headers
        assert response.headers["Cache-Control"] == "no-store"
        text = (await response.read()).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Name", "Platform id", "Joined"]
    alice = next(row for row in rows if row[1] == "alice")
    assert (
        alice[3] == "'-dash, @me" and alice[4] == '\'=HYPERLINK("http://evil","x")' and alice[5] == "'+1 help"
    )
    assert alice[-6:-4] == ["yes", "yes"]
    assert len(rows) == 3  # the header, camille, alice


async def test_the_csv_has_every_column_and_a_line_a_member_whatever_their_name(
    w: ConsoleCommunity, browser: Browser
) -> None:
    hostile = '=cmd|" /C calc"!A0, then\na "second" line'
    await introduce(w, "alice", name=hostile, interests="écologie, design")
    await w.join("bob")
    page = await members_page(w, browser, "?lang=fr")

    await browser.get(page + "?format=csv")

    rows = list(csv.reader(io.StringIO(browser.text.removeprefix("\ufeff"))))
    assert rows[0] == [
        "Nom",
        "Identifiant sur la plateforme",
        "Arrivés",
        "Activité",
        "Offres",
        "Besoins",
        "Lieu",
        "Centres d'intérêt",
        "Ont accepté la charte",
        "Se sont présentés",
        "Ont participé à un tour",
        "Se sont vus lors d'un tour",
        "Sont venus à une rencontre",
        "Ont agi (motion, question, amendement, mission)",
    ]
    by_id = {row[1]: row for row in rows[1:]}
    assert sorted(by_id) == ["alice", "bob", "camille"]  # one line each: the newline stayed in its cell
    alice, bob = by_id["alice"], by_id["bob"]
    assert alice[0] == "'" + hostile and alice[2] == "5 janv. 2026"
    assert alice[3:8] == ["Alice's trade", "", "", "", "écologie, design"]
    assert alice[8:] == ["oui", "oui", "", "", "", ""]
    assert bob[0] == "bob" and bob[3:] == [""] * 11


def test_cells_and_file_names_are_made_harmless() -> None:
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("@SUM") == "'@SUM" and csv_cell("plain") == "plain"
    assert filename('Les "Indés"/\r\nX', "é =x") == "members-les-indes-x-e-x.csv"


async def test_the_page_speaks_french(w: ConsoleCommunity, browser: Browser) -> None:
    await members_page(w, browser, "?lang=fr")

    assert "Télécharger en CSV" in browser.text


async def test_an_animator_of_another_community_sees_none_of_its_members(
    w: ConsoleCommunity, browser: Browser
) -> None:
    assert w.app is not None and w.database is not None
    other = ConsoleCommunity(w.config, animators={"dana"}, community_id="other", name="Other place")
    other.app, other.database, other.scheduler = w.app, w.database, w.scheduler
    await other.join("zoe-secret", delivery_id="other:1")
    page = await members_page(w, browser)
    ours = page.split("/")[2]
    async with w.database.sessions() as session:
        zoe = await session.scalar(select(Member.id).where(Member.external_id == "zoe-secret"))

    await browser.get(f"{page}?member={zoe}")
    assert browser.status == 404 and "zoe-secret" not in browser.text
    await browser.get(f"{page}?q=zoe")
    assert "zoe-secret" not in browser.text
    await browser.get(f"{page}?format=csv")
    assert "zoe-secret" not in browser.text
    await browser.get(f"/c/{int(ours) + 1}/members?member={zoe}")
    assert browser.status in (403, 404) and "zoe-secret" not in browser.text


async def test_with_the_dashboard_on_the_privacy_status_counts_its_members_csv_among_the_exports(
    w: ConsoleCommunity,
) -> None:
    outcome = await w.command("camille", "privacy status")

    [status] = outcome.replies
    exports = next(f.value for f in status.fields if f.name == "Exports that exist")
    assert exports.startswith("Animators can download three CSV files that name members")
    assert "the dashboard's Members page" in exports
