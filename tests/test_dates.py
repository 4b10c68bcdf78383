"""Dates typed the way people type them, in French and in English, read in the community's time zone at the
bot's "now" (never the system clock): a table of what is read, daylight-saving changes included, and what is
refused, with a message that names the line and says why."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features.meetings.dates import (
    DateProblem,
    next_same_slot,
    parse_options,
    parse_when,
    slot_candidates,
)
from bot.features.meetings.render import describe_line
from bot.i18n import translator

PARIS = "Europe/Paris"
MONTREAL = "America/Montreal"


def at(zone: str, *args: int) -> datetime:
    """A wall-clock time in ``zone``, as the aware UTC moment the parser returns."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


# Monday 23 November 2026, 10:00 in Paris: the community's "now" for most rows.
NOW = at(PARIS, 2026, 11, 23, 10, 0)

READ = [
    # French
    ("mardi 1 déc 18h30", "fr", at(PARIS, 2026, 12, 1, 18, 30)),
    ("jeudi prochain 18h", "fr", at(PARIS, 2026, 11, 26, 18, 0)),
    ("demain 14h", "fr", at(PARIS, 2026, 11, 24, 14, 0)),
    ("après-demain 9h", "fr", at(PARIS, 2026, 11, 25, 9, 0)),
    ("aujourd'hui 18h", "fr", at(PARIS, 2026, 11, 23, 18, 0)),
    ("3 décembre à 19h", "fr", at(PARIS, 2026, 12, 3, 19, 0)),
    ("3 déc 18 h 30", "fr", at(PARIS, 2026, 12, 3, 18, 30)),
    ("le 5 janvier 2027 à 9h00", "fr", at(PARIS, 2027, 1, 5, 9, 0)),
    ("vendredi 18h30", "fr", at(PARIS, 2026, 11, 27, 18, 30)),
    ("ce vendredi 18h", "fr", at(PARIS, 2026, 11, 27, 18, 0)),
    ("mercredi 16 décembre à midi", "fr", at(PARIS, 2026, 12, 16, 12, 0)),
    ("dans 3 jours à 10h", "fr", at(PARIS, 2026, 11, 26, 10, 0)),
    ("1er décembre 18h", "fr", at(PARIS, 2026, 12, 1, 18, 0)),
    ("mar. 8 déc. 12h30", "fr", at(PARIS, 2026, 12, 8, 12, 30)),
    ("jeudi soir 8h", "fr", at(PARIS, 2026, 11, 26, 20, 0)),
    ("mercredi 2 décembre 2026, 19h", "fr", at(PARIS, 2026, 12, 2, 19, 0)),
    ("25/12 18h", "fr", at(PARIS, 2026, 12, 25, 18, 0)),
    ("2026/12/05 10h", "fr", at(PARIS, 2026, 12, 5, 10, 0)),
    # English
    ("next thursday 6pm", "en", at(PARIS, 2026, 11, 26, 18, 0)),
    ("tomorrow at 2pm", "en", at(PARIS, 2026, 11, 24, 14, 0)),
    ("2026-12-03 18:00", "en", at(PARIS, 2026, 12, 3, 18, 0)),
    ("2026-12-03T18:00", "en", at(PARIS, 2026, 12, 3, 18, 0)),
    ("Thursday 19:00", "en", at(PARIS, 2026, 11, 26, 19, 0)),
    ("Dec 3, 6 PM", "en", at(PARIS, 2026, 12, 3, 18, 0)),
    ("Jan 5 2027 9am", "en", at(PARIS, 2027, 1, 5, 9, 0)),
    ("friday 6:30pm", "en", at(PARIS, 2026, 11, 27, 18, 30)),
    ("Monday 30 November at 7.30pm", "en", at(PARIS, 2026, 11, 30, 19, 30)),
    ("in 2 days at 10am", "en", at(PARIS, 2026, 11, 25, 10, 0)),
    ("December 3rd at noon", "en", at(PARIS, 2026, 12, 3, 12, 0)),
    ("Wed 9 Dec 12:30", "en", at(PARIS, 2026, 12, 9, 12, 30)),
    ("tonight 8pm", "en", at(PARIS, 2026, 11, 23, 20, 0)),
    ("12/25 6pm", "en", at(PARIS, 2026, 12, 25, 18, 0)),  # 25 can only be the day
    # Either language is read in either community: members don't all speak the community's language.
    ("next thursday 6pm", "fr", at(PARIS, 2026, 11, 26, 18, 0)),
    ("jeudi prochain 18h", "en", at(PARIS, 2026, 11, 26, 18, 0)),
]


@pytest.mark.parametrize(("text", "language", "expected"), READ, ids=[f"{r[1]}: {r[0]}" for r in READ])
def test_a_date_is_read_in_the_communitys_time_zone(text: str, language: str, expected: datetime) -> None:
    parsed = parse_when(text, now=NOW, timezone=PARIS, language=language)

    assert parsed.start == expected
    assert parsed.start.tzinfo is not None and parsed.start.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert parsed.text == text


