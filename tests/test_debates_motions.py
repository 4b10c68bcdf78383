"""The bank of debate motions: at least 40 per language, the same ids in French and English, each a statement
where reasonable people disagree, with 2 or 3 suggested positions short enough for a button."""

from __future__ import annotations

import pytest

from bot.content import load_bank

LANGUAGES = ("en", "fr")


@pytest.mark.parametrize("language", LANGUAGES)
def test_at_least_forty_motions_each_with_two_or_three_positions(language: str) -> None:
    motions = load_bank("motions", language)

    assert len(motions) >= 40
    for motion in motions:
        assert 2 <= len(motion.positions) <= 3, motion.id
        assert all(0 < len(p) <= 60 for p in motion.positions), motion.id  # Slack cuts button labels at 75
        assert len({p.casefold() for p in motion.positions}) == len(motion.positions), motion.id
        assert motion.tags, motion.id
        assert motion.text.endswith("."), motion.id  # a statement to take a position on, not a question
        assert len(motion.text) <= 130, motion.id  # it heads the post (Slack's header: 150 characters)
    assert len({m.text for m in motions}) == len(motions)


def test_french_and_english_are_translations_of_each_other() -> None:
    english, french = (load_bank("motions", language) for language in LANGUAGES)

    assert [m.id for m in english] == [m.id for m in french]
    for en, fr in zip(english, french, strict=True):
        assert len(en.positions) == len(fr.positions), en.id
        assert len(en.tags) == len(fr.tags), en.id


def test_french_motions_follow_french_typography() -> None:
    for motion in load_bank("motions", "fr"):
        for text in (motion.text, *motion.positions):
            assert " :" in text or ":" not in text, text  # « Les deux : un profil en T »
            assert "“" not in text and '"' not in text, text


def test_the_familiar_french_variant_reads_the_french_bank() -> None:
    assert load_bank("motions", "fr-tu") == load_bank("motions", "fr")
