"""A side-by-side diff of two texts, line by line, for the dashboard's charter history. Pure: no I/O.

Each row pairs a line of the old text with a line of the new one (or nothing), and says whether it is the same,
changed, removed or added; within a changed line, the words that differ are marked, so a reader sees a changed
comma without reading both lines twice.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Piece", "Row", "side_by_side"]

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A run of text, ``marked`` where it differs from the other side."""

    text: str
    marked: bool = False


@dataclass(frozen=True)
class Row:
    kind: Literal["same", "changed", "removed", "added"]
    old: tuple[Piece, ...] = ()
    new: tuple[Piece, ...] = ()


def _words(old: str, new: str) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left: list[Piece] = []
    right: list[Piece] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if a2 > a1:
            left.append(Piece("".join(a[a1:a2]), op != "equal"))
        if b2 > b1:
            right.append(Piece("".join(b[b1:b2]), op != "equal"))
    return tuple(left), tuple(right)


def side_by_side(old: str, new: str) -> list[Row]:
    """``old`` and ``new`` aligned line by line."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [Row("same", (Piece(line),), (Piece(line),)) for line in a[a1:a2]]
            continue
        removed, added = a[a1:a2], b[b1:b2]
        for left, right in zip(removed, added, strict=False):
            rows.append(Row("changed", *_words(left, right)))
        rows += [Row("removed", (Piece(line, True),), ()) for line in removed[len(added) :]]
        rows += [Row("added", (), (Piece(line, True),)) for line in added[len(removed) :]]
    return rows
