"""The health report's pure decisions: shares and changes, members at risk, the digest's top changes and the one
action it suggests. Plain data in, plain data out: no database, no translation (labels stay message ids)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "AT_RISK_AFTER",
    "MEETING_GAP",
    "Change",
    "Facts",
    "FunnelStage",
    "Suggestion",
    "at_risk",
    "change",
    "funnel",
    "rate",
    "share",
    "suggest",
    "top_changes",
]

# A member who joined longer ago than this and has done nothing past accepting the charter is at risk.
AT_RISK_AFTER = timedelta(days=30)
# No meeting fixed for this long (none coming, no date poll open): the digest suggests a date poll.
MEETING_GAP = timedelta(weeks=6)
# The digest suggests following up on introductions from this many newcomers who have not introduced themselves.
NOT_INTRODUCED_MIN = 3
# ... and starting a round from this many members at risk.
AT_RISK_MIN = 5
# A change is measured against at least this many (1 → 3 is not "+200 %" worth leading the digest).
CHANGE_FLOOR = 3


def share(part: int, whole: int) -> float | None:
    """``part`` as a fraction of ``whole``; None when ``whole`` is 0 (no share to speak of)."""
    return part / whole if whole else None


def rate(part: int, whole: int) -> float | None:
    """The same as :func:`share`, for rates (met / grouped, minds changed / positions)."""
    return share(part, whole)


def change(now: int, before: int) -> int:
    """How much a figure moved since the previous period."""
    return now - before


@dataclass(frozen=True)
class FunnelStage:
    """One stage of the funnel: how many members reached it in the period (``count``) and in the period before
    (``previous``), each as a share of the stage before (None for the first stage, or after an empty stage)."""

    key: str
    label: str
    count: int
    previous: int
    share: float | None
    previous_share: float | None

    @property
    def change(self) -> int:
        return change(self.count, self.previous)


def funnel(
    stages: Sequence[tuple[str, str]], counts: Sequence[int], previous: Sequence[int]
) -> tuple[FunnelStage, ...]:
    """The funnel's stages (``(key, label)`` in order) with their counts now and in the previous period."""
    out: list[FunnelStage] = []
    for index, (key, label) in enumerate(stages):
        out.append(
            FunnelStage(
                key=key,
                label=label,
                count=counts[index],
                previous=previous[index],
                share=share(counts[index], counts[index - 1]) if index else None,
                previous_share=share(previous[index], previous[index - 1]) if index else None,
            )
        )
    return tuple(out)


def at_risk(joined_at: datetime, now: datetime, went_further: bool, *, left: bool = False) -> bool:
    """A member is at risk when they joined more than :data:`AT_RISK_AFTER` ago, are still there, and have done
    nothing past accepting the charter (``went_further``: introduced, took part in a round, met, came, acted)."""
    return not left and not went_further and now - joined_at > AT_RISK_AFTER


@dataclass(frozen=True)
class Change:
    """A figure now and in the previous period. ``unit``: members or times (a count), or ``rate`` (0 to 1)."""

    key: str
    label: str
    now: float
    before: float
    unit: Literal["members", "times", "rate"] = "members"

    @property
    def delta(self) -> float:
        return self.now - self.before

    @property
    def score(self) -> float:
        """How much it moved, relative to where it was: counts against at least :data:`CHANGE_FLOOR`, rates in
        points (a rate moving 0.2 scores as a count moving 20 %)."""
        if self.unit == "rate":
            return abs(self.delta)
        return abs(self.delta) / max(abs(self.before), CHANGE_FLOOR)


def top_changes(changes: Sequence[Change], n: int = 3) -> list[Change]:
    """The ``n`` figures that moved most (by :attr:`Change.score`, then by how much), leaving out those that did
    not move; in the order given when they tie."""
    moved = [(index, c) for index, c in enumerate(changes) if c.delta]
    moved.sort(key=lambda pair: (-pair[1].score, -abs(pair[1].delta), pair[0]))
    return [c for _, c in moved[:n]]


@dataclass(frozen=True)
class Facts:
    """What the suggested action is chosen from (all read from the report)."""

    now: datetime
    next_meeting_at: datetime | None
    last_meeting_fixed_at: datetime | None
    open_polls: int
    not_introduced: int
    at_risk: int
    debates_held: int
    active: int


@dataclass(frozen=True)
class Suggestion:
    """One action to suggest: ``key`` says which (``meeting``, ``introductions``, ``round``, ``debate``),
    ``count`` the number it speaks of (weeks without a meeting fixed, 0 for never; newcomers; members)."""

    key: Literal["meeting", "introductions", "round", "debate"]
    count: int = 0


def suggest(facts: Facts) -> Suggestion | None:
    """The one action worth suggesting, first that applies: fix a meeting when none is fixed for six weeks (a
    network that doesn't meet dies), follow up on newcomers who have not introduced themselves, group the members
    at risk in a round, open a debate when there was none. None when all is well."""
    no_meeting_coming = facts.next_meeting_at is None and facts.open_polls == 0
    if no_meeting_coming:
        last = facts.last_meeting_fixed_at
        if last is None:
            return Suggestion("meeting", 0)
        if facts.now - last >= MEETING_GAP:
            return Suggestion("meeting", (facts.now - last) // timedelta(weeks=1))
    if facts.not_introduced >= NOT_INTRODUCED_MIN:
        return Suggestion("introductions", facts.not_introduced)
    if facts.at_risk >= AT_RISK_MIN:
        return Suggestion("round", facts.at_risk)
    if facts.debates_held == 0 and facts.active >= 2:
        return Suggestion("debate")
    return None
