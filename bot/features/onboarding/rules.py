"""Onboarding's pure decisions: the introduction form's fields and what makes an answer acceptable, and where a
newcomer stands in the digest. (Who to meet first is ``matching``.) No I/O, no storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.i18n import N_

__all__ = ["FIELDS", "FIELD_LIMITS", "LABELS", "FormField", "form_problems", "stage", "unknown_fields"]


@dataclass(frozen=True)
class FormField:
    """A field of the introduction form: its label and placeholder (English message ids), the most characters
    kept, and whether it takes several lines."""

    name: str
    label: str
    hint: str
    limit: int
    multiline: bool = False


# Labels stay under Discord's 45 characters and the form's title under Slack's 24, in both languages.
FIELDS: tuple[FormField, ...] = (
    FormField("name", N_("Name to show"), N_("How the members should call you"), 80),
    FormField("what", N_("What I do"), N_("e.g. Freelance UX designer for small businesses"), 200),
    FormField("where", N_("Where I am"), N_("City, region, or remote"), 120),
    FormField(
        "interests", N_("Interests and skills"), N_("Separated by commas: ecology, design, cycling"), 300
    ),
    FormField(
        "offers", N_("What I can offer"), N_("A skill, advice, contacts, a tool you master…"), 600, True
    ),
    FormField("needs", N_("What I am looking for"), N_("Clients, a partner, advice on…"), 600, True),
)
FIELD_LIMITS = {f.name: f.limit for f in FIELDS}
LABELS = {f.name: f.label for f in FIELDS}


def unknown_fields(values: Mapping[str, object]) -> list[str]:
    """Answers to fields the form does not have (a hand-made submission), sorted."""
    return sorted(set(values) - set(FIELD_LIMITS))


def form_problems(cleaned: Mapping[str, str]) -> dict[str, str]:
    """Every problem of trimmed answers at once, by field: ``too_long`` or ``required``."""
    problems = {
        name: "too_long" for name, limit in FIELD_LIMITS.items() if len(cleaned.get(name, "")) > limit
    }
    if not cleaned.get("what"):
        problems["what"] = "required"
    return problems


def stage(*, left: bool, introduced: bool, accepted_at: datetime | None) -> str:
    """Where a newcomer stands: ``left``, ``introduced``, ``accepted`` (the charter, not introduced yet) or
    ``joined`` (charter not accepted yet)."""
    if left:
        return "left"
    if introduced:
        return "introduced"
    if accepted_at is not None:
        return "accepted"
    return "joined"
