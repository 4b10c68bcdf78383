"""The member directory on the console: search that ignores accents and case, hidden members never listed,
pages turned in place, one profile with /agora whois."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from adapters.console import ConsoleCommunity
from bot.messages import Message
from tests.support import ONBOARDING_CHANNELS, arrive, introduce


@pytest.fixture
async def d(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    """A community whose directory shows three members per page."""
    community = make_harness("en", channels=ONBOARDING_CHANNELS, onboarding={"directory_page_size": 3})
    await community.start()
    yield community
    await community.stop()


def listed(message: Message) -> list[str]:
    return [f.name for f in message.fields]


async def test_search_ignores_accents_and_case_and_looks_everywhere(d: ConsoleCommunity) -> None:
    await introduce(d, "alice", name="Alice", interests="écologie, design")
    await introduce(d, "bob", name="Bob", interests="ECOLOGIE")
    await introduce(d, "carol", name="Carol", what="Consultante en Écologie industrielle")
    await introduce(d, "dan", name="Dan", interests="vélo", offers="Web design for associations")
    await introduce(d, "eve", name="Eve", where="Montréal")

    for search in ("écologie", "Ecologie", "ÉCOLOGIE", "ecologie"):
        found = (await d.command("zed", f"members {search}")).replies[0]
        assert listed(found) == ["Alice", "Bob", "Carol"], search
    assert (await d.command("zed", "members ecologie")).replies[0].title == "Members matching “ecologie”"

    # Several words must all match, typed without quotes; offers, needs and places count too.
    web = (await d.command("zed", "members web design")).replies[0]
    assert listed(web) == ["Dan"] and web.text == "1 member matches."
    assert listed((await d.command("zed", "members montreal")).replies[0]) == ["Eve"]

    nothing = (await d.command("zed", "members astronomie")).replies[0]
    assert (
        nothing.text == "No member matches “astronomie”. Try another word, or /agora members to see everyone."
    )


async def test_each_member_shows_tags_offers_and_needs(d: ConsoleCommunity) -> None:
    await introduce(
        d,
        "alice",
        name="Alice",
        what="Illustrator",
        where="Lyon",
        interests="BD, écologie",
        offers="Drawings for your slides",
        needs="x" * 300,
    )
    [entry] = (await d.command("zed", "members")).replies[0].fields
    assert entry.value.splitlines()[:4] == [
        "<@alice>: Illustrator",
        "Where: Lyon",
        "Interests and skills: BD, écologie",
        "Can offer: Drawings for your slides",
    ]
    needs = entry.value.splitlines()[4]
    assert needs.startswith("Looking for: xxx") and needs.endswith("…") and len(needs) < 200


async def test_hidden_departed_and_charterless_members_are_never_listed(d: ConsoleCommunity) -> None:
    await introduce(d, "alice", interests="design")
    await introduce(d, "bob", interests="design")
    await introduce(d, "carol", interests="design")
    await d.command("bob", "profile hide")
    await d.leave("carol")
    await d.join("dan")  # never accepted the charter, so has no profile either

    for search in ("", " design"):
        page = (await d.command("zed", f"members{search}")).replies[0]
        assert listed(page) == ["alice"], search

    assert (await d.command("zed", "whois @bob")).replies[
        0
    ].text == "<@bob> has no profile in the directory yet."
    assert (await d.command("zed", "whois @carol")).replies[
        0
    ].text == "<@carol> has no profile in the directory yet."
    # Bob still sees what he shared, and how to come back.
    own = (await d.command("bob", "whois @bob")).replies[0]
    assert own.title == "bob" and "/agora profile show" in (own.footer or "")

    await d.command("bob", "profile show")
    assert listed((await d.command("zed", "members")).replies[0]) == ["alice", "bob"]


async def test_pages_turn_in_place_with_previous_and_next(d: ConsoleCommunity) -> None:
    names = ["amy", "bea", "cal", "dee", "eli", "fay", "gus", "hal"]
    for name in names:
        await introduce(d, name, interests="design")

    first = await d.command("zed", "members design")
    page = first.replies[0]
    assert listed(page) == ["amy", "bea", "cal"]
    assert page.text == "8 members match."
    assert page.footer is not None and page.footer.startswith("Page 1 of 3")
    assert [b.label for b in page.buttons] == ["Next"]

    second = await d.press("zed", "Next")
    assert second.update is not None and second.replies == []
    assert listed(second.update) == ["dee", "eli", "fay"]
    assert [b.label for b in second.update.buttons] == ["Previous", "Next"]

    third = await d.press("zed", "Next")
    assert third.update is not None and listed(third.update) == ["gus", "hal"]
    assert [b.label for b in third.update.buttons] == ["Previous"]
    assert (third.update.footer or "").startswith("Page 3 of 3")

    back = await d.press("zed", "Previous")
    assert back.update is not None and listed(back.update) == ["dee", "eli", "fay"]

    # The message the member sees is the one that changed, page after page.
    [reply] = [
        s for s in d.chat.sent if s.kind == "reply" and s.to == "zed" and s.message and s.message.fields
    ]
    assert reply.ref is not None and listed(d.chat.current[reply.ref.id]) == ["dee", "eli", "fay"]


async def test_a_page_that_no_longer_exists_shows_the_last_one(d: ConsoleCommunity) -> None:
    for name in ("amy", "bea", "cal", "dee"):
        await introduce(d, name)
    await d.command("zed", "members")
    await d.command("dee", "profile hide")  # four members became three: page 2 is gone
    turned = await d.press("zed", "Next")
    assert turned.update is not None and listed(turned.update) == ["amy", "bea", "cal"]
    assert turned.update.buttons == ()


async def test_an_empty_directory_and_a_too_long_search_are_explained(d: ConsoleCommunity) -> None:
    empty = (await d.command("zed", "members")).replies[0]
    assert empty.text == "Nobody has introduced themselves yet. Be the first: /agora profile opens the form."

    refused = await d.command("zed", "members " + "design " * 12)
    assert refused.error == "refused"
    assert refused.replies[0].text.startswith("That search is 83 characters long; 60 at most")


async def test_whois_shows_one_profile(d: ConsoleCommunity) -> None:
    await introduce(d, "alice", name="Alice Durand", what="Illustrator", interests="BD", needs="a printer")
    shown = (await d.command("zed", "whois @alice")).replies[0]
    assert shown.title == "Alice Durand" and shown.text == "<@alice>: Illustrator"
    assert {f.name: f.value for f in shown.fields} == {
        "Interests and skills": "BD",
        "Looking for": "a printer",
    }
    assert shown.footer == "Introduced on 5 January 2026"
    assert (await d.command("zed", "whois")).replies[0].text.startswith("/agora whois needs member")


async def test_the_directory_speaks_french(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("fr", channels=ONBOARDING_CHANNELS) as h:
        await h.join("alice")
        await h.press("alice", "J'accepte la charte")
        await h.submit("alice", "intro", {"what": "Graphiste", "interests": "Écologie"})
        page = (await h.command("zed", "members ecologie")).replies[0]
        assert page.title == "Membres correspondant à « ecologie »"
        assert page.text == "1 membre correspond."
        assert page.fields[0].value.splitlines() == [
            "<@alice> : Graphiste",
            "Centres d'intérêt et compétences : Écologie",
        ]
        none = (await h.command("zed", "members vélo")).replies[0]
        assert none.text.startswith("Aucun membre ne correspond à « vélo ».")


async def test_arrive_is_enough_to_browse(d: ConsoleCommunity) -> None:
    """A member who has not introduced themselves yet can still look around."""
    await introduce(d, "alice")
    await arrive(d, "bob")
    assert listed((await d.command("bob", "members")).replies[0]) == ["alice"]
