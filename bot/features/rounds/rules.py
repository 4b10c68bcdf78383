"""Pure decisions of the grouping rounds: how a group's answers read, the history the optimizer sees, each round's
statistics, how many rounds a member may skip, and when the next scheduled round falls. No I/O, no storage.

The optimizer itself (who meets whom) is :mod:`bot.features.rounds.grouping`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.features.meetings.tally import Tally
from bot.features.rounds.grouping import PastRound, Person, pairs_of
from bot.scheduler import cron_trigger, next_fire_time

__all__ = [
    "MAX_SNOOZE",
    "QUIET_ROUNDS",
    "Participation",
    "PlayedRound",
    "Profile",
    "RoundLine",
    "SeatRecord",
    "captain",
    "chosen_time",
    "due",
    "is_quiet",
    "next_round_at",
    "optimizer_history",
    "pair_coverage",
    "paused",
    "people",
    "round_lines",
    "snooze_count",
]

MAX_SNOOZE = 12
# A member who left "Did you meet?" unanswered this many rounds in a row is asked whether to stay in.
QUIET_ROUNDS = 2


@dataclass
class PlayedRound:
    """A stored round with its groups (member ids) and what their members answered."""

    number: int
    started_at: datetime
    groups: list[list[int]] = field(default_factory=list)
    answers: list[list[str | None]] = field(default_factory=list)

    def met(self, position: int) -> bool | None:
        """Whether group ``position`` met: someone said so (True), those who answered all said no (False), or
        nobody answered (None)."""
        given = [a for a in self.answers[position] if a]
        if "met" in given:
            return True
        return False if given else None

    def met_members(self, position: int) -> list[int]:
        """The members of group ``position`` who met one another, as far as their answers tell: nobody when the
        group did not meet; else everyone but those who said "we won't" (they met nobody). A group nobody
        answered for counts as having met: never grouping the same people again matters more than a second
        chance for a group that kept quiet."""
        if self.met(position) is False:
            return []
        return [m for m, a in zip(self.groups[position], self.answers[position], strict=True) if a != "wont"]


@dataclass
class Profile:
    """What a group's introduction says about a member (from their profile when there is one)."""

    name: str
    what: str = ""
    location: str = ""
    interests: list[str] = field(default_factory=list)
    company: str = ""


def optimizer_history(played: list[PlayedRound]) -> list[PastRound]:
    """The past rounds as the optimizer sees them: only the pairs who met, the ones it avoids. A group whose
    members said they did not meet is left out, and a member who said "we won't" is taken out of their group,
    so the next rounds may bring them together again sooner."""
    history = []
    for entry in played:
        met = (entry.met_members(position) for position in range(len(entry.groups)))
        groups = tuple(tuple(str(m) for m in group) for group in met if len(group) > 1)
        # The round as planned too, when it differs: the planner recognises a round of its schedule by it.
        planned = tuple(tuple(str(m) for m in group) for group in entry.groups)
        history.append(
            PastRound(groups=groups, when=entry.started_at, planned=planned if planned != groups else None)
        )
    return history


def people(profiles: dict[int, Profile]) -> list[Person]:
    """The members taking part as the optimizer sees them (interests folded, for the soft preferences)."""
    return [
        Person(
            id=str(member_id),
            interests=frozenset(i.casefold() for i in profile.interests),
            company=profile.company,
        )
        for member_id, profile in profiles.items()
    ]


@dataclass(frozen=True)
class RoundLine:
    """One round in the animators' statistics."""

    number: int
    started_at: datetime
    people: int
    groups: int
    new: int
    pairs: int
    met: int
    answered: int


def round_lines(played: list[PlayedRound]) -> list[RoundLine]:
    """Each round's figures, oldest first: how many new pairs it made, how many of its groups met."""
    seen: set[frozenset[int]] = set()
    lines = []
    for entry in played:
        pairs = {frozenset(map(int, p)) for p in pairs_of([[str(m) for m in g] for g in entry.groups])}
        new = len(pairs - seen)
        seen |= pairs
        outcomes = [entry.met(i) for i in range(len(entry.groups))]
        lines.append(
            RoundLine(
                number=entry.number,
                started_at=entry.started_at,
                people=sum(len(g) for g in entry.groups),
                groups=len(entry.groups),
                new=new,
                pairs=len(pairs),
                met=sum(1 for o in outcomes if o),
                answered=sum(1 for o in outcomes if o is not None),
            )
        )
    return lines


