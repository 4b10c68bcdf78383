"""``plan_round``: the groups of the next round, from who takes part and what happened.

Three candidates, the best kept (fewest members left out, then most new pairs, then the lowest cost):

1. the round-by-round planner (:mod:`~bot.features.rounds.grouping.local`): always computed, so a plan never
   makes fewer new pairs than it;
2. a round of the whole schedule for this exact roster (a known design, or the schedule searched for its size
   within the budget), relabelled the same way every week, when that round repeats nobody: a stable roster goes
   through the schedule to its end;
3. with a budget, a continuation: the next few rounds searched together (the schedule tabu) from what really
   happened (who met whom, who joined or left), started from the plan made last time when the round played was
   its first one, else from the whole schedule and candidate 1. The plan is kept (bounded cache) for next time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from bot.features.rounds.grouping.cache import LRUCache
from bot.features.rounds.grouping.costs import Costs
from bot.features.rounds.grouping.designs import MAX_DESIGN
from bot.features.rounds.grouping.local import Round, repair
from bot.features.rounds.grouping.model import REPEAT, Odd, PastRound, Person, Plan, Weights, group_sizes
from bot.features.rounds.grouping.schedule import EXCLUDED, longest_schedule, tabu

__all__ = ["CONTINUATIONS", "MAX_SEARCHED", "plan_round", "plan_schedule", "round_by_round"]

# Largest roster whose coming rounds are searched together (the schedule tabu is cubic in the roster).
MAX_SEARCHED = 40
# How many coming rounds a continuation plans together, and how many steps it goes on without doing better.
HORIZON = 4
PATIENCE = 500
# Plans made for a roster, kept for the next round: (roster, size, odd, seed) -> the coming rounds (member ids).
CONTINUATIONS: LRUCache[list[list[list[str]]]] = LRUCache(64)


def _as_people(people: Iterable[Person | str]) -> list[Person]:
    found: dict[str, Person] = {}
    for p in people:
        person = p if isinstance(p, Person) else Person(str(p))
        found.setdefault(person.id, person)
    return [found[key] for key in sorted(found)]


def plan_round(
    people: Iterable[Person | str],
    *,
    size: int = 2,
    history: Sequence[PastRound] = (),
    exclusions: Iterable[tuple[str, str]] = (),
    odd: Odd = "bigger",
    weights: Weights | None = None,
    seed: int | str = 0,
    now: datetime | None = None,
    effort: int = 1,
    budget: float = 0.0,
    soft_pairs: Mapping[tuple[str, str], float] | None = None,
) -> Plan:
    """The groups of the next round (see the module's docstring).

    ``history`` lists past rounds, oldest first; ``exclusions`` pairs of member ids never to group (either
    order); ``soft_pairs`` an extra cost per pair (positive: rather apart), always below a repeat; ``budget``
    the seconds the whole-schedule searches may take (0: none beyond what is cached or known); ``effort``
    multiplies the round-by-round search's budget.
    """
    started = time.monotonic()
    members = _as_people(people)
    ids = [p.id for p in members]
    if len(members) < 2:
        return Plan(groups=(), unplaced=tuple(ids), method="none")
    exclusions = list(exclusions)
    costs = Costs(members, history, exclusions, weights or Weights(), now, soft_pairs)
    sizes = group_sizes(len(members), size, odd)
    rng = random.Random(f"agora:{seed}:{len(history)}:{len(members)}")

    state = _round_by_round(costs, sizes, rng, effort)
    candidates = [(state.groups, "search")]
    design = _design_round(members, size, history, costs, seed, budget / 2)
    if design is not None and sum(costs.group(g) for g in design) < REPEAT / 2:
        candidates.insert(0, (design, "construction"))
    elif budget > 0 and len(members) <= MAX_SEARCHED and len(sizes) > 1:
        remaining = max(0.0, budget - (time.monotonic() - started))
        planned = _continuation(
            members, sizes, history, exclusions, (odd, seed, size), design, state, remaining
        )
        candidates.insert(0, (planned, "construction"))

    best: Plan | None = None
    for groups, method in candidates:
        plan = _finish(costs, ids, groups, size, method)
        if best is None or _rank(plan) < _rank(best):
            best = plan
    assert best is not None
    return best


def _round_by_round(costs: Costs, sizes: list[int], rng: random.Random, effort: int) -> Round:
    state = Round(costs, sizes, rng)
    state.greedy()
    state.tabu(effort * (2000 if costs.n <= 300 else 300))
    state.polish(effort * min(20 * costs.n, 20_000))
    return state


def round_by_round(
    people: Iterable[Person | str],
    *,
    size: int = 2,
    history: Sequence[PastRound] = (),
    odd: Odd = "bigger",
    seed: int | str = 0,
    now: datetime | None = None,
) -> Plan:
    """The round-by-round planner alone (greedy, then its tabu search on this round only), as ``plan_round``
    computes it among its candidates: the reference a plan never falls below."""
    members = _as_people(people)
    ids = [p.id for p in members]
    if len(members) < 2:
        return Plan(groups=(), unplaced=tuple(ids), method="none")
    costs = Costs(members, history, [], Weights(), now)
    sizes = group_sizes(len(members), size, odd)
    rng = random.Random(f"agora:{seed}:{len(history)}:{len(members)}")
    return _finish(costs, ids, _round_by_round(costs, sizes, rng, 1).groups, size, "search")


def _rank(plan: Plan) -> tuple[int, int, float]:
    return (len(plan.unplaced), -plan.new_pairs, plan.cost)


def _finish(costs: Costs, ids: list[str], chosen: list[list[int]], size: int, method: str) -> Plan:
    groups, unplaced = repair(costs, [list(g) for g in chosen], size)
    repeated = sum(1 for g in groups for i, a in enumerate(g) for b in g[i + 1 :] if costs.met(a, b))
    total_pairs = sum(len(g) * (len(g) - 1) // 2 for g in groups)
    named = sorted((tuple(sorted(ids[m] for m in g)) for g in groups), key=lambda g: g[0])
    return Plan(
        groups=tuple(named),
        unplaced=tuple(sorted(ids[m] for m in unplaced)),
        repeated_pairs=repeated,
        new_pairs=total_pairs - repeated,
        method=method,
        cost=sum(costs.group(g) for g in groups),
    )


def _labels(n: int, size: int, seed: int | str) -> list[int]:
    labels = list(range(n))
    random.Random(f"agora:labels:{seed}:{n}:{size}").shuffle(labels)
    return labels


def _design_round(
    members: list[Person],
    size: int,
    history: Sequence[PastRound],
    costs: Costs,
    seed: int | str,
    budget: float,
) -> list[list[int]] | None:
    """The cheapest unplayed round of the whole schedule for this exact roster (its players relabelled the same
    way every week), or None when its size has no schedule."""
    n = len(members)
    if n % size or n > MAX_DESIGN or n < 2 * size:
        return None
    ids = [p.id for p in members]
    roster = set(ids)
    played = {
        frozenset(frozenset(g) for g in past.planned or past.groups)
        for past in history
        if {m for g in past.planned or past.groups for m in g} == roster
    }
    searched = budget if n <= MAX_SEARCHED else 0.0
    design = longest_schedule(n, size, budget=searched, seed=str(seed))
    labels = _labels(n, size, seed)
    best: list[list[int]] | None = None
    best_cost = float("inf")
    for rnd in design:
        groups = [[labels[v] for v in group] for group in rnd]
        if frozenset(frozenset(ids[m] for m in g) for g in groups) in played:
            continue
        cost = sum(costs.group(g) for g in groups)
        # Any unplayed round of a design keeps the rest of it repeat-free: take the one that suits best now.
        if cost < best_cost:
            best, best_cost = groups, cost
    return best


def _continuation(
    members: list[Person],
    sizes: list[int],
    history: Sequence[PastRound],
    exclusions: list[tuple[str, str]],
    key: tuple[object, ...],
    design: list[list[int]] | None,
    state: Round,
    budget: float,
) -> list[list[int]]:
    """The first of the next rounds searched together from the real history (see the module's docstring)."""
    ids = [p.id for p in members]
    index = {member: i for i, member in enumerate(ids)}
    before: dict[tuple[int, int], int] = {}
    for past in history:
        for group in past.groups:
            inside = sorted(index[m] for m in group if m in index)
            for x, a in enumerate(inside):
                for b in inside[x + 1 :]:
                    before[(a, b)] = before.get((a, b), 0) + 1
    for a_id, b_id in exclusions:
        if a_id in index and b_id in index and a_id != b_id:
            pair = (min(index[a_id], index[b_id]), max(index[a_id], index[b_id]))
            before[pair] = before.get(pair, 0) + EXCLUDED
    cache_key = (tuple(ids), *key)
    start: list[list[list[int]]] = []
    planned = CONTINUATIONS.get(cache_key)
    last = {frozenset(g) for g in history[-1].groups} if history else set()
    played = next((i for i, rnd in enumerate(planned or []) if {frozenset(g) for g in rnd} == last), None)
    if planned and played is not None:
        # The round played is one planned last time: go on with the rest of that plan.
        start = [[[index[m] for m in g] for g in rnd] for i, rnd in enumerate(planned) if i != played]
    if not start:
        start = [[list(g) for g in state.groups]]
        if design is not None:
            start.insert(0, [list(g) for g in design])
    shaped = [_shape(rnd, sizes) for rnd in start]
    n, size = len(ids), max(sizes)
    weeks = max(1, min(HORIZON, (n - 1) // max(1, size - 1)))
    rng = random.Random(f"agora:continue:{key}:{len(history)}")
    found, _conflicts = tabu(
        sizes,
        weeks,
        rng=rng,
        deadline=time.monotonic() + budget,
        start=shaped,
        before=before,
        patience=PATIENCE,
    )
    CONTINUATIONS.put(cache_key, [[[ids[m] for m in g] for g in rnd] for rnd in found])

    def against_history(rnd: list[list[int]]) -> int:
        return sum(
            before.get((min(a, b), max(a, b)), 0) for g in rnd for i, a in enumerate(g) for b in g[i + 1 :]
        )

    # Any round of the plan may come first: the one that repeats least of what already happened.
    return min(found, key=against_history)


def _shape(groups: list[list[int]], sizes: list[int]) -> list[list[int]]:
    """The round ``groups`` poured into groups of exactly ``sizes`` (in order), keeping members together as far
    as the sizes allow: the schedule search swaps members but never resizes groups."""
    flat = [m for g in sorted(groups, key=len, reverse=True) for m in g]
    out, at = [], 0
    for size in sorted(sizes, reverse=True):
        out.append(flat[at : at + size])
        at += size
    return out


def plan_schedule(
    people: Iterable[Person | str],
    *,
    size: int,
    rounds: int,
    exclusions: Iterable[tuple[str, str]] = (),
    odd: Odd = "bigger",
    seed: int | str = 0,
    effort: int = 1,
    budget: float = 0.0,
) -> list[Plan]:
    """``rounds`` rounds for a stable roster, each planned from the ones before (as the live feature does)."""
    exclusions = list(exclusions)
    history: list[PastRound] = []
    plans = []
    for _ in range(rounds):
        plan = plan_round(
            people,
            size=size,
            history=history,
            exclusions=exclusions,
            odd=odd,
            seed=seed,
            effort=effort,
            budget=budget,
        )
        plans.append(plan)
        history.append(PastRound(plan.groups))
    return plans
