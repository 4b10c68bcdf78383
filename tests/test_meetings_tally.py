"""The poll tally, a pure function: most yes wins, then most if-need-be; what is still level is a tie."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.features.meetings.tally import CHOICES, MAYBE, NO, YES, count


def test_most_yes_wins() -> None:
    tally = count([1, 2, 3], [(1, "alice", YES), (2, "alice", YES), (2, "bob", YES), (3, "bob", MAYBE)])
    assert tally.winner() == 2
    assert tally.of(2).yes == ("alice", "bob")


def test_if_need_be_breaks_a_tie_on_yes() -> None:
    tally = count([1, 2], [(1, "alice", YES), (2, "bob", YES), (2, "carol", MAYBE), (1, "carol", NO)])
    assert tally.winner() == 2


def test_still_level_is_a_tie_for_the_organiser() -> None:
    tally = count([1, 2, 3], [(1, "alice", YES), (2, "bob", YES), (3, "carol", NO)])
    assert tally.best() == (1, 2)
    assert tally.winner() is None


def test_nobody_can_come_ties_every_option() -> None:
    tally = count([1, 2], [(1, "alice", NO), (2, "alice", NO)])
    assert tally.best() == (1, 2)
    assert count([1, 2], []).best() == (1, 2)


def test_only_eligible_options_can_win() -> None:
    tally = count([1, 2], [(1, "alice", YES), (1, "bob", YES), (2, "carol", YES)])
    assert tally.winner(eligible=[2]) == 2
    assert tally.best(eligible=[]) == ()


def test_a_changed_answer_replaces_the_first_and_who_answered_everything_is_known() -> None:
    tally = count([1, 2], [(1, "alice", YES), (1, "alice", NO), (2, "alice", MAYBE), (1, "bob", YES)])
    assert tally.of(1).yes == ("bob",) and tally.of(1).no == ("alice",)
    assert tally.complete == {"alice"}
    assert tally.voters == {"alice", "bob"}


def test_unknown_options_and_choices_are_ignored() -> None:
    tally = count([1], [(9, "alice", YES), (1, "bob", "perhaps")])
    assert tally.voters == frozenset()


answers = st.lists(
    st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(CHOICES)),
    max_size=40,
)


@given(answers)
def test_each_member_counts_once_per_option(given_answers: list[tuple[int, str, str]]) -> None:
    tally = count([1, 2, 3], given_answers)
    for option in tally.options:
        everyone = [*option.yes, *option.maybe, *option.no]
        assert len(everyone) == len(set(everyone))
        assert set(everyone) == {m for o, m, _ in given_answers if o == option.option}
    best = tally.best()
    assert best and all(tally.of(b).score == tally.of(best[0]).score for b in best)
    assert all(o.score <= tally.of(best[0]).score for o in tally.options)
