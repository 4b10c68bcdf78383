"""A French community that says « tu » (``fr-tu``): the animators choose it, every message that addresses the
reader says « tu », the rest is the same French (dates, plurals, banks), and the catalogs keep it so."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import bot.i18n
from adapters.console import ConsoleCommunity
from bot.config import ConfigError, parse_config
from bot.content import load_bank
from bot.context import Outcome
from bot.i18n import member_locale, translator
from bot.i18n.catalogs import extract, update
from bot.i18n.register import formal_words
from bot.i18n.translate import fill
from tests.support import make_config


def said_to(outcome: Outcome) -> str:
    return "\n".join(f"{reply.title or ''}\n{reply.plain()}" for reply in outcome.replies)


def said(sent: list) -> str:
    return "\n".join(s.message.plain() for s in sent if s.message)


async def test_a_newcomer_of_a_familiar_community_is_spoken_to_with_tu(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("fr-tu") as h:
        await h.join("alice")
        [welcome] = h.chat.dms("alice")
        assert welcome.message is not None
        # Untouched messages are the French ones; those that address the reader say « tu ».
        assert welcome.message.title == "Bienvenue dans Les Indés !"
        assert "appuie sur le bouton ci-dessous" in welcome.message.plain()
        assert "appuyez" not in welcome.message.plain().lower()

        accepted = await h.press("alice", "J'accepte la charte")
        assert accepted.error is None
        thanks = "\n".join(r.plain() for r in accepted.replies) + said(h.chat.dms("alice")[1:])
        assert "Merci ! Tu as accepté la charte (version 1). Bienvenue à bord de Les Indés." in thanks
        assert "Présente-toi en deux lignes" in thanks
        assert "vous" not in thanks.lower()


async def test_the_animators_switch_their_community_to_tu(h: ConsoleCommunity) -> None:
    assert h.app is not None
    saved = await h.command("camille", "setup locale=fr-tu")
    assert saved.error is None
    assert (await h.app.community_settings(h.ref)).locale == "fr-tu"
    [summary] = saved.replies
    assert summary.title == "Réglages enregistrés."
    assert "Modifie-les avec /agora setup suivi du nom de l'option." in summary.plain()
    assert "français (tutoiement) (fr-tu)" in summary.plain()

    refused = await h.command("camille", "setup locale=tu")
    assert (
        refused.replies[0].text
        == "« tu » n'est pas un choix possible pour locale. Choisis parmi : fr, fr-tu, en."
    )
    assert (await h.app.community_settings(h.ref)).locale == "fr-tu"

    back = await h.command("camille", "setup locale=fr")
    assert "Modifiez-les avec /agora setup" in back.replies[0].plain()


async def test_a_member_may_choose_tu_for_themselves(h: ConsoleCommunity) -> None:
    chosen = await h.command("bob", "language fr-tu")
    assert chosen.replies[0].text.startswith("Je te parlerai désormais en français.")
    assert "Ce que tu peux faire avec Agora" in said_to(await h.command("bob", "help"))
    # Speaking the community's language otherwise, a member of a « tu » community reads « tu ».
    assert member_locale("fr-tu", "en-US", "en") == "fr-tu"
    assert member_locale("fr", None, "fr-tu") == member_locale(None, "fr-FR", "fr-tu") == "fr-tu"


def test_the_config_file_can_choose_tu_and_check_config_names_a_wrong_locale() -> None:
    assert make_config("fr-tu").community.locale == "fr-tu"
    with pytest.raises(ConfigError) as refused:
        parse_config({"community": {"locale": "fr_tu"}}, env={})
    assert "community.locale" in str(refused.value) and "'fr-tu'" in str(refused.value)


def test_familiar_french_is_french_but_for_the_register() -> None:
    tu, vous = translator("fr-tu"), translator("fr")
    assert (tu.language, tu.locale) == ("fr", "fr-tu")
    plural = ("{count} member has accepted this version.", "{count} members have accepted this version.")
    assert tu.ngettext(*plural, 2) == vous.ngettext(*plural, 2) == "2 membres ont accepté cette version."
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert tu.datetime(moment, "Europe/Paris") == vous.datetime(moment, "Europe/Paris")
    assert tu("Your rights") == "Tes droits" and vous("Your rights") == "Vos droits"


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the catalogs to update, so that the test never rewrites the real ones."""
    shutil.copytree(bot.i18n.HERE / "fr", tmp_path / "fr")
    shutil.copytree(bot.i18n.HERE / "fr_tu", tmp_path / "fr_tu")
    monkeypatch.setattr(bot.i18n, "HERE", tmp_path)
    return tmp_path


