"""Charter: the current version, the history with a side-by-side diff of any two versions, and an editor for long
texts with a preview.

Saving submits the chat's own edit form (``charter:edit``, what ``/agora charter edit`` opens) as the animator:
the same checks (the community's mode, the lengths, someone saving first), the same new version, re-acceptance
round, announcement and direct messages. Before saving, the page says who will be asked to accept the new version:
the members who accepted an earlier one, as the round will count them.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.features.charter import queries
from bot.features.charter.common import origins_in
from bot.features.charter.handlers_versions import EDIT_FORM
from bot.features.charter.text import SECTIONS, CharterContent, section_text
from bot.i18n import N_, Translator
from bot.web.diff import Row, side_by_side
from bot.web.framework import Answer, Page, View, answers, readable
from storage.models import Charter

__all__ = ["PAGE"]

# How many of the members to be asked are named (the others are counted).
ASKED_SHOWN = 40

# The edit form's labels, the chat's own words.
LABELS = {
    "objective": N_("Our objective"),
    "animators": N_("Who animates the group, and why"),
    "rights": N_("Your rights"),
    "duties": N_("Your duties"),
    "note": N_("What changed, and why"),
}


@dataclass(frozen=True)
class Version:
    number: int
    date: str
    origin: str
    accepted: int


@dataclass(frozen=True)
class Compared:
    """Two versions side by side, section by section."""

    old: int
    new: int
    sections: tuple[tuple[str, tuple[Row, ...]], ...]


def compare(_: Translator, old: CharterContent, new: CharterContent) -> list[tuple[str, tuple[Row, ...]]]:
    return [
        (_(LABELS[name]), tuple(side_by_side(section_text(old, name), section_text(new, name))))
        for name in SECTIONS
    ]


def _number(view: View, key: str) -> int | None:
    raw = view.request.query.get(key, "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


async def show(
    view: View,
    notices: list[Answer] | None = None,
    status: int = 200,
    draft: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    preview: Compared | None = None,
) -> web.Response:
    _ = view._
    async with view.reading() as session:
        current = await queries.latest_charter(session, view.community.id)
        charters = list(await queries.charters(session, view.community.id))
        made = await origins_in(session, _, charters[:50])
        counts = await queries.acceptance_counts(session, [c.id for c in charters[:50]])
        asked, named = await queries.who_would_be_asked(session, view.community.id, ASKED_SHOWN)
        by_number = {c.version: c for c in charters}
        new_number = _number(view, "to") or current.version
        old_number = _number(view, "from") or max(new_number - 1, 1)
        compared = _compared(_, by_number.get(old_number), by_number.get(new_number))
    content = CharterContent.of(current)
    history = [
        Version(
            c.version,
            _.datetime(c.created_at, view.settings.timezone, "d MMMM y"),
            readable(made.get(c.id, "")),
            counts.get(c.id, 0),
        )
        for c in charters[:50]
    ]
    texts = draft or {name: section_text(content, name) for name in SECTIONS}
    return view.render(
        "charter.html",
        status=status,
        notices=notices or [],
        current=current,
        content=content,
        history=history,
        compared=compared,
        preview=preview,
        fields=[(name, _(LABELS[name]), texts.get(name, "")) for name in (*SECTIONS, "note")],
        errors=errors or {},
        asked=named,
        asked_more=asked - len(named),
        more=_.ngettext("and {count} other", "and {count} others", asked - len(named)),
        mode=view.settings.charter_rules.mode,
    )


def _compared(_: Translator, old: Charter | None, new: Charter | None) -> Compared | None:
    if old is None or new is None or old.version == new.version:
        return None
    return Compared(
        old.version,
        new.version,
        tuple(compare(_, CharterContent.of(old), CharterContent.of(new))),
    )


async def save(view: View) -> web.Response:
    """Preview the draft against the current version, or save it through the chat's edit form."""
    _ = view._
    draft = {name: view.posted.get(name, "") for name in (*SECTIONS, "note")}
    if view.posted.get("action") == "preview":
        async with view.reading() as session:
            current = await queries.latest_charter(session, view.community.id)
        before = CharterContent.of(current)
        after = before
        for name in SECTIONS:
            after = after.with_section(name, draft[name])
        preview = Compared(current.version, current.version + 1, tuple(compare(_, before, after)))
        return await show(view, draft=draft, preview=preview)
    outcome = await view.submit(EDIT_FORM, draft, ref=view.posted.get("version", ""))
    await view.reload()
    if outcome.form_errors:
        errors = {name: readable(text) for name, text in outcome.form_errors.items()}
        notice = Answer(_("The new version is not saved: see what to change below."), "", refused=True)
        return await show(view, [notice], status=422, draft=draft, errors=errors)
    if outcome.error:
        return await show(view, answers(outcome), status=422, draft=draft)
    return await show(view, answers(outcome))


PAGE = Page("charter", N_("Charter"), show, save, order=30)
