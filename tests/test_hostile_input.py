"""What crashed handlers once, on SQLite and on PostgreSQL, now refused politely with nothing lost: numbers a
column can't hold, a NUL byte or a broken character in a text, texts longer than their column, time zones of 256
characters and more, durations that overflow the calendar, a cron rule longer than its column. The fuzz
(``test_fuzz_hypothesis.py``) tries all of it everywhere; these are the stories, one per kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.events import CommandInvoked
from bot.router import FORM_TEXT_LIMIT
from bot.settings.types import DELAY, DURATION, OFF_OR_DELAY, OFF_OR_DURATION, column_length
from storage.models import Schedule
from storage.tables.icebreakers import IcebreakerQuestion
from tests.support import members


async def arrive(h: ConsoleCommunity, name: str, locale: str) -> None:
    await h.join(name)
    await h.press(name, "J'accepte la charte" if locale == "fr" else "I accept the charter")


async def refused(h: ConsoleCommunity, who: str, text: str) -> str:
    outcome = await h.command(who, text)
    assert outcome.error == "refused", (text, outcome)
    return outcome.replies[0].text


@pytest.mark.parametrize(
    "command",
    [
        "charter version number={n}",
        "charter withdraw number={n}",
        "debate close debate={n}",
        "round snooze rounds={n}",
    ],
)
async def test_a_number_beyond_what_a_column_holds_is_refused(h: ConsoleCommunity, command: str) -> None:
    for number in (2**31, 99_999_999_999, -(2**31) - 1):
        text = await refused(h, "camille", command.format(n=number))
        assert text.startswith(f"“{number}” is not a whole number")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("icebreaker suggest", {"question": "What tool saved your week?\x00"}),
        ("members", {"search": "a\x00b"}),
        ("whois", {"member": "<@a\x00b>"}),
        ("round avoid", {"member": "<@a\x00b>"}),
        ("debate propose", {"motion": "Remote work \ud800 weakens networks"}),
    ],
)
async def test_a_nul_byte_or_a_broken_character_is_refused_with_nothing_recorded(
    h: ConsoleCommunity, name: str, args: dict[str, str]
) -> None:
    """As Discord sends typed options (the text commands of Slack and the console drop NUL bytes as they split
    the words)."""
    await members(h, "alice")
    event = CommandInvoked(
        community=h.ref, actor=h.member("alice"), name=name, args=args, delivery_id="hostile:1"
    )
    outcome = await h.deliver(event, actor="alice")
    assert outcome.error == "refused"
    text = outcome.replies[0].text
    assert "is not a text I can keep" in text and "\x00" not in text and "\ud800" not in text


async def test_control_characters_are_dropped_from_a_text_and_line_breaks_kept(h: ConsoleCommunity) -> None:
    await members(h, "alice")
    await h.command("alice", "icebreaker suggest")
    outcome = await h.submit(
        "alice", "icebreaker:suggest", {"question": "What\x07 tool\x1b[31m saved\r\nyour week?\x7f"}
    )
    assert outcome.error is None, outcome
    assert h.database is not None
    async with h.database.transaction() as session:
        [suggestion] = (await session.scalars(select(IcebreakerQuestion))).all()
    assert suggestion.text == "What tool[31m saved your week?"  # on one line, as every question


@pytest.mark.parametrize(
    ("locale", "broken", "long"),
    [
        ("en", "This text has characters I can't keep", f"at most {FORM_TEXT_LIMIT})"),
        ("fr", "Ce texte contient des caractères que je ne peux pas garder", f"{FORM_TEXT_LIMIT} au maximum"),
    ],
)
async def test_a_form_field_with_a_nul_byte_or_too_long_is_refused_by_name_in_both_languages(
    make_harness: Callable[..., ConsoleCommunity], locale: str, broken: str, long: str
) -> None:
    async with make_harness(locale) as h:
        await arrive(h, "alice", locale)
        outcome = await h.submit("alice", "icebreaker:suggest", {"question": "Why\x00?"})
        assert outcome.error == "form" and outcome.form_errors is not None
        assert outcome.form_errors["question"].startswith(broken)
        outcome = await h.submit("alice", "icebreaker:suggest", {"question": "?" * (FORM_TEXT_LIMIT + 1)})
        assert outcome.form_errors is not None and long in outcome.form_errors["question"]
        assert h.database is not None
        async with h.database.transaction() as session:
            assert not (await session.scalars(select(IcebreakerQuestion))).all()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "The search you wrote is too long (2001 characters; at most 2000)."),
        ("fr", "Le texte de search est trop long (2001 caractères ; 2000 au plus)."),
    ],
)
async def test_an_option_too_long_is_refused_naming_its_limit_in_both_languages(
    make_harness: Callable[..., ConsoleCommunity], locale: str, expected: str
) -> None:
    async with make_harness(locale) as h:
        await arrive(h, "alice", locale)
        assert await refused(h, "alice", "members search=" + "x" * 2001) == expected


async def test_a_meeting_title_longer_than_its_column_is_refused_by_the_form(h: ConsoleCommunity) -> None:
    await h.command("camille", "meeting poll")
    outcome = await h.submit(
        "camille", "meeting_poll", {"title": "T" * 201, "options": "2026-12-03 18:00", "place": "P" * 301}
    )
    assert outcome.form_errors == {
        "title": "The name is too long: 200 characters at most.",
        "place": "The place is too long: 300 characters at most.",
    }


@pytest.mark.parametrize("command", ["meeting timezone zone={zone}", "setup timezone={zone}"])
async def test_a_time_zone_of_256_characters_or_more_is_refused(h: ConsoleCommunity, command: str) -> None:
    await members(h, "alice")
    for zone in ("A" * 256, "Europe/" * 60, "x" * 1999):
        text = await refused(h, "camille", command.format(zone=zone))
        assert "is not a time zone I know" in text


async def test_a_cron_rule_longer_than_its_column_is_refused(h: ConsoleCommunity) -> None:
    limit = column_length(Schedule.cron)
    rule = "0 18 * * " + ",".join(["mon", "tue", "wed", "thu", "fri"] * 6)  # valid, and too long to keep
    assert len(rule) > limit
    for command in (f'icebreaker schedule rule="{rule}"', f'debate settings schedule="{rule}"'):
        text = await refused(h, "camille", command)
        assert f"at most {limit}" in text or "is not a schedule I understand" in text
    assert h.database is not None
    async with h.database.transaction() as session:
        assert all(len(s.cron) <= limit for s in (await session.scalars(select(Schedule))).all())


async def test_every_duration_option_refuses_durations_that_overflow_the_calendar(
    h: ConsoleCommunity,
) -> None:
    """Every option of every command that reads a duration (found in the router: a new one is covered), and the
    duration options that are free texts (charter rules, debate start, meeting poll closes)."""
    assert h.app is not None
    durations = [
        f"{spec.name} {option.name}={{d}}"
        for spec in h.app.router.commands.values()
        for option in spec.options
        if option.value_kind in (DURATION, DELAY, OFF_OR_DURATION, OFF_OR_DELAY)
        or option.value_kind.name in ("debate duration", "reminders", "cadence")
    ]
    durations += [
        "charter rules vote_duration={d}",
        "charter rules grace_period={d}",
        "charter rules reacceptance_reminder_after={d}",
        "setup charter_reminder_after={d}",
        'debate start motion="Remote work weakens networks" duration={d}',
        "meeting poll closes={d}",
    ]
    assert len(durations) >= 15
    for command in durations:
        for duration in ("99999999999d", "999999999w", "9" * 30 + "s"):
            outcome = await h.command("camille", command.format(d=duration))
            assert outcome.error is not None or outcome.form is not None, (command, duration, outcome)


async def test_a_huge_date_in_a_help_request_is_refused_quoting_an_excerpt(h: ConsoleCommunity) -> None:
    """Found by the hypothesis fuzz: the refusal quoted the whole text (4,000 characters and more)."""
    await members(h, "alice")
    await h.command("alice", "ask")
    outcome = await h.submit(
        "alice", "help:ask", {"need": "a hand", "when": "👩\u200d👩" * 2_000, "visibility": "x" * 3_000}
    )
    assert outcome.form_errors is not None
    assert outcome.form_errors["when"].startswith("I can't read “👩")
    assert all(len(error) < 300 for error in outcome.form_errors.values()), outcome.form_errors


async def test_a_huge_line_of_a_date_poll_is_refused_quoting_an_excerpt(h: ConsoleCommunity) -> None:
    """Found by the hypothesis fuzz: a group's "Find a time" form (and the meeting poll's) quoted a 2,000-character
    line whole in its error."""
    await h.command("camille", "meeting poll")
    outcome = await h.submit("camille", "meeting_poll", {"title": "Meetup", "options": "x" * 1_999})
    assert outcome.form_errors is not None
    error = outcome.form_errors["options"]
    assert error.startswith("Line 1 (“xxx") and len(error) < 300, error
