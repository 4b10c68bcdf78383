"""Dates in posts are typed fragments: the core writes a moment in the community's words and marks it with the
moment itself, so that Discord shows each member a timestamp in their own time zone while Slack and the console
show the words, with the sentence naming the community's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.discord.render import render
from bot.messages import Field, Message, Moment, ZoneNote, moment, unmarked, untrusted, zone_note

AT = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
UNIX = 1768496400


def test_a_message_reads_the_words_and_tells_the_adapters_which_moment_they_name() -> None:
    when = moment(AT, "Thursday 15 January 2026 at 6:00 PM")
    message = Message(
        f"The meeting is on {when}.",
        fields=(Field("When", f"{when} – {moment(AT, '8:00 PM', 'time')}"),),
        footer=zone_note("Times are in Europe/Paris time."),
    )

    assert message.text == "The meeting is on Thursday 15 January 2026 at 6:00 PM."
    assert message.footer == "Times are in Europe/Paris time."
    assert message.plain() == (
        "The meeting is on Thursday 15 January 2026 at 6:00 PM.\n"
        "When: Thursday 15 January 2026 at 6:00 PM – 8:00 PM\n"
        "Times are in Europe/Paris time."
    )
    date = message.parts("text")[1]
    assert isinstance(date, Moment) and date.unix == UNIX and date.style == "full"
    assert isinstance(message.parts("footer")[0], ZoneNote)
    # Kept across a restart (the outbox stores messages as dicts).
    again = Message.from_dict(message.to_dict())
    assert [type(p).__name__ for p in again.parts("text")] == ["str", "Moment", "str"]


def test_nobody_can_type_a_moment_and_plain_text_keeps_only_the_words() -> None:
    forged = untrusted(f"see {moment(AT, 'a trap')}")
    assert unmarked(forged) == "see a trap"
    assert [type(p).__name__ for p in Message(forged).parts("text")] == ["Untrusted"]
    assert unmarked(moment(AT, "Thursday")) == "Thursday"
    with pytest.raises(ValueError):
        moment(datetime(2026, 1, 15, 18), "naive")


def test_discord_shows_timestamps_and_leaves_the_time_zone_note_out() -> None:
    message = Message(
        f"It closes on {moment(AT, 'Thursday 15 January 2026 at 6:00 PM')}.",
        title="Monthly meetup",
        fields=(
            Field(f"🏆 2. {moment(AT, 'Thu 15 Jan, 6:00 PM', 'short')}", "✅ 1"),
            Field("When", moment(AT, "Thursday", "date")),
        ),
        footer=zone_note("Times are in Europe/Paris time.") + " The .ics file adds it to your calendar.",
    )

    [payload] = render(message)
    embed = payload.embeds[0].to_dict()
    assert embed["description"] == f"It closes on <t:{UNIX}:F>."
    # Field names show no timestamps on Discord: the date opens the field's value.
    assert embed["fields"][0]["name"] == "🏆 2." and embed["fields"][0]["value"] == f"<t:{UNIX}:f>\n✅ 1"
    assert embed["fields"][1]["value"] == f"<t:{UNIX}:D>"
    assert embed["footer"]["text"] == "The .ics file adds it to your calendar."


def test_on_discord_a_date_in_a_title_keeps_its_words_and_the_note_that_names_their_time_zone() -> None:
    message = Message(
        "Details follow.",
        title=f"Meetup, {moment(AT, 'Thursday 15 January')}",
        footer=zone_note("Times are in Europe/Paris time."),
    )

    embed = render(message)[0].embeds[0].to_dict()
    assert embed["title"] == "Meetup, Thursday 15 January"
    assert embed["footer"]["text"] == "Times are in Europe/Paris time."
