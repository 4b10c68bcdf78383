"""The tally of a meeting poll: a pure algorithm (no I/O), Rallly's model.

Each member answers each date option yes, if need be, or no. The best option has the most yes, then the most
if-need-be; options still level after that are a tie, which an animator breaks. An option nobody can make
(no yes, no if-need-be) never wins on its own: with no such option at all, every eligible option is tied, and
the animator decides (or opens another poll).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["CHOICES", "MAYBE", "NO", "YES", "OptionTally", "Tally", "count"]

YES, MAYBE, NO = "yes", "maybe", "no"
CHOICES = (YES, MAYBE, NO)


@dataclass(frozen=True)
class OptionTally:
    """How members answered one option; ``yes``/``maybe``/``no`` list who, in the order they answered."""

    option: Hashable
    yes: tuple[Hashable, ...] = ()
    maybe: tuple[Hashable, ...] = ()
    no: tuple[Hashable, ...] = ()

    @property
    def score(self) -> tuple[int, int]:
        """What ranks options: most yes, then most if-need-be."""
        return len(self.yes), len(self.maybe)


@dataclass(frozen=True)
class Tally:
    """The tally of a whole poll, options in the poll's order."""

    options: tuple[OptionTally, ...]
    # Members who answered every option.
    complete: frozenset[Hashable] = field(default_factory=frozenset)
    # Members who answered at least one option.
    voters: frozenset[Hashable] = field(default_factory=frozenset)

    def of(self, option: Hashable) -> OptionTally:
        for item in self.options:
            if item.option == option:
                return item
        raise KeyError(option)

    def best(self, eligible: Iterable[Hashable] | None = None) -> tuple[Hashable, ...]:
        """The options ranked first among ``eligible`` (all by default): one is a winner, several a tie."""
        allowed = None if eligible is None else set(eligible)
        candidates = [o for o in self.options if allowed is None or o.option in allowed]
        if not candidates:
            return ()
        top = max(o.score for o in candidates)
        if top == (0, 0):
            return tuple(o.option for o in candidates)
        return tuple(o.option for o in candidates if o.score == top)

    def winner(self, eligible: Iterable[Hashable] | None = None) -> Hashable | None:
        """The single best option, or None when there is a tie (or nothing to choose from)."""
        best = self.best(eligible)
        return best[0] if len(best) == 1 else None


def count(options: Sequence[Hashable], answers: Iterable[tuple[Hashable, Hashable, str]]) -> Tally:
    """The tally of ``options`` from ``answers`` given as (option, member, choice) in the order they were
    given. A later answer of the same member to the same option replaces the earlier one; answers to options
    not in the poll and unknown choices are ignored."""
    latest: dict[tuple[Hashable, Hashable], str] = {}
    known = set(options)
    for option, member, choice in answers:
        if option in known and choice in CHOICES:
            latest.pop((option, member), None)  # re-inserted last: keeps the order of the latest answers
            latest[(option, member)] = choice
    per_option: dict[Hashable, dict[str, list[Hashable]]] = {o: {c: [] for c in CHOICES} for o in options}
    answered: dict[Hashable, int] = {}
    for (option, member), choice in latest.items():
        per_option[option][choice].append(member)
        answered[member] = answered.get(member, 0) + 1
    return Tally(
        options=tuple(
            OptionTally(o, tuple(per_option[o][YES]), tuple(per_option[o][MAYBE]), tuple(per_option[o][NO]))
            for o in options
        ),
        complete=frozenset(m for m, n in answered.items() if n == len(known)),
        voters=frozenset(answered),
    )