def test_the_extraction_keeps_the_tu_catalog_to_the_messages_it_changes(catalogs: Path) -> None:
    # A message the code no longer uses is dropped; a French one gets its « tu » form through translate fr-tu.
    assert fill("fr-tu", {"Welcome aboard!": "Bienvenue à bord !"}) == ["Welcome aboard!"]
    assert fill("fr-tu", {"Say hello to {name}!": "Dis bonjour à {name} !"}) == []
    path = catalogs / "fr_tu" / "LC_MESSAGES" / "agora.po"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '\nmsgid "A message long gone"\nmsgstr "Un message disparu"\n', encoding="utf-8")

    update("fr-tu", extract())

    with path.open("rb") as handle:
        kept = {m.id: m.string for m in read_po(handle) if m.id}
    assert kept["Say hello to {name}!"] == "Dis bonjour à {name} !"
    assert kept["Your rights"] == "Tes droits"
    assert "A message long gone" not in kept
    # Nothing that says the same in both registers is copied: the rest falls back to fr.
    assert "Welcome to {community}!" not in kept
    with (catalogs / "fr" / "LC_MESSAGES" / "agora.po").open("rb") as handle:
        assert len(kept) < len([m for m in read_po(handle) if m.id]) / 2


def test_the_tu_catalog_only_holds_messages_that_change() -> None:
    def messages(language: str) -> dict[object, object]:
        with bot.i18n._catalog_path(language).open("rb") as handle:
            return {m.id if isinstance(m.id, str) else tuple(m.id): m.string for m in read_po(handle) if m.id}

    familiar, french = messages("fr-tu"), messages("fr")
    assert set(familiar) <= set(french)
    same = [key for key, text in familiar.items() if text == french[key] or not text]
    assert same == []


def test_the_words_that_say_vous() -> None:
    assert formal_words("Choisissez-en un autre, ou dites-le à votre animateur.") == [
        "Choisissez",
        "dites",
        "votre",
    ]
    assert formal_words("Choisis-en un autre chez toi, c'est assez.") == []


def test_the_banks_ask_each_member_with_tu_and_groups_in_the_plural() -> None:
    for bank in ("icebreakers", "missions"):
        familiar, french = load_bank(bank, "fr-tu"), load_bank(bank, "fr")
        # The same items (ids, tags, authors) in the same order: only the text says « tu ».
        assert [(i.id, i.tags, i.author) for i in familiar] == [(i.id, i.tags, i.author) for i in french]
        assert [(i.id, formal_words(i.text)) for i in familiar if formal_words(i.text)] == []
    # A round's conversation starter speaks to its whole group; motions address no one.
    for bank in ("starters", "motions"):
        assert load_bank(bank, "fr-tu") == load_bank(bank, "fr")


def test_a_variant_bank_rewrites_only_items_its_language_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.content

    (tmp_path / "fr").mkdir()
    (tmp_path / "fr_tu").mkdir()
    (tmp_path / "fr" / "tips.yaml").write_text(
        "- {id: a, text: Dites bonjour, tags: [x]}\n- {id: b, text: Merci}\n"
    )
    (tmp_path / "fr_tu" / "tips.yaml").write_text("- {id: a, text: Dis bonjour}\n")
    monkeypatch.setattr(bot.content, "CONTENT", tmp_path)
    load_bank.cache_clear()
    try:
        assert [(i.text, i.tags) for i in load_bank("tips", "fr-tu")] == [
            ("Dis bonjour", ("x",)),
            ("Merci", ()),
        ]
        (tmp_path / "fr_tu" / "tips.yaml").write_text("- {id: c, text: Salut}\n")
        load_bank.cache_clear()
        with pytest.raises(ValueError, match=r"tips\.yaml item 1: an id of the 'fr' bank"):
            load_bank("tips", "fr-tu")
    finally:
        load_bank.cache_clear()


async def test_a_familiar_community_gets_its_icebreaker_question_with_tu(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    familiar = {item.text for item in load_bank("icebreakers", "fr-tu")}
    async with make_harness("fr-tu") as h:
        asked = await h.command("camille", "icebreaker now")
        assert asked.error is None
        posted = [p.message.title or "" for p in h.chat.posts() if p.message] + [
            p.message.text for p in h.chat.posts() if p.message
        ]
        [question] = familiar & set(posted)
        assert formal_words(question) == []


def test_a_familiar_community_writes_its_dates_in_french() -> None:
    from datetime import UTC, datetime

    from bot.features.meetings.dates import parse_when
    from bot.features.mutual_help.rules import by_when

    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    # 03/04 is the 3rd of April in French, as in a community that says « vous ».
    french = parse_when("03/04 18h", now=now, timezone="Europe/Paris", language="fr")
    assert parse_when("03/04 18h", now=now, timezone="Europe/Paris", language="fr-tu") == french
    assert french.start.month == 4
    assert by_when("03/04", now=now, timezone="Europe/Paris", language="fr-tu") == by_when(
        "03/04", now=now, timezone="Europe/Paris", language="fr"
    )
