"""The planner's vocabulary: who takes part (:class:`Person`), what happened (:class:`PastRound`), what a round
costs (:class:`Weights` and the cost scale), what comes back (:class:`Plan`), and the small pure helpers every
part shares (group sizes, pairs, repeat-free rounds)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "HARD",
    "RECENCY",
    "REPEAT",
    "SOFT_CAP",
    "Odd",
    "PastRound",
    "Person",
    "Plan",
    "Weights",
    "group_sizes",
    "history_pairs",
    "pairs_of",
    "repeat_free_rounds",
]

Odd = Literal["bigger", "smaller"]

# Cost scale: one exclusion outweighs any number of repeats, one repeat outweighs any recency or preference.
HARD = 1e12
REPEAT = 1e6
RECENCY = 1e3
# A caller's soft cost for one pair is clipped to this, so that soft preferences never outweigh a repeat.
SOFT_CAP = 100.0


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
    # The groups as they were planned, when some did not meet (``groups`` then holds only those who did, the
    # pairs to avoid): how a round of a whole schedule already played is recognised. None: the same as groups.
    planned: tuple[tuple[str, ...], ...] | None = None


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
