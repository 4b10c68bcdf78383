"""The debate's close in figures, on a fixture: distribution before and after, minds changed and in which
direction, shares that add up to 100, and the most-replied arguments when a platform gives them."""

from __future__ import annotations

import pytest

from bot.features.debates.summary import Argument, Shift, Stance, percentages, summarize

POSITIONS = ("For", "Against", "Nuanced")
FOR, AGAINST, NUANCED = 0, 1, 2

# Ten members: where each stood first, and at the close.
FIXTURE = [
    Stance(FOR, FOR, "<@ana>"),
    Stance(FOR, FOR, "<@ben>"),
    Stance(FOR, NUANCED, "<@chloe>"),  # moved
    Stance(FOR, AGAINST, "<@dan>"),  # moved
    Stance(AGAINST, AGAINST, "<@eve>"),
    Stance(AGAINST, NUANCED, "<@fay>"),  # moved
    Stance(NUANCED, NUANCED, "<@gus>"),
    Stance(FOR, NUANCED, "<@hugo>"),  # moved
    Stance(AGAINST, AGAINST, "<@ines>"),  # went to For and came back: not a change of mind
    Stance(NUANCED, FOR, "<@jo>"),  # moved
]


def test_the_summary_counts_and_shifts_match_the_fixture() -> None:
    summary = summarize(POSITIONS, FIXTURE)

    assert summary.participants == 10
    assert summary.before == (5, 3, 2)
    assert summary.after == (3, 3, 4)
    assert summary.percents == (30, 30, 40)
    assert summary.net == (-2, 0, +2)
    assert summary.changed == 5
    assert summary.shifts == (
        Shift(FOR, NUANCED, 2, ("<@chloe>", "<@hugo>")),
        Shift(FOR, AGAINST, 1, ("<@dan>",)),
        Shift(AGAINST, NUANCED, 1, ("<@fay>",)),
        Shift(NUANCED, FOR, 1, ("<@jo>",)),
    )
    assert summary.leading == (NUANCED,)
    assert summary.holders[AGAINST] == ("<@dan>", "<@eve>", "<@ines>")


def test_without_names_the_counts_are_the_same() -> None:
    anonymous = [Stance(s.first, s.final) for s in FIXTURE]

    summary = summarize(POSITIONS, anonymous)

    assert (summary.before, summary.after, summary.changed) == ((5, 3, 2), (3, 3, 4), 5)
    assert [(s.source, s.target, s.count) for s in summary.shifts] == [
        (0, 2, 2),
        (0, 1, 1),
        (1, 2, 1),
        (2, 0, 1),
    ]
    assert all(s.members == () for s in summary.shifts)
    assert summary.holders == ((), (), ())


def test_a_debate_nobody_joined() -> None:
    summary = summarize(POSITIONS, [])

    assert summary.participants == 0
    assert summary.after == summary.before == (0, 0, 0)
    assert summary.percents == (0, 0, 0)
    assert summary.changed == 0 and summary.shifts == ()
    assert summary.leading == ()


def test_ties_lead_together() -> None:
    summary = summarize(("Yes", "No"), [Stance(0, 0), Stance(1, 1)])

    assert summary.leading == (0, 1)
    assert summary.percents == (50, 50)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((1, 1, 1), (34, 33, 33)),
        ((2, 1), (67, 33)),
        ((1, 1, 1, 1, 1, 1, 1), (15, 15, 14, 14, 14, 14, 14)),
        ((0, 5, 0), (0, 100, 0)),
        ((7, 0, 0, 0, 0), (100, 0, 0, 0, 0)),
    ],
)
def test_shares_always_add_up_to_100(counts: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert percentages(counts) == expected
    assert sum(percentages(counts)) == 100


def test_the_most_replied_arguments_come_first_and_silent_ones_are_left_out() -> None:
    arguments = [
        Argument("Distance kills the coffee-machine chat", 2, "<@ana>"),
        Argument("Online events reach people outside the city", 7, "<@ben>"),
        Argument("Nobody answered this one", 0, "<@chloe>"),
        Argument("It depends on the rituals we keep", 7, "<@dan>"),
        Argument("A small one", 1, "<@eve>"),
    ]

    summary = summarize(POSITIONS, FIXTURE, arguments, top_arguments=3)

    assert [a.excerpt for a in summary.arguments] == [
        "Online events reach people outside the city",  # 7 replies, posted first
        "It depends on the rituals we keep",  # 7 replies
        "Distance kills the coffee-machine chat",
    ]


def test_no_arguments_from_the_platform_means_no_arguments_part() -> None:
    assert summarize(POSITIONS, FIXTURE).arguments == ()


def test_a_stance_outside_the_positions_is_refused() -> None:
    with pytest.raises(ValueError, match="position 3 is not one of the 3 positions"):
        summarize(POSITIONS, [Stance(0, 3)])
