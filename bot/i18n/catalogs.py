"""Keep the catalogs in step with the code: ``python -m bot.i18n.catalogs``.

Extracts every ``_()``, ``ngettext()`` and ``N_()`` message from ``bot/`` and ``adapters/`` (Python, and the
dashboard's Jinja2 templates), adds new ones to
each catalog (English filled with the message id itself, French left for a translator: the test suite fails
until it is translated), and drops the ones no longer in the code. The familiar French catalog (``fr-tu``) holds
only the messages that change with « tu »: it gains none here (``translate fr-tu`` adds them) and loses those
the code no longer uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import HERE, _catalog_path

__all__ = ["extract", "main", "update"]

ROOT = HERE.parent.parent
# ``ctx.public("…")``: what a channel reads, in the community's language (``bot.context``).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "public": None}
LANGUAGES = ("en", "fr", "fr-tu")


def extract() -> Catalog:
    """Every message id used in the code, with where it is used."""
    catalog = Catalog(project="agora", domain="agora")
    # The dashboard's templates call ``_()`` too (``{{ _("Settings") }}``), read by Jinja2's extractor.
    methods = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
    for package in ("bot", "adapters"):
        for filename, lineno, message, comments, _context in extract_from_dir(
            ROOT / package, method_map=methods, keywords=KEYWORDS
        ):
            catalog.add(message, locations=[(f"{package}/{filename}", lineno)], auto_comments=comments)
    return catalog


def update(language: str, template: Catalog) -> Path:
    path = _catalog_path(language)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language.split("-")[0])
    else:
        catalog = Catalog(locale=language.split("-")[0], project="agora", domain="agora")
    if language == "fr-tu":
        # Only the messages that change with « tu » are kept: the rest falls back to fr.
        # A message whose id changed (or turned plural, or back) is dropped: its French changed with it.
        keep = [m for m in catalog if m.id and m.string]
        catalog = Catalog(locale="fr", project="agora", domain="agora")
        # The plural forms of the French catalog (its translations have as many), not Babel's own for "fr".
        with _catalog_path("fr").open("rb") as handle:
            catalog.mime_headers = read_po(handle, locale="fr").mime_headers
        for message in keep:
            used = template.get(message.id)
            if used is not None and used.id == message.id:
                catalog.add(used.id, message.string, locations=used.locations)
    else:
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if language == "en":
            for message in catalog:
                strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
                # English is the identity: a message Babel marked fuzzy (its id turned plural or back) is
                # simply rewritten from its id.
                if message.id and (not all(strings) or message.fuzzy):
                    message.string = message.id if isinstance(message.id, str) else tuple(message.id)
                    message.flags.discard("fuzzy")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=110, sort_output=False, omit_header=False)
    return path


PENDING = HERE / "pending"


def main() -> int:
    for language in LANGUAGES:
        # A fresh template each time: Babel's update shares message objects with the template.
        print(update(language, extract()).relative_to(ROOT))
    # Translations written while several people add messages at once wait in pending/<topic>.<language>.yaml
    # (English id -> translation); they are applied on every run, so one run never loses another's work.
    from bot.i18n.translate import fill

    status = 0
    for source in sorted(PENDING.glob("*.yaml")) if PENDING.exists() else []:
        language = source.name.split(".")[-2]
        unknown = fill(language, yaml.safe_load(source.read_text(encoding="utf-8")) or {})
        for msgid in unknown:
            print(f"{source.name}: not used in the code any more: {msgid!r}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
