"""The best known numbers of repeat-free rounds of the social golfer problem, g groups of s players (CSPLib
problem 010, "Social golfers", and the table of Warwick Harvey it cites, as updated by the papers it lists:
Dotú & Van Hentenryck 2005, Triska & Musliu 2012), for every instance of at most 40 players.

Written from memory of that table (this machine cannot reach it), so each value carries how sure it is:

- "bound": equal to the counting bound (a player meets s - 1 new players a round, so at most (gs - 1) / (s - 1)
  rounds; one round when g < s) and reached: by a construction here, or by the published one named beside it;
- "design": a known non-existence result caps it below the bound (no nearly Kirkman system on 12 points, no
  two orthogonal Latin squares of order 6, …) and a construction reaches it: certain;
- "table": the table's value as remembered, reached here, but whether more is known is not checked;
- "uncertain": the table's value is not remembered with confidence.
"""

from __future__ import annotations

__all__ = ["BEST_KNOWN", "best_known", "instances"]

# (groups, size): (best known repeat-free rounds, how sure)
BEST_KNOWN: dict[tuple[int, int], tuple[int, str]] = {
    # Pairs: the round robin, every pair exactly once.
    **{(g, 2): (2 * g - 1, "bound") for g in range(2, 21)},
    # Fewer groups than players in a group: the second round puts two players of a first-round group together.
    **{(g, s): (1, "bound") for s in range(3, 21) for g in range(2, s) if g * s <= 40},
    (3, 3): (4, "bound"),  # AG(2, 3), Kirkman triple system on 9
    (4, 3): (4, "design"),  # no nearly Kirkman triple system on 12 points (bound 5)
    (5, 3): (7, "bound"),  # Kirkman's schoolgirls
    (6, 3): (8, "bound"),  # nearly Kirkman triple system on 18
    (7, 3): (10, "bound"),
    (8, 3): (11, "bound"),
    (9, 3): (13, "bound"),
    (10, 3): (14, "bound"),
    (11, 3): (16, "bound"),
    (12, 3): (17, "bound"),
    (13, 3): (19, "bound"),
    (4, 4): (5, "bound"),  # AG(2, 4)
    (5, 4): (5, "table"),  # bound 6; the table's 5 (a resolvable transversal design)
    (6, 4): (7, "bound"),  # resolvable 4-GDD of type 3^8
    (7, 4): (9, "bound"),  # resolvable (28, 4, 1) design
    (8, 4): (10, "bound"),  # the famous 32 golfers: 10 rounds (Aguado 2004), the schedule kept in explicit.py
    (9, 4): (11, "uncertain"),  # the bound, from a resolvable 4-GDD of type 3^12 if it exists (not checked here)
    (10, 4): (13, "bound"),  # a resolvable (40, 4, 1) design: a packing of PG(3, 3) (packing.py)
    (5, 5): (6, "bound"),  # AG(2, 5)
    (6, 5): (6, "uncertain"),  # bound 7
    (7, 5): (7, "uncertain"),  # bound 8; 7 from the resolvable transversal design
    (8, 5): (8, "uncertain"),  # bound 9; 8 from the resolvable transversal design over GF(8)
    (6, 6): (3, "design"),  # no two orthogonal Latin squares of order 6 (bound 7)
}


def best_known(groups: int, size: int) -> int | None:
    """The best known number of repeat-free rounds for ``groups`` groups of ``size``, or None when the table
    here has no value for it."""
    entry = BEST_KNOWN.get((groups, size))
    return entry[0] if entry else None


def instances(max_players: int = 40) -> list[tuple[int, int, int, str]]:
    """Every (groups, size, best known, how sure) of at most ``max_players`` players, by size then groups."""
    return sorted(
        ((g, s, value, sure) for (g, s), (value, sure) in BEST_KNOWN.items() if g * s <= max_players),
        key=lambda row: (row[1], row[0]),
    )
