"""The best known numbers of repeat-free rounds of the social golfer problem, g groups of s players (CSPLib
problem 010, "Social golfers", and the results page of Warwick Harvey it cites), for every instance of at most
40 players, each value with where it was checked:

- [OEIS] OEIS A107431 (N. J. A. Sloane after Ed Pegg Jr, 2005, from Harvey's results page; edited 2019): the
  maximal number of rounds for g ≤ 7 groups of s ≤ g: 3; 5, 4; 7, 4, 5; 9, 7, 5, 6; 11, 8, 7, 6, 3; 13, 10, 9
  (2×2; 3×2, 3×3; …; 7×2, 7×3, 7×4), and "T(7, 5) is known to be either 7 or 8";
- [Triska] M. Triska, "The Social Golfer Problem" (metalevel.at/sgp) and Triska & Musliu, "An effective greedy
  heuristic for the social golfer problem" (Annals of OR 194, 2012): 8×4 in 10 rounds, first by A. Aguado's
  construction (2004); 11 is impossible;
- [Dagstuhl] F. van Doorn et al., "Dagstuhl's Happy Diner Problem" (github fpvandoorn/Dagstuhl-tables,
  literature.md): explicit schedules 8×4 in 10 rounds, 7×4 in 9 and 10×4 in 13 (every pair exactly once),
  Kirkman triple systems on 15, 21, 27, 33, 39 players, and 8×3 = 11, 10×3 = 14, 12×3 = 17 (nearly Kirkman);
- [RGDD] "α-resolvable group divisible designs with block size four and group size three" (Utilitas
  Mathematica): a resolvable 4-GDD of type 3^n exists for every n ≡ 0 (mod 4) but n = 4, so 24 and 36 players
  in fours have (3n - 3) / 3 rounds: 6×4 = 7, 9×4 = 11 (the counting bound);
- [Sellmann] M. Sellmann's table (cs.brown.edu/~sello/golf.html, about 2002): 8×5 between 3 and 9 then.

How sure each value is:

- "bound": equal to the counting bound (a player meets s - 1 new players a round, so at most (gs - 1) / (s - 1)
  rounds; one round when g < s) and reached by a published or classical construction;
- "design": a known non-existence result caps it below the bound (no nearly Kirkman system on 12 points, no
  two orthogonal Latin squares of order 6) and a construction reaches it: certain;
- "table": the published value ([OEIS]), below the bound, reached here;
- "uncertain": no published value found: the table holds what the constructions here reach.
"""

from __future__ import annotations

__all__ = ["BEST_KNOWN", "best_known", "instances"]

# (groups, size): (best known repeat-free rounds, how sure)
BEST_KNOWN: dict[tuple[int, int], tuple[int, str]] = {
    # Pairs: the round robin, every pair exactly once ([OEIS] column 2).
    **{(g, 2): (2 * g - 1, "bound") for g in range(2, 21)},
    # Fewer groups than players in a group: the second round puts two players of a first-round group together
    # ([OEIS]: "T(n, k) = 1 for values of n and k outside this range").
    **{(g, s): (1, "bound") for s in range(3, 21) for g in range(2, s) if g * s <= 40},
    (3, 3): (4, "bound"),  # AG(2, 3), Kirkman triple system on 9 [OEIS]
    (4, 3): (4, "design"),  # no nearly Kirkman triple system on 12 points (bound 5) [OEIS]
    (5, 3): (7, "bound"),  # Kirkman's schoolgirls [OEIS] [Dagstuhl]
    (6, 3): (8, "bound"),  # nearly Kirkman triple system on 18 [OEIS] [Dagstuhl]
    (7, 3): (10, "bound"),  # Kirkman triple systems on 21, 27, 33, 39 [OEIS] [Dagstuhl]
    (8, 3): (11, "bound"),  # nearly Kirkman triple systems on 24, 30, 36 [Dagstuhl]
    (9, 3): (13, "bound"),
    (10, 3): (14, "bound"),
    (11, 3): (16, "bound"),
    (12, 3): (17, "bound"),
    (13, 3): (19, "bound"),
    (4, 4): (5, "bound"),  # AG(2, 4) [OEIS]
    (5, 4): (5, "table"),  # bound 6; the resolvable transversal design's 5 [OEIS]
    (6, 4): (7, "bound"),  # resolvable 4-GDD of type 3^8 [OEIS] [RGDD]
    (7, 4): (9, "bound"),  # resolvable (28, 4, 1) design [OEIS] [Dagstuhl]
    # The famous 32 golfers: Aguado 2004 [Triska]; the schedule kept in explicit.py [Dagstuhl].
    (8, 4): (10, "bound"),
    (9, 4): (11, "bound"),  # resolvable 4-GDD of type 3^12 [RGDD]: over Z_33 and 3 fixed (design_data.py)
    (10, 4): (13, "bound"),  # resolvable (40, 4, 1) design [Dagstuhl]: a packing of PG(3, 3) (packing.py)
    (5, 5): (6, "bound"),  # AG(2, 5) [OEIS]
    (6, 5): (6, "table"),  # bound 7 [OEIS]
    (7, 5): (7, "table"),  # bound 8: "either 7 or 8" [OEIS]; 7 from the resolvable transversal design
    # Bound 9, [3, 9] in [Sellmann]; 8 from the resolvable transversal design over GF(8).
    (8, 5): (8, "uncertain"),
    (6, 6): (3, "design"),  # no two orthogonal Latin squares of order 6 (bound 7) [OEIS]
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
