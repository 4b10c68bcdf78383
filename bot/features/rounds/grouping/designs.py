"""Known repeat-free schedules (resolvable designs): players are 0..count-1, a schedule is a list of rounds, a round
a list of groups that partition the players, and no two players share a group twice.

- ``round_robin``: the circle method, pairs, ``count - 1`` rounds (every pair exactly once).
- ``affine_plane``: AG(2, q) over GF(q) for q² players in groups of q, q + 1 rounds (q a prime power: 4, 8, 9
  use GF(q) arithmetic, not integers modulo q).
- ``transversal``: q groups of s (s ≤ q, q a prime power), q rounds: the resolvable transversal design from the
  lines of AG(2, q) that are not parallel to the s chosen "rows"; the best known for 5×4, 7×5, 8×5.
- ``cyclic``: a base round developed modulo m plus rounds fixed by that shift (the data of
  :mod:`~bot.features.rounds.grouping.design_data`): Kirkman triple systems (9, 15, 21, 27, 33, 39 in threes),
  nearly Kirkman ones (18, 24, 30, 36 in threes: every pair but a perfect matching), resolvable designs with
  blocks of four (16, 28, 40) and resolvable group divisible designs (24 and 36 in fours: 7 and 11 rounds,
  every pair but those of 8 or 12 disjoint triples).
- ``latin_square``: q² players in groups of q for any q, 3 rounds (the best for q = 6).
- ``binary_fours``: 2^k players in fours from a (partial) spread of GF(2)^k: 32 → 9, 64 → 21 rounds.
- ``projective_packing``: the 40 points of PG(3, 3) in fours (its lines), 13 rounds (the spreads of a packing):
  every pair exactly once (:mod:`~bot.features.rounds.grouping.packing`).
- schedules kept as data (:mod:`~bot.features.rounds.grouping.explicit`): 32 in fours, 10 rounds; used only when
  ``is_schedule`` accepts them.

``construction(count, size)`` returns the longest of those that fit. Every one is checked by the tests (each pair
at most once, each round a partition)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cache

from bot.features.rounds.grouping.design_data import CYCLIC, CyclicDesign
from bot.features.rounds.grouping.explicit import EXPLICIT
from bot.features.rounds.grouping.fields import field, prime_power
from bot.features.rounds.grouping.packing import projective_packing

__all__ = [
    "Design",
    "affine_plane",
    "construction",
    "cyclic",
    "is_schedule",
    "latin_square",
    "round_robin",
    "transversal",
    "upper_bound",
]

Design = list[list[tuple[int, ...]]]
# Largest roster for which a known design is built (they are cached: a few per process).
MAX_DESIGN = 256


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


def transversal(q: int, size: int) -> Design:
    """q groups of ``size`` (2 ≤ size ≤ q, q a prime power), q rounds. Player ``row * q + x`` (row < size,
    x in GF(q)); in round ``slope`` group ``c`` is {row * q + (c + slope * row)}: two players of different rows
    share exactly one round (one slope solves the equation), two of the same row never do."""
    if prime_power(q) is None or not 2 <= size <= q:
        raise ValueError("a transversal design needs a prime power q and 2 <= size <= q")
    gf = field(q)
    rounds: Design = []
    for slope in range(q):
        rounds.append(
            [tuple(sorted(row * q + gf.add[c][gf.mul[slope][row]] for row in range(size))) for c in range(q)]
        )
    return rounds


def affine_plane(q: int) -> Design:
    """AG(2, q): q² players in groups of q, q + 1 rounds (the parallel classes of its lines): the transversal
    design's q rounds and the rows themselves."""
    return [*transversal(q, q), [tuple(row * q + x for x in range(q)) for row in range(q)]]


def latin_square(q: int) -> Design:
    """q² players in groups of q for any q ≥ 2, 3 rounds: the rows, the columns and the cyclic Latin square's
    symbols (a third round needs only one Latin square; a fourth would need two orthogonal ones, which do not
    exist for q = 6)."""
    rows = [tuple(row * q + x for x in range(q)) for row in range(q)]
    columns = [tuple(row * q + x for row in range(q)) for x in range(q)]
    symbols = [tuple(sorted(row * q + (x + row) % q for row in range(q))) for x in range(q)]
    return [rows, columns, symbols]


def cyclic(design: CyclicDesign) -> Design:
    """Develop a cyclic design: players ``level * m + x`` (x in Z_m) and then the fixed players; each base round
    is shifted by 0..m-1 (x → x + 1, fixed players stay), each fixed round is {level * m + (x + a[level])}."""
    m, levels = design.m, design.levels
    finite = m * levels

    def shift(player: int, by: int) -> int:
        if player >= finite:
            return player
        level, x = divmod(player, m)
        return level * m + (x + by) % m

    rounds: Design = []
    for base in design.base:
        for by in range(m):
            rounds.append([tuple(sorted(shift(p, by) for p in group)) for group in base])
    for offsets in design.invariant:
        rounds.append(
            [tuple(sorted(level * m + (x + a) % m for level, a in enumerate(offsets))) for x in range(m)]
        )
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
_PRIMITIVE = {2: 0b111, 4: 0b10011, 6: 0b1000011, 8: 0b100011101}


