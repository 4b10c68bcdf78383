"""The grouping optimizer: who meets whom in a round. A pure function, no I/O.

One module of ~900 lines on purpose: the designs (round robin, affine planes, binary spreads, Kirkman), the
schedule search and the per-round local search share one cost model (`_Costs`, `_Round`) and its private helpers;
splitting them would expose those internals across modules for no reader's gain.

``plan_round`` takes the members taking part, the groups of past rounds (with their dates), the pairs that must
never be grouped, the group size and optional soft preferences, and returns the groups of the next round.

What it minimises, in this order:

1. exclusions: never violated (a member who cannot be placed without violating one sits the round out, and the
   plan says so);
2. repeated pairs: as few as possible, and among repeats the older ones are cheaper;
3. soft preferences: shared interests, different companies, overlapping time zones.

It plans ahead. A complete roster whose size fits a known design (a round robin for pairs, an affine plane
for s×s, a spread of binary subspaces for 16, 32 or 64 members in fours, Kirkman's schoolgirls for 15 in
threes) follows that design, round after round, for as long as it stays repeat-free: this reaches the best
known number of repeat-free rounds of the social golfer problem, where a greedy that only avoids last round's
pairs gets stuck early. A complete roster of up to 30 members with no known design, once it has met, follows a
whole schedule searched from its first round (the tabu search of Dotú & Van Hentenryck over all the rounds at
once). Everything else, and every round where a schedule would break a rule, goes to a local search: a greedy
that places the most constrained members first, then a tabu search that swaps members between groups of the
round to remove repeated pairs (after Dotú & Van Hentenryck, "Scheduling social golfers locally"). Big rosters stay near-linear: the greedy looks at a bounded sample of groups, the search at a
bounded sample of swaps.

Deterministic: the same input and seed give the same groups (members are sorted by id first; randomness is a
seeded ``random.Random``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Literal

__all__ = [
    "Odd",
    "PastRound",
    "Person",
    "Plan",
    "Weights",
    "construction",
    "group_sizes",
    "pairs_of",
    "plan_round",
    "plan_schedule",
    "repeat_free_rounds",
    "round_robin",
]

Odd = Literal["bigger", "smaller"]

# Cost scale: one exclusion outweighs any number of repeats, one repeat outweighs any recency or preference.
HARD = 1e12
REPEAT = 1e6
RECENCY = 1e3
# Largest roster for which a known design is followed, and for which a whole schedule is searched.
MAX_DESIGN = 256
MAX_SEARCHED = 30
SEARCH_ITERATIONS = 1000


@dataclass(frozen=True)
class Person:
    """A member taking part, with what the soft preferences look at (all optional)."""

    id: str
    interests: frozenset[str] = frozenset()
    company: str = ""
    utc_offset: float | None = None  # hours east of UTC


@dataclass(frozen=True)
class PastRound:
    """A round already played: its groups (member ids) and when it took place."""

    groups: tuple[tuple[str, ...], ...]
    when: datetime | None = None


@dataclass(frozen=True)
class Weights:
    """How much each soft preference counts (0 switches it off), and how fast a repeat is forgiven."""

    shared_interests: float = 1.0
    different_companies: float = 1.0
    timezone_overlap: float = 1.0
    # A repeat from this many days ago costs half as much as one from last round.
    repeat_half_life_days: float = 90.0


@dataclass(frozen=True)
class Plan:
    """The groups of a round, who could not be placed, and what it cost."""

    groups: tuple[tuple[str, ...], ...]
    unplaced: tuple[str, ...] = ()
    repeated_pairs: int = 0
    new_pairs: int = 0
    # "construction": a round of a whole schedule (a known design, or one searched for this roster);
    # "search": the round's own local search; "none": fewer than two members.
    method: str = "search"
    cost: float = 0.0


# --- group sizes ---------------------------------------------------------------------------------------------


def group_sizes(count: int, size: int, odd: Odd = "bigger") -> list[int]:
    """The sizes of the groups for ``count`` members in groups of ``size``, nobody left out.

    When ``size`` does not divide ``count``, ``odd="bigger"`` makes some groups one larger (a trio in a round of
    pairs), ``"smaller"`` some groups one smaller; when the chosen way is impossible (too few groups to spread
    the extra members over, or groups of one) the other way is used. Fewer than two members: no group.
    """
    if size < 2:
        raise ValueError("groups have at least two members")
    if count < 2:
        return []
    if count <= size:
        return [count]

    def balanced(groups: int) -> list[int]:
        base, extra = divmod(count, groups)
        return [base + 1] * extra + [base] * (groups - extra)

    bigger = balanced(count // size)
    smaller = balanced(-(-count // size))
    bigger_ok = max(bigger) <= size + 1
    smaller_ok = min(smaller) >= 2 and min(smaller) >= size - 1
    if count % size == 0:
        return bigger
    if odd == "smaller" and (smaller_ok or not bigger_ok):
        return smaller if min(smaller) >= 2 else bigger
    if bigger_ok:
        return bigger
    return smaller if min(smaller) >= 2 else bigger


def pairs_of(groups: Iterable[Sequence[str]]) -> set[frozenset[str]]:
    """Every pair of members who share a group."""
    out: set[frozenset[str]] = set()
    for group in groups:
        members = list(group)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                out.add(frozenset((a, b)))
    return out


# --- known designs -------------------------------------------------------------------------------------------

Design = list[list[tuple[int, ...]]]


def round_robin(count: int) -> Design:
    """The circle method: ``count`` (even) players in pairs, ``count - 1`` rounds, every pair exactly once."""
    if count < 2 or count % 2:
        raise ValueError("a round robin needs an even number of players")
    others = list(range(count - 1))
    rounds: Design = []
    for r in range(count - 1):
        ring = others[r:] + others[:r]
        pairs = [(ring[0], count - 1)]
        pairs += [(ring[i], ring[-i]) for i in range(1, count // 2)]
        rounds.append([tuple(sorted(p)) for p in pairs])
    return rounds


def _affine_plane(p: int) -> Design:
    """The affine plane over Z_p (p prime): p² players in groups of p, p + 1 rounds (its parallel classes)."""
    rounds: Design = []
    for slope in range(p):
        rounds.append([tuple(sorted(x * p + (slope * x + c) % p for x in range(p))) for c in range(p)])
    rounds.append([tuple(c * p + y for y in range(p)) for c in range(p)])
    return rounds


def _gf2_multiply(a: int, b: int, bits: int, poly: int) -> int:
    result = 0
    while b:
        if b & 1:
            result ^= a
        b >>= 1
        a <<= 1
        if a >> bits:
            a ^= poly
    return result


# Primitive polynomials of GF(2^m), as bit masks including x^m.
_PRIMITIVE = {2: 0b111, 4: 0b10011, 6: 0b1000011}


def _line_spread(bits: int) -> list[tuple[int, int, int]]:
    """Pairwise disjoint 2-dimensional subspaces of GF(2)^bits (as their three non-zero vectors), as many as
    possible: a spread (they cover every vector once) when ``bits`` is even, a maximal partial one otherwise."""
    size = 1 << bits
    if bits in _PRIMITIVE:
        # GF(4)* inside GF(2^m)*: the multiplicative cosets x·GF(4)* are 2-dimensional subspaces (minus 0).
        poly = _PRIMITIVE[bits]
        generator, order = 2, size - 1
        w = 1
        for _ in range(order // 3):
            w = _gf2_multiply(w, generator, bits, poly)
        w2 = _gf2_multiply(w, w, bits, poly)
        seen: set[int] = set()
        lines = []
        for x in range(1, size):
            if x not in seen:
                line = (x, _gf2_multiply(x, w, bits, poly), _gf2_multiply(x, w2, bits, poly))
                seen.update(line)
                lines.append(line)
        return lines
    # Odd dimension: no spread exists; the largest partial spread has (2^m - 8) / 3 + 1 lines (9 for
    # GF(2)^5), found by depth-first search over the lines through the first uncovered vector.
    target = (size - 8) // 3 + 1 if bits >= 3 else 1
    slack = (size - 1) - 3 * target
    chosen: list[tuple[int, int, int]] = []
    covered = [False] * size
    covered[0] = True
    budget = [200_000]

    def search(skipped: int) -> bool:
        if len(chosen) == target:
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        point = next((v for v in range(1, size) if not covered[v]), None)
        if point is None:
            return False
        for other in range(point + 1, size):
            third = point ^ other
            if covered[other] or covered[third] or third < other:
                continue
            line = (point, other, third)
            for v in line:
                covered[v] = True
            chosen.append(line)
            if search(skipped):
                return True
            chosen.pop()
            for v in line:
                covered[v] = False
        if skipped < slack:
            covered[point] = True
            if search(skipped + 1):
                return True
            covered[point] = False
        return False

    search(0)
    return list(chosen)


def _binary_fours(bits: int) -> Design:
    """2^bits players in groups of four: each round is the set of cosets of one subspace of a partial spread,
    so two players meet in at most one round (16 → 5 rounds, 32 → 9, 64 → 21)."""
    size = 1 << bits
    rounds: Design = []
    for a, b, _c in _line_spread(bits):
        groups: dict[int, tuple[int, ...]] = {}
        for x in range(size):
            coset = tuple(sorted((x, x ^ a, x ^ b, x ^ a ^ b)))
            groups.setdefault(coset[0], coset)
        rounds.append(list(groups.values()))
    return rounds


def _kirkman_15() -> Design:
    """Kirkman's fifteen schoolgirls: a packing of PG(3, 2) into 7 spreads, found by a small exact search."""
    lines = sorted({tuple(sorted((a, b, a ^ b))) for a in range(1, 16) for b in range(1, 16) if a != b})
    spreads: list[frozenset[tuple[int, ...]]] = []

    def spread_search(chosen: list[tuple[int, ...]], covered: int) -> None:
        if covered == 0xFFFE:
            spreads.append(frozenset(chosen))
            return
        point = next(v for v in range(1, 16) if not covered >> v & 1)
        for line in lines:
            if point in line and not any(covered >> v & 1 for v in line):
                chosen.append(line)
                spread_search(chosen, covered | sum(1 << v for v in line))
                chosen.pop()

    spread_search([], 0)
    ordered = sorted(spreads, key=sorted)

    def packing(
        chosen: list[frozenset[tuple[int, ...]]], used: frozenset[tuple[int, ...]]
    ) -> list[frozenset[tuple[int, ...]]] | None:
        if len(chosen) == 7:
            return list(chosen)
        first = min(line for line in lines if line not in used)
        for spread in ordered:
            if first in spread and not spread & used:
                found = packing([*chosen, spread], used | spread)
                if found:
                    return found
        return None

    found = packing([], frozenset())
    assert found is not None
    return [[tuple(v - 1 for v in line) for line in sorted(spread)] for spread in found]


