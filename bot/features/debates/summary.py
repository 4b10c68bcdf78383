"""The close of a debate in figures: where members stood at first and at the end, who changed their mind and
in which direction, and the arguments that drew the most replies.

Pure: no I/O, no clock, no database. ``debates.py`` feeds it the stored stances and renders what it returns,
so the counting can be checked on a fixture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Argument", "Shift", "Stance", "Summary", "percentages", "summarize"]


@dataclass(frozen=True)
class Stance:
    """One member's first position and final one (indexes into the debate's positions)."""

    first: int
    final: int
    member: str = ""  # who; only shown when the community does not want anonymous summaries

    @property
    def changed(self) -> bool:
        # Someone who wandered and came back did not change their mind.
        return self.first != self.final


@dataclass(frozen=True)
class Argument:
    """An argument posted in the debate's thread, with how many replies it drew (where the platform says)."""

    excerpt: str
    replies: int
    author: str = ""


@dataclass(frozen=True)
class Shift:
    """``count`` members moved from position ``source`` to position ``target``."""

    source: int
    target: int
    count: int
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """What a debate's close says."""

    positions: tuple[str, ...]
    before: tuple[int, ...]  # members per first position
    after: tuple[int, ...]  # members per final position
    percents: tuple[int, ...]  # share of each final position, summing to 100 (when anyone took one)
    changed: int  # members whose final position differs from their first
    shifts: tuple[Shift, ...]  # the moves, most common first
    holders: tuple[tuple[str, ...], ...]  # who holds each final position (for non-anonymous summaries)
    arguments: tuple[Argument, ...]  # the most-replied arguments; empty when the platform gives no replies

    @property
    def participants(self) -> int:
        return sum(self.after)

    @property
    def net(self) -> tuple[int, ...]:
        """How much each position gained (positive) or lost (negative) between the start and the close."""
        return tuple(a - b for a, b in zip(self.after, self.before, strict=True))

    @property
    def leading(self) -> tuple[int, ...]:
        """The position(s) most members hold at the close; empty when nobody took one."""
        if not self.participants:
            return ()
        top = max(self.after)
        return tuple(i for i, count in enumerate(self.after) if count == top)


def percentages(counts: Sequence[int]) -> tuple[int, ...]:
    """Whole percentages that add up to exactly 100 (largest remainders get the leftover points), so a
    summary never shows 33 % + 33 % + 33 %. All zeros when the counts are."""
    total = sum(counts)
    if total <= 0:
        return tuple(0 for _ in counts)
    exact = [count * 100 / total for count in counts]
    floors = [int(value) for value in exact]
    leftover = 100 - sum(floors)
    # Ties go to the earlier position, so the result does not depend on anything but the counts.
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return tuple(floors)


def summarize(
    positions: Sequence[str],
    stances: Iterable[Stance],
    arguments: Iterable[Argument] = (),
    *,
    top_arguments: int = 3,
) -> Summary:
    """Count a debate. Raises ValueError if a stance names a position the debate does not have."""
    size = len(positions)
    before = [0] * size
    after = [0] * size
    holders: list[list[str]] = [[] for _ in range(size)]
    moves: Counter[tuple[int, int]] = Counter()
    movers: dict[tuple[int, int], list[str]] = {}
    for stance in stances:
        for index in (stance.first, stance.final):
            if not 0 <= index < size:
                raise ValueError(f"position {index} is not one of the {size} positions")
        before[stance.first] += 1
        after[stance.final] += 1
        if stance.member:
            holders[stance.final].append(stance.member)
        if stance.changed:
            moves[(stance.first, stance.final)] += 1
            if stance.member:
                movers.setdefault((stance.first, stance.final), []).append(stance.member)
    shifts = tuple(
        Shift(source, target, count, tuple(sorted(movers.get((source, target), ()))))
        for (source, target), count in sorted(moves.items(), key=lambda item: (-item[1], item[0]))
    )
    replied = [argument for argument in arguments if argument.replies > 0]
    # A stable sort keeps the thread's order among arguments with as many replies.
    best = sorted(replied, key=lambda argument: -argument.replies)[: max(top_arguments, 0)]
    return Summary(
        positions=tuple(positions),
        before=tuple(before),
        after=tuple(after),
        percents=percentages(after),
        changed=sum(moves.values()),
        shifts=shifts,
        holders=tuple(tuple(sorted(names)) for names in holders),
        arguments=tuple(best),
    )
