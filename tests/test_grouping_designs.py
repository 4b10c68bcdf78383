"""The known constructions, each checked the hard way: every round a partition of the players into groups of the
size, every pair together at most once. Then the table of best known values: every instance of at most 40
players reaches it from a construction alone (no search), and the bounded cache of searched schedules."""

from __future__ import annotations

import itertools

import pytest

from bot.features.rounds.grouping.cache import LRUCache
from bot.features.rounds.grouping.design_data import CYCLIC
from bot.features.rounds.grouping.designs import (
    affine_plane,
    binary_fours,
    construction,
    cyclic,
    is_schedule,
    latin_square,
    round_robin,
    transversal,
    upper_bound,
)
from bot.features.rounds.grouping.explicit import EXPLICIT
from bot.features.rounds.grouping.fields import field
from bot.features.rounds.grouping.known import instances
from bot.features.rounds.grouping.packing import projective_packing

Design = list[list[tuple[int, ...]]] | tuple[tuple[tuple[int, ...], ...], ...]


def check(design: Design, count: int, size: int) -> None:
    """Each round a partition of 0..count-1 into groups of ``size``; no pair twice in the whole schedule."""
    seen: set[tuple[int, int]] = set()
    for number, rnd in enumerate(design):
        players = sorted(p for group in rnd for p in group)
        assert players == list(range(count)), f"round {number} is not a partition"
        assert all(len(group) == size for group in rnd), f"round {number} has a group of another size"
        for group in rnd:
            for pair in itertools.combinations(sorted(group), 2):
                assert pair not in seen, f"{pair} meet twice (again in round {number})"
                seen.add(pair)


@pytest.mark.parametrize("q", [2, 3, 4, 5, 7, 8, 9, 11, 13, 16])
def test_finite_fields_are_fields(q: int) -> None:
    gf = field(q)
    elements = range(q)
    assert all(any(gf.mul[a][b] == 1 for b in elements) for a in range(1, q)), "every non-zero has an inverse"
    for a, b, c in itertools.product(elements, repeat=3):
        assert gf.mul[a][gf.add[b][c]] == gf.add[gf.mul[a][b]][gf.mul[a][c]]
        assert gf.add[gf.add[a][b]][c] == gf.add[a][gf.add[b][c]]


def test_six_is_no_field() -> None:
    with pytest.raises(ValueError):
        field(6)


@pytest.mark.parametrize("players", range(2, 42, 2))
def test_round_robin_every_pair_exactly_once(players: int) -> None:
    design = round_robin(players)
    check(design, players, 2)
    assert len(design) == players - 1  # and so every one of the players * (players - 1) / 2 pairs met


@pytest.mark.parametrize("q", [2, 3, 4, 5, 7, 8, 9])
def test_affine_planes_over_gf_q(q: int) -> None:
    design = affine_plane(q)
    check(design, q * q, q)
    assert len(design) == q + 1  # every pair exactly once: (q + 1) * q * C(q, 2) = C(q², 2)


@pytest.mark.parametrize(("q", "size"), [(4, 3), (5, 4), (7, 5), (8, 5), (8, 4), (9, 4), (13, 3)])
def test_transversal_designs(q: int, size: int) -> None:
    design = transversal(q, size)
    check(design, q * size, size)
    assert len(design) == q


def test_latin_square_for_six() -> None:
    check(latin_square(6), 36, 6)


@pytest.mark.parametrize("bits", [2, 4, 5, 6])
def test_binary_fours(bits: int) -> None:
    design = binary_fours(bits)
    check(design, 1 << bits, 4)
    assert len(design) == ((1 << bits) - 1) // 3 if bits % 2 == 0 else ((1 << bits) - 8) // 3 + 1