def _is_prime(n: int) -> bool:
    return n >= 2 and all(n % d for d in range(2, math.isqrt(n) + 1))


@cache
def construction(count: int, size: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """A known repeat-free schedule for ``count`` players in groups of ``size`` (players are 0..count-1), or
    ``()`` when none is known here."""
    design: Design = []
    if size == 2 and count % 2 == 0 and count >= 2:
        design = round_robin(count)
    elif count == size * size and _is_prime(size):
        design = _affine_plane(size)
    elif size == 4 and count in (16, 32, 64):
        design = _binary_fours(count.bit_length() - 1)
    elif size == 3 and count == 15:
        design = _kirkman_15()
    return tuple(tuple(tuple(group) for group in rnd) for rnd in design)


def _schedule_search(
    groups: int, size: int, weeks: int, rng: random.Random, iterations: int, fixed: Design | None = None
) -> Design:
    """A schedule of ``weeks`` rounds, starting with the ``fixed`` ones, where no pair meets twice, or ``[]`` if
    none was found within ``iterations``: the tabu search of Dotú & Van Hentenryck on the whole schedule. A move
    swaps two players of different groups in one free round, one of them in a repeated pair; the best non-tabu
    move is taken (a tabu one if it beats the best schedule seen), and a stagnating search is shaken by a few
    random swaps."""
    n = groups * size
    rounds: list[list[list[int]]] = [[list(g) for g in rnd] for rnd in fixed or []]
    free = range(len(rounds), weeks)
    for _ in free:
        order = list(range(n))
        rng.shuffle(order)
        rounds.append([order[g * size : (g + 1) * size] for g in range(groups)])
    met = [[0] * n for _ in range(n)]

    def account(group: list[int], sign: int) -> None:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                met[a][b] += sign
                met[b][a] += sign

    for rnd in rounds:
        for group in rnd:
            account(group, 1)

    def swap(r: int, ga: int, gb: int, p: int, q: int) -> None:
        group_a, group_b = rounds[r][ga], rounds[r][gb]
        for x in group_a:
            if x != p:
                met[p][x] -= 1
                met[x][p] -= 1
                met[q][x] += 1
                met[x][q] += 1
        for y in group_b:
            if y != q:
                met[q][y] -= 1
                met[y][q] -= 1
                met[p][y] += 1
                met[y][p] += 1
        group_a[group_a.index(p)] = q
        group_b[group_b.index(q)] = p

    def conflicts() -> int:
        return sum(max(0, met[a][b] - 1) for a in range(n) for b in range(a + 1, n))

    total = best = conflicts()
    tabu: dict[tuple[int, int, int], int] = {}
    stale = 0
    for it in range(iterations):
        if total == 0:
            return [[tuple(sorted(g)) for g in rnd] for rnd in rounds]
        moves: list[tuple[int, int, int, int, int]] = []
        best_delta = math.inf
        for r in free:
            rnd = rounds[r]
            for ga, group_a in enumerate(rnd):
                for p in group_a:
                    mp = met[p]
                    lose = sum(1 for x in group_a if x != p and mp[x] >= 2)
                    if not lose:
                        continue
                    for gb, group_b in enumerate(rnd):
                        if gb == ga:
                            continue
                        for q in group_b:
                            mq = met[q]
                            delta = -lose
                            for y in group_b:
                                if y != q:
                                    delta += (mp[y] >= 1) - (mq[y] >= 2)
                            for x in group_a:
                                if x != p and mq[x] >= 1:
                                    delta += 1
                            if tabu.get((r, p, q), -1) >= it and total + delta >= best:
                                continue
                            if delta < best_delta:
                                best_delta, moves = delta, [(r, ga, gb, p, q)]
                            elif delta == best_delta:
                                moves.append((r, ga, gb, p, q))
        if not moves:
            break
        r, ga, gb, p, q = moves[rng.randrange(len(moves))]
        swap(r, ga, gb, p, q)
        total += int(best_delta)
        tabu[(r, p, q)] = tabu[(r, q, p)] = it + rng.randint(4, 20)
        if total < best:
            best, stale = total, 0
        else:
            stale += 1
            if stale > 300:
                for _ in range(3):
                    r = rng.choice(free)
                    ga, gb = rng.sample(range(groups), 2)
                    swap(r, ga, gb, rng.choice(rounds[r][ga]), rng.choice(rounds[r][gb]))
                total = best = conflicts()
                stale = 0
    return []


@cache
def searched_schedule(
    count: int, size: int, seed: str, first: tuple[tuple[int, ...], ...] = ()
) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """The longest repeat-free schedule the search finds for ``count`` players in groups of ``size``, starting
    with the round ``first`` when given (one more round at a time, until a length is not reached within the
    budget). A function of its arguments only, so a stable roster follows the same plan week after week, in
    this process or after a restart."""
    fixed: Design = [list(first)] if first else []
    best: Design = list(fixed)
    weeks = len(fixed) + 1
    ceiling = (count - 1) // (size - 1)
    while weeks <= ceiling:
        rng = random.Random(f"agora:schedule:{seed}:{weeks}")
        found = _schedule_search(count // size, size, weeks, rng, SEARCH_ITERATIONS, fixed)
        if not found:
            break
        best, weeks = found, weeks + 1
    return tuple(tuple(tuple(sorted(g)) for g in rnd) for rnd in best)


# --- costs ---------------------------------------------------------------------------------------------------


class _Costs:
    """Pair costs between the members of one round, by index (0..n-1)."""

    def __init__(
        self,
        people: list[Person],
        history: Sequence[PastRound],
        exclusions: Iterable[tuple[str, str]],
        weights: Weights,
        now: datetime | None,
    ) -> None:
        self.n = len(people)
        index = {p.id: i for i, p in enumerate(people)}
        self.index = index
        # pen[i][j]: exclusions and recency-weighted repeats; the sparse part of the cost.
        self.pen: list[dict[int, float]] = [{} for _ in people]
        pen = self.pen
        latest = now or max((r.when for r in history if r.when is not None), default=None)
        count = len(history)
        for position, past in enumerate(history):
            if past.when is not None and latest is not None:
                age_days = max(0.0, (latest - past.when).total_seconds() / 86400)
            else:
                age_days = 7.0 * (count - position)
            weight = REPEAT + RECENCY * 0.5 ** (age_days / max(weights.repeat_half_life_days, 1e-9))
            for group in past.groups:
                members = [index[m] for m in group if m in index]
                for x, a in enumerate(members):
                    pa = pen[a]
                    for b in members[x + 1 :]:
                        if a != b:
                            pa[b] = pa.get(b, 0.0) + weight
                            pen[b][a] = pen[b].get(a, 0.0) + weight
        self.excluded: list[set[int]] = [set() for _ in people]
        for a_id, b_id in exclusions:
            if a_id not in index or b_id not in index or index[a_id] == index[b_id]:
                continue
            a, b = index[a_id], index[b_id]
            if b not in self.excluded[a]:
                self.excluded[a].add(b)
                self.excluded[b].add(a)
                self.pen[a][b] = self.pen[a].get(b, 0.0) + HARD
                self.pen[b][a] = self.pen[b].get(a, 0.0) + HARD
        self.interests = [p.interests for p in people]
        self.company = [p.company.strip().casefold() for p in people]
        self.offset = [p.utc_offset for p in people]
        self.w_interest = weights.shared_interests if any(self.interests) else 0.0
        self.w_company = weights.different_companies if any(self.company) else 0.0
        self.w_zone = weights.timezone_overlap if any(o is not None for o in self.offset) else 0.0
        self.soft = bool(self.w_interest or self.w_company or self.w_zone)

    def met(self, a: int, b: int) -> bool:
        """Whether ``a`` and ``b`` met in a past round."""
        cost = self.pen[a].get(b, 0.0)
        if b in self.excluded[a]:
            cost -= HARD
        return cost >= REPEAT / 2

    def pair(self, a: int, b: int) -> float:
        cost = self.pen[a].get(b, 0.0)
        if self.soft:
            cost += self.soft_pair(a, b)
        return cost

    def soft_pair(self, a: int, b: int) -> float:
        cost = 0.0
        if self.w_company and self.company[a] and self.company[a] == self.company[b]:
            cost += self.w_company
        if self.w_interest and self.interests[a] and not self.interests[a].isdisjoint(self.interests[b]):
            cost -= self.w_interest
        if self.w_zone:
            oa, ob = self.offset[a], self.offset[b]
            if oa is not None and ob is not None:
                gap = abs(oa - ob)
                gap = min(gap, 24 - gap)
                cost += self.w_zone * min(1.0, gap / 8)
        return cost

    def join(self, member: int, group: Iterable[int]) -> float:
        """The cost of adding ``member`` to ``group``."""
        pen = self.pen[member]
        if not self.soft:
            return sum(pen.get(other, 0.0) for other in group)
        return sum(pen.get(other, 0.0) + self.soft_pair(member, other) for other in group)

    def group(self, members: Sequence[int]) -> float:
        return sum(
            self.pair(a, members[x]) for i, a in enumerate(members) for x in range(i + 1, len(members))
        )


# --- the local search ----------------------------------------------------------------------------------------


class _Round:
    """A round under construction: groups of member indices with fixed capacities."""

    def __init__(self, costs: _Costs, sizes: list[int], rng: random.Random) -> None:
        self.costs = costs
        self.sizes = sizes
        self.rng = rng
        self.groups: list[list[int]] = [[] for _ in sizes]
        self.where = [-1] * costs.n

    def greedy(self) -> None:
        """Place the most constrained members first, each in the cheapest of a bounded sample of groups."""
        costs, rng = self.costs, self.rng
        order = list(range(costs.n))
        rng.shuffle(order)
        order.sort(key=lambda i: -len(costs.pen[i]))
        open_groups = list(range(len(self.sizes)))
        position = {g: i for i, g in enumerate(open_groups)}
        random_ = rng.random
        for member in order:
            count = len(open_groups)
            if count <= 64:
                # Small rosters: every open group, the emptiest first among equals, so the most constrained
                # members start apart.
                best, best_key = open_groups[0], (math.inf, 0)
                for g in open_groups:
                    key = (costs.join(member, self.groups[g]), len(self.groups[g]))
                    if key < best_key:
                        best, best_key = g, key
                best_cost = best_key[0]
            else:
                # Big rosters: random open groups, the first free of any cost wins (with soft preferences,
                # the best of a few).
                best, best_cost = -1, math.inf
                pen = costs.pen[member]
                for _ in range(8 if costs.soft else 24):
                    g = open_groups[int(random_() * count)]
                    if not pen and not costs.soft:
                        best, best_cost = g, 0.0  # nobody to avoid: any group will do
                        break
                    cost = costs.join(member, self.groups[g])
                    if cost < best_cost:
                        best, best_cost = g, cost
                        if cost <= 0 and not costs.soft:
                            break
                if best_cost >= HARD:
                    # An exclusion in every sampled group: look at them all before giving in.
                    for g in open_groups:
                        cost = costs.join(member, self.groups[g])
                        if cost < best_cost:
                            best, best_cost = g, cost
            self.groups[best].append(member)
            self.where[member] = best
            if len(self.groups[best]) == self.sizes[best]:
                last = open_groups.pop()
                if last != best:
                    slot = position[best]
                    open_groups[slot] = last
                    position[last] = slot
                del position[best]

    def member_cost(self, member: int) -> float:
        group = self.groups[self.where[member]]
        if not self.costs.soft:
            return self.costs.join(member, group)  # a member is never in their own sparse costs
        return self.costs.join(member, (o for o in group if o != member))

    def swap_delta(self, a: int, b: int) -> float:
        costs = self.costs
        ga, gb = self.groups[self.where[a]], self.groups[self.where[b]]
        before = costs.join(a, (o for o in ga if o != a)) + costs.join(b, (o for o in gb if o != b))
        after = costs.join(a, (o for o in gb if o != b)) + costs.join(b, (o for o in ga if o != a))
        return after - before

    def swap(self, a: int, b: int) -> None:
        ga, gb = self.where[a], self.where[b]
        self.groups[ga][self.groups[ga].index(a)] = b
        self.groups[gb][self.groups[gb].index(b)] = a
        self.where[a], self.where[b] = gb, ga

    def total(self) -> float:
        return sum(self.costs.group(g) for g in self.groups)

    def tabu(self, iterations: int) -> None:
        """Remove repeated pairs (and exclusions) by swapping members between groups; a swap that moved a
        member out of a group is tabu for a few iterations, unless it beats the best round seen."""
        costs, rng = self.costs, self.rng
        n = costs.n
        if len(self.groups) < 2:
            return
        current = self.total()
        best_cost, best_groups = current, [list(g) for g in self.groups]
        tabu_until: dict[tuple[int, int], int] = {}
        stale = 0
        # Members in a repeated pair or an exclusion; only swaps touch the groups, so only those are re-checked.
        watch = {m for m in range(n) if costs.pen[m] and self.member_cost(m) >= REPEAT / 2}
        for it in range(iterations):
            conflicted = sorted(m for m in watch if self.member_cost(m) >= REPEAT / 2)
            watch = set(conflicted)
            if not conflicted:
                break
            if len(conflicted) > 12:
                conflicted = rng.sample(conflicted, 12)
            if n <= 300:
                partners: Sequence[int] = range(n)
            else:
                partners = [rng.randrange(n) for _ in range(300)]
            best_move, best_delta = None, math.inf
            # What each partner pays where it is, computed once per iteration; then a swap's delta costs one
            # look at the conflicted member's group: after - before, where a and b trade places.
            own = {b: self.member_cost(b) for b in partners}
            for a in conflicted:
                ga = self.where[a]
                group_a = self.groups[ga]
                cost_a = [costs.join(a, g) for g in self.groups]
                cost_a[ga] = self.member_cost(a)
                for b in partners:
                    gb = self.where[b]
                    if gb == ga:
                        continue
                    ab = costs.pair(a, b)
                    delta = (cost_a[gb] - ab) + (costs.join(b, group_a) - ab) - cost_a[ga] - own[b]
                    is_tabu = tabu_until.get((a, gb), -1) >= it or tabu_until.get((b, ga), -1) >= it
                    if is_tabu and current + delta >= best_cost - 1e-9:
                        continue
                    if delta < best_delta - 1e-9 or (abs(delta - best_delta) <= 1e-9 and rng.random() < 0.5):
                        best_move, best_delta = (a, b), delta
            if best_move is None:
                break
            a, b = best_move
            ga, gb = self.where[a], self.where[b]
            self.swap(a, b)
            watch.update(self.groups[ga])
            watch.update(self.groups[gb])
            current += best_delta
            tabu_until[(a, ga)] = it + rng.randint(4, 12)
            tabu_until[(b, gb)] = it + rng.randint(4, 12)
            if current < best_cost - 1e-9:
                best_cost, best_groups, stale = current, [list(g) for g in self.groups], 0
            else:
                stale += 1
                if stale > 150:
                    break
        self._restore(best_groups)

    def polish(self, tries: int) -> None:
        """Soft preferences: random swaps kept only when they make the round strictly better."""
        costs, rng = self.costs, self.rng
        if not costs.soft or len(self.groups) < 2:
            return
        n = costs.n
        for _ in range(tries):
            a, b = rng.randrange(n), rng.randrange(n)
            if self.where[a] != self.where[b] and self.swap_delta(a, b) < -1e-9:
                self.swap(a, b)

    def _restore(self, groups: list[list[int]]) -> None:
        self.groups = groups
        for g, members in enumerate(groups):
            for m in members:
                self.where[m] = g


def _repair(costs: _Costs, groups: list[list[int]], size: int) -> tuple[list[list[int]], list[int]]:
    """Take out whoever is grouped with someone they must never meet, put them back where nobody excludes them
    (groups up to size + 1), and say who could not be placed. Groups of one join another group or sit out."""
    out: list[int] = []
    for group in groups:
        if not any(costs.excluded[m] for m in group):
            continue
        while True:
            bad = [m for m in group if costs.excluded[m] & set(group)]
            if not bad:
                break
            worst = max(bad, key=lambda m: (len(costs.excluded[m] & set(group)), -m))
            group.remove(worst)
            out.append(worst)
    groups = [g for g in groups if g]
    for single in [g for g in groups if len(g) == 1]:
        groups.remove(single)
        out.extend(single)
    unplaced = []
    for member in sorted(out):
        options = [g for g in groups if len(g) < size + 1 and not costs.excluded[member] & set(g)]
        if options:
            target = min(options, key=lambda g: (costs.join(member, g), len(g)))
            target.append(member)
        else:
            unplaced.append(member)
    if len(unplaced) >= 2:
        # Two or more left over and not excluding each other: a group of their own beats sitting out.
        leftover: list[int] = []
        for member in list(unplaced):
            if not costs.excluded[member] & set(leftover):
                leftover.append(member)
        if len(leftover) >= 2:
            groups.append(leftover)
            unplaced = [m for m in unplaced if m not in leftover]
    return groups, unplaced


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
    weights: Weights = Weights(),
    seed: int | str = 0,
    now: datetime | None = None,
    effort: int = 1,
) -> Plan:
    """The groups of the next round (see the module's docstring for what is optimised).

    ``history`` lists past rounds, oldest first; ``exclusions`` pairs of member ids never to group (either
    order); ``effort`` multiplies the local search's budget.
    """
    members = _as_people(people)
    ids = [p.id for p in members]
    if len(members) < 2:
        return Plan(groups=(), unplaced=tuple(ids), method="none")
    exclusions = list(exclusions)
    costs = _Costs(members, history, exclusions, weights, now)
    sizes = group_sizes(len(members), size, odd)
    rng = random.Random(f"agora:{seed}:{len(history)}:{len(members)}")

    chosen: list[list[int]] | None = None
    method = "search"
    design = _design_round(members, size, history, costs, seed)
    if design is not None:
        design_cost = sum(costs.group(g) for g in design)
        if design_cost < REPEAT / 2:
            chosen, method = design, "construction"
    if chosen is None:
        state = _Round(costs, sizes, rng)
        state.greedy()
        budget = effort * (2000 if len(members) <= 300 else 300)
        state.tabu(budget)
        state.polish(effort * min(20 * len(members), 20_000))
        chosen = state.groups
        if design is not None:
            design_cost = sum(costs.group(g) for g in design)
            if design_cost < sum(costs.group(g) for g in chosen) and design_cost < HARD:
                chosen, method = design, "construction"
    groups, unplaced = _repair(costs, [list(g) for g in chosen], size)
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


def _design_round(
    members: list[Person], size: int, history: Sequence[PastRound], costs: _Costs, seed: int | str
) -> list[list[int]] | None:
    """The cheapest round of a known design for this exact roster that was not played yet, or None."""
    n = len(members)
    if n % size or n > MAX_DESIGN:
        return None  # designs pay off on rosters small enough to go through them
    ids = [p.id for p in members]
    roster = set(ids)
    played = {
        frozenset(frozenset(g) for g in past.groups)
        for past in history
        if {m for g in past.groups for m in g} == roster
    }
    labels = list(range(n))
    random.Random(f"agora:labels:{seed}:{n}:{size}").shuffle(labels)
    design: Sequence[Sequence[Sequence[int]]] = construction(n, size)
    if not design and played and n <= MAX_SEARCHED:
        # The same roster met before and no design is known for its size: search a whole schedule that goes on
        # from the first round it played, so that the coming rounds are planned together, not one at a time.
        label_of = {member: v for v, member in enumerate(labels)}
        position = {member_id: i for i, member_id in enumerate(ids)}
        first = next(past for past in history if {m for g in past.groups for m in g} == roster)
        fixed = tuple(sorted(tuple(sorted(label_of[position[m]] for m in g)) for g in first.groups))
        design = searched_schedule(n, size, str(seed), fixed)
    if not design:
        return None
    best: list[list[int]] | None = None
    best_cost = math.inf
    for rnd in design:
        groups = [[labels[v] for v in group] for group in rnd]
        as_ids = frozenset(frozenset(ids[m] for m in g) for g in groups)
        if as_ids in played:
            continue
        cost = sum(costs.group(g) for g in groups)
        # Any unplayed round of a design keeps the rest of it repeat-free: take the one that suits best now.
        if cost < best_cost:
            best, best_cost = groups, cost
    return best


# --- whole schedules -----------------------------------------------------------------------------------------


def plan_schedule(
    people: Iterable[Person | str],
    *,
    size: int,
    rounds: int,
    exclusions: Iterable[tuple[str, str]] = (),
    odd: Odd = "bigger",
    seed: int | str = 0,
    effort: int = 1,
) -> list[Plan]:
    """``rounds`` rounds for a stable roster, each planned from the ones before (as the live feature does)."""
    exclusions = list(exclusions)
    history: list[PastRound] = []
    plans = []
    for _ in range(rounds):
        plan = plan_round(
            people, size=size, history=history, exclusions=exclusions, odd=odd, seed=seed, effort=effort
        )
        plans.append(plan)
        history.append(PastRound(plan.groups))
    return plans


def repeat_free_rounds(schedule: Sequence[Sequence[Sequence[str]]]) -> int:
    """How many rounds from the start of ``schedule`` go by before any pair meets a second time."""
    seen: set[frozenset[str]] = set()
    for count, rnd in enumerate(schedule):
        pairs = pairs_of(rnd)
        if pairs & seen:
            return count
        seen |= pairs
    return len(schedule)


def history_pairs(history: Sequence[PastRound]) -> Mapping[frozenset[str], int]:
    """How many times each pair met in ``history``."""
    counts: dict[frozenset[str], int] = {}
    for past in history:
        for pair in pairs_of(past.groups):
            counts[pair] = counts.get(pair, 0) + 1
    return counts
