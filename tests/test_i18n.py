"""French and English are both first-class: every message the code uses is translated, placeholders intact; the
familiar French (fr-tu) says « tu » wherever French says « vous » to one reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import _catalog_path, translator
from bot.i18n.catalogs import extract
from bot.i18n.register import still_formal

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog(language: str):
    with Path(_catalog_path(language)).open("rb") as handle:
        return read_po(handle, locale=language.split("-")[0])


def ids(message_id: object) -> tuple[str, ...]:
    return tuple(message_id) if isinstance(message_id, tuple | list) else (str(message_id),)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_message_in_the_code_is_translated(language: str) -> None:
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog(language) if m.id}
    missing = []
    for message in extract():
        key = ids(message.id)[0]
        if not key:
            continue
        found = translated.get(key)
        strings = ids(found.string) if found is not None else ()
        if found is None or not all(strings) or found.fuzzy:
            missing.append(key)
    assert missing == [], f"run `python -m bot.i18n.catalogs` and translate: {missing[:10]}"


@pytest.mark.parametrize("language", ["fr", "fr-tu", "en"])
def test_translations_keep_every_placeholder(language: str) -> None:
    for message in catalog(language):
        if not message.id or not message.string:
            continue
        expected = set(PLACEHOLDER.findall(" ".join(ids(message.id))))
        for text in ids(message.string):
            assert set(PLACEHOLDER.findall(text)) <= expected | {"count"}, (message.id, text)
            assert set(PLACEHOLDER.findall(text)) >= expected - {"count"}, (message.id, text)


def test_french_reads_as_french() -> None:
    _ = translator("fr")
    assert _("Welcome to {community}!", community="Les Indés") == "Bienvenue dans Les Indés !"
    assert _.ngettext(
        "{count} member has accepted this version.", "{count} members have accepted this version.", 2
    ) == ("2 membres ont accepté cette version.")


def test_the_familiar_variant_falls_back_to_french() -> None:
    assert translator("fr-tu")("Your rights") == "Tes droits"
    assert (
        translator("fr-tu")("Welcome to {community}!", community="Les Indés") == "Bienvenue dans Les Indés !"
    )


def test_an_unknown_message_falls_back_to_english() -> None:
    assert translator("fr")("No such message {x}", x=1) == "No such message 1"


# Where « vous » rightly stays in familiar French: it speaks to a group (a round's members), or names the register.
GROUP_PLURALS = {
    "You all mentioned {things}.",
    "What you have in common",
    "Round {number}: meet each other",
    "Hello {people}! This round puts you together. Find half an hour in the coming days (a coffee, a call or "
    "lunch) and start by saying hello here.",
    "Language of the community: fr (French, “vous”), fr-tu (French, “tu”) or en (English)",
    # « à vous deux »: the helper and the asker.
    "If you say yes, I open a conversation with the two of you. If not, nobody is told and no reason is asked.",
}


def test_no_message_says_vous_to_a_member_of_a_familiar_community() -> None:
    formal = {key if isinstance(key, str) else key[0]: texts for key, texts in still_formal().items()}
    leftovers = {key: texts for key, texts in formal.items() if key not in GROUP_PLURALS}
    assert leftovers == {}, (
        "these French messages still say « vous » in fr-tu: write their « tu » form "
        "(`python -m bot.i18n.register > tu.yaml`, rewrite, `python -m bot.i18n.translate fr-tu tu.yaml`), "
        "or, for a group, add them to GROUP_PLURALS"
    )
    assert set(GROUP_PLURALS) <= set(formal), "a group plural changed: update GROUP_PLURALS"
