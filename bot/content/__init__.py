"""Content banks shipped as data: ``bot/content/<language>/<bank>.yaml`` (icebreaker questions, debate
motions, conversation starters, mission cards), written for Agora, one file per language with the same
ids where the items are translations of each other.

Each file is a list of items: ``id``, ``text``, ``tags`` and, where they apply, ``author`` and ``positions``
(a debate motion's suggested positions). A bank is read once and cached; a malformed file raises
``ValueError`` naming the file and the item, so a broken bank fails at start, not in front of members.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CONTENT", "ContentItem", "load_bank"]

CONTENT = Path(__file__).parent


@dataclass(frozen=True)
class ContentItem:
    """One item of a bank."""

    id: str
    text: str
    tags: tuple[str, ...] = ()
    author: str | None = None
    positions: tuple[str, ...] = ()


def _item(data: Any, where: str) -> ContentItem:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: each item must be a mapping with id and text")
    unknown = sorted(set(data) - {"id", "text", "tags", "author", "positions"})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (known: author, id, positions, tags, text)")
    item_id, text = str(data.get("id") or "").strip(), " ".join(str(data.get("text") or "").split())
    if not item_id or not text:
        raise ValueError(f"{where}: an item needs an id and a text")
    tags, positions = data.get("tags") or [], data.get("positions") or []
    if not isinstance(tags, list) or not isinstance(positions, list):
        raise ValueError(f"{where} ({item_id}): tags and positions are lists")
    author = data.get("author")
    return ContentItem(
        id=item_id,
        text=text,
        tags=tuple(str(tag) for tag in tags),
        author=str(author) if author else None,
        positions=tuple(str(position) for position in positions),
    )


@cache
def load_bank(name: str, language: str) -> tuple[ContentItem, ...]:
    """The items of bank ``name`` in ``language``, in file order. A variant (``fr-tu``) is its language's bank
    with the items it rewrites (``bot/content/fr_tu/<bank>.yaml``: ``id`` and the new ``text``, or
    ``positions``), so a new French item reaches it at once and nothing is written twice."""
    base = language.split("-")[0]
    path = CONTENT / base / f"{name}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no {name!r} bank in {language!r} ({path})")
    items = _read(path)
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"{path}: the id {item.id!r} is used twice")
        seen.add(item.id)
    variant = CONTENT / language.replace("-", "_") / f"{name}.yaml"
    if language == base or not variant.exists():
        return items
    rewritten = {}
    for number, entry in enumerate(_entries(variant), start=1):
        if not isinstance(entry, dict) or str(entry.get("id") or "").strip() not in seen:
            raise ValueError(f"{variant.name} item {number}: an id of the {base!r} bank is needed")
        rewritten[str(entry["id"]).strip()] = entry
    return tuple(
        _item({**_fields(item), **rewritten[item.id]}, f"{variant.name} ({item.id})")
        if item.id in rewritten
        else item
        for item in items
    )


def _entries(path: Path) -> list[Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: a bank is a list of items")
    return data


def _read(path: Path) -> tuple[ContentItem, ...]:
    return tuple(
        _item(entry, f"{path.name} item {number}") for number, entry in enumerate(_entries(path), start=1)
    )


def _fields(item: ContentItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "text": item.text,
        "tags": list(item.tags),
        "author": item.author,
        "positions": list(item.positions),
    }
