"""The charter's content as members edit it, and what changed between two versions. Pure: no I/O.

A charter has four sections: the objective (one text), the animators (one per line, ``Name — why they
animate``), the rights and the duties (one per line). Forms show each section as editable text;
:func:`parse_section` reads it back, and :func:`diff` says, section by section, what was added, removed or
changed, so that a member asked to accept a new version sees the changes, not a wall of text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "SECTIONS",
    "Change",
    "CharterContent",
    "diff",
    "format_person",
    "parse_people",
    "parse_section",
    "section_text",
]

SECTIONS = ("objective", "animators", "rights", "duties")

# "Camille — motivation", "Camille – motivation", "Camille - motivation" or "Camille: motivation".
_PERSON_SEPARATOR = re.compile(r"\s+[—–-]\s+|\s*[—–]\s*|:\s+")
# A bullet or a number someone typed in front of an item: "• ", "- ", "* ", "1. ", "2) ".
_BULLET = re.compile(r"^\s*(?:[•*·▪‣◦-]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class CharterContent:
    """What a charter version says (the ``Charter`` row without its bookkeeping)."""

    objective: str = ""
    animators: tuple[tuple[str, str], ...] = ()  # (name, motivation)
    rights: tuple[str, ...] = ()
    duties: tuple[str, ...] = ()

    @classmethod
    def of(cls, charter: Any) -> CharterContent:
        """The content of a ``Charter`` row (or anything with the same attributes)."""
        return cls(
            objective=charter.objective or "",
            animators=tuple(
                (str(p.get("name", "")), str(p.get("motivation", "") or "")) for p in charter.animators or ()
            ),
            rights=tuple(charter.rights or ()),
            duties=tuple(charter.duties or ()),
        )

    def columns(self) -> dict[str, Any]:
        """The ``Charter`` columns holding this content."""
        return {
            "objective": self.objective,
            "animators": [{"name": n, "motivation": m} for n, m in self.animators],
            "rights": list(self.rights),
            "duties": list(self.duties),
        }

    def with_section(self, section: str, text: str) -> CharterContent:
        """This content with ``section`` replaced by what ``text`` says."""
        return replace(self, **{section: parse_section(section, text)})


def format_person(name: str, motivation: str) -> str:
    return f"{name} — {motivation}" if motivation else name


def _lines(text: str) -> list[str]:
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = _BULLET.sub("", line).strip()
        if line:
            out.append(line)
    return out


def parse_people(text: str) -> tuple[tuple[str, str], ...]:
    """``Name — why`` lines as (name, motivation) pairs."""
    people = []
    for line in _lines(text):
        match = _PERSON_SEPARATOR.search(line)
        if match and match.start() > 0:
            people.append((line[: match.start()].strip(), line[match.end() :].strip()))
        else:
            people.append((line, ""))
    return tuple(people)


def parse_section(section: str, text: str) -> Any:
    """The value of ``section`` written as ``text`` (see :func:`section_text`)."""
    if section == "objective":
        return " ".join(text.split())
    if section == "animators":
        return parse_people(text)
    return tuple(_lines(text))


def section_text(content: CharterContent, section: str) -> str:
    """``section`` as editable text: the objective as it is, the lists one item per line."""
    if section == "objective":
        return content.objective
    if section == "animators":
        return "\n".join(format_person(n, m) for n, m in content.animators)
    return "\n".join(getattr(content, section))


@dataclass(frozen=True)
class Change:
    """One change in one section: ``added`` (``new``), ``removed`` (``old``) or ``changed`` (both)."""

    section: str
    kind: Literal["added", "removed", "changed"]
    old: str = ""
    new: str = ""


@dataclass
class _Changes:
    items: list[Change] = field(default_factory=list)

    def add(self, section: str, kind: Literal["added", "removed", "changed"], old: str, new: str) -> None:
        self.items.append(Change(section, kind, old, new))


def _list_diff(out: _Changes, section: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = list(old[a1:a2]), list(new[b1:b2])
        # An item replaced in place reads as "changed"; what is left over was removed or added.
        while removed and added:
            out.add(section, "changed", removed.pop(0), added.pop(0))
        for item in removed:
            out.add(section, "removed", item, "")
        for item in added:
            out.add(section, "added", "", item)


def _people_diff(out: _Changes, old: tuple[tuple[str, str], ...], new: tuple[tuple[str, str], ...]) -> None:
    before = {name.casefold(): (name, why) for name, why in old}
    after = {name.casefold(): (name, why) for name, why in new}
    for key, (name, why) in after.items():
        if key not in before:
            out.add("animators", "added", "", format_person(name, why))
        elif before[key] != (name, why):
            out.add("animators", "changed", format_person(*before[key]), format_person(name, why))
    for key, (name, why) in before.items():
        if key not in after:
            out.add("animators", "removed", format_person(name, why), "")


def diff(old: CharterContent, new: CharterContent) -> list[Change]:
    """What changed from ``old`` to ``new``, section by section, in the charter's order."""
    out = _Changes()
    if old.objective != new.objective:
        if not old.objective:
            out.add("objective", "added", "", new.objective)
        elif not new.objective:
            out.add("objective", "removed", old.objective, "")
        else:
            out.add("objective", "changed", old.objective, new.objective)
    _people_diff(out, old.animators, new.animators)
    _list_diff(out, "rights", old.rights, new.rights)
    _list_diff(out, "duties", old.duties, new.duties)
    return out.items
