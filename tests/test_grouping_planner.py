"""The planner with a time budget: more time never gives fewer rounds; a search that is deterministic step by
step; planning from a real history (members came and went, pairs already met) never makes fewer new pairs than
the round-by-round planner on the same history. Small budgets only: the 10 s figures are the bench's."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.rounds.grouping import (
    PastRound,
    pairs_of,
    plan_round,
    repeat_free_rounds,
    round_by_round,
)
from bot.features.rounds.grouping.schedule import SCHEDULES, longest_schedule, tabu


def roster(count: int, prefix: str = "m") -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(count)]


def as_ids(schedule: list[list[list[int]]]) -> list[list[tuple[str, ...]]]:
    return [[tuple(map(str, g)) for g in rnd] for rnd in schedule]


def test_a_longer_budget_never_gives_fewer_rounds() -> None:
    """48 members in fours: no construction here, the search starts from one group fewer (11 fours: the
    transversal design's 11 rounds, the twelfth group added to each)."""
    lengths = []
    for budget in (0.0, 0.1, 0.4, 1.2):
        SCHEDULES.clear()
        schedule = longest_schedule(48, 4, budget=budget, seed="budget")
        assert repeat_free_rounds(as_ids(schedule)) == len(schedule)
        lengths.append(len(schedule))
    assert lengths == sorted(lengths)
    assert lengths[-1] > lengths[0]


def test_a_cached_schedule_goes_on_with_more_time_and_is_reused_with_less() -> None:
    SCHEDULES.clear()
    short = longest_schedule(48, 4, budget=0.2, seed="cache")
    again = longest_schedule(48, 4, budget=0.1, seed="cache")  # from the cache, no search
    longer = longest_schedule(48, 4, budget=0.6, seed="cache")  # goes on from where it stopped
    assert again == short
    assert len(longer) >= len(short)


def test_the_schedule_search_is_deterministic_and_more_steps_never_end_worse() -> None:
    found = []
    for steps in (0, 20, 80, 300):
        schedule, conflicts = tabu([3] * 6, 8, rng=random.Random(7), deadline=float("inf"), steps=steps)
        found.append(conflicts)
        assert sorted(p for g in schedule[0] for p in g) == list(range(18))
    assert found == sorted(found, reverse=True)
    again = tabu([3] * 6, 8, rng=random.Random(7), deadline=float("inf"), steps=80)
    assert again[1] == found[2]


def test_after_the_roster_changed_the_next_round_repeats_nobody() -> None:
    """12 members in threes play two rounds; two leave, two newcomers arrive: the next round is planned from
    who really met, and brings nobody together again."""
    members = roster(12)
    history = [PastRound(plan_round(members, size=3, seed=4).groups)]
    history.append(PastRound(plan_round(members, size=3, history=history, seed=4).groups))
    now_taking = [*members[2:], "new1", "new2"]
    plan = plan_round(now_taking, size=3, history=history, seed=4, budget=0.3)
    assert plan.repeated_pairs == 0
    assert not pairs_of(plan.groups) & (pairs_of(history[0].groups) | pairs_of(history[1].groups))


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[str], list[PastRound], int]:
    """A roster that changed over a few past rounds: some of today's members met, some left, some are new."""
    size = draw(st.integers(min_value=2, max_value=4))
    pool = roster(draw(st.integers(min_value=4, max_value=24)))
    history = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        present = [m for m in pool if draw(st.booleans()) or draw(st.booleans())]
        shuffled = draw(st.permutations(present))
        history.append(PastRound(tuple(tuple(shuffled[i : i + size]) for i in range(0, len(shuffled), size))))
    taking = [m for m in pool if draw(st.booleans()) or draw(st.booleans())]
    taking += roster(draw(st.integers(min_value=0, max_value=3)), prefix="new")
    return taking, history, size


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.integers(min_value=0, max_value=5))
def test_planning_from_a_history_never_makes_fewer_new_pairs_than_round_by_round(
    situation: tuple[list[str], list[PastRound], int], seed: int
) -> None:
    taking, history, size = situation
    plan = plan_round(taking, size=size, history=history, seed=seed, budget=0.02)
    greedy = round_by_round(taking, size=size, history=history, seed=seed)
    assert plan.unplaced == greedy.unplaced  # nobody left out but a lone member
    assert plan.new_pairs >= greedy.new_pairs