@dataclass(frozen=True)
class SeatRecord:
    """A member's seat in a past round, as the quiet rule sees it."""

    started_at: datetime
    asked: bool  # "Did you meet?" went out for that round
    answered: bool


def is_quiet(seats: list[SeatRecord], asked_at: datetime | None) -> bool:
    """Whether to ask a member if they want to stay in: their last ``QUIET_ROUNDS`` seats (``seats`` newest
    first) were all asked "Did you meet?" and got no answer, and they were not asked already since the newest of
    them (asked once per quiet spell)."""
    recent = seats[:QUIET_ROUNDS]
    if len(recent) < QUIET_ROUNDS or any(not s.asked or s.answered for s in recent):
        return False
    return asked_at is None or asked_at < recent[0].started_at


def paused(paused_until: datetime | None, paused_quiet: bool, now: datetime) -> bool:
    """Whether a member taking part is paused at ``now``: for a month they chose, or as quiet until they come
    back."""
    return paused_quiet or (paused_until is not None and paused_until > now)


@dataclass(frozen=True)
class Participation:
    """Who is where in the rounds, among the members still in the community (the animators' figures)."""

    taking_part: int = 0
    snoozed: int = 0
    paused_quiet: int = 0
    paused_month: int = 0
    out: int = 0


def participation(rows: list[tuple[int, bool, int, datetime | None, bool]], now: datetime) -> Participation:
    """Count ``rows`` of (member id, active, rounds to skip, paused until, paused as quiet): each member in one
    place only (out, paused as quiet, paused for a month, skipping, or taking part)."""
    counts = {"taking_part": 0, "snoozed": 0, "paused_quiet": 0, "paused_month": 0, "out": 0}
    for _member, active, snooze, until, quiet in rows:
        if not active:
            key = "out"
        elif quiet:
            key = "paused_quiet"
        elif until is not None and until > now:
            key = "paused_month"
        else:
            key = "snoozed" if snooze > 0 else "taking_part"
        counts[key] += 1
    return Participation(**counts)


def pair_coverage(played: list[PlayedRound], roster: list[int]) -> tuple[int, int]:
    """New pairs created so far among the ``roster`` (the members taking part), and the most there can be: every
    two of them grouped once."""
    members = set(roster)
    made = {
        pair
        for entry in played
        for pair in pairs_of([[str(m) for m in group if m in members] for group in entry.groups])
    }
    return len(made), len(members) * (len(members) - 1) // 2


def captain(members: list[int], last_captain: dict[int, int]) -> int:
    """The group member asked to suggest a time: the one who has been captain least recently (never first),
    the earliest to have joined Agora (lowest id) among equals, so the task goes round."""
    return min(members, key=lambda m: (last_captain.get(m, 0), m))


def chosen_time(tally: Tally, options: list[int]) -> int | None:
    """The time a group's poll settles on, among ``options`` (ids, in the poll's order, those still to come):
    the meeting poll's ranking (most yes, then most if need be), the earliest of those level; None when nobody
    can make any of them."""
    best = tally.best(options)
    if not best or tally.of(best[0]).score == (0, 0):
        return None
    return next(option for option in options if option in best)


def snooze_count(raw: object) -> int | None:
    """How many rounds a member asked to skip, or None when it is not a number from 1 to ``MAX_SNOOZE``."""
    try:
        count = int(str(raw))
    except (TypeError, ValueError):
        return None
    return count if 1 <= count <= MAX_SNOOZE else None


def due(last_started: datetime | None, when: datetime, min_gap: timedelta) -> bool:
    """Whether a scheduled round firing at ``when`` runs: not when the previous one is more recent than
    ``min_gap`` (a round started by hand a day before, or the off week of a fortnightly cadence)."""
    return last_started is None or when - last_started >= min_gap


def next_round_at(
    cron: str, timezone: str, min_gap: timedelta, *, after: datetime, last: datetime | None
) -> datetime | None:
    """When the next scheduled round takes place: the next firing of ``cron`` after ``after`` that is far enough
    from the ``last`` round."""
    trigger = cron_trigger(cron, timezone)
    moment = next_fire_time(trigger, after)
    for _ in range(8):
        if moment is None or last is None or moment - last >= min_gap:
            break
        moment = next_fire_time(trigger, moment)
    return moment
