"""The charter's pure decisions, no I/O: how an amendment vote is decided, how the committee changes, whom the end
of a grace period is told.

Community vote: the quorum counts everyone who took part (abstentions included) against the members who had
accepted the charter when the vote opened; the majority counts only the votes cast (for and against), and an
amendment needs *more than* that share of them (1 means unanimity). Committee: the amendment needs the
approval of more than ``majority`` of the committee's members, whoever else votes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Literal

__all__ = [
    "CHOICES",
    "Decision",
    "Rule",
    "Tally",
    "campaign_length",
    "campaign_pace",
    "committee_after",
    "decide",
    "grace_recipients",
    "parse_share",
]

CHOICES = ("for", "against", "abstain")


@dataclass(frozen=True)
class Tally:
    """The votes on an amendment."""

    for_: int = 0
    against: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        """Votes that count for the majority: abstentions excluded."""
        return self.for_ + self.against

    @property
    def turnout(self) -> int:
        """Members who took part: abstentions included."""
        return self.for_ + self.against + self.abstain


def _share(value: float) -> Fraction:
    # Settings hold floats; 0.3 must mean three tenths exactly, not 0.29999…
    return Fraction(str(value)).limit_denominator(10_000)


@dataclass(frozen=True)
class Rule:
    """The rule an amendment is decided by, fixed when it opens."""

    mode: Literal["community", "committee"]
    electorate: int
    quorum: float
    majority: float

    @property
    def votes_needed(self) -> int:
        """Community: how many members must take part for the result to count (at least one)."""
        if self.mode != "community":
            return 0
        return max(1, math.ceil(_share(self.quorum) * self.electorate))

    @property
    def approvals_needed(self) -> int:
        """Committee: how many of its members must approve."""
        if self.mode != "committee":
            return 0
        share = _share(self.majority)
        if share >= 1:
            return self.electorate
        return math.floor(share * self.electorate) + 1


@dataclass(frozen=True)
class Decision:
    """The outcome of a vote."""

    adopted: bool
    quorum_reached: bool
    majority_reached: bool


def majority_reached(tally: Tally, majority: float) -> bool:
    """More than ``majority`` of the votes cast are for (all of them when ``majority`` is 1)."""
    if tally.cast == 0:
        return False
    share = _share(majority)
    if share >= 1:
        return tally.against == 0
    return Fraction(tally.for_, tally.cast) > share


def decide(rule: Rule, tally: Tally) -> Decision:
    """Adopted or not, and why."""
    if rule.mode == "committee":
        approved = rule.electorate > 0 and tally.for_ >= rule.approvals_needed
        return Decision(adopted=approved, quorum_reached=True, majority_reached=approved)
    quorum = tally.turnout >= rule.votes_needed
    majority = majority_reached(tally, rule.majority)
    return Decision(adopted=quorum and majority, quorum_reached=quorum, majority_reached=majority)


_PERCENT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*%$")
_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$")
_RATIO = re.compile(r"^(\d+)\s*/\s*(\d+)$")


def parse_share(text: str) -> float | None:
    """``"30%"``, ``"30 %"``, ``"0.3"``, ``"0,3"`` or ``"2/3"`` as a share between 0 and 1; None if unreadable
    or out of range."""
    text = text.strip()
    value: Fraction | None = None
    if match := _PERCENT.match(text):
        value = Fraction(match.group(1).replace(",", ".")) / 100
    elif _DECIMAL.match(text):
        value = Fraction(text.replace(",", "."))
    elif (match := _RATIO.match(text)) and int(match.group(2)) > 0:
        value = Fraction(int(match.group(1)), int(match.group(2)))
    if value is None or not 0 <= value <= 1:
        return None
    return round(float(value), 4)


def committee_after(committee: Sequence[str], add: object = None, remove: object = None) -> list[str]:
    """The charter committee once ``add`` joined it and ``remove`` left it (member ids; None: no change)."""
    out = list(committee)
    if add is not None and str(add) not in out:
        out.append(str(add))
    if remove is not None:
        out = [c for c in out if c != str(remove)]
    return out


def grace_recipients(animators: Sequence[str], created_by: str, amended: bool) -> list[str]:
    """Whom to tell that a round's grace period ended: the animators, and the member who edited the version
    (unless an amendment made it, or it came from the configuration), each once."""
    recipients = list(dict.fromkeys(animators))
    if not amended and created_by not in ("", "config"):
        recipients.append(created_by)
    return list(dict.fromkeys(recipients))


def campaign_pace(per_hour: int) -> tuple[int, timedelta]:
    """How a campaign of invitations reaches ``per_hour`` direct messages an hour: ``(batch, interval)``, at most
    one batch a minute (``90`` → 2 every 80 s; ``12`` → 1 every 5 min)."""
    batch = max(1, math.ceil(per_hour / 60))
    return batch, timedelta(seconds=round(3600 * batch / max(1, per_hour)))


def campaign_length(count: int, batch: int, interval: timedelta) -> timedelta:
    """From the first batch to the last, for ``count`` invitations (the first goes out at once)."""
    return interval * max(0, math.ceil(count / batch) - 1)
