"""The meetings package's declarations and pure parts: rules and render without a database, the settings'
own kinds, the personal data it declares, and its health counts on a console community."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.features.meetings import MeetingPollsFeature, MeetingsFeature, MissionsFeature
from bot.features.meetings.render import display_name, format_duration_words, names_text, settings_page
from bot.features.meetings.rules import places_to_give, rsvp_status
from bot.features.meetings.settings import CADENCE, REMINDERS, MeetingSettings
from bot.i18n import translator
from bot.messages import unmarked
from storage.models import Community, Member
from tests.support import community, health_figure, members, open_poll, paris, until

EN = translator("en")
FR = translator("fr")


# --- rules ------------------------------------------------------------------------------------------------------


def test_going_joins_the_waiting_list_once_the_places_are_taken() -> None:
    assert rsvp_status("going", 2, 3) == "going"
    assert rsvp_status("going", 3, 3) == "waitlist"
    assert rsvp_status("going", 50, None) == "going"
    assert rsvp_status("maybe", 3, 3) == "maybe"
    assert rsvp_status("not_going", 3, 3) == "not_going"


def test_free_places_go_to_the_waiting_list_in_order() -> None:
    assert places_to_give(["a", "b", "c"], 2, 3) == ["a"]
    assert places_to_give(["a", "b", "c"], 3, 5) == ["a", "b"]
    assert places_to_give(["a", "b"], 4, 3) == []  # the capacity was lowered below who is going
    assert places_to_give(["a", "b"], 4, None) == ["a", "b"]  # no limit any more: everyone is in


# --- render -----------------------------------------------------------------------------------------------------


def test_the_settings_page_shows_each_setting_as_an_animator_reads_it() -> None:
    page = settings_page(EN, MeetingSettings(), "How meetings work here")
    shown = {f.name: f.value for f in page.fields}
    assert page.title == "How meetings work here" and page.ephemeral
    assert shown["Reminders before"] == "1d, 1h"
    assert shown["Nudge after"] == "1d" and shown["Places"] == "no limit"
    assert shown["After a meeting"] == "a new date poll"
    assert shown["Poll closes before the first date"] == "1d"
    off = settings_page(FR, MeetingSettings(nudge_after="off", reminders="off", capacity=8), "x")
    values = [f.value for f in off.fields]
    assert values[2] == values[3] == FR("off") and "8" in values


def test_names_and_cadences_read_naturally() -> None:
    assert names_text(EN, []) == "—"
    many = names_text(EN, [str(i) for i in range(17)])
    assert many.endswith("and 2 others") and many.count("<@") == 15
    assert format_duration_words(EN, "4w") == "4 weeks" and format_duration_words(EN, "10d") == "10 days"

    class Someone:
        display_name = ""
        external_id = "U1"

    assert display_name(Someone()) == "U1"


# --- settings ---------------------------------------------------------------------------------------------------


def test_the_meeting_kinds_read_and_show_their_values() -> None:
    assert REMINDERS.read("2h, 48h") == [timedelta(hours=48), timedelta(hours=2)]
    assert (
        REMINDERS.read("off") is None and REMINDERS.show([timedelta(days=2), timedelta(hours=2)]) == "2d,2h"
    )
    assert CADENCE.read("Monthly") == "monthly" and CADENCE.read("2 w") == "2w"
    for bad in ("sometimes", "2h"):
        with pytest.raises(ValueError):
            CADENCE.read(bad)
    with pytest.raises(ValueError):
        REMINDERS.read("soon")
    assert MeetingSettings.model_validate({"capacity": "none", "reminders": None}).capacity is None


def test_the_settings_command_is_the_core_one() -> None:
    assert MeetingsFeature.settings_command == "meeting settings"
    assert [f.settings for f in (MeetingPollsFeature, MissionsFeature)] == [None, None]


# --- personal data and health -----------------------------------------------------------------------------------


def test_every_meeting_table_naming_a_member_is_declared() -> None:
    declared = {
        (item.tablename, item.member)
        for cls in (MeetingsFeature, MissionsFeature, MeetingPollsFeature)
        for item in cls.personal_data
    }
    assert declared == {
        ("meeting_rsvps", "member_id"),
        ("meeting_preferences", "member_id"),
        ("meetings", "created_by"),
        ("meetings", "recap_by"),
        ("meeting_mission_draws", "member_id"),
        ("meeting_poll_answers", "member_id"),
        ("meeting_polls", "created_by"),
    }


async def test_health_counts_who_came_meetings_held_and_polls_answered(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, nudge_after="off") as h:
        await members(h, "alice", "bob")
        await open_poll(h, options="2026-12-03 18:00")
        await h.press("alice", "Answer")
        await h.press("alice", "✅ 1")
        await h.press("bob", "Answer")
        await h.press("bob", "❌ 1")
        await h.command("camille", "meeting close")
        await h.press("alice", "Going")
        await h.press("bob", "Maybe")
        since = paris(2026, 11, 1, 0, 0)
        assert h.database is not None
        async with h.database.transaction() as session:
            community_id = await session.scalar(select(Community.id))
            assert community_id is not None
            assert await health_figure(session, "meetings_held", community_id, since) == 0
            assert await health_figure(session, "polls_answered", community_id, since) == 2
        await until(h, paris(2026, 12, 3, 21, 0))
        async with h.database.transaction() as session:
            assert await health_figure(session, "came_to_a_meeting", community_id, since) == 1
            assert await health_figure(session, "meetings_held", community_id, since) == 1
            later = paris(2026, 12, 4, 0, 0)
            assert await health_figure(session, "came_to_a_meeting", community_id, later) == 0
            assert await session.scalar(select(Member.id).where(Member.external_id == "alice"))


def test_no_limit_is_said_with_the_shared_off_words_or_unlimited() -> None:
    from bot.features.meetings.rules import means_no_limit

    for text in ("none", "aucune", "off", "Unlimited", "illimité", "0", "no limit"):
        assert means_no_limit(text), text
    for text in ("12", "lots"):
        assert not means_no_limit(text), text


def test_mission_cards_render_from_plain_data() -> None:
    from bot.content import ContentItem
    from bot.features.meetings import render

    venue = ContentItem("venue", "Find the venue: a place for the next meeting")
    notes = ContentItem("take-notes", "Take the notes: write the recap", author="Sam")
    post = render.missions_post(EN, "Meetup", 7, [("U1", venue)])
    assert post.title == "Thank you for coming to “Meetup”!"
    assert post.fields[0].value == "• <@U1> — Find the venue" and post.buttons[0].ref == "7"
    assert render.missions_post(EN, "Meetup", 7, []).fields == ()
    drawn = render.mission_drawn(EN, notes)
    assert drawn.title == "Your mission: Take the notes" and drawn.footer == "Card suggested by Sam"
    assert "I'll ask you for the recap" in drawn.text
    listed = render.missions_list(EN, "Meetup", "today", [("Alice", venue)])
    assert [(f.name, f.value) for f in listed.fields] == [("Alice", venue.text)]


def test_a_poll_and_a_ballot_render_from_plain_data() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from bot.features.meetings import render
    from bot.features.meetings.tally import count

    start = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    options = [
        SimpleNamespace(id=1, position=1, starts_at=start, ends_at=None),
        SimpleNamespace(id=2, position=2, starts_at=start + timedelta(days=2), ends_at=None),
    ]
    poll = SimpleNamespace(
        id=5, title="Meetup", place="", duration_minutes=120, capacity=None, status="open",
        closes_at=start - timedelta(days=3), automatic=False, chosen_option_id=None, created_by="U9",
    )  # fmt: skip
    tally = count([1, 2], [(1, "U1", "yes"), (2, "U1", "maybe")])
    post = render.poll_message(EN, poll, options, tally, "Europe/Paris", start - timedelta(days=4))  # type: ignore[arg-type]
    assert post.title == "Meetup" and post.buttons[0].label == "Answer"
    assert post.fields[0].name == "1. Tue 1 Dec, 6:30 PM" and post.fields[0].value.startswith(
        "✅ 1 · 🤔 0 · ❌ 0"
    )
    tied = SimpleNamespace(**{**vars(poll), "status": "tie"})
    said = render.poll_message(EN, tied, options, count([1, 2], []), "Europe/Paris", start)  # type: ignore[arg-type]
    assert "nobody answered: <@U9> chooses the date" in said.text and said.buttons == ()
    ballot = render.ballot(EN, poll, options, {1: "yes"}, 0, "Europe/Paris", start)  # type: ignore[arg-type]
    assert ballot.title == "Your answers: Meetup" and ballot.ephemeral
    assert [f.value for f in ballot.fields] == ["Your answer: ✅ yes", "Not answered yet"]
    assert len(ballot.buttons) == 2 * 3 + 1  # yes / maybe / no per date, then "None of these dates"


def test_dates_in_another_year_show_the_year_in_both_languages() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from bot.features.meetings import render

    december = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    january = SimpleNamespace(position=2, starts_at=datetime(2027, 1, 5, 17, 30, tzinfo=UTC), ends_at=None)
    this_year = SimpleNamespace(
        position=1, starts_at=datetime(2026, 12, 29, 17, 30, tzinfo=UTC), ends_at=None
    )
    zone = "Europe/Paris"

    def label(_: Any, option: Any) -> str:
        # The date is a moment (Discord shows a timestamp): its words are what Slack and the console show.
        return unmarked(render.option_label(_, option, zone, december))

    assert label(EN, this_year) == "1. Tue 29 Dec, 6:30 PM"
    assert label(EN, january) == "2. Tue 5 Jan 2027, 6:30 PM"
    assert label(FR, this_year) == "1. mar. 29 déc. à 18:30"
    assert label(FR, january) == "2. mar. 5 janv. 2027 à 18:30"
    # The newcomers' digest's short dates too.
    assert EN.datetime(datetime(2025, 12, 30, 12, tzinfo=UTC), zone, "d MMM", now=december) == "30 Dec 2025"
    assert FR.datetime(datetime(2026, 11, 30, 12, tzinfo=UTC), zone, "d MMM", now=december) == "30 nov."


def test_the_announcement_renders_from_plain_data() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from bot.features.meetings import render

    start = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    meeting = SimpleNamespace(
        id=3, title="Meetup", place="Lyon", starts_at=start, ends_at=start + timedelta(hours=2),
        capacity=2, status="scheduled", ended_at=None,
    )  # fmt: skip
    people = render.Answers(going=["U1", "U2"], waitlist=["U3"])
    shown = render.announcement(EN, meeting, people, "", "Europe/Paris")  # type: ignore[arg-type]
    assert [f.name for f in shown.fields] == ["When", "Where", "Going (2/2)", "Waiting list (1)"]
    assert "It is full" in shown.text and [b.label for b in shown.buttons] == ["Going", "Maybe", "Can't come"]
    cancelled = SimpleNamespace(**{**vars(meeting), "status": "cancelled"})
    gone = render.announcement(EN, cancelled, people, "", "Europe/Paris")  # type: ignore[arg-type]
    assert gone.title == "Cancelled: Meetup" and gone.buttons == ()