def _line_spread(bits: int) -> list[tuple[int, int]]:
    """Pairwise disjoint 2-dimensional subspaces of GF(2)^bits (each as two of its non-zero vectors), as many as
    possible: a spread (they cover every vector once) when ``bits`` is even, a maximal partial one otherwise."""
    size = 1 << bits
    if bits in _PRIMITIVE:
        # GF(4)* inside GF(2^bits)*: the multiplicative cosets x·GF(4)* are 2-dimensional subspaces (minus 0).
        poly = _PRIMITIVE[bits]
        w = 1
        for _ in range((size - 1) // 3):
            w = _gf2_multiply(w, 2, bits, poly)
        seen: set[int] = set()
        lines = []
        for x in range(1, size):
            if x not in seen:
                other = _gf2_multiply(x, w, bits, poly)
                seen.update((x, other, x ^ other))
                lines.append((x, other))
        return lines
    # Odd dimension: no spread exists; the largest partial spread has (2^m - 8) / 3 + 1 lines (9 for
    # GF(2)^5), found by depth-first search over the lines through the first uncovered vector.
    target = (size - 8) // 3 + 1 if bits >= 3 else 1
    spare = (size - 1) - 3 * target
    chosen: list[tuple[int, int]] = []
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
            chosen.append((point, other))
            if search(skipped):
                return True
            chosen.pop()
            for v in line:
                covered[v] = False
        if skipped < spare:
            covered[point] = True
            if search(skipped + 1):
                return True
            covered[point] = False
        return False

    search(0)
    return list(chosen)


def binary_fours(bits: int) -> Design:
    """2^bits players in fours: each round is the set of cosets of one subspace of a (partial) spread of
    GF(2)^bits, so two players meet in at most one round (16 → 5 rounds, 32 → 9, 64 → 21, 256 → 85)."""
    size = 1 << bits
    rounds: Design = []
    for a, b in _line_spread(bits):
        groups: dict[int, tuple[int, ...]] = {}
        for y in range(size):
            coset = tuple(sorted((y, y ^ a, y ^ b, y ^ a ^ b)))
            groups.setdefault(coset[0], coset)
        rounds.append(list(groups.values()))
    return rounds


def is_schedule(design: Sequence[Sequence[Sequence[int]]], count: int, size: int) -> bool:
    """Whether every round of ``design`` splits the players 0..count-1 into groups of ``size`` and no pair of
    players shares a group twice: what a schedule kept as data must be before the planner follows it."""
    seen: set[tuple[int, int]] = set()
    for rnd in design:
        if sorted(p for group in rnd for p in group) != list(range(count)):
            return False
        for group in rnd:
            if len(group) != size:
                return False
            for pair in itertools.combinations(sorted(group), 2):
                if pair in seen:
                    return False
                seen.add(pair)
    return True


def upper_bound(count: int, size: int) -> int:
    """No schedule has more repeat-free rounds: a player meets ``size - 1`` new players a round, and when there
    are fewer groups than players in a group, the second round already splits a group of the first badly."""
    if count % size or count < size:
        return 0
    if count == size:
        return 1
    if count // size < size:
        return 1
    return (count - 1) // (size - 1)


def _candidates(count: int, size: int) -> list[Design]:
    found: list[Design] = []
    groups = count // size
    if size == 2:
        found.append(round_robin(count))
    if groups == size:
        found.append(affine_plane(size) if prime_power(size) else latin_square(size))
    if prime_power(groups) and size <= groups:
        found.append(transversal(groups, size))
    if size == 4 and count in (16, 32, 64, 256):
        found.append(binary_fours(count.bit_length() - 1))
    if (count, size) == (40, 4):
        found.append(projective_packing(3))
    kept = EXPLICIT.get((count, size))
    if kept is not None and is_schedule(kept, count, size):
        found.append([list(rnd) for rnd in kept])
    for design in CYCLIC:
        if design.size == size and design.count == count:
            found.append(cyclic(design))
    if groups < size or groups == 1:
        found.append([[tuple(range(g * size, (g + 1) * size)) for g in range(groups)]])
    return found


@cache
def construction(count: int, size: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """The longest known repeat-free schedule for ``count`` players in groups of ``size`` (players are
    0..count-1), or ``()`` when none is known here."""
    if size < 2 or count < size or count % size or count > MAX_DESIGN:
        return ()
    best = max(_candidates(count, size), key=len, default=[])
    return tuple(tuple(tuple(group) for group in rnd) for rnd in best)
