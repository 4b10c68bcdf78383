"""Durations as people write them in a config file or a command: ``2d``, ``36h``, ``1h30m``, ``90m``."""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["format_duration", "parse_duration"]

_PART = re.compile(r"(\d+)\s*(w|d|h|m|min|s)", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "min": "minutes", "s": "seconds"}


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """Parse ``"2d"``, ``"1h30m"``, ``"45m"`` (or a number of seconds). Raises ValueError with the bad text, and
    for a duration of more than a hundred years (rather than OverflowError further on)."""
    try:
        total = _parse(text)
    except OverflowError:
        raise ValueError(f"{str(text)[:40]!r} is too long a duration") from None
    if abs(total) > LONGEST:
        raise ValueError(f"{str(text)[:40]!r} is longer than a hundred years")
    return total


# Beyond this a date plus the duration may leave the calendar (OverflowError), and nothing is planned that far.
LONGEST = timedelta(days=36525)


def _parse(text: str | int | float | timedelta) -> timedelta:
    if isinstance(text, timedelta):
        return text
    if isinstance(text, int | float):
        return timedelta(seconds=text)
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        raise ValueError("empty duration")
    pos = 0
    total = timedelta()
    for match in _PART.finditer(cleaned):
        if match.start() != pos:
            break
        total += timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
        pos = match.end()
    if pos != len(cleaned) or pos == 0:
        raise ValueError(f"{text[:40]!r} is not a duration (examples: 2d, 36h, 1h30m, 45m)")
    return total


def format_duration(delta: timedelta) -> str:
    """The short form that :func:`parse_duration` reads back."""
    seconds = int(delta.total_seconds())
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out) or "0s"