@pytest.mark.parametrize(("q", "players"), [(2, 15), (3, 40)])
def test_a_packing_of_pg_3_q_meets_every_pair_exactly_once(q: int, players: int) -> None:
    design = projective_packing(q)
    check(design, players, q + 1)
    # q² + q + 1 spreads of (q² + 1) lines: (q² + q + 1) * (q² + 1) * C(q + 1, 2) = C(players, 2) pairs.
    assert len(design) == q * q + q + 1
    assert sum(len(g) * (len(g) - 1) // 2 for rnd in design for g in rnd) == players * (players - 1) // 2


def test_forty_in_fours_is_the_packing_of_pg_3_3() -> None:
    assert len(construction(40, 4)) == 13 == upper_bound(40, 4)


def test_thirty_six_in_fours_meet_everyone_but_the_two_others_of_their_triple_in_eleven_rounds() -> None:
    design = construction(36, 4)
    check(design, 36, 4)
    assert len(design) == 11 == upper_bound(36, 4)
    met: dict[int, set[int]] = {p: set() for p in range(36)}
    for rnd in design:
        for group in rnd:
            for p in group:
                met[p] |= set(group) - {p}
    # The players nobody met form 12 disjoint triples: the groups of the resolvable 4-GDD of type 3^12.
    unmet = {frozenset({p, *(set(range(36)) - met[p] - {p})}) for p in range(36)}
    assert len(unmet) == 12 and all(len(triple) == 3 for triple in unmet)


@pytest.mark.parametrize(("players", "size"), sorted(EXPLICIT), ids=lambda v: str(v))
def test_the_schedules_kept_as_data_are_schedules(players: int, size: int) -> None:
    kept = EXPLICIT[(players, size)]
    check(kept, players, size)
    assert is_schedule(kept, players, size)
    assert construction(players, size) == kept  # the longest known for its size: the planner follows it


def test_a_schedule_kept_as_data_that_repeats_a_pair_or_misses_a_player_is_refused() -> None:
    rounds = [list(rnd) for rnd in EXPLICIT[(32, 4)]]
    assert is_schedule(rounds, 32, 4)
    assert not is_schedule([*rounds, rounds[0]], 32, 4)  # every pair of the first round meets again
    swapped = [list(g) for g in rounds[1]]
    # Two players change groups: still a partition, but each meets all but one of the others elsewhere, so of
    # the three they now join at least two are met twice.
    swapped[0][0], swapped[1][0] = swapped[1][0], swapped[0][0]
    assert is_schedule([swapped], 32, 4)
    assert not is_schedule([rounds[0], swapped, *rounds[2:]], 32, 4)
    assert not is_schedule([rounds[0][:-1]], 32, 4)  # a group left out: not a partition
    assert rounds[0][0] == (0, 1, 2, 3)
    assert not is_schedule([[(0, 1, 2), (3,), *rounds[0][1:]]], 32, 4)  # a partition, but not into fours


@pytest.mark.parametrize("design", CYCLIC, ids=lambda d: f"{d.count}in{d.size}")
def test_cyclic_designs(design) -> None:  # type: ignore[no-untyped-def]
    developed = cyclic(design)
    check(developed, design.count, design.size)
    assert len(developed) == design.rounds


@pytest.mark.parametrize(
    ("groups", "size", "best", "sure"), instances(40), ids=[f"{g}x{s}" for g, s, _b, _sure in instances(40)]
)
def test_every_instance_up_to_40_players_reaches_its_best_known_value(
    groups: int, size: int, best: int, sure: str
) -> None:
    """Kirkman and nearly Kirkman triple systems for every count of threes, the resolvable designs with blocks of
    four, the affine planes, transversal designs and round robins: the table's value without any search."""
    design = construction(groups * size, size)
    check(design, groups * size, size)
    assert best <= upper_bound(groups * size, size)
    assert len(design) >= best


def test_the_cache_of_searched_schedules_is_bounded() -> None:
    cache: LRUCache[int] = LRUCache(3)
    for key in range(10):
        cache.put(key, key * key)
    assert len(cache) == 3
    assert cache.get(0) is None and cache.get(9) == 81
    cache.get(7)  # now the most recent: the next entry pushes 8 out, not 7
    cache.put(10, 100)
    assert cache.get(7) == 49 and cache.get(8) is None
    with pytest.raises(ValueError):
        LRUCache(0)
