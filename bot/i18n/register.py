"""The French that says « vous » where a ``fr-tu`` community says « tu »: ``python -m bot.i18n.register``.

Lists, as YAML ready for ``python -m bot.i18n.translate fr-tu FILE.yaml``, every French message that still
addresses the reader formally in the familiar catalog (vous, votre, vos, a verb in ``-ez``: "Choisissez",
"vous pouvez"), with its French text to rewrite. The test suite runs the same check, with the few messages
where « vous » is a group's plural ("vous deux") listed as such.
"""

from __future__ import annotations

import re
import sys

import yaml
from babel.messages.pofile import read_po

from bot.i18n import _catalog_path

__all__ = ["formal_words", "still_formal"]

# vous/votre/vos, any -ez/-iez verb ("Acceptez", "si vous acceptiez"), and the two imperatives that don't end
# in -ez ("Faites", "Dites"); "chez", "assez" and "nez" end in -ez without being verbs.
_FORMAL = re.compile(r"\b(?:vous|votre|vos|vôtres?|faites|dites|\w+ez)\b", re.IGNORECASE)
_NOT_VERBS = frozenset({"chez", "assez", "nez", "rez"})


# A noun that holds "vous" without saying it to anyone.
_NOUNS = re.compile(r"\brendez-vous\b", re.IGNORECASE)


def formal_words(text: str) -> list[str]:
    """The words of ``text`` that address the reader with « vous »."""
    return [word for word in _FORMAL.findall(_NOUNS.sub("", text)) if word.lower() not in _NOT_VERBS]


def _strings(message_string: object) -> tuple[str, ...]:
    if isinstance(message_string, tuple | list):
        return tuple(str(s) for s in message_string)
    return (str(message_string or ""),)


def still_formal() -> dict[str | tuple[str, ...], tuple[str, ...]]:
    """Each message whose familiar French (its ``fr-tu`` text, or else its ``fr`` one) still says « vous »:
    message id -> the French text(s) a ``fr-tu`` member reads."""
    catalogs = []
    for language in ("fr-tu", "fr"):
        with _catalog_path(language).open("rb") as handle:
            catalogs.append(
                {m.id if isinstance(m.id, str) else tuple(m.id): m for m in read_po(handle) if m.id}
            )
    familiar, french = catalogs
    found: dict[str | tuple[str, ...], tuple[str, ...]] = {}
    for message_id, message in french.items():
        override = familiar.get(message_id)
        texts = _strings((override if override is not None and override.string else message).string)
        if any(formal_words(text) for text in texts):
            found[message_id] = texts
    return found


def main() -> int:
    """Print the messages still to rewrite, as YAML (the first id of a plural message, then its forms)."""
    todo = {
        (key if isinstance(key, str) else key[0]): (texts[0] if isinstance(key, str) else list(texts))
        for key, texts in still_formal().items()
    }
    yaml.safe_dump(todo, sys.stdout, allow_unicode=True, sort_keys=False, width=1000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
