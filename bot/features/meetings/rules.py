"""Pure decisions about meetings: who gets a place, who waits. No I/O; the date algorithms are in ``dates.py``
and the poll's count in ``tally.py``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bot.features.meetings.events import GOING, WAITLIST
from bot.settings.types import is_off

__all__ = ["means_no_limit", "places_to_give", "rsvp_status"]

# Beyond the shared off words ("none", "off", "aucune"...): what members type for "no limit on places".
_NO_LIMIT_WORDS = frozenset({"no limit", "unlimited", "illimité", "0"})

T = TypeVar("T")


def rsvp_status(wanted: str, going: int, capacity: int | None) -> str:
    """The answer a member gets for pressing ``wanted``: "going" becomes the waiting list when the ``going``
    members already fill the ``capacity`` (None: no limit)."""
    if wanted == GOING and capacity is not None and going >= capacity:
        return WAITLIST
    return wanted


def places_to_give(waitlist: Sequence[T], going: int, capacity: int | None) -> list[T]:
    """Who on the waiting list (in its order) gets a place: as many as there are free places, everyone when
    there is no limit any more."""
    free = len(waitlist) if capacity is None else capacity - going
    return list(waitlist[: max(free, 0)])


def means_no_limit(text: str) -> bool:
    """Whether ``text``, typed for a number of places, means no limit (an off word, "unlimited", 0)."""
    return is_off(text) or text.strip().lower() in _NO_LIMIT_WORDS
