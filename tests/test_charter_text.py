"""The pure parts of the charter: sections read from what members type, the changes between two versions, and how
an amendment vote is decided."""

from __future__ import annotations

import pytest

from bot.features.charter.rules import Rule, Tally, decide, parse_share
from bot.features.charter.text import CharterContent, diff, parse_people, parse_section, section_text

V1 = CharterContent(
    objective="Help Lyon's freelancers grow together.",
    animators=(("Camille", "I freelanced alone for three years."),),
    rights=("Suggest a topic", "Leave at any time"),
    duties=("No sales pitches", "Kindness"),
)


def test_lists_are_read_one_item_per_line_whatever_the_bullets() -> None:
    typed = "• Suggest a topic\n\n- Leave at any time  \n2) Be introduced\n* Ask for help"
    assert parse_section("rights", typed) == (
        "Suggest a topic",
        "Leave at any time",
        "Be introduced",
        "Ask for help",
    )


def test_animators_are_read_as_name_and_motivation() -> None:
    typed = "Camille — I freelanced alone.\nJean-Pierre - Loves people\nAli: Two years here\nDominique"
    assert parse_people(typed) == (
        ("Camille", "I freelanced alone."),
        ("Jean-Pierre", "Loves people"),
        ("Ali", "Two years here"),
        ("Dominique", ""),
    )


def test_a_section_written_back_reads_the_same() -> None:
    for section in ("objective", "animators", "rights", "duties"):
        assert V1.with_section(section, section_text(V1, section)) == V1


def test_the_diff_says_what_was_added_removed_and_changed_per_section() -> None:
    v2 = CharterContent(
        objective="Help freelancers grow together, in Lyon and beyond.",
        animators=(("Camille", "Three years alone taught me."), ("Ali", "Two years here")),
        rights=("Suggest a topic or a meeting", "Leave at any time", "Propose an amendment"),
        duties=("No sales pitches",),
    )
    assert [(c.section, c.kind, c.old, c.new) for c in diff(V1, v2)] == [
        ("objective", "changed", V1.objective, v2.objective),
        (
            "animators",
            "changed",
            "Camille — I freelanced alone for three years.",
            "Camille — Three years alone taught me.",
        ),
        ("animators", "added", "", "Ali — Two years here"),
        ("rights", "changed", "Suggest a topic", "Suggest a topic or a meeting"),
        ("rights", "added", "", "Propose an amendment"),
        ("duties", "removed", "Kindness", ""),
    ]
    assert diff(V1, V1) == []


@pytest.mark.parametrize(
    ("text", "share"),
    [("30%", 0.3), ("30 %", 0.3), ("0.3", 0.3), ("0,3", 0.3), ("2/3", 0.6667), ("100%", 1.0), ("0", 0.0)],
)
def test_shares_are_read_as_people_write_them(text: str, share: float) -> None:
    assert parse_share(text) == share


@pytest.mark.parametrize("text", ["lots", "150%", "4/3", "1/0", "-10%", ""])
def test_unreadable_shares_are_refused(text: str) -> None:
    assert parse_share(text) is None


def test_the_quorum_counts_abstentions_and_the_majority_does_not() -> None:
    rule = Rule("community", electorate=10, quorum=0.3, majority=0.5)
    assert rule.votes_needed == 3
    assert decide(rule, Tally(2, 0, 0)).quorum_reached is False
    decided = decide(rule, Tally(2, 1, 5))
    assert decided.quorum_reached and decided.majority_reached and decided.adopted
    assert not decide(rule, Tally(2, 2, 4)).adopted  # a tie is not "more than half"
    assert decide(Rule("community", 10, 0.3, 1.0), Tally(3, 0, 1)).adopted  # unanimity of the votes cast
    assert not decide(Rule("community", 10, 0.3, 1.0), Tally(3, 1, 0)).adopted
    assert Rule("community", electorate=0, quorum=0.3, majority=0.5).votes_needed == 1


def test_a_committee_needs_more_than_its_majority_of_members() -> None:
    three = Rule("committee", electorate=3, quorum=0.3, majority=0.5)
    assert three.approvals_needed == 2
    assert decide(three, Tally(2, 1, 0)).adopted
    assert not decide(three, Tally(1, 0, 0)).adopted
    assert Rule("committee", electorate=4, quorum=0, majority=0.5).approvals_needed == 3
    assert Rule("committee", electorate=3, quorum=0, majority=1.0).approvals_needed == 3
