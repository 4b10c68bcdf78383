"""The grouping optimizer, a pure function: exclusions never violated, repeats avoided as long as possible (the
social golfer targets), older repeats preferred, soft preferences, odd counts and tiny rosters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.rounds.grouping import (
    PastRound,
    Person,
    construction,
    group_sizes,
    pairs_of,
    plan_round,
    plan_schedule,
    repeat_free_rounds,
)


def roster(count: int) -> list[str]:
    return [f"m{i:02d}" for i in range(count)]


def check_partition(
    groups: tuple[tuple[str, ...], ...], unplaced: tuple[str, ...], members: list[str]
) -> None:
    placed = [m for g in groups for m in g]
    assert sorted(placed + list(unplaced)) == sorted(members), "everyone is placed once, or told they are not"
    assert all(len(g) >= 2 for g in groups)


@pytest.mark.parametrize("k", range(1, 9))
def test_round_robin_for_pairs_every_pair_exactly_once(k: int) -> None:
    members = roster(2 * k)
    plans = plan_schedule(members, size=2, rounds=2 * k - 1)

    all_pairs = [pair for plan in plans for pair in pairs_of(plan.groups)]
    assert len(all_pairs) == len(set(all_pairs)) == k * (2 * k - 1)  # every pair of the 2k, exactly once
    assert all(len(g) == 2 for plan in plans for g in plan.groups)


@pytest.mark.parametrize(
    ("groups", "size", "target"),
    [(4, 4, 5), (5, 3, 7), (3, 3, 4), (8, 4, 9), (5, 5, 6), (16, 4, 21)],
    ids=["4x4", "5x3 Kirkman", "3x3", "8x4", "5x5", "16x4"],
)
def test_known_designs_reach_the_golfer_targets(groups: int, size: int, target: int) -> None:
    design = construction(groups * size, size)
    assert len(design) >= target
    as_ids = [[tuple(str(p) for p in group) for group in rnd] for rnd in design]
    assert repeat_free_rounds(as_ids) == len(design)
    for rnd in design:
        assert sorted(p for group in rnd for p in group) == list(range(groups * size))
        assert all(len(group) == size for group in rnd)


@pytest.mark.parametrize(
    ("groups", "size", "target"),
    [(4, 4, 5), (5, 3, 7), (8, 4, 9), (6, 2, 11)],
    ids=["4x4", "5x3 Kirkman", "8x4", "pairs of 12"],
)
def test_round_by_round_on_a_complete_roster_follows_the_design(groups: int, size: int, target: int) -> None:
    """The live feature calls the planner once per round with the stored history: it still reaches the targets."""
    plans = plan_schedule(roster(groups * size), size=size, rounds=target + 1, seed=7)

    assert repeat_free_rounds([p.groups for p in plans]) >= target
    assert all(p.repeated_pairs == 0 for p in plans[:target])


def test_a_stable_roster_of_eighteen_in_threes_follows_a_nearly_kirkman_system() -> None:
    """18 members in threes (best known: 8 rounds): one round at a time gets stuck at 6; the nearly Kirkman
    triple system on 18 points gives all 8, from the first round."""
    plans = plan_schedule(roster(18), size=3, rounds=8, seed=2)

    assert repeat_free_rounds([p.groups for p in plans]) == 8
    assert all(p.method == "construction" for p in plans)


def test_churn_breaks_the_design_and_the_search_takes_over_without_repeats() -> None:
    members = roster(16)
    history: list[PastRound] = []
    for week in range(3):
        taking = members if week != 1 else members[:14]  # two members skip a week
        plan = plan_round(taking, size=4, history=history, seed=3, odd="smaller")
        history.append(PastRound(plan.groups))
    assert repeat_free_rounds([r.groups for r in history]) == 3


@pytest.mark.parametrize(
    ("count", "size", "odd", "sizes"),
    [
        (0, 2, "bigger", []),
        (1, 2, "bigger", []),
        (2, 2, "bigger", [2]),
        (3, 2, "bigger", [3]),
        (3, 2, "smaller", [3]),  # groups of one are never an option
        (3, 4, "bigger", [3]),
        (5, 2, "bigger", [3, 2]),
        (7, 3, "bigger", [4, 3]),
        (7, 3, "smaller", [3, 2, 2]),
        (7, 4, "bigger", [4, 3]),  # one group of 7 would not be "one more": smaller instead
        (7, 4, "smaller", [4, 3]),
        (10, 4, "bigger", [5, 5]),
        (10, 4, "smaller", [4, 3, 3]),
        (12, 4, "bigger", [4, 4, 4]),
    ],
)
def test_group_sizes_leave_nobody_out(count: int, size: int, odd: str, sizes: list[int]) -> None:
    assert group_sizes(count, size, odd) == sizes  # type: ignore[arg-type]
    assert sum(sizes) == (count if count >= 2 else 0)


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_tiny_rosters(count: int) -> None:
    members = roster(count)
    plan = plan_round(members, size=2)
    if count < 2:
        assert plan.groups == () and plan.unplaced == tuple(members) and plan.method == "none"
    else:
        assert plan.groups == (tuple(members),) and plan.unplaced == ()


def test_two_members_who_excluded_each_other_are_not_grouped() -> None:
    plan = plan_round(["a", "b"], size=2, exclusions=[("a", "b")])
    assert plan.groups == () and plan.unplaced == ("a", "b")


def test_a_trio_with_an_exclusion_becomes_a_pair_and_one_member_told() -> None:
    plan = plan_round(["a", "b", "c"], size=2, exclusions=[("a", "b")])
    assert len(plan.groups) == 1 and set(plan.groups[0]) in ({"a", "c"}, {"b", "c"})
    assert len(plan.unplaced) == 1


def test_the_older_repeat_is_the_cheaper_one() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    history = [
        PastRound((("a", "b"), ("c", "d")), when=now - timedelta(days=200)),
        PastRound((("a", "d"), ("b", "c")), when=now - timedelta(days=30)),
        PastRound((("a", "c"), ("b", "d")), when=now - timedelta(days=7)),
    ]
    plan = plan_round(["a", "b", "c", "d"], size=2, history=history, now=now)
    assert plan.groups == (("a", "b"), ("c", "d"))
    assert plan.repeated_pairs == 2


def test_soft_preferences_come_after_repeats() -> None:
    people = [
        Person("a", interests=frozenset({"ux"}), company="Acme"),
        Person("b", interests=frozenset({"data"}), company="Acme"),
        Person("c", interests=frozenset({"ux"})),
        Person("d", interests=frozenset({"data"})),
    ]
    plan = plan_round(people, size=2)
    assert plan.groups == (("a", "c"), ("b", "d"))  # shared interests, different companies

    history = [PastRound((("a", "c"), ("b", "d")))]
    again = plan_round(people, size=2, history=history)
    assert again.repeated_pairs == 0  # a new pair beats a shared interest
    assert set(again.groups) == {("a", "d"), ("b", "c")}  # and Acme's two are still kept apart


def test_time_zones_far_apart_are_kept_apart_when_possible() -> None:
    people = [
        Person("paris", utc_offset=1),
        Person("montreal", utc_offset=-5),
        Person("lyon", utc_offset=1),
        Person("quebec", utc_offset=-5),
    ]
    plan = plan_round(people, size=2)
    assert set(plan.groups) == {("lyon", "paris"), ("montreal", "quebec")}


def test_deterministic_for_a_seed_whatever_the_input_order() -> None:
    members = roster(23)
    history = [PastRound(plan_round(members, size=3, seed=1).groups)]
    first = plan_round(members, size=3, history=history, seed=42)
    again = plan_round(list(reversed(members)), size=3, history=history, seed=42)
    assert first == again


@st.composite
def situations(draw: st.DrawFn) -> tuple[list[str], list[PastRound], list[tuple[str, str]], int, str]:
    count = draw(st.integers(min_value=0, max_value=28))
    members = roster(count)
    size = draw(st.integers(min_value=2, max_value=4))
    odd = draw(st.sampled_from(["bigger", "smaller"]))
    history = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        shuffled = draw(st.permutations([*members, "gone1", "gone2"]))
        cut = draw(st.integers(min_value=2, max_value=4))
        history.append(PastRound(tuple(tuple(shuffled[i : i + cut]) for i in range(0, len(shuffled), cut))))
    pool = [*members, "stranger"]
    exclusions = draw(
        st.lists(st.tuples(st.sampled_from(pool), st.sampled_from(pool)), max_size=3 * count + 2)
        if count
        else st.just([])
    )
    return members, history, exclusions, size, odd


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations(), st.integers(min_value=0, max_value=10))
def test_exclusions_are_never_violated(
    situation: tuple[list[str], list[PastRound], list[tuple[str, str]], int, str], seed: int
) -> None:
    members, history, exclusions, size, odd = situation
    plan = plan_round(members, size=size, history=history, exclusions=exclusions, odd=odd, seed=seed)  # type: ignore[arg-type]

    forbidden = {frozenset(pair) for pair in exclusions if pair[0] != pair[1]}
    assert not pairs_of(plan.groups) & forbidden
    check_partition(plan.groups, plan.unplaced, members)
    assert all(len(g) <= size + 1 for g in plan.groups)
    if not forbidden and len(members) >= 2:
        assert plan.unplaced == ()  # only an exclusion can leave someone out
