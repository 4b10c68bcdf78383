"""Fill a catalog from a YAML file of translations: ``python -m bot.i18n.translate fr new.yaml``.

The YAML maps English message ids to their translation (a list for plural forms). Existing translations are
replaced; message ids the catalog does not have are reported (run ``python -m bot.i18n.catalogs`` first). The
familiar French catalog (``fr-tu``) takes any message the French one has: ``translate fr-tu tu.yaml``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from bot.i18n import _catalog_path

__all__ = ["fill"]


def _read(language: str) -> Catalog:
    with _catalog_path(language).open("rb") as handle:
        return read_po(handle, locale=language.split("-")[0])


def _by_singular(catalog: Catalog) -> dict[str, Message]:
    return {(m.id[0] if isinstance(m.id, tuple | list) else m.id): m for m in catalog if m.id}


def fill(language: str, translations: dict[str, str | list[str]]) -> list[str]:
    """Write ``translations`` into ``language``'s catalog; returns the ids the catalog doesn't know."""
    path = _catalog_path(language)
    catalog = _read(language)
    by_singular = _by_singular(catalog)
    # A variant (fr-tu) holds only the messages it changes: one it doesn't have yet is taken from its language's.
    base = _by_singular(_read(language.split("-")[0])) if "-" in language else {}
    unknown = []
    for msgid, text in translations.items():
        message = by_singular.get(msgid)
        if message is None and msgid in base:
            message = catalog.add(base[msgid].id, locations=base[msgid].locations)
        # A plural translation (a list) for a singular message, or the reverse, can't be written: report it
        # with the unknown ones rather than crash half-way through writing the catalog.
        if message is None or isinstance(text, list) != isinstance(message.id, tuple | list):
            unknown.append(msgid)
            continue
        message.string = tuple(text) if isinstance(text, list) else text
        message.flags.discard("fuzzy")
    # Written beside, then moved in place: an interrupted run never leaves a truncated catalog.
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as handle:
        write_po(handle, catalog, width=110, sort_output=False)
    partial.replace(path)
    return unknown


def main() -> int:
    language, source = sys.argv[1], Path(sys.argv[2])
    unknown = fill(language, yaml.safe_load(source.read_text(encoding="utf-8")))
    for msgid in unknown:
        print(f"not in the {language} catalog: {msgid!r}", file=sys.stderr)
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
