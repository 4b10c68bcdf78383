"""Whole schedules searched within a time budget: the tabu search of Dotú & Van Hentenryck ("Scheduling social
golfers locally", 2005) over all the rounds at once, with restarts, started from the longest known construction
of this size (or of a nearby size: one group fewer, the extra group added), then one round longer at a time.

Deterministic and monotone: the search's random choices come from seeded generators and its restarts are
counted in steps, never in seconds, so the clock only decides where it stops. A longer budget walks the same
path further and never ends with fewer rounds; what a search found is kept in a bounded cache and a later
call with more time goes on from it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.features.rounds.grouping.cache import LRUCache
from bot.features.rounds.grouping.designs import construction, upper_bound
from bot.features.rounds.grouping.known import best_known

__all__ = ["SCHEDULES", "Schedule", "longest_schedule", "tabu"]

Schedule = list[list[list[int]]]
# An exclusion counts as this many repeats in a searched schedule: never worth it.
EXCLUDED = 1000


def _fill(sizes: Sequence[int], order: list[int]) -> list[list[int]]:
    groups, start = [], 0
    for size in sizes:
        groups.append(order[start : start + size])
        start += size
    return groups


def tabu(
    sizes: Sequence[int],
    weeks: int,
    *,
    rng: random.Random,
    deadline: float,
    start: Schedule = (),  # type: ignore[assignment]
    frozen: int = 0,
    before: dict[tuple[int, int], int] | None = None,
    steps: int | None = None,
    patience: int | None = None,
) -> tuple[Schedule, int]:
    """The schedule of ``weeks`` rounds (groups of ``sizes``) with the fewest conflicts found before ``deadline``
    (``time.monotonic()``), ``steps`` steps, or ``patience`` steps without a better schedule, and its number of conflicts (0: no pair meets twice).

    ``start`` gives the first rounds to begin from (the rest are random), of which the first ``frozen`` stay as
    they are; ``before`` counts the meetings that already happened (a real history; ``EXCLUDED`` for a pair that
    must never meet). A conflict is each meeting of a pair beyond its first. A move swaps two players of
    different groups of a free round, one of them in conflict; the best move that is not tabu is taken (a tabu
    one when it beats the best schedule seen); a search that stops improving is shaken by random swaps, then
    restarted from the best schedule seen."""
    n = sum(sizes)
    rounds: Schedule = [[list(g) for g in rnd] for rnd in list(start)[:weeks]]
    while len(rounds) < weeks:
        order = list(range(n))
        rng.shuffle(order)
        rounds.append(_fill(sizes, order))
    count = [[0] * n for _ in range(n)]
    for (a, b), times in (before or {}).items():
        count[a][b] += times
        count[b][a] += times
    for rnd in rounds:
        for group in rnd:
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    count[a][b] += 1
                    count[b][a] += 1
    free = list(range(min(frozen, weeks), weeks))

    def conflicts() -> int:
        return sum(max(0, count[a][b] - 1) for a in range(n) for b in range(a + 1, n))

    def swap(r: int, ga: int, gb: int, p: int, q: int) -> None:
        group_a, group_b = rounds[r][ga], rounds[r][gb]
        cp, cq = count[p], count[q]
        for x in group_a:
            if x != p:
                cp[x] -= 1
                count[x][p] -= 1
                cq[x] += 1
                count[x][q] += 1
        for y in group_b:
            if y != q:
                cq[y] -= 1
                count[y][q] -= 1
                cp[y] += 1
                count[y][p] += 1
        group_a[group_a.index(p)] = q
        group_b[group_b.index(q)] = p

    total = best = conflicts()
    best_rounds = [[list(g) for g in rnd] for rnd in rounds]
    tabu_until: dict[tuple[int, int, int], int] = {}
    stale = shaken = 0
    step = improved = 0
    while total and free and (steps is None or step < steps) and time.monotonic() < deadline:
        step += 1
        if patience is not None and step - improved > patience:
            break  # a lower bound is rarely known (a small roster that met in full): don't burn the budget
        moves: list[tuple[int, int, int, int, int]] = []
        best_delta = 1 << 30
        for r in free:
            rnd = rounds[r]
            for ga, group_a in enumerate(rnd):
                for p in group_a:
                    cp = count[p]
                    lose = sum(1 for x in group_a if x != p and cp[x] >= 2)
                    if not lose:
                        continue
                    gain_a = [x for x in group_a if x != p]
                    for gb, group_b in enumerate(rnd):
                        if gb == ga:
                            continue
                        for q in group_b:
                            cq = count[q]
                            delta = -lose
                            for y in group_b:
                                if y != q:
                                    delta += (cp[y] >= 1) - (cq[y] >= 2)
                            for x in gain_a:
                                if cq[x] >= 1:
                                    delta += 1
                            if tabu_until.get((r, p, q), -1) >= step and total + delta >= best:
                                continue
                            if delta < best_delta:
                                best_delta, moves = delta, [(r, ga, gb, p, q)]
                            elif delta == best_delta:
                                moves.append((r, ga, gb, p, q))
        if not moves:
            break
        r, ga, gb, p, q = moves[rng.randrange(len(moves))]
        swap(r, ga, gb, p, q)
        total += best_delta
        tabu_until[(r, p, q)] = tabu_until[(r, q, p)] = step + rng.randint(4, 14)
        if total < best:
            best, stale, shaken, improved = total, 0, 0, step
            best_rounds = [[list(g) for g in rnd] for rnd in rounds]
            continue
        stale += 1
        if stale > 200:
            stale, shaken = 0, shaken + 1
            if shaken > 10:
                # Restart from the best schedule seen: the shakes wandered too far.
                shaken = 0
                for r, rnd in enumerate(best_rounds):
                    for g, group in enumerate(rnd):
                        for slot, player in enumerate(group):
                            current = rounds[r][g][slot]
                            if current != player:
                                gb = next(i for i, grp in enumerate(rounds[r]) if player in grp)
                                swap(r, g, gb, current, player)
            for _ in range(3):
                r = rng.choice(free)
                if len(rounds[r]) > 1:
                    ga, gb = rng.sample(range(len(rounds[r])), 2)
                    swap(r, ga, gb, rng.choice(rounds[r][ga]), rng.choice(rounds[r][gb]))
            total = conflicts()
    return [[sorted(g) for g in rnd] for rnd in best_rounds], best


@dataclass
class _Searched:
    schedule: Schedule
    budget: float


# Schedules searched for complete rosters, by (players, size, seed): a few hundred bytes each.
SCHEDULES: LRUCache[_Searched] = LRUCache(64)


def _nearby(count: int, size: int) -> Schedule:
    """A start for a size with no construction: the construction for one group fewer, and the last ``size``
    players as one more group in every round (its repeats are what the search removes)."""
    smaller = construction(count - size, size) if count > size else ()
    extra = list(range(count - size, count))
    return [[list(g) for g in rnd] + [list(extra)] for rnd in smaller]


def longest_schedule(count: int, size: int, *, budget: float, seed: str = "0") -> Schedule:
    """The longest repeat-free schedule found for ``count`` players in groups of ``size`` (``size`` divides
    ``count``) within ``budget`` seconds: a known construction when it reaches the best known value (or the
    upper bound), else the search, one round longer at a time, until it fails within the budget."""
    groups = count // size
    sizes = [size] * groups
    key = (count, size, seed)
    cached = SCHEDULES.get(key)
    known = construction(count, size)
    best: Schedule = [[list(g) for g in rnd] for rnd in known]
    if cached is not None:
        if cached.budget >= budget:
            return cached.schedule
        if len(cached.schedule) > len(best):
            best = cached.schedule
    target = min(upper_bound(count, size), best_known(groups, size) or upper_bound(count, size))
    deadline = time.monotonic() + budget
    # The rounds after the ones already repeat-free come from a nearby size when this one has no design.
    nearby = _nearby(count, size) if not known else []
    weeks = len(best) + 1
    while weeks <= target and time.monotonic() < deadline:
        rng = random.Random(f"agora:schedule:{seed}:{count}:{size}:{weeks}")
        start = best + nearby[len(best) :]
        found, conflicts = tabu(sizes, weeks, rng=rng, deadline=deadline, start=start)
        if conflicts:
            break
        best = found
        weeks += 1
    SCHEDULES.put(key, _Searched(best, budget))
    return best
