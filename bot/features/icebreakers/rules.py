"""Icebreakers' pure decisions: which question comes next, when the next ones come, whether a rule or a question
can be kept, which tags an animator meant. No I/O, no storage."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from bot.i18n import N_, Translator
from bot.scheduler import cron_trigger, next_fire_time
from bot.settings.types import CRON_LIMIT

__all__ = [
    "ALL_TAGS",
    "MAX_LENGTH",
    "MIN_GAP",
    "MIN_LENGTH",
    "REVIEW_PAGE",
    "TAG_LABELS",
    "Candidate",
    "clean",
    "draw",
    "normalized_question",
    "parse_tags",
    "question_problem",
    "rule_problem",
    "thread_title",
    "too_soon_until",
    "upcoming",
]

MIN_LENGTH = 10
MAX_LENGTH = 300
# Closer than this, questions stop being an invitation and become noise.
MIN_GAP = timedelta(hours=12)
HORIZON = timedelta(days=2 * 366)
# How many pending suggestions /agora icebreaker suggestions shows at once.
REVIEW_PAGE = 10
# What an animator may type for "no filter", in either language.
ALL_TAGS = ("all", "*", "tous", "toutes", "tout")

# How tags read in the community's language (the bank files keep the English ids).
TAG_LABELS = {
    "light": N_("light"),
    "professional": N_("professional"),
    "reflective": N_("reflective"),
    "weekend": N_("weekend"),
    "tools": N_("tools"),
    "workspace": N_("workspace"),
    "habits": N_("habits"),
    "learning": N_("learning"),
    "projects": N_("projects"),
    "skills": N_("skills"),
    "career": N_("career"),
    "collaboration": N_("collaboration"),
    "community": N_("community"),
    "clients": N_("clients"),
    "inspiration": N_("inspiration"),
}

_MENTIONS = re.compile(r"<[@#!][^>]*>|@(everyone|here|channel)\b", re.IGNORECASE)


def normalized_question(text: str) -> str:
    """What two questions share when they are the same question (case, spaces and punctuation aside)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def clean(text: str | None) -> str:
    """``text`` on one line, its spaces collapsed."""
    return " ".join(str(text or "").split())


@dataclass(frozen=True)
class Candidate:
    """A question that may be asked: from the bank (``bank:<id>``) or the community's own (``own:<id>``)."""

    key: str
    text: str
    question_id: int | None = None
    credit: str | None = None  # a mention of the member who suggested it, or a bank item's author
    suggested: bool = False  # credit names a member who suggested it (rather than an author)
    kind: str | None = None  # the bank item's first tag: light, professional or reflective


def draw(
    candidates: Sequence[Candidate], asked: Sequence[tuple[int, str]], seed: object
) -> tuple[Candidate, int]:
    """The next question and the cycle it belongs to, given what was asked (``(cycle, key)`` oldest first):
    never one already asked in the current cycle; the community's new questions first; otherwise at random
    (seeded by ``seed`` and the progress, so the same state always draws the same question), avoiding two of the
    same kind in a row."""
    if not candidates:  # pragma: no cover - the bank ships with questions of every tag
        raise RuntimeError("no icebreaker question to ask")
    cycle = max((c for c, _key in asked), default=1)
    used = {key for c, key in asked if c == cycle}
    ever = {key for _c, key in asked}
    remaining = [c for c in candidates if c.key not in used]
    if not remaining:
        cycle, used, remaining = cycle + 1, set(), list(candidates)
    fresh = [c for c in remaining if c.suggested and c.key not in ever]
    if fresh:
        return fresh[0], cycle
    kinds = {c.key: c.kind for c in candidates}
    last_kind = kinds.get(asked[-1][1]) if asked else None
    varied = [c for c in remaining if c.kind is None or c.kind != last_kind] or remaining
    rng = random.Random(f"{seed}:{cycle}:{len(used)}")
    return rng.choice(varied), cycle


def too_soon_until(last_asked: datetime | None) -> datetime | None:
    """Until when a scheduled question would come too soon after the last one (a question asked with ``now``
    just before the schedule's time makes the schedule skip that time)."""
    return last_asked + MIN_GAP - timedelta(microseconds=1) if last_asked else None


def upcoming(
    now: datetime,
    cron: str,
    timezone: str,
    last_fired_at: datetime | None,
    last_asked: datetime | None,
    count: int = 1,
) -> list[datetime]:
    """The next ``count`` dates the rule ``cron`` asks a question, counting from now, from its last run and from
    the end of the gap after the last question."""
    try:
        trigger = cron_trigger(cron, timezone)
    except ValueError:
        return []
    moment = max(now, last_fired_at or now, too_soon_until(last_asked) or now)
    dates: list[datetime] = []
    for _ in range(count):
        found = next_fire_time(trigger, moment)
        if found is None:
            break
        dates.append(found)
        moment = found
    return dates


def rule_problem(rule: str, timezone: str, now: datetime) -> str | None:
    """What is wrong with a cron rule an animator typed: ``too_long`` (longer than a schedule's column),
    ``unreadable``, ``never`` (no calendar has that date), ``too_often`` (less than ``MIN_GAP`` between two
    questions), or None."""
    if len(rule) > CRON_LIMIT:
        return "too_long"
    try:
        trigger = cron_trigger(rule, timezone)
    except ValueError:
        return "unreadable"
    # A rule with no date (the 30th of February) would have the trigger search the calendar for centuries:
    # two years are enough to tell.
    trigger.end_date = now + HORIZON
    moments: list[datetime] = []
    moment = now
    for _step in range(30):
        found = next_fire_time(trigger, moment)
        if found is None:
            break
        moments.append(found)
        moment = found
    if not moments:
        return "never"
    if any(later - earlier < MIN_GAP for earlier, later in pairwise(moments)):
        return "too_often"
    return None


def question_problem(text: str, existing: Iterable[str]) -> tuple[str, str] | None:
    """Why ``text`` can't be a question of the community, as ``(reason, detail)``: ``empty``, ``short``,
    ``long``, ``mentions`` or ``duplicate`` (detail: the question it repeats); None if it can."""
    if not text:
        return "empty", ""
    if len(text) < MIN_LENGTH:
        return "short", ""
    if len(text) > MAX_LENGTH:
        return "long", ""
    if _MENTIONS.search(text):
        return "mentions", ""
    key = normalized_question(text)
    for question in existing:
        if normalized_question(question) == key:
            return "duplicate", question
    return None


def parse_tags(_: Translator, raw: str, known: Sequence[str]) -> tuple[list[str], str | None]:
    """The tags an animator typed (ids or labels in the community's language; none for "all"), or the first
    word that is no tag."""
    words = [w for w in re.split(r"[,\s]+", raw.strip().lower()) if w]
    if not words or any(w in ALL_TAGS for w in words):
        return [], None
    by_label: dict[str, str] = {}
    for tag in known:
        by_label[tag] = tag
        by_label[_(TAG_LABELS.get(tag, tag)).lower()] = tag
    tags: list[str] = []
    for word in words:
        found = by_label.get(word)
        if found is None:
            return [], word
        if found not in tags:
            tags.append(found)
    return tags, None


def thread_title(text: str, limit: int = 80) -> str:
    """A thread's name: the question, cut at a word under Discord's limit."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"
