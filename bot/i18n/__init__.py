"""Translations: gettext catalogs (``.po``, read with Babel) for French and English.

Message ids are English; ``en`` is the identity plus plural forms, ``fr`` the French text. A community may
prefer the familiar « tu »: the ``fr-tu`` catalog overrides only the messages that change, then falls back to
``fr``. Placeholders are named (``{community}``) so translators can reorder them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from gettext import c2py
from pathlib import Path
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as _babel_datetime
from babel.messages.pofile import read_po

__all__ = [
    "LOCALES",
    "LOCALE_NAMES",
    "N_",
    "LocaleName",
    "Reader",
    "Translator",
    "language_of",
    "member_locale",
    "reader",
    "translator",
]

_plurals: dict[str, Callable[[int], int]] = {}

HERE = Path(__file__).parent
# A community's language: French (« vous »), familiar French (« tu », the same French with its own catalog for
# the messages that address the reader) or English.
LocaleName = Literal["fr", "fr-tu", "en"]
LOCALES: tuple[str, ...] = get_args(LocaleName)
# Each locale in its own words, as a language picker shows it (the same for every reader, so never translated).
LOCALE_NAMES = {"fr": "français (vouvoiement)", "fr-tu": "français (tutoiement)", "en": "English"}


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; it is translated where it is shown."""
    return message


def _catalog_path(locale: str) -> Path:
    return HERE / locale.replace("-", "_") / "LC_MESSAGES" / "agora.po"


@cache
def _load(locale: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    path = _catalog_path(locale)
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale.split("-")[0])
    out: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    _plurals[locale] = c2py(catalog.plural_expr)
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            strings = tuple(message.string or ())
            if all(strings):
                out[tuple(message.id)] = strings  # type: ignore[index]
        elif isinstance(message.string, str) and message.string:
            out[message.id] = message.string
    return out


class Translator:
    """Translates and formats for one locale (``fr``, ``fr-tu`` or ``en``)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.language = locale.split("-")[0]
        chain = [locale]
        if self.language != locale:
            chain.append(self.language)
        self._chain = [(_load(name), _plurals.get(name)) for name in chain]
        self._babel = Locale.parse(self.language)

    def gettext(self, message: str, /, **values: object) -> str:
        text = message
        for catalog, _plural in self._chain:
            found = catalog.get(message)
            if isinstance(found, str):
                text = found
                break
        return text.format(**values) if values else text

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        text = singular if count == 1 else plural
        for catalog, plural_index in self._chain:
            found = catalog.get((singular, plural))
            if isinstance(found, tuple) and found and plural_index is not None:
                text = found[min(plural_index(count), len(found) - 1)]
                break
        return text.format(count=count, **values)

    def datetime(
        self, moment: datetime, timezone: str, format: str = "full_short", *, now: datetime | None = None
    ) -> str:
        """A moment as members of this locale read it, in the community's time zone. A short pattern without the
        year (``d MMM``) gets it when ``moment`` falls in another year than ``now``: "3 Jan 2027" in December."""
        zone = ZoneInfo(timezone)
        if format == "full_short":
            pattern = "EEEE d MMMM y 'à' HH:mm" if self.language == "fr" else "EEEE d MMMM y 'at' h:mm a"
        else:
            pattern = format
        if (
            now is not None
            and "y" not in pattern
            and moment.astimezone(zone).year != now.astimezone(zone).year
        ):
            pattern = _MONTH_PATTERN.sub(r"\g<0> y", pattern, count=1)
        return _babel_datetime(moment, pattern, tzinfo=zone, locale=self._babel)

    def percent(self, value: float) -> str:
        """``value`` (0.75) as a whole percentage in this locale: "75%", « 75 % »."""
        from babel.numbers import format_percent

        return str(format_percent(value, locale=self._babel))

    def list(self, items: list[str]) -> str:
        from babel.lists import format_list

        return format_list(items, locale=self._babel) if items else ""


class Reader(Translator):
    """A translator for one member reading alone (a direct message): their locale, and the time zone their dates
    are written in."""

    def __init__(self, locale: str, zone: str) -> None:
        super().__init__(locale)
        self.zone = zone


@cache
def reader(locale: str, zone: str) -> Reader:
    """The reader for ``locale`` in ``zone`` (cached)."""
    return Reader(locale, zone)


# The month in a date pattern, after which the year goes ("d MMM" -> "d MMM y").
_MONTH_PATTERN = re.compile(r"M{3,4}")


def language_of(locale: str | None) -> str | None:
    """The language with a catalog that a platform's locale names (``fr-CA`` -> ``fr``, ``en-GB`` -> ``en``),
    or None when there is none for it (``de``), or no locale at all."""
    language = re.split(r"[-_]", (locale or "").strip().lower(), maxsplit=1)[0]
    return language if language in LOCALES else None


def member_locale(chosen: str | None, seen: str | None, community: str) -> str:
    """The locale Agora speaks to one member in: the language they chose (``/agora language``), else their
    platform's, else the community's. Speaking the community's language, they read the community's variant (a
    « tu » community keeps « tu »); a language with no catalog falls back to the community's. A variant chosen as
    such (``/agora language fr-tu``) is kept whatever the community says."""
    if chosen in LOCALES and chosen != language_of(chosen):
        return chosen
    language = language_of(chosen) or language_of(seen)
    if language is None or language == language_of(community) or language == community:
        return community
    return language


@cache
def translator(locale: str) -> Translator:
    """The translator for ``locale`` (cached)."""
    return Translator(locale)
