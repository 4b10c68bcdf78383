"""Pure decisions of debates: what a member typed (a motion, positions, a duration), which bank motion comes
next, whether a debate still takes positions, when a volunteer must answer. No I/O, no database.

Refusals are raised as :class:`UserError` in the member's language, so the functions that check input take
the translator ``_``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.durations import parse_duration
from bot.errors import UserError
from bot.features.debates.settings import MAX_DEBATE_DURATION, MIN_DEBATE_DURATION
from bot.i18n import N_, Translator
from bot.messages import untrusted
from bot.settings.types import excerpt

__all__ = [
    "DEFAULT_POSITIONS",
    "MAX_MOTION_LENGTH",
    "MAX_PENDING_PER_MEMBER",
    "MAX_POSITIONS",
    "MAX_POSITION_LENGTH",
    "MIN_POSITIONS",
    "MOTIONS_SHOWN",
    "PROPOSALS_SHOWN",
    "MotionRef",
    "answer_by",
    "check_motion_text",
    "checked_positions",
    "debate_duration",
    "motion_ref",
    "new_motion_text",
    "parse_positions",
    "parse_tags",
    "pick_fresh",
    "takes_positions",
    "thread_title",
]

MAX_POSITIONS = 5
MIN_POSITIONS = 2
# A motion is one sentence, and it heads the post: Slack's header holds 150 characters, "Debate: " included.
MAX_MOTION_LENGTH = 130
# Button labels: Slack cuts at 75 characters, Discord at 80.
MAX_POSITION_LENGTH = 60
MAX_PENDING_PER_MEMBER = 5
MOTIONS_SHOWN = 15
PROPOSALS_SHOWN = 10
DEFAULT_POSITIONS = (N_("For"), N_("Against"), N_("Nuanced"))

_COMMUNITY_KEY = re.compile(r"^c(\d+)$", re.IGNORECASE)
_BANK_KEY = re.compile(r"^[\w-]+$")
_POSITION_SEPARATORS = re.compile(r"\s*[|;\n]\s*")


def parse_positions(text: str) -> list[str]:
    """``"For | Against | It depends"`` → the positions, in order (``;`` and new lines separate too; commas
    don't, since a position may hold one)."""
    return [part for part in (" ".join(p.split()) for p in _POSITION_SEPARATORS.split(text)) if part]


def checked_positions(_: Translator, raw: str) -> list[str]:
    """The positions typed in ``raw``, or a refusal: two to five, each fitting a button, none twice."""
    positions = parse_positions(raw)
    if len(positions) > MAX_POSITIONS:
        raise UserError(
            _(
                "That makes {count} positions; a debate takes {max} at most, so that the buttons stay "
                "readable. Merge or drop some, separated by |.",
                count=len(positions),
                max=MAX_POSITIONS,
            )
        )
    if len(positions) < MIN_POSITIONS:
        raise UserError(
            _("A debate needs at least two positions, separated by |, e.g. “For | Against | It depends”.")
        )
    seen: set[str] = set()
    for position in positions:
        if len(position) > MAX_POSITION_LENGTH:
            raise UserError(
                _(
                    "The position “{position}” is too long for a button: {max} characters at most.",
                    position=untrusted(position),
                    max=MAX_POSITION_LENGTH,
                )
            )
        if position.casefold() in seen:
            raise UserError(_("The position “{position}” is given twice.", position=untrusted(position)))
        seen.add(position.casefold())
    return positions


def debate_positions(_: Translator, raw: Any, suggested: Sequence[str]) -> list[str]:
    """The positions of a new debate: the animator's, else the motion's own, else for / against / nuanced."""
    if raw is not None:
        return checked_positions(_, str(raw))
    if len(suggested) >= MIN_POSITIONS:
        return list(suggested)
    return [_(label) for label in DEFAULT_POSITIONS]


def check_motion_text(_: Translator, text: str) -> None:
    """Refuse a motion too long to read at a glance (and to head a post)."""
    if len(text) > MAX_MOTION_LENGTH:
        raise UserError(
            _(
                "The motion is {count} characters long; keep it under {max} so that it reads at a glance.",
                count=len(text),
                max=MAX_MOTION_LENGTH,
            )
        )


def new_motion_text(_: Translator, raw: Any) -> str:
    """A motion proposed or added: a statement of several words, not too long."""
    text = " ".join(str(raw or "").split())
    if not text:
        raise UserError(
            _(
                "The motion is empty. Write it as a statement people can agree or disagree with, "
                "e.g. “Remote work weakens professional networks”."
            )
        )
    if " " not in text:
        raise UserError(
            _(
                "“{motion}” is a single word. Write the motion as a statement people can agree or disagree "
                "with, e.g. “Remote work weakens professional networks”.",
                motion=untrusted(excerpt(text)),
            )
        )
    check_motion_text(_, text)
    return text


@dataclass(frozen=True)
class MotionRef:
    """What an animator typed for ``motion``: a community motion's id (``c7``), a bank id, or the words."""

    kind: Literal["own", "bank", "text"]
    text: str
    own_id: int = 0


def motion_ref(_: Translator, raw: Any) -> MotionRef:
    """Read ``motion`` of ``/agora debate start`` (not None: None means "I pick")."""
    text = " ".join(str(raw).split())
    if not text:
        raise UserError(
            _(
                "The motion is empty. Write it as a statement people can agree or disagree with, "
                "e.g. “Remote work weakens professional networks”, or leave it out and I will pick one."
            )
        )
    own = _COMMUNITY_KEY.match(text)
    if own:
        return MotionRef("own", text, int(own.group(1)))
    if _BANK_KEY.match(text):
        return MotionRef("bank", text.lower())
    check_motion_text(_, text)
    return MotionRef("text", text)


def unknown_motion(_: Translator, typed: str) -> UserError:
    """The refusal for a motion id that names nothing."""
    return UserError(
        _(
            "“{motion}” is not a motion I know. See them with /agora debate motions, "
            "or write the motion itself in quotes.",
            motion=untrusted(excerpt(typed)),
        )
    )


def debate_duration(_: Translator, raw: Any, default: timedelta) -> timedelta:
    """How long a debate started by hand stays open: ``raw`` if given, within the bounds, else ``default``."""
    if raw is None or str(raw).strip() == "":
        return default
    try:
        duration = parse_duration(str(raw))
    except ValueError:
        raise UserError(
            _(
                "“{value}” is not a duration I understand. Examples: 3d, 36h, 1h30m.",
                value=untrusted(excerpt(raw)),
            )
        ) from None
    if not MIN_DEBATE_DURATION <= duration <= MAX_DEBATE_DURATION:
        raise UserError(
            _(
                "A debate lasts between 10 minutes (10m) and 60 days (60d); “{value}” is not.",
                value=untrusted(excerpt(raw)),
            )
        )
    return duration


def pick_fresh(bank_ids: Sequence[str], last_used: Mapping[str, datetime], community_id: int) -> str:
    """The bank motion to debate next: one this community has not debated yet (varied from one debate to the
    next, yet reproducible for a given community and count), else the one it debated longest ago."""
    fresh = [key for key in bank_ids if key not in last_used]
    if fresh:
        return random.Random(f"{community_id}:{len(last_used)}").choice(fresh)
    return min(bank_ids, key=lambda key: last_used[key])


def takes_positions(status: str, closes_at: datetime, now: datetime) -> bool:
    """A debate takes positions while it is open and its deadline has not passed (even if the close, a timer,
    has not run yet: the bot may have been stopped)."""
    return status == "open" and now < closes_at


def answer_by(now: datetime, within: timedelta, closes_at: datetime) -> datetime:
    """When a volunteer asked to lead must answer: after ``within``, and never after the debate closes."""
    return min(now + within, closes_at)


def parse_tags(raw: Any) -> list[str]:
    """``"work, Tech"`` → ``["tech", "work"]``."""
    return sorted({t.strip().lower() for t in str(raw or "").split(",") if t.strip()})


def thread_title(motion: str) -> str:
    """Platforms cap thread names at 100 characters."""
    return motion if len(motion) <= 100 else motion[:99].rstrip() + "…"
