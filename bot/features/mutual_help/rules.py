"""Mutual help's pure decisions: who could help with a need and why, how an ask is typed (its visibility, its
date), and the animators' figures. No I/O."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.features.meetings.dates import DateProblem, parse_when
from bot.features.onboarding.matching import keywords, normalize, overlap

__all__ = [
    "DETAILS_MAX",
    "NEED_MAX",
    "Figures",
    "Helper",
    "Match",
    "by_when",
    "decode_reasons",
    "encode_reasons",
    "figures",
    "helpers_for",
    "is_discreet",
]

NEED_MAX = 300
DETAILS_MAX = 1000
WHEN_MAX = 100
# What a helper's profile says, and how much a word of it that meets the need weighs: what they offer first.
WEIGHTS = {"offers": 3.0, "what": 2.0, "interests": 1.0}

_PUBLIC = frozenset({"", "public", "publique", "visible", "everyone", "tous", "tout le monde"})
_DISCREET = frozenset({"discreet", "discrete", "discret", "private", "prive", "privee", "confidential"})


def is_discreet(value: str | None) -> bool | None:
    """Whether the form's visibility says discreet (True), public (False), or neither (None: refuse it)."""
    word = normalize(value or "")
    if word in _PUBLIC:
        return False
    if word in _DISCREET:
        return True
    return None


def by_when(text: str, *, now: datetime, timezone: str, language: str) -> datetime | None:
    """The date typed as people do (``vendredi``, ``15 December``, ``dans 3 jours``, ``2026-12-15 18h``): a day
    without a time means the end of that day. None when nothing was typed; ``DateProblem`` when it can't be read
    or is past."""
    text = " ".join((text or "").split())
    if not text:
        return None
    try:
        return parse_when(text, now=now, timezone=timezone, language=language).start
    except DateProblem as problem:
        if problem.code != "no_time":
            raise
    return parse_when(f"{text} 23:59", now=now, timezone=timezone, language=language).start


@dataclass(frozen=True)
class Helper:
    """A member who may be asked, as their directory profile says: what they do, their interests, what they
    offer. ``rank`` orders ties (lower first)."""

    member_id: int
    key: str
    name: str
    what: str = ""
    interests: Sequence[str] = ()
    offers: str = ""
    rank: int = 0


@dataclass(frozen=True)
class Match:
    """A member who could help, and why: ``reasons`` pairs a part of their profile (``offers``, ``what``,
    ``interests``) with its words that meet the need, in their own spelling."""

    helper: Helper
    score: float
    reasons: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())


def helpers_for(need: str, helpers: Iterable[Helper], *, limit: int) -> list[Match]:
    """The ``limit`` members whose profile best meets ``need``, best first (ties by rank then key); only
    members with a reason are suggested."""
    wanted = keywords(need)
    if not wanted or limit <= 0:
        return []
    found: list[Match] = []
    for helper in helpers:
        texts = {"offers": helper.offers, "what": helper.what, "interests": ", ".join(helper.interests)}
        reasons = tuple(
            (part, words) for part, text in texts.items() if (words := overlap(wanted, keywords(text)))
        )
        score = sum(WEIGHTS[part] * len(words) for part, words in reasons)
        if score > 0:
            found.append(Match(helper, score, reasons))
    found.sort(key=lambda m: (-m.score, m.helper.rank, m.helper.key))
    return found[:limit]


def encode_reasons(reasons: Iterable[tuple[str, Sequence[str]]]) -> str:
    """Reasons as stored: one ``part<TAB>word, word`` line each."""
    return "\n".join(f"{part}\t{', '.join(words)}" for part, words in reasons)


def decode_reasons(text: str) -> list[tuple[str, str]]:
    """Stored reasons back: (part, words as one string)."""
    out = []
    for line in (text or "").splitlines():
        part, _tab, words = line.partition("\t")
        if part and words:
            out.append((part, words))
    return out


@dataclass(frozen=True)
class Figures:
    """What the animators see of mutual help: how many asks, how fast the first offer came, how many were
    solved, and who helps most (to thank them, never shown to members as a ranking)."""

    asks: int
    open: int
    solved: int
    withdrawn: int
    first_offer: timedelta | None
    helpers: tuple[tuple[str, int], ...]

    @property
    def solved_rate(self) -> float | None:
        closed = self.solved + self.withdrawn
        return self.solved / closed if closed else None


def figures(
    asks: Sequence[tuple[str, datetime, datetime | None]], helped: Sequence[str], *, top: int = 3
) -> Figures:
    """``asks``: each ask's status, when it was made and when its first offer was accepted (or None);
    ``helped``: the helper's key for each accepted offer."""
    delays = [first - made for _status, made, first in asks if first is not None]
    counts: dict[str, int] = {}
    for key in helped:
        counts[key] = counts.get(key, 0) + 1
    best = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
    return Figures(
        asks=len(asks),
        open=sum(1 for status, *_rest in asks if status == "open"),
        solved=sum(1 for status, *_rest in asks if status == "solved"),
        withdrawn=sum(1 for status, *_rest in asks if status == "withdrawn"),
        first_offer=statistics.median_low(delays) if delays else None,
        helpers=tuple(best),
    )
