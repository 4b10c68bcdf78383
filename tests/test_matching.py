"""Suggested contacts: the members with the most relevant overlap, for a reason a newcomer can read.

The pure algorithm (``bot.features.onboarding.matching``) first, then on a fixture community through the console, where
who may be suggested (charter accepted, still here, not hidden) is decided."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.features.onboarding.matching import (
    PREPARED_VERSION,
    Candidate,
    concepts,
    keywords,
    normalize,
    prepare,
    split_tags,
    suggest,
    tag_key,
)
from storage.models import Community, Member
from storage.tables.profiles import Profile
from tests.support import ONBOARDING_CHANNELS, arrive, introduce


def test_tags_are_normalised_case_accents_spaces_and_separators() -> None:
    assert normalize("  Écologie   URBAINE ") == "ecologie urbaine"
    assert normalize("Œuvres d’art") == "oeuvres d'art"
    assert split_tags("Écologie, design;  #vélo ; ecologie\n Design,, ") == ["Écologie", "design", "vélo"]
    assert tag_key("Vélos") == tag_key("velo") == "velo"
    assert split_tags("") == []


def test_words_match_when_one_extends_the_other_a_little() -> None:
    designer = Candidate("bob", "Bob", offers="designer", needs="mentoring")
    found = suggest(Candidate("n", "N", offers="mentor", needs="design"), [designer])
    assert found[0].they_offer == ("design",) and found[0].you_offer == ("mentor",)
    # Too short to tell (under five letters), or too far apart: no match.
    assert suggest(Candidate("n", "N", needs="web"), [Candidate("b", "B", offers="webinar")]) == []
    assert suggest(Candidate("n", "N", needs="design"), [Candidate("b", "B", offers="designation")]) == []


def test_keywords_drop_the_little_words_in_both_languages() -> None:
    assert list(keywords("Je cherche un mentor en UX design et des clients à Lyon")) == [
        "mentor",
        "ux",
        "design",
        "client",
        "lyon",
    ]
    assert list(keywords("I am looking for someone to help me with my accounting")) == ["accounting"]


NEWCOMER = Candidate(
    "alice",
    "Alice",
    interests=["écologie", "Design", "vélo"],
    offers="Illustration et mise en page",
    needs="un mentor en UX, des conseils juridiques",
)


def fixture() -> list[Candidate]:
    return [
        # a shared interest only
        Candidate("bob", "Bob", interests=["Ecologie"], rank=0),
        # two shared interests
        Candidate("carol", "Carol", interests=["design", "VELO", "cuisine"], rank=1),
        # offers what alice needs (two keywords) and needs what she offers
        Candidate("dan", "Dan", offers="Mentoring UX designers", needs="illustrations", rank=2),
        # nothing in common
        Candidate("eve", "Eve", interests=["astronomie"], offers="comptabilité", rank=3),
        # the newcomer herself, as the caller may well pass her
        NEWCOMER,
    ]


def test_the_most_relevant_overlap_comes_first_and_says_why() -> None:
    found = suggest(NEWCOMER, fixture(), limit=3)

    assert [s.key for s in found] == ["dan", "carol", "bob"]
    dan, carol, bob = found
    assert dan.they_offer == ("mentor", "UX") and dan.you_offer == ("Illustration",) and dan.score == 6
    assert carol.shared == ("Design", "vélo") and carol.score == 2
    assert bob.shared == ("écologie",) and bob.score == 1


def test_never_the_newcomer_themself() -> None:
    twin = Candidate("alice", "Alice again", interests=NEWCOMER.interests, offers=NEWCOMER.offers)
    assert "alice" not in [s.key for s in suggest(NEWCOMER, [twin, *fixture()], limit=5)]


def test_ties_are_broken_by_rank_then_key_whatever_the_input_order() -> None:
    same = [
        Candidate(key, key.title(), interests=["design"], rank=rank)
        for key, rank in (("zed", 0), ("amy", 1), ("bea", 1))
    ]
    results = {
        tuple(s.key for s in suggest(NEWCOMER, list(order), limit=3))
        for order in itertools.permutations(same)
    }
    assert results == {("zed", "amy", "bea")}


def test_fewer_than_two_candidates_is_fine() -> None:
    assert suggest(NEWCOMER, [], limit=3) == []
    assert suggest(NEWCOMER, [NEWCOMER], limit=3) == []
    [only] = suggest(NEWCOMER, [Candidate("bob", "Bob", interests=["vélo"])], limit=3)
    assert only.key == "bob" and only.shared == ("vélo",)
    assert suggest(NEWCOMER, fixture(), limit=0) == []


def test_other_newcomers_fill_a_short_list_but_never_push_out_a_real_match() -> None:
    fellows = [
        Candidate("zoe", "Zoe", interests=["astronomie"], rank=5, recent=True),
        Candidate("yan", "Yan", rank=4, recent=True),
        Candidate("old", "Old-timer", rank=0),
    ]
    found = suggest(NEWCOMER, [Candidate("bob", "Bob", interests=["vélo"], rank=9), *fellows], limit=3)
    assert [(s.key, s.recent) for s in found] == [("bob", False), ("yan", True)]

    found = suggest(NEWCOMER, [*fixture(), *fellows], limit=3)
    assert not any(s.recent for s in found)


# --- on a fixture community: who may be suggested ------------------------------------------------------------


@pytest.fixture
async def c(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    community = make_harness("en", channels=ONBOARDING_CHANNELS)
    await community.start()
    yield community
    await community.stop()


async def add_profile_without_charter(h: ConsoleCommunity, who: str, interests: list[str]) -> None:
    """A profile whose member never accepted the charter (kept from before the charter existed, say)."""
    assert h.database is not None
    now = datetime.now(UTC)
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        member = Member(community_id=community.id, external_id=who, display_name=who, joined_at=now)
        session.add(member)
        await session.flush()
        session.add(
            Profile(
                community_id=community.id,
                member_id=member.id,
                name=who,
                what="Somebody",
                interests=interests,
                search_text=normalize(f"{who} somebody {' '.join(interests)}"),
                sort_name=who,
                introduced_at=now,
                updated_at=now,
            )
        )


async def test_suggestions_skip_hidden_departed_and_charterless_members(c: ConsoleCommunity) -> None:
    # Everybody shares "design" with alice; only who may be suggested is.
    await introduce(c, "bob", interests="design")
    await introduce(c, "hidden", interests="design, vélo, écologie")
    await c.command("hidden", "profile hide")
    await introduce(c, "gone", interests="design, vélo, écologie")
    await c.leave("gone")
    await add_profile_without_charter(c, "nocharter", ["design", "vélo", "écologie"])
    await introduce(c, "carol", interests="vélo")
    await introduce(c, "dan", interests="cuisine")

    await arrive(c, "alice")
    await c.submit("alice", "intro", {"what": "Designer", "interests": "design, vélo, écologie"})

    post = c.chat.posts("introductions")[-1].message
    assert post is not None
    assert post.text.splitlines()[2:] == [
        "alice, a few members you should meet:",
        "• <@carol> — You both care about: vélo",
        "• <@bob> — You both care about: design",
    ]


async def test_the_number_of_suggestions_is_the_communitys(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", channels=ONBOARDING_CHANNELS, onboarding={"suggestions": 1}) as h:
        await introduce(h, "bob", interests="design")
        await introduce(h, "carol", interests="design")
        await introduce(h, "alice", interests="design")
        post = h.chat.posts("introductions")[-1].message
        assert post is not None
        assert "<@carol>" in post.plain() and "<@bob>" not in post.plain()


def test_a_stored_preparation_is_used_and_a_stale_one_redone() -> None:
    ready = prepare(["vélo"], "mentoring", "")
    assert ready == {
        "version": PREPARED_VERSION,
        "interests": {"velo": "vélo"},
        "offers": {"mentoring": "mentoring"},
        "needs": {},
    }
    # What was stored is what counts (the texts are not read again)...
    stored = Candidate("bob", "Bob", interests=["cuisine"], prepared=ready)
    assert suggest(NEWCOMER, [stored])[0].shared == ("vélo",)
    # ...unless it was prepared by another version of the algorithm, or never.
    stale = Candidate("bob", "Bob", interests=["cuisine"], prepared={**ready, "version": 0})
    assert suggest(NEWCOMER, [stale]) == []
    assert suggest(NEWCOMER, [Candidate("bob", "Bob", interests=["vélo"], prepared={})])[0].shared == (
        "vélo",
    )


async def test_profiles_saved_before_a_change_of_the_algorithm_are_still_matched(c: ConsoleCommunity) -> None:
    await introduce(c, "bob", interests="design", offers="mentoring")
    assert c.database is not None
    async with c.database.transaction() as session:
        for profile in (await session.scalars(select(Profile))).all():
            profile.match_keys = {"version": 0, "interests": {}, "offers": {}, "needs": {}}
    await introduce(c, "alice", interests="Design", needs="a mentor")
    post = c.chat.posts("introductions")[-1].message
    assert post is not None
    assert "• <@bob> — You both care about: Design · bob offers what you look for: mentor" in post.text


def test_the_fast_word_matching_agrees_with_its_definition() -> None:
    """Equal, or one word extends the other by at most four letters, the shorter having five or more, or both
    say the same thing (a shared stem or synonym group: ``concepts``)."""

    def same(a: str, b: str) -> bool:
        short, long = sorted((a, b), key=len)
        return (
            a == b
            or (len(short) >= 5 and long.startswith(short) and len(long) - len(short) <= 4)
            or bool(concepts(a) & concepts(b))
        )

    rng = random.Random(7)
    roots = ["design", "mentor", "market", "photo", "illustr", "web", "data", "format", "juridi", "compta"]
    suffixes = ["", "s", "er", "ing", "ion", "ation", "eur", "ique", "ography", "e"]
    vocabulary = sorted({root + suffix for root in roots for suffix in suffixes})
    for _ in range(300):
        needs = " ".join(rng.sample(vocabulary, 4))
        offers = " ".join(rng.sample(vocabulary, 5))
        newcomer, other = Candidate("n", "N", needs=needs), Candidate("o", "O", offers=offers)
        wanted, offered = keywords(needs), keywords(offers)
        expected = tuple(word for stem, word in wanted.items() if any(same(stem, o) for o in offered))
        found = suggest(newcomer, [other])
        assert (found[0].they_offer if found else ()) == expected, (needs, offers)


def test_french_and_english_words_for_the_same_thing_match() -> None:
    """The synonym table and the Snowball stems: a need in one language finds an offer in the other, accents and
    plurals aside; words that only look alike do not."""
    for need, offer in (
        ("du mentorat", "mentoring"),
        ("aide en comptabilité", "comptable"),
        ("a lawyer for my contracts", "Avocate, droit des contrats"),
        ("des formations", "formateur"),
        ("Feedback on my pricing page", "retours sur vos tarifs"),
    ):
        found = suggest(Candidate("n", "N", needs=need), [Candidate("o", "O", offers=offer)])
        assert found and found[0].they_offer, (need, offer)
    assert concepts("mentorat") & concepts("mentoring")
    assert concepts("comptabilite") & concepts("comptable")
    assert not concepts("design") & concepts("designation")
    assert (
        suggest(Candidate("n", "N", needs="communication"), [Candidate("o", "O", offers="communauté")]) == []
    )
