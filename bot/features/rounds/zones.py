"""Time zones in the grouping rounds: a pure rule, no I/O. Members whose working hours (9:00–18:00 where they live)
don't overlap at all can't find half an hour together on a weekday, so the optimizer keeps them apart when the
roster allows, as a soft preference that always gives way to "never the same people again".

Offsets are hours east of UTC at the round's moment (summer time included), as ``utc_offset`` computes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DAY_END", "DAY_START", "ZONE_APART", "apart", "apart_pairs", "overlap", "utc_offset"]

DAY_START, DAY_END = 9.0, 18.0
# The extra cost of grouping two members whose working hours don't overlap: above every other soft preference
# (shared interests, different companies: about 1 each), far below one repeated pair.
ZONE_APART = 10.0


def utc_offset(zone: str | None, at: datetime) -> float | None:
    """Hours east of UTC of ``zone`` at ``at``; None for no zone or one this machine doesn't know."""
    if not zone:
        return None
    try:
        offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return None if offset is None else offset.total_seconds() / 3600


def overlap(offsets: Sequence[float]) -> float:
    """How many hours of the day every one of ``offsets`` is within working hours at once (0 when never)."""
    length = DAY_END - DAY_START
    # Each member's working hours in UTC are a window on the 24-hour circle. Windows shorter than half a day
    # share, if anything, a stretch that begins where one of them begins: try each start.
    starts = [(DAY_START - o) % 24 for o in offsets]
    if not starts:
        return length
    best = 0.0
    for candidate in starts:
        shared = length
        for start in starts:
            shift = (start - candidate) % 24  # where this window begins, seen from the candidate
            if shift == 0:
                reach = length
            elif shift > 24 - length:
                reach = shift + length - 24  # began earlier and still runs at the candidate
            else:
                reach = 0.0  # not running at the candidate
            shared = min(shared, reach)
        best = max(best, shared)
    return best


def apart(a: float, b: float) -> bool:
    """Whether two members' working hours don't overlap at all (touching at one instant counts as apart)."""
    return overlap([a, b]) <= 0


def apart_pairs(offsets: Mapping[str, float | None]) -> dict[tuple[str, str], float]:
    """The optimizer's soft costs: ``ZONE_APART`` for each pair of members (with known offsets) whose working
    hours don't overlap. Offsets are compared once per pair of distinct offsets (a few zones, many members)."""
    by_offset: dict[float, list[str]] = {}
    for member, offset in offsets.items():
        if offset is not None:
            by_offset.setdefault(offset, []).append(member)
    pairs: dict[tuple[str, str], float] = {}
    zones = sorted(by_offset)
    for i, first in enumerate(zones):
        for second in zones[i + 1 :]:
            if apart(first, second):
                for a in by_offset[first]:
                    for b in by_offset[second]:
                        pairs[(a, b)] = ZONE_APART
    return pairs
