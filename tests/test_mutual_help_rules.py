"""Mutual help's pure rules, without a database: who could help and why, the visibility and the date typed in
the form, the animators' figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.features.meetings.dates import DateProblem
from bot.features.mutual_help.rules import Helper, by_when, figures, helpers_for, is_discreet

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday, 9:00 in Paris


def test_what_they_offer_weighs_most_and_the_reasons_are_in_their_own_words() -> None:
    people = [
        Helper(1, "ivy", "Ivy", interests=["contrats", "vélo"], rank=0),
        Helper(2, "carol", "Carol", what="Avocate", offers="droit des contrats", rank=1),
        Helper(3, "dan", "Dan", what="Comptable", rank=2),
    ]
    found = helpers_for("a lawyer who knows freelance contracts", people, limit=3)
    assert [m.helper.key for m in found] == ["carol", "ivy"]
    assert found[0].reasons == (("offers", ("contrats",)), ("what", ("Avocate",)))
    assert found[1].reasons == (("interests", ("contrats",)),)
    assert helpers_for("   ", people, limit=3) == [] and helpers_for("contracts", people, limit=0) == []
    assert [m.helper.key for m in helpers_for("de l'aide en comptabilité", people, limit=3)] == ["dan"]


def test_ties_go_to_the_rank_then_the_key() -> None:
    same = [
        Helper(n, key, key, offers="mentoring", rank=rank)
        for n, (key, rank) in enumerate((("b", 1), ("a", 1), ("z", 0)))
    ]
    assert [m.helper.key for m in helpers_for("du mentorat", same, limit=3)] == ["z", "a", "b"]


def test_visibility_in_both_languages() -> None:
    assert is_discreet("") is False and is_discreet("Public") is False and is_discreet("publique") is False
    assert (
        is_discreet("discreet") is True and is_discreet("Discrète") is True and is_discreet("privé") is True
    )
    assert is_discreet("maybe") is None


def test_by_when_a_day_means_its_end_and_a_past_date_is_refused() -> None:
    friday = by_when("friday", now=NOW, timezone="Europe/Paris", language="en")
    assert friday == datetime(2026, 11, 27, 22, 59, tzinfo=UTC)
    assert by_when("vendredi 14h", now=NOW, timezone="Europe/Paris", language="fr") == datetime(
        2026, 11, 27, 13, 0, tzinfo=UTC
    )
    assert by_when("  ", now=NOW, timezone="Europe/Paris", language="en") is None
    with pytest.raises(DateProblem) as past:
        by_when("2026-11-01", now=NOW, timezone="Europe/Paris", language="en")
    assert past.value.code == "past"


def test_figures_median_first_offer_solved_rate_and_who_helps_most() -> None:
    asks = [
        ("solved", NOW, NOW + timedelta(hours=2)),
        ("solved", NOW, NOW + timedelta(hours=10)),
        ("withdrawn", NOW, None),
        ("open", NOW, NOW + timedelta(hours=5)),
    ]
    shown = figures(asks, ["carol", "bob", "carol"])
    assert (shown.asks, shown.open, shown.solved, shown.withdrawn) == (4, 1, 2, 1)
    assert shown.first_offer == timedelta(hours=5)
    assert shown.solved_rate == pytest.approx(2 / 3)
    assert shown.helpers == (("carol", 2), ("bob", 1))
    assert figures([], []).solved_rate is None and figures([], []).first_offer is None
