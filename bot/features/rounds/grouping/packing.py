"""A packing of the projective space PG(3, q): its points are the players, its lines (q + 1 points each) the groups,
a spread (lines that cover every point once) a round, and a packing (spreads that share no line) a whole schedule
in which every pair of players meets exactly once. For q = 3: 40 players in fours, 13 rounds, the resolvable
(40, 4, 1) design that reaches the counting bound of 10×4 (packings of PG(3, q) exist for every q: Denniston,
"Some packings of projective spaces", 1972).

Built here rather than kept as data: the points are the non-zero vectors of GF(q)^4 up to a scalar (GF(q)
arithmetic from :mod:`~bot.features.rounds.grouping.fields`), the lines the spans of two of them, the spreads
every exact cover of the points by lines (8,424 for q = 3), and the packing an exact cover of the lines by
spreads, found by a deterministic depth-first search (the line in the fewest remaining spreads first, Knuth's
rule), well under a second for q = 3. The caller caches the result.
"""

from __future__ import annotations

import itertools

from bot.features.rounds.grouping.fields import field

__all__ = ["projective_packing"]


def _points(q: int) -> list[tuple[int, ...]]:
    """The points of PG(3, q): non-zero vectors whose first non-zero coordinate is 1."""
    return [v for v in itertools.product(range(q), repeat=4) if any(v) and next(c for c in v if c) == 1]


def _lines(q: int) -> list[int]:
    """Every line of PG(3, q), as a bit mask over the points (in a fixed order)."""
    gf = field(q)
    points = _points(q)
    index = {p: i for i, p in enumerate(points)}
    inverse = {a: next(b for b in range(1, q) if gf.mul[a][b] == 1) for a in range(1, q)}

    def normalized(v: tuple[int, ...]) -> tuple[int, ...]:
        lead = inverse[next(c for c in v if c)]
        return tuple(gf.mul[lead][c] for c in v)

    lines: set[int] = set()
    for a, b in itertools.combinations(points, 2):
        mask = 0
        for x, y in itertools.product(range(q), repeat=2):
            if x or y:
                combined = tuple(gf.add[gf.mul[x][u]][gf.mul[y][w]] for u, w in zip(a, b, strict=True))
                mask |= 1 << index[normalized(combined)]
        lines.add(mask)
    return sorted(lines)


def _spreads(lines: list[int], count: int) -> list[tuple[int, ...]]:
    """Every set of lines that covers each of the ``count`` points exactly once, as indexes into ``lines``."""
    through: list[list[int]] = [[i for i, line in enumerate(lines) if line >> p & 1] for p in range(count)]
    full = (1 << count) - 1
    found: list[tuple[int, ...]] = []
    chosen: list[int] = []

    def cover(covered: int) -> None:
        if covered == full:
            found.append(tuple(chosen))
            return
        point = (~covered & (covered + 1)).bit_length() - 1  # the lowest point not yet covered
        for i in through[point]:
            if not lines[i] & covered:
                chosen.append(i)
                cover(covered | lines[i])
                chosen.pop()

    cover(0)
    return found


def _packing(spreads: list[tuple[int, ...]], line_count: int, rounds: int) -> list[tuple[int, ...]]:
    """``rounds`` spreads that share no line (so they cover every line once): an exact cover of the lines."""
    masks = [sum(1 << i for i in spread) for spread in spreads]

    def search(candidates: list[int], covered: int) -> list[int] | None:
        if covered == (1 << line_count) - 1:
            return []
        # The line left in the fewest candidate spreads: the choice most likely to fail early.
        counts = [0] * line_count
        for s in candidates:
            for i in spreads[s]:
                counts[i] += 1
        open_lines = [i for i in range(line_count) if not covered >> i & 1]
        line = min(open_lines, key=lambda i: counts[i])
        for s in candidates:
            if masks[s] >> line & 1:
                rest = [t for t in candidates if not masks[t] & masks[s]]
                found = search(rest, covered | masks[s])
                if found is not None:
                    return [s, *found]
        return None

    chosen = search(list(range(len(spreads))), 0)
    if chosen is None or len(chosen) != rounds:
        raise ValueError("no packing found")  # cannot happen for q = 2, 3: the tests build both
    return [spreads[s] for s in chosen]


def projective_packing(q: int) -> list[list[tuple[int, ...]]]:
    """The rounds of a packing of PG(3, q) (q = 2: 15 players in threes, 7 rounds; q = 3: 40 in fours, 13
    rounds): players 0..count-1, each round a spread, each group a line."""
    lines = _lines(q)
    count = len(_points(q))
    spreads = _spreads(lines, count)
    rounds = q * q + q + 1
    return [
        [tuple(p for p in range(count) if lines[i] >> p & 1) for i in spread]
        for spread in _packing(spreads, len(lines), rounds)
    ]
