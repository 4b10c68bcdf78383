"""The cyclic designs, as data: for each, the players are ``level * m + x`` (x in Z_m, ``levels`` levels) and then
``fixed`` players that no shift moves; the schedule is every base round shifted by 0..m-1 and the invariant
rounds {level * m + (x + offsets[level])} (see :func:`~bot.features.rounds.grouping.designs.cyclic`).

Found by a randomised backtracking search over such base rounds (each pair's difference used at most once, so
that developing them never puts a pair together twice), the classical way these designs are built (Ray-Chaudhuri
& Wilson's for Kirkman triple systems, and the 1-rotational and group divisible ones of the Handbook of
Combinatorial Designs); each one is checked by ``tests/test_grouping_designs.py`` (every pair at most once, every
round a partition), so a wrong entry cannot pass unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CYCLIC", "CyclicDesign"]


@dataclass(frozen=True)
class CyclicDesign:
    """A base round (or several) developed modulo ``m``, and the rounds the shift leaves unchanged."""

    m: int
    levels: int
    fixed: int
    size: int
    base: tuple[tuple[tuple[int, ...], ...], ...]
    invariant: tuple[tuple[int, ...], ...] = ()

    @property
    def count(self) -> int:
        """How many players."""
        return self.m * self.levels + self.fixed

    @property
    def rounds(self) -> int:
        """How many repeat-free rounds it gives."""
        return self.m * len(self.base) + len(self.invariant)


CYCLIC: tuple[CyclicDesign, ...] = (
    CyclicDesign(  # 15 in groups of 3: 7 rounds
        m=7,
        levels=2,
        fixed=1,
        size=3,
        base=(((0, 2, 11), (1, 4, 9), (3, 13, 14), (5, 6, 12), (7, 8, 10)),),
        invariant=(),
    ),
    CyclicDesign(  # 18 in groups of 3: 8 rounds
        m=4,
        levels=4,
        fixed=2,
        size=3,
        base=(
            ((0, 3, 15), (1, 6, 10), (2, 5, 16), (4, 9, 12), (7, 14, 17), (8, 11, 13)),
            ((0, 10, 17), (1, 14, 15), (2, 6, 9), (3, 5, 11), (4, 7, 13), (8, 12, 16)),
        ),
        invariant=(),
    ),
    CyclicDesign(  # 21 in groups of 3: 10 rounds
        m=7,
        levels=3,
        fixed=0,
        size=3,
        base=(((0, 12, 17), (1, 11, 19), (2, 4, 5), (3, 10, 16), (6, 8, 15), (7, 9, 13), (14, 18, 20)),),
        invariant=((0, 6, 1), (0, 4, 0), (0, 1, 5)),
    ),
    CyclicDesign(  # 24 in groups of 3: 11 rounds
        m=8,
        levels=3,
        fixed=0,
        size=3,
        base=(
            (
                (0, 2, 3),
                (1, 8, 20),
                (4, 10, 13),
                (5, 17, 19),
                (6, 16, 21),
                (7, 9, 15),
                (11, 12, 18),
                (14, 22, 23),
            ),
        ),
        invariant=((0, 3, 5), (0, 4, 1), (0, 5, 0)),
    ),
    CyclicDesign(  # 27 in groups of 3: 13 rounds
        m=9,
        levels=3,
        fixed=0,
        size=3,
        base=(
            (
                (0, 15, 16),
                (1, 6, 26),
                (2, 14, 25),
                (3, 20, 22),
                (4, 5, 7),
                (8, 12, 17),
                (9, 11, 21),
                (10, 13, 19),
                (18, 23, 24),
            ),
        ),
        invariant=((0, 2, 6), (0, 5, 3), (0, 1, 0), (0, 8, 4)),
    ),
    CyclicDesign(  # 30 in groups of 3: 14 rounds
        m=14,
        levels=2,
        fixed=2,
        size=3,
        base=(
            (
                (0, 4, 18),
                (1, 6, 7),
                (2, 22, 29),
                (3, 15, 19),
                (5, 14, 16),
                (8, 10, 25),
                (9, 12, 17),
                (11, 24, 28),
                (13, 20, 23),
                (21, 26, 27),
            ),
        ),
        invariant=(),
    ),
    CyclicDesign(  # 33 in groups of 3: 16 rounds
        m=11,
        levels=3,
        fixed=0,
        size=3,
        base=(
            (
                (0, 14, 18),
                (1, 6, 10),
                (2, 3, 19),
                (4, 16, 25),
                (5, 8, 28),
                (7, 22, 31),
                (9, 13, 26),
                (11, 12, 27),
                (15, 17, 20),
                (21, 29, 32),
                (23, 24, 30),
            ),
        ),
        invariant=((0, 8, 7), (0, 9, 5), (0, 2, 8), (0, 0, 3), (0, 10, 0)),
    ),
    CyclicDesign(  # 36 in groups of 3: 17 rounds
        m=17,
        levels=2,
        fixed=2,
        size=3,
        base=(
            (
                (0, 1, 8),
                (2, 32, 33),
                (3, 6, 24),
                (4, 21, 27),
                (5, 20, 30),
                (7, 12, 19),
                (9, 18, 31),
                (10, 14, 16),
                (11, 22, 35),
                (13, 29, 34),
                (15, 17, 25),
                (23, 26, 28),
            ),
        ),
        invariant=(),
    ),
    CyclicDesign(  # 39 in groups of 3: 19 rounds
        m=13,
        levels=3,
        fixed=0,
        size=3,
        base=(
            (
                (0, 16, 24),
                (1, 7, 20),
                (2, 10, 32),
                (3, 12, 37),
                (4, 18, 36),
                (5, 25, 31),
                (6, 8, 9),
                (11, 19, 34),
                (13, 22, 23),
                (14, 21, 28),
                (15, 17, 38),
                (26, 29, 30),
                (27, 33, 35),
            ),
        ),
        invariant=((0, 5, 3), (0, 2, 2), (0, 12, 11), (0, 4, 7), (0, 10, 1), (0, 9, 5)),
    ),
    CyclicDesign(  # 20 in groups of 4: 5 rounds
        m=5,
        levels=4,
        fixed=0,
        size=4,
        base=(),
        invariant=((0, 1, 4, 1), (0, 0, 0, 3), (0, 4, 1, 0), (0, 2, 3, 4), (0, 3, 2, 2)),
    ),
    CyclicDesign(  # 24 in groups of 4: 7 rounds
        m=7,
        levels=3,
        fixed=3,
        size=4,
        base=(
            (
                (0, 12, 15, 21),
                (1, 8, 19, 23),
                (2, 10, 18, 22),
                (3, 5, 6, 9),
                (4, 14, 16, 17),
                (7, 11, 13, 20),
            ),
        ),
        invariant=(),
    ),
    CyclicDesign(  # 28 in groups of 4: 9 rounds
        m=9,
        levels=3,
        fixed=1,
        size=4,
        base=(
            (
                (0, 7, 22, 25),
                (1, 6, 18, 20),
                (2, 5, 13, 14),
                (3, 4, 10, 17),
                (8, 9, 19, 27),
                (11, 16, 23, 24),
                (12, 15, 21, 26),
            ),
        ),
        invariant=(),
    ),
    CyclicDesign(  # 36 in groups of 4: 11 rounds, a resolvable 4-GDD of type 3^12 (every pair but the 12 triples)
        # Found over Z_33 ∪ {∞0, ∞1, ∞2}: base blocks {∞0, 0, 1, 5}, {2, 9, 18, 32}, {3, 15, 28, 30}, each
        # shifted by 0, 11, 22 (∞k → ∞(k + shift mod 3)) into one round, then the round by 3t; here y in Z_33 is
        # the player (y mod 3) * 11 + 4y mod 11, so that the shift by 3 is x → x + 1.
        m=11,
        levels=3,
        fixed=3,
        size=4,
        base=(
            (
                (0, 15, 31, 33),
                (1, 5, 10, 13),
                (2, 23, 27, 32),
                (3, 6, 29, 30),
                (4, 20, 22, 35),
                (7, 8, 14, 17),
                (9, 11, 26, 34),
                (12, 16, 21, 24),
                (18, 19, 25, 28),
            ),
        ),
        invariant=(),
    ),
    CyclicDesign(  # 30 in groups of 5: 6 rounds
        m=6,
        levels=5,
        fixed=0,
        size=5,
        base=(
            (
                (0, 4, 11, 18, 23),
                (1, 7, 13, 22, 28),
                (2, 3, 17, 25, 27),
                (5, 8, 9, 12, 16),
                (6, 10, 20, 24, 29),
                (14, 15, 19, 21, 26),
            ),
        ),
        invariant=(),
    ),
)
