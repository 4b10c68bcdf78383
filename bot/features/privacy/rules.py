"""Pure decisions of privacy: which stored value names a member, what an emptied column holds, how a value is
written in an export, which texts must not survive an erasure, and when a member who left is erased. No I/O."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum as PyEnum
from typing import Any

# An erased member keeps a row (others' history points at it) whose platform id is ERASED_PREFIX and a random
# token: unique, and linked to nobody; mentions of it show as nobody (bot.messages.mention).
from bot.messages import ERASED_PREFIX, mention

__all__ = [
    "ERASED_PREFIX",
    "MIN_NEEDLE",
    "Section",
    "Who",
    "due_for_erasure",
    "erased_id",
    "exportable",
    "field_name",
    "is_erased",
    "names",
    "needles",
    "scrub",
    "without",
]

# Shorter texts (a profile's "Paris"… is five) are too common to look for in other rows.
MIN_NEEDLE = 3


@dataclass(frozen=True)
class Who:
    """The member a declaration is matched against: their ``members.id`` and platform id."""

    id: int
    external_id: str


def erased_id() -> str:
    return ERASED_PREFIX + secrets.token_hex(8)


def is_erased(external_id: str) -> bool:
    return external_id.startswith(ERASED_PREFIX)


def _item_names(item: Any, who: Who, key: str | None) -> bool:
    if key is not None:
        return isinstance(item, dict) and bool(item.get(key) == who.external_id)
    return bool(item == who.id or item == who.external_id)


def names(value: Any, reference: str, who: Who) -> bool:
    """Whether a stored ``value`` of a column read as ``reference`` (see ``PersonalData.refers``) names ``who``."""
    if reference == "id":
        return bool(value == who.id)
    if reference == "external_id":
        return bool(value == who.external_id)
    if reference == "mention":
        return bool(value == mention(who.external_id))
    key = reference.partition(":")[2] or None
    return isinstance(value, list) and any(_item_names(item, who, key) for item in value)


def without(value: list[Any], reference: str, who: Who) -> list[Any]:
    """A JSON list with ``who``'s items taken out (the others' kept, in order)."""
    key = reference.partition(":")[2] or None
    return [item for item in value if not _item_names(item, who, key)]


@dataclass
class Section:
    """One declaration's rows about a member, as exported: field name → value (JSON-ready)."""

    title: str
    label: str
    rows: list[dict[str, Any]] = field(default_factory=list)


def field_name(column: str) -> str:
    """A column's name as a reader of the export sees it: ``accepted_at`` → ``accepted at``."""
    return column.replace("_", " ")


def exportable(value: Any) -> Any:
    """A stored value as JSON: dates in ISO 8601, statuses as their words."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PyEnum):
        return value.value
    if isinstance(value, list):
        return [exportable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): exportable(v) for k, v in value.items()}
    return value


def needles(external_id: str, display_name: str, texts: Iterable[str]) -> list[str]:
    """What must be found nowhere once a member is erased: their mention, platform id, name and profile texts
    (the longest first, so a mention goes before the id inside it)."""
    found = {mention(external_id), external_id, display_name, *texts}
    return sorted((n for n in found if n and len(n) >= MIN_NEEDLE), key=lambda n: (-len(n), n))


def scrub(value: Any, found: list[str], replacement: str = "…") -> Any:
    """``value`` (text, or JSON made of lists and mappings) with every needle replaced."""
    if isinstance(value, str):
        for needle in found:
            value = value.replace(needle, replacement)
        return value
    if isinstance(value, list):
        return [scrub(v, found, replacement) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, found, replacement) for k, v in value.items()}
    return value


def due_for_erasure(left_at: datetime | None, retention: timedelta | None, now: datetime) -> bool:
    """Whether a member who left at ``left_at`` is to be erased now (``retention`` None: kept)."""
    return left_at is not None and retention is not None and left_at + retention <= now
