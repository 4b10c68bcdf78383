"""Icebreakers' rules and messages without a database: the draw, the dates, the checks, the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.features.icebreakers import render, rules
from bot.i18n import translator

NOW = datetime(2026, 3, 23, 7, 0, tzinfo=UTC)  # a Monday


def bank(*kinds: str) -> list[rules.Candidate]:
    return [
        rules.Candidate(key=f"bank:{i}", text=f"Question {i}?", kind=kind) for i, kind in enumerate(kinds)
    ]


def test_the_communitys_new_question_comes_first() -> None:
    own = rules.Candidate(key="own:1", text="Ours?", question_id=1, suggested=True)
    chosen, cycle = rules.draw([own, *bank("light", "reflective")], [], seed=1)
    assert (chosen, cycle) == (own, 1)


def test_nothing_is_asked_twice_in_a_cycle_and_a_new_cycle_starts_when_all_were_asked() -> None:
    candidates = bank("light", "reflective")
    first, _ = rules.draw(candidates, [], seed=1)
    second, cycle = rules.draw(candidates, [(1, first.key)], seed=1)
    assert second.key != first.key and cycle == 1
    _third, cycle = rules.draw(candidates, [(1, first.key), (1, second.key)], seed=1)
    assert cycle == 2


def test_the_draw_avoids_two_questions_of_the_same_kind_in_a_row_and_is_reproducible() -> None:
    candidates = bank("light", "light", "reflective")
    chosen, _ = rules.draw(candidates, [(1, "bank:0")], seed=7)
    assert chosen.key == "bank:2"
    assert rules.draw(candidates, [], seed=7) == rules.draw(candidates, [], seed=7)


def test_rules_that_cannot_be_kept_say_why() -> None:
    assert rules.rule_problem("30 9 * * tue", "Europe/Paris", NOW) is None
    assert rules.rule_problem("every tuesday", "Europe/Paris", NOW) == "unreadable"
    assert rules.rule_problem("0 9 30 2 *", "Europe/Paris", NOW) == "never"
    assert rules.rule_problem("0 * * * *", "Europe/Paris", NOW) == "too_often"


def test_upcoming_dates_wait_for_the_gap_after_the_last_question() -> None:
    dates = rules.upcoming(NOW, "30 9 * * *", "UTC", None, None, count=2)
    assert dates == [datetime(2026, 3, 23, 9, 30, tzinfo=UTC), datetime(2026, 3, 24, 9, 30, tzinfo=UTC)]
    later = rules.upcoming(NOW, "30 9 * * *", "UTC", None, NOW, count=1)
    assert later == [datetime(2026, 3, 24, 9, 30, tzinfo=UTC)]
    assert rules.too_soon_until(None) is None
    assert rules.too_soon_until(NOW) == NOW + rules.MIN_GAP - timedelta(microseconds=1)


def test_questions_are_checked_for_length_mentions_and_repeats() -> None:
    assert rules.question_problem("", []) == ("empty", "")
    assert rules.question_problem("Why?", []) == ("short", "")
    assert rules.question_problem("x" * 301, []) == ("long", "")
    assert rules.question_problem("Ask @everyone something?", []) == ("mentions", "")
    assert rules.question_problem("what is your FAVOURITE tool", ["What is your favourite tool?"]) == (
        "duplicate",
        "What is your favourite tool?",
    )
    assert rules.question_problem("What is your favourite tool?", []) is None


def test_tags_are_read_in_either_language_and_all_means_every_tag() -> None:
    fr = translator("fr")
    known = ("light", "professional", "reflective")
    assert rules.parse_tags(fr, "professional, light", known) == (["professional", "light"], None)
    assert rules.parse_tags(fr, "tous", known) == ([], None)
    assert rules.parse_tags(fr, "light, nope", known) == ([], "nope")


def test_thread_titles_are_cut_at_a_word() -> None:
    assert rules.thread_title("short") == "short"
    title = rules.thread_title("word " * 40)
    assert len(title) <= 80 and title.endswith("…")


def test_the_question_message_credits_and_dates() -> None:
    _ = translator("en")
    candidate = rules.Candidate(key="own:1", text="Ours?", credit="<@alex>", suggested=True)
    message = render.question_message(_, candidate, threads=False, next_date="Tuesday")
    assert message.text == "Ours?\nQuestion suggested by <@alex>"
    assert message.footer == (
        "Answer below, or simply react. Next question: Tuesday. Yours could be next: /agora icebreaker suggest."
    )


def test_the_status_page_shows_answers_by_reaction_and_the_animators_fields() -> None:
    _ = translator("en")
    status = render.Status(
        upcoming=("Tuesday",),
        scheduled=True,
        paused=False,
        channel="icebreakers",
        done=2,
        total=10,
        last_question="Ours?",
        last_date="Monday",
        answers=3,
        animator=True,
        rule="30 9 * * tue",
        timezone="Europe/Paris",
        waiting=1,
    )
    text = render.status_message(_, status).plain()
    assert "Answers by reaction: 3 members reacted to it." in text
    assert "Rule: 30 9 * * tue (Europe/Paris time)" in text
    assert "1 suggestion is waiting" in text
    paused = render.status_message(_, render.Status((), True, True, None, 0, 10, animator=True)).plain()
    assert "Paused by the animators for now." in paused
    assert "Resume them with /agora icebreaker resume." in paused


def test_refusals_name_the_problem() -> None:
    _ = translator("en")
    assert "is not a schedule I can read" in render.rule_refusal(_, "unreadable", "x", "UTC")
    assert "less than 12 hours" in render.rule_refusal(_, "too_often", "x", "UTC")
    assert "already in the list" in render.question_refusal(_, ("duplicate", "Q?"), "q", "E?")
    suggestion = render.Suggestion(id=1, text="Q?", anonymous=False, status="approved", decided_by="cam")
    assert render.decision_text(_, suggestion).startswith("✅ Approved by <@cam>")
