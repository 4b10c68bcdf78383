"""The health report's pure rules, no database: shares of the step before, changes, who is at risk, which
figures moved most, and the one action the digest suggests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.features.health import rules
from bot.features.health.render import signed, suggestion_text
from bot.i18n import translator
from bot.router import command_text

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def facts(**changes: object) -> rules.Facts:
    values: dict[str, object] = {
        "now": NOW,
        "next_meeting_at": NOW + timedelta(days=10),
        "last_meeting_fixed_at": NOW - timedelta(days=3),
        "open_polls": 0,
        "not_introduced": 0,
        "at_risk": 0,
        "debates_held": 2,
        "active": 20,
    }
    values.update(changes)
    return rules.Facts(**values)  # type: ignore[arg-type]


def test_shares_are_of_the_step_before_and_changes_of_the_period_before() -> None:
    stages = [
        ("joined", "Joined"),
        ("accepted", "Accepted"),
        ("introduced", "Introduced"),
        ("round", "Round"),
    ]
    funnel = rules.funnel(stages, [40, 30, 20, 0], [20, 16, 0, 0])
    assert [s.share for s in funnel] == [None, 0.75, 20 / 30, 0.0]
    assert [s.previous_share for s in funnel] == [None, 0.8, 0.0, None]  # nothing to take a share of
    assert [s.change for s in funnel] == [20, 14, 20, 0]
    assert rules.share(3, 0) is None and rules.share(0, 5) == 0


def test_at_risk_after_thirty_days_with_nothing_past_the_charter() -> None:
    joined = NOW - timedelta(days=31)
    assert rules.at_risk(joined, NOW, went_further=False)
    assert not rules.at_risk(NOW - timedelta(days=29), NOW, went_further=False)
    assert not rules.at_risk(joined, NOW, went_further=True)
    assert not rules.at_risk(joined, NOW, went_further=False, left=True)


def test_what_moved_most_is_relative_to_where_it_was() -> None:
    changes = [
        rules.Change("joined", "Joined", 40, 20),  # +20 on 20: 1.0
        rules.Change("met", "Met", 9, 2),  # +7 on at least 3: 2.33
        rules.Change("flat", "Flat", 5, 5),  # did not move: never listed
        rules.Change("tiny", "Tiny", 1, 0),  # +1 on at least 3: 0.33
        rules.Change("rate", "Rate", 0.75, 0.5, "rate"),  # 25 points: 0.25
        rules.Change("drop", "Drop", 0, 10),  # −10 on 10: 1.0, after "joined" (same score, less moved)
    ]
    assert [c.key for c in rules.top_changes(changes)] == ["met", "joined", "drop"]
    assert [c.key for c in rules.top_changes(changes, 10)] == ["met", "joined", "drop", "tiny", "rate"]
    assert rules.top_changes([rules.Change("flat", "Flat", 1, 1)]) == []


def test_one_suggestion_first_that_applies() -> None:
    assert rules.suggest(facts()) is None
    never = facts(next_meeting_at=None, last_meeting_fixed_at=None, not_introduced=12)
    assert rules.suggest(never) == rules.Suggestion("meeting", 0)
    seven_weeks = facts(next_meeting_at=None, last_meeting_fixed_at=NOW - timedelta(weeks=7))
    assert rules.suggest(seven_weeks) == rules.Suggestion("meeting", 7)
    # A poll is open, or the last was fixed five weeks ago: no meeting suggestion.
    assert rules.suggest(facts(next_meeting_at=None, last_meeting_fixed_at=None, open_polls=1)) is None
    assert rules.suggest(facts(next_meeting_at=None, last_meeting_fixed_at=NOW - timedelta(weeks=5))) is None
    assert rules.suggest(facts(not_introduced=12, at_risk=9)) == rules.Suggestion("introductions", 12)
    assert rules.suggest(facts(not_introduced=2, at_risk=9)) == rules.Suggestion("round", 9)
    assert rules.suggest(facts(debates_held=0)) == rules.Suggestion("debate")
    assert rules.suggest(facts(debates_held=0, active=1)) is None  # nobody to debate with


def test_suggestions_in_words_with_the_command() -> None:
    en, fr = translator("en"), translator("fr")
    twelve = rules.Suggestion("introductions", 12)
    assert suggestion_text(en, twelve, command_text) == (
        "12 newcomers have not introduced themselves: /agora newcomers"
    )
    assert suggestion_text(fr, twelve, command_text) == (
        "12 nouveaux membres ne se sont pas présentés : /agora newcomers"
    )
    assert suggestion_text(en, rules.Suggestion("meeting", 6), command_text) == (
        "No meeting fixed for 6 weeks: /agora meeting poll"
    )
    assert suggestion_text(fr, rules.Suggestion("meeting", 6), command_text) == (
        "Aucune rencontre fixée depuis 6 semaines : /agora meeting poll"
    )
    assert signed(en, 3) == "+3" and signed(en, -2) == "\u22122" and signed(en, 0) == "="