def test_the_brief_example_reads_on_a_year_where_the_3rd_of_december_is_a_tuesday() -> None:
    now = at(PARIS, 2030, 11, 25, 10, 0)
    assert parse_when("mardi 3 déc 12h30", now=now, timezone=PARIS, language="fr").start == at(
        PARIS, 2030, 12, 3, 12, 30
    )


def test_a_range_gives_the_option_its_own_end() -> None:
    parsed = parse_when("lundi 7 déc 18h-20h", now=NOW, timezone=PARIS, language="fr")
    assert (parsed.start, parsed.end) == (at(PARIS, 2026, 12, 7, 18, 0), at(PARIS, 2026, 12, 7, 20, 0))
    parsed = parse_when("from 6pm to 8pm on Friday 4 December", now=NOW, timezone=PARIS, language="en")
    assert (parsed.start, parsed.end) == (at(PARIS, 2026, 12, 4, 18, 0), at(PARIS, 2026, 12, 4, 20, 0))


DAYLIGHT_SAVING = [
    # Paris goes to summer time on Sunday 28 March 2027: 10:00 is 09:00 UTC the day before, 08:00 UTC that day.
    ("samedi 27 mars 10h", PARIS, at(PARIS, 2027, 3, 22, 10, 0), datetime(2027, 3, 27, 9, 0, tzinfo=UTC)),
    (
        "dimanche 28 mars 2027 10h",
        PARIS,
        at(PARIS, 2027, 3, 22, 10, 0),
        datetime(2027, 3, 28, 8, 0, tzinfo=UTC),
    ),
    # ... and back to winter time on Sunday 31 October 2027.
    ("samedi 30 oct 10h", PARIS, at(PARIS, 2027, 10, 25, 10, 0), datetime(2027, 10, 30, 8, 0, tzinfo=UTC)),
    (
        "dimanche 31 octobre 2027 10h",
        PARIS,
        at(PARIS, 2027, 10, 25, 10, 0),
        datetime(2027, 10, 31, 9, 0, tzinfo=UTC),
    ),
    # Montreal changes on Sunday 14 March 2027.
    (
        "Saturday March 13 2027 9am",
        MONTREAL,
        at(MONTREAL, 2027, 3, 8, 10, 0),
        datetime(2027, 3, 13, 14, 0, tzinfo=UTC),
    ),
    (
        "Sunday March 14 2027 9am",
        MONTREAL,
        at(MONTREAL, 2027, 3, 8, 10, 0),
        datetime(2027, 3, 14, 13, 0, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(
    ("text", "zone", "now", "expected"), DAYLIGHT_SAVING, ids=[r[0] for r in DAYLIGHT_SAVING]
)
def test_the_same_wall_clock_time_across_a_daylight_saving_change(
    text: str, zone: str, now: datetime, expected: datetime
) -> None:
    assert parse_when(text, now=now, timezone=zone, language="fr").start == expected


REFUSED = [
    ("hier 18h", "fr", "past"),
    ("yesterday 6pm", "en", "past"),
    ("today 9am", "en", "past"),  # it is 10:00
    ("2025-01-01 10:00", "en", "past"),
    ("blah 18h", "fr", "unreadable"),
    ("le 3 à 18h", "fr", "unreadable"),  # which month?
    ("32/12 10h", "fr", "invalid_date"),
    ("31/02 18h", "fr", "invalid_date"),
    ("32 décembre 12h", "fr", "invalid_date"),
    ("30 février 2027 10h", "fr", "invalid_date"),
    ("February 30 10am", "en", "invalid_date"),
    ("Monday, Nov. 31 at 6pm", "en", "invalid_date"),
    ("18h", "fr", "no_date"),
    ("mardi 1 déc", "fr", "no_time"),
    ("3 déc 20h-18h", "fr", "ends_before_start"),
    ("3 déc 18h 19h 20h", "fr", "several_times"),
    ("03/04 18h", "en", "ambiguous_order"),  # 3 April or March 4?
    ("mardi 3 déc 12h30", "fr", "weekday_mismatch"),  # 3 December 2026 is a Thursday
    ("5 mars 2029 18h", "fr", "too_far"),
    ("dimanche 28 mars 2027 à 2h30", "fr", "nonexistent"),  # clocks go from 2:00 to 3:00
    ("31 octobre 2027 2h30", "fr", "repeated"),  # 2:30 happens twice
]


@pytest.mark.parametrize(("text", "language", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_ambiguous_and_past_dates_are_refused(text: str, language: str, code: str) -> None:
    with pytest.raises(DateProblem) as refused:
        parse_when(text, now=NOW, timezone=PARIS, language=language)
    assert refused.value.code == code


def test_a_french_community_reads_a_numeric_date_day_first_and_says_so() -> None:
    parsed = parse_when("03/04 18h", now=NOW, timezone=PARIS, language="fr")
    assert parsed.start == at(PARIS, 2027, 4, 3, 18, 0)
    assert parsed.read_as == "day_month"


def test_a_time_skipped_in_montreal_is_refused_too() -> None:
    with pytest.raises(DateProblem) as refused:
        parse_when(
            "March 14 2027 2:30am", now=at(MONTREAL, 2027, 3, 8, 10, 0), timezone=MONTREAL, language="en"
        )
    assert refused.value.code == "nonexistent"


def test_the_reference_is_the_given_now_never_the_system_clock() -> None:
    long_ago = at(PARIS, 2020, 2, 3, 10, 0)
    assert parse_when("demain 14h", now=long_ago, timezone=PARIS, language="fr").start == at(
        PARIS, 2020, 2, 4, 14, 0
    )


def test_every_bad_line_is_named_with_why_in_the_communitys_language() -> None:
    options, problems = parse_options(
        "mardi 1 déc 18h30\nhier 18h\n\n03/04 18h; mardi 1 déc 18h30",
        now=NOW,
        timezone=PARIS,
        language="en",
    )

    assert [o.start for o in options] == [at(PARIS, 2026, 12, 1, 18, 30)]
    assert [(p.number, p.problem.code) for p in problems] == [
        (2, "past"),
        (3, "ambiguous_order"),
        (4, "duplicate"),
    ]
    english = [describe_line(translator("en"), p, PARIS) for p in problems]
    assert english[0].startswith(
        "Line 2 (“hier 18h”): It is in the past (Sunday 22 November 2026 at 6:00 PM)."
    )
    assert english[1] == (
        "Line 3 (“03/04 18h”): It could be 3 April 2027 or 4 March 2027. Write the month in words, or the full date "
        "like 2027-04-03."
    )
    assert english[2] == "Line 4 (“mardi 1 déc 18h30”): It is the same date as line 1."
    french = describe_line(translator("fr"), problems[0], PARIS)
    assert french == "Ligne 2 (« hier 18h ») : Cette date est passée (dimanche 22 novembre 2026 à 18:00)."


def test_a_weekday_that_does_not_match_the_date_is_explained() -> None:
    _, [problem] = parse_options("mardi 3 déc 12h30", now=NOW, timezone=PARIS, language="fr")
    assert describe_line(translator("fr"), problem, PARIS) == (
        "Ligne 1 (« mardi 3 déc 12h30 ») : Le 3 décembre 2026 est un jeudi, pas un mardi. Vérifiez le jour ou la date."
    )


def test_a_skipped_hour_is_explained() -> None:
    _, [problem] = parse_options(
        "28 mars 2027 2h30", now=at(PARIS, 2027, 3, 1, 9, 0), timezone=PARIS, language="en"
    )
    assert describe_line(translator("en"), problem, PARIS) == (
        "Line 1 (“28 mars 2027 2h30”): 02:30 doesn't exist that night in Europe/Paris: the clocks go forward an "
        "hour. Choose another time."
    )


def test_the_same_slot_keeps_its_local_time_across_daylight_saving() -> None:
    tuesday = at(PARIS, 2027, 3, 23, 19, 0)  # 18:00 UTC in winter
    assert next_same_slot(tuesday, PARIS, "1w") == at(PARIS, 2027, 3, 30, 19, 0)  # 17:00 UTC in summer
    assert next_same_slot(tuesday, PARIS, "1w").hour == 17


def test_monthly_is_the_same_weekday_of_the_month() -> None:
    second_tuesday = at(PARIS, 2026, 11, 10, 19, 0)
    assert next_same_slot(second_tuesday, PARIS, "monthly") == at(PARIS, 2026, 12, 8, 19, 0)
    fifth_tuesday = at(PARIS, 2026, 12, 29, 19, 0)  # January 2027 has four Tuesdays: the last one
    assert next_same_slot(fifth_tuesday, PARIS, "monthly") == at(PARIS, 2027, 1, 26, 19, 0)


def test_the_next_poll_proposes_dates_around_the_cadence_all_in_the_future() -> None:
    meeting = at(PARIS, 2026, 11, 26, 18, 0)  # a Thursday
    assert slot_candidates(meeting, PARIS, "4w", after=at(PARIS, 2026, 11, 27, 9, 0)) == [
        at(PARIS, 2026, 12, 17, 18, 0),
        at(PARIS, 2026, 12, 24, 18, 0),
        at(PARIS, 2026, 12, 25, 18, 0),
        at(PARIS, 2026, 12, 31, 18, 0),
    ]
    # A weekly cadence: a week before the slot is the meeting just held, so it isn't proposed.
    assert at(PARIS, 2026, 11, 26, 18, 0) not in slot_candidates(meeting, PARIS, "1w", after=meeting)
