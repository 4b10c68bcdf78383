"""Meeting polls and meetings through the console: a poll fixes the date, the date becomes a meeting members can
count on (an .ics, a list with places and a waiting list, reminders), the recap follows, and the next date is
fixed right away. Time is the virtual clock; the database is a real SQLite file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from adapters.console import ConsoleCommunity
from adapters.console.chat import Sent
from bot.events import ButtonPressed
from bot.messages import Message
from storage.models import Member, OutboxEntry
from storage.tables.meetings import Meeting, MeetingPoll, MissionDraw, PollAnswer, Rsvp
from tests.support import OPTIONS, community, members, open_poll, paris, until


async def answer(h: ConsoleCommunity, name: str, *choices: str) -> Any:
    """``name`` opens their ballot and presses each choice ("✅ 3", "🤔 2", "❌ 1")."""
    await h.press(name, "Answer")
    outcome = None
    for choice in choices:
        outcome = await h.press(name, choice)
    return outcome


async def rows(h: ConsoleCommunity, model: Any, *where: Any) -> list[Any]:
    assert h.database is not None
    async with h.database.transaction() as session:
        return list((await session.scalars(select(model).where(*where).order_by(model.id))).all())


def titled(sent: list[Sent], start: str) -> list[Message]:
    return [s.message for s in sent if s.message is not None and (s.message.title or "").startswith(start)]


def current(h: ConsoleCommunity, start: str, channel: str = "announcements") -> Message:
    """What the newest channel post titled ``start`` says now (after its updates)."""
    post = [s for s in h.chat.posts(channel) if s.message and (s.message.title or "").startswith(start)][-1]
    assert post.ref is not None
    return h.chat.current[post.ref.id]


def posted(h: ConsoleCommunity, action: str, channel: str = "announcements") -> Message:
    """What the newest channel post that was sent with a button ``action`` says now (after its updates)."""
    post = [
        s for s in h.chat.posts(channel) if s.message and any(b.action == action for b in s.message.buttons)
    ][-1]
    assert post.ref is not None
    return h.chat.current[post.ref.id]


def poll_post(h: ConsoleCommunity) -> Message:
    return posted(h, "meeting:ballot")


def announcement(h: ConsoleCommunity) -> Message:
    return posted(h, "meeting:going")


def field(message: Message, name: str) -> str:
    return next(f.value for f in message.fields if f.name.startswith(name) or name in f.name)


async def a_meeting(h: ConsoleCommunity, when: str = "2026-12-03 18:00", capacity: str = "") -> Meeting:
    """A one-date poll, closed at once: its date becomes the meeting."""
    await open_poll(h, options=when, capacity=capacity)
    await h.command("camille", "meeting close")
    [meeting] = await rows(h, Meeting, Meeting.status == "scheduled", Meeting.ended_at.is_(None))
    return meeting


async def test_a_poll_becomes_a_meeting_with_its_ics_rsvp_waitlist_reminders_recap_and_the_next_poll(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob", "carol")

        # The animator opens the poll: a form, then the poll in the meetings channel (here: announcements).
        form = await h.command("camille", "meeting poll")
        assert form.form is not None and [f.name for f in form.form.fields] == [
            "title",
            "options",
            "place",
            "duration",
            "capacity",
        ]
        opened = await open_poll(h, capacity="2")
        # Three days would end on Thursday morning, too close to Thursday's date: the poll closes a day before it.
        assert "closes on Wednesday 25 November 2026 at 6:00 PM" in opened.replies[0].text
        assert "(It closes 24 hours before the first date, so that the meeting can be announced.)" in (
            opened.replies[0].text
        )
        poll = poll_post(h)
        assert [f.name for f in poll.fields[:3]] == [
            "1. Thu 26 Nov, 6:00 PM",
            "2. Tue 1 Dec, 6:30 PM",
            "3. Thu 3 Dec, 6:00 PM",
        ]
        assert [b.label for b in poll.buttons] == ["Answer"]

        # Members answer yes, if need be or no for each date, on their own ballot; the tally is live.
        ballot = await answer(h, "alice", "✅ 3", "🤔 2", "❌ 1")
        assert ballot.update is not None and ballot.update.footer.startswith("All answered, thank you!")
        await answer(h, "bob", "✅ 3", "❌ 2", "❌ 1")
        await answer(h, "carol", "✅ 2")  # carol answers one date only: the poll waits for the deadline
        poll = poll_post(h)
        assert field(poll, "3.").startswith("✅ 2 · 🤔 0 · ❌ 0\n✅ <@alice>, <@bob>")
        assert field(poll, "2.").startswith("✅ 1 · 🤔 1 · ❌ 1")
        assert (await rows(h, MeetingPoll))[0].status == "open"

        # The deadline passes (virtual clock): the best date wins and becomes a meeting.
        await h.advance(days=3)
        [closed] = await rows(h, MeetingPoll)
        assert closed.status == "closed" and closed.closed_at == paris(2026, 11, 25, 18, 0)
        assert "the meeting will be on Thursday 3 December 2026 at 6:00 PM" in poll_post(h).text
        [meeting] = await rows(h, Meeting)
        assert (meeting.starts_at, meeting.ends_at, meeting.capacity) == (
            paris(2026, 12, 3, 18, 0),
            paris(2026, 12, 3, 20, 0),
            2,
        )

        announced = next(
            s.message for s in h.chat.posts("announcements") if s.message and s.message.attachments
        )
        [ics] = announced.attachments
        assert ics.mime_type == "text/calendar" and ics.filename == "monthly-meetup.ics"
        assert "DTSTART:20261203T170000Z" in ics.content and "DTEND:20261203T190000Z" in ics.content
        assert "SUMMARY:Monthly meetup" in ics.content and "LOCATION:La Cordée\\, Lyon" in ics.content
        assert [b.label for b in announced.buttons] == ["Going", "Maybe", "Can't come"]
        assert [s.detail for s in h.chat.sent if s.kind == "event"] == [
            "Monthly meetup @ 2026-12-03T17:00:00+00:00"
        ]
        for name in ("alice", "bob", "carol"):  # everyone who answered hears the date
            assert titled(h.chat.dms(name), "The date is set: Monthly meetup")

        # RSVP with a capacity of 2: the third goes on the waiting list, and moves up when a place opens.
        await h.press("alice", "Going")
        await h.press("bob", "Going")
        waiting = await h.press("carol", "Going")
        assert "You're number 1 on the waiting list" in waiting.replies[0].text
        assert field(announcement(h), "Going (2/2)") == "<@alice>, <@bob>"
        await h.press("alice", "Can't come")
        [promoted] = titled(h.chat.dms("carol"), "A place opened up")
        assert promoted.attachments[0].mime_type == "text/calendar"
        listed = announcement(h)
        assert field(listed, "Going (2/2)") == "<@bob>, <@carol>"
        assert {(r.member_id, r.status) for r in await rows(h, Rsvp)} == {
            (1, "not_going"),
            (2, "going"),
            (3, "going"),
        }

        # Reminders to who is going, 24 h and 1 h before, in their DMs; each says how to stop them.
        await until(h, paris(2026, 12, 2, 17, 59))
        assert not titled(h.chat.dms("bob"), "Reminder")
        await h.advance(minutes=1)
        [day_before] = titled(h.chat.dms("bob"), "Reminder: Monthly meetup")
        assert (
            "starts in 24 hours" in day_before.text
            and day_before.footer == "To stop meeting reminders: /agora meeting reminders off"
        )
        assert titled(h.chat.dms("carol"), "Reminder") and not titled(h.chat.dms("alice"), "Reminder")
        await until(h, paris(2026, 12, 3, 17, 0))
        assert "starts in 1 hour" in titled(h.chat.dms("bob"), "Reminder")[-1].text

        # The meeting ends: the organiser is asked for the recap, the next poll opens by itself.
        await until(h, paris(2026, 12, 3, 20, 0))
        [ask] = titled(h.chat.dms("camille"), "How did “Monthly meetup” go?")
        assert [b.label for b in ask.buttons] == ["Write the recap"]
        recap_form = await h.press("camille", "Write the recap")
        assert recap_form.form is not None and recap_form.form.ref == str(meeting.id)
        await h.submit(
            "camille",
            "meeting_recap",
            {"recap": "We shared our rates.", "materials": "https://example.org/slides"},
            ref=str(meeting.id),
        )
        recap = current(h, "Recap: Monthly meetup")
        assert (
            recap.text == "We shared our rates." and field(recap, "Materials") == "https://example.org/slides"
        )
        [done] = await rows(h, Meeting, Meeting.id == meeting.id)
        assert done.recap == "We shared our rates." and done.recap_by == "camille"

        polls = await rows(h, MeetingPoll)
        assert [p.status for p in polls] == ["closed", "open"] and polls[1].automatic
        assert "Opened right after the last meeting" in poll_post(h).text
        assert [f.name for f in poll_post(h).fields[:4]] == [
            "1. Thu 24 Dec, 6:00 PM",
            "2. Thu 31 Dec, 6:00 PM",
            "3. Fri 1 Jan 2027, 6:00 PM",
            "4. Thu 7 Jan 2027, 6:00 PM",
        ]


async def test_the_same_story_in_french(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness, "fr") as h:
        await members(h, "alice")
        await h.command("camille", "meeting poll")
        await h.submit(
            "camille",
            "meeting_poll",
            {
                "title": "Apéro du mois",
                "options": "mardi 1 déc 18h30\njeudi prochain 18h",
                "place": "",
                "duration": "",
                "capacity": "",
            },
        )
        poll = poll_post(h)
        assert poll.text.startswith("Quand se retrouve-t-on ?")
        assert [f.name for f in poll.fields[:2]] == ["1. jeu. 26 nov. à 18:00", "2. mar. 1 déc. à 18:30"]
        ballot = await h.press("alice", "Répondre")
        assert ballot.replies[0].title == "Vos réponses : Apéro du mois"
        await h.press("alice", "✅ 2")
        closing = await h.press("alice", "❌ 1")  # alice is the only member: everyone has answered
        assert closing.replies[-1].text == "Tout le monde a répondu : le sondage est clos. Merci !"
        announced = announcement(h)
        assert [b.label for b in announced.buttons] == ["J'y serai", "Peut-être", "Je ne peux pas"]
        assert field(announced, "Quand") == "mardi 1 décembre 2026 à 18:30 – 20:30"
        going = await h.press("alice", "J'y serai")
        assert going.replies[0].text.startswith("Votre nom est sur la liste de « Apéro du mois »")


async def test_bad_lines_are_refused_by_name_and_nothing_is_recorded(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        refused = await open_poll(
            h,
            options="Tuesday 1 December 6:30pm\nyesterday 6pm\n03/04 6pm",
            capacity="lots",
            duration="forever",
        )
        assert refused.form_errors is not None
        assert refused.form_errors["options"] == (
            "Line 2 (“yesterday 6pm”): It is in the past (Sunday 22 November 2026 at 6:00 PM).\n"
            "Line 3 (“03/04 6pm”): It could be 3 April 2027 or 4 March 2027. Write the month in words, or the full "
            "date like 2027-04-03."
        )
        assert refused.form_errors["capacity"].startswith("“lots” is not a number of places.")
        assert refused.form_errors["duration"].startswith("“forever” is not a duration I understand.")
        assert await rows(h, MeetingPoll) == []
        assert not [
            s for s in h.chat.posts("announcements") if s.message and s.message.title == "Monthly meetup"
        ]

        too_many = await open_poll(h, options="\n".join(f"2026-12-{day:02d} 18:00" for day in range(1, 23)))
        assert too_many.form_errors == {
            "options": "At most 20 dates per poll: there are 22. Keep the likeliest ones."
        }
        untitled = await open_poll(h, title="  ")
        assert untitled.form_errors == {"title": "Give the meeting a name, e.g. “Monthly meetup”."}


async def test_only_animators_or_whoever_holds_the_date_card_open_a_poll(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice")
        refused = await h.command("alice", "meeting poll")
        assert refused.form is None
        assert refused.replies[0].text.startswith(
            "Only the animators (or whoever drew the “fix the next date” card)"
        )
        sneaky = await h.submit("alice", "meeting_poll", {"title": "Mine", "options": "2026-12-03 18:00"})
        assert sneaky.error == "refused" and await rows(h, MeetingPoll) == []

        # alice drew "fix the next date" at the last meeting: she may open the poll herself.
        meeting = await a_meeting(h)
        await until(h, meeting.ends_at)
        assert h.database is not None
        async with h.database.transaction() as session:
            alice = await session.scalar(select(Member).where(Member.external_id == "alice"))
            assert alice is not None
            session.add(
                MissionDraw(
                    community_id=meeting.community_id,
                    meeting_id=meeting.id,
                    member_id=alice.id,
                    card_id="next-date",
                    drawn_at=h.clock.now(),
                )
            )
            for poll in (
                await session.scalars(select(MeetingPoll).where(MeetingPoll.status == "open"))
            ).all():
                poll.status = "cancelled"  # the automatic next poll would be in her way
        allowed = await h.command("alice", "meeting poll")
        assert allowed.form is not None


async def test_the_poll_closes_as_soon_as_everyone_has_answered(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob")
        await open_poll(h)
        await answer(h, "alice", "✅ 1", "✅ 2", "❌ 3")
        assert (await rows(h, MeetingPoll))[0].status == "open"
        last = await answer(h, "bob", "❌ 1", "✅ 2", "🤔 3")
        assert last.replies[-1].text == "Everyone has answered: the poll is closed. Thank you!"
        [poll] = await rows(h, MeetingPoll)
        assert poll.status == "closed" and poll.closed_at == paris(2026, 11, 23, 9, 0)
        [meeting] = await rows(h, Meeting)
        assert meeting.starts_at == paris(2026, 12, 1, 18, 30)
        # The deadline timer was cancelled: nothing more happens at the deadline.
        await h.advance(days=4)
        assert len(await rows(h, Meeting)) == 1


async def test_a_tie_is_broken_by_the_organiser_with_a_button(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob", "carol")
        await open_poll(h)
        await answer(h, "alice", "✅ 1", "🤔 2", "❌ 3")
        await answer(h, "bob", "✅ 2", "🤔 1", "❌ 3")
        await h.advance(days=3)
        [poll] = await rows(h, MeetingPoll)
        assert poll.status == "tie" and await rows(h, Meeting) == []
        assert "tie between dates 1 and 2: <@camille> chooses" in poll_post(h).text
        [tie] = titled(h.chat.dms("camille"), "It's a tie: Monthly meetup")
        assert [b.label for b in tie.buttons] == ["Choose 1", "Choose 2"]

        button, _message = h.find_button("camille", "Choose 2")
        refused = await h.deliver(  # alice can't see the button, but a forged press is refused all the same
            ButtonPressed(
                community=h.ref,
                actor=h.member("alice"),
                action=button.action,
                ref=button.ref,
                delivery_id="forged",
            ),
            actor="alice",
        )
        assert refused.error == "refused" and await rows(h, Meeting) == []
        chosen = await h.press("camille", "Choose 2")
        assert chosen.replies[0].text.startswith(
            "Done: “Monthly meetup” will be on Tuesday 1 December 2026 at 6:30 PM."
        )
        [meeting] = await rows(h, Meeting)
        assert meeting.starts_at == paris(2026, 12, 1, 18, 30)
        again = await h.press("camille", "Choose 1")
        assert again.replies[0].text == "The date of “Monthly meetup” is already chosen."


async def test_nobody_answering_leaves_the_date_to_the_organiser(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, nudge_after="off") as h:
        await open_poll(h)
        await h.advance(days=3)
        assert "nobody answered: <@camille> chooses the date" in poll_post(h).text
        [tie] = titled(h.chat.dms("camille"), "It's a tie")
        assert tie.text.startswith("Nobody answered the poll.")
        assert len(tie.buttons) == 3


async def test_a_deadline_passed_while_the_bot_was_stopped_closes_the_poll_once_at_start(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob")
        await open_poll(h)
        await answer(h, "alice", "✅ 3")
        await h.stop()
        h.clock.advance(timedelta(days=5))  # the deadline passes while the bot is down
        await h.start()
        [poll] = await rows(h, MeetingPoll)
        assert poll.status == "closed" and poll.closed_at == paris(2026, 11, 28, 9, 0)
        assert len(await rows(h, Meeting)) == 1
        announced = [s for s in h.chat.posts("announcements") if s.message and s.message.attachments]
        assert len(announced) == 1

        await h.restart()
        await h.advance(days=1)
        assert len(await rows(h, Meeting)) == 1
        assert len([s for s in h.chat.posts("announcements") if s.message and s.message.attachments]) == 1


async def test_one_nudge_to_who_has_not_answered_saying_how_to_stop(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob", "carol", "dan")
        off = await h.command("dan", "meeting reminders off")
        assert off.replies[0].text.startswith("Meeting reminders are off")
        await open_poll(h)
        await answer(h, "alice", "✅ 1", "✅ 2", "✅ 3")
        await answer(h, "bob", "✅ 1")
        await h.advance(hours=23)
        assert not titled(h.chat.dms("bob"), "When can you come")
        await h.advance(hours=2)
        assert not titled(h.chat.dms("alice"), "When can you come")  # answered everything
        assert not titled(h.chat.dms("dan"), "When can you come")  # asked for no reminders
        [nudge] = titled(h.chat.dms("bob"), "When can you come to “Monthly meetup”?")
        assert "2 dates still wait for your answer" in nudge.text
        assert (
            nudge.footer
            == "This is the only reminder for this poll. To stop them all: /agora meeting reminders off"
        )
        assert "3 dates still wait" in titled(h.chat.dms("carol"), "When can you come")[0].text
        ballot = await h.press("carol", "Answer")  # the nudge's button opens her ballot
        assert ballot.replies[0].title == "Your answers: Monthly meetup"
        await h.advance(days=1)
        assert len(titled(h.chat.dms("carol"), "When can you come")) == 1


async def test_dates_show_in_the_members_own_time_zone(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness) as h:
        await members(h, "alice")
        chosen = await h.command("alice", "meeting timezone America/Montreal")
        assert chosen.replies[0].text == "Your dates are shown in America/Montreal time."
        wrong = await h.command("alice", "meeting timezone Mars/Olympus")
        assert wrong.replies[0].text.startswith("“Mars/Olympus” is not a time zone I know.")
        await open_poll(h)
        ballot = await h.press("alice", "Answer")
        assert [f.name for f in ballot.replies[0].fields] == [
            "1. Thu 26 Nov, 12:00 PM",
            "2. Tue 1 Dec, 12:30 PM",
            "3. Thu 3 Dec, 12:00 PM",
        ]
        assert "America/Montreal" in (ballot.replies[0].footer or "")
        # The channel's post stays in the community's time zone.
        assert poll_post(h).fields[0].name == "1. Thu 26 Nov, 6:00 PM"


async def test_answers_change_until_the_close_and_not_after(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, nudge_after="off") as h:
        await members(h, "alice", "bob")
        await open_poll(h)
        await answer(h, "alice", "✅ 1", "🤔 1", "❌ 1")
        answers = await rows(h, PollAnswer)
        assert [(a.option_id, a.choice) for a in answers] == [(1, "no")]  # one row per member and option
        changed = await h.press("alice", "None of these dates")
        assert [f.value for f in changed.update.fields] == ["Your answer: ❌ no"] * 3  # type: ignore[union-attr]
        await h.advance(days=3)
        late = await h.press("alice", "✅ 2")
        assert late.replies[0].text.startswith(
            "The poll “Monthly meetup” is closed: answers can't change any more."
        )
        assert {a.choice for a in await rows(h, PollAnswer)} == {"no"}


async def test_the_live_tally_shows_only_the_newest_state(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, nudge_after="off") as h:
        await members(h, "alice")
        await open_poll(h)
        assert h.app is not None
        h.app.chats.pop(
            "console"
        )  # the platform is unreachable for a while: tally updates wait in the outbox
        await answer(h, "alice", "✅ 1")
        await answer(h, "alice", "🤔 2")
        assert h.database is not None
        async with h.database.transaction() as session:
            statuses = (
                await session.scalars(
                    select(OutboxEntry.status).where(OutboxEntry.op == "update").order_by(OutboxEntry.id)
                )
            ).all()
        # One update waits, and the second answer's tally was written into it: the stale one will never be shown.
        assert list(statuses) == ["pending"]
        h.app.attach(h.chat)
        await h.app.settle()
        updates = [
            s for s in h.chat.sent if s.kind == "update" and s.message and s.message.title == "Monthly meetup"
        ]
        assert len(updates) == 1
        tally = poll_post(h)
        assert field(tally, "1.").startswith("✅ 1") and field(tally, "2.").startswith("✅ 0 · 🤔 1")


async def test_attendees_are_visible_to_members_and_animators_export_them(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob", "carol", "dan")
        await a_meeting(h, capacity="2")
        await h.press("alice", "Going")
        await h.press("bob", "Going")
        await h.press("carol", "Going")
        await h.press("dan", "Maybe")
        listed = await h.command("dan", "meeting attendees")
        message = listed.replies[0]
        assert message.title == "Who is coming: Monthly meetup"
        assert field(message, "Going (2/2)") == "1. <@alice>\n2. <@bob>"
        assert field(message, "Waiting list (1)") == "1. <@carol>"
        assert field(message, "Maybe (1)") == "1. <@dan>"

        refused = await h.command("dan", "meeting export")
        assert refused.replies[0].text.startswith("Only the animators of this community can do that.")
        exported = await h.command("camille", "meeting export")
        assert exported.replies[0].text == "I sent you the list as a CSV file, by direct message."
        [sent] = titled(h.chat.dms("camille"), "Attendees: Monthly meetup")
        [attachment] = sent.attachments
        assert attachment.filename == "monthly-meetup-2026-12-03.csv" and attachment.mime_type == "text/csv"
        table = list(csv.reader(io.StringIO(attachment.content)))
        assert table[0] == ["name", "member id", "answer", "waiting list position", "answered at"]
        assert [row[:4] for row in table[1:]] == [
            ["alice", "alice", "going", ""],
            ["bob", "bob", "going", ""],
            ["carol", "carol", "waiting list", "1"],
            ["dan", "dan", "maybe", ""],
        ]
        assert sent.text == "2 going, 1 waiting, 1 maybe, 0 can't come. The list is attached."


async def test_a_member_who_leaves_frees_their_place(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob")
        await a_meeting(h, capacity="1")
        await h.press("alice", "Going")
        await h.press("bob", "Going")
        await h.leave("alice")
        assert titled(h.chat.dms("bob"), "A place opened up")
        assert field(announcement(h), "Going (1/1)") == "<@bob>"


async def test_more_places_promote_the_waiting_list_in_order(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob", "carol", "dan")
        await a_meeting(h, capacity="1")
        for name in ("alice", "bob", "carol", "dan"):
            await h.press(name, "Going")
        bad = await h.command("camille", "meeting capacity lots")
        assert bad.replies[0].text.startswith("“lots” is not a number of places.")
        raised = await h.command("camille", "meeting capacity 3")
        assert raised.replies[0].text == (
            "“Monthly meetup” now has 3 places. 2 members from the waiting list got a place and were told."
        )
        assert titled(h.chat.dms("bob"), "A place opened up") and titled(
            h.chat.dms("carol"), "A place opened up"
        )
        assert not titled(h.chat.dms("dan"), "A place opened up")
        assert field(announcement(h), "Waiting list (1)") == "<@dan>"


async def test_cancelling_tells_who_answered_and_stops_the_reminders(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await members(h, "alice", "bob")
        await a_meeting(h)
        await h.press("alice", "Going")
        await h.press("bob", "Can't come")
        refused = await h.command("alice", "meeting cancel")
        assert refused.replies[0].text.startswith("Only the animators")
        done = await h.command("camille", "meeting cancel the venue is closed")
        assert done.replies[0].text == (
            "“Monthly meetup” is cancelled; I told the 1 member who had answered. To fix another date: /agora meeting poll."
        )
        [told] = titled(h.chat.dms("alice"), "Cancelled: Monthly meetup")
        assert field(told, "Why") == "the venue is closed"
        assert (
            "METHOD:CANCEL" in told.attachments[0].content
            and "STATUS:CANCELLED" in told.attachments[0].content
        )
        assert not titled(h.chat.dms("bob"), "Cancelled")
        assert announcement(h).title == "Cancelled: Monthly meetup" and announcement(h).buttons == ()
        await h.advance(days=14)
        assert not titled(h.chat.dms("alice"), "Reminder")
        assert not titled(h.chat.dms("camille"), "How did")
        late = await h.press("alice", "Going")
        assert late.replies[0].text == "“Monthly meetup” was cancelled: there is nothing to answer."


async def test_the_recap_reminder_comes_once_and_only_if_the_recap_is_missing(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, next_poll="off") as h:
        await members(h, "alice")
        meeting = await a_meeting(h)
        await until(h, meeting.ends_at)
        refused = await h.press("alice", "Draw a mission card")
        assert refused.error is None  # drawing is fine ...
        not_hers = await h.command("alice", "meeting recap")
        assert not_hers.replies[0].text.startswith(
            "The recap is written by the organiser or the note-taker."
        )  # ... the recap isn't hers
        await h.advance(hours=23)
        assert not titled(h.chat.dms("camille"), "The recap of")
        await h.advance(hours=1)
        [reminder] = titled(h.chat.dms("camille"), "The recap of “Monthly meetup” is still waiting")
        assert "This is the only reminder." in reminder.text
        await h.advance(days=3)
        assert len(titled(h.chat.dms("camille"), "The recap of")) == 1

        empty = await h.submit("camille", "meeting_recap", {"recap": "  "})
        assert empty.form_errors == {"recap": "A few lines are enough, but the recap can't be empty."}
        await h.submit("camille", "meeting_recap", {"recap": "Good talk."})  # no ref: the last meeting
        await h.submit(
            "camille", "meeting_recap", {"recap": "Good talk, and the slides.", "materials": "https://x.org"}
        )
        assert (
            len(
                [
                    s
                    for s in h.chat.posts("announcements")
                    if s.message and (s.message.title or "").startswith("Recap")
                ]
            )
            == 1
        )
        assert current(h, "Recap: Monthly meetup").text == "Good talk, and the slides."


async def test_mission_cards_are_drawn_once_each_shown_and_remembered(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, next_poll="off") as h:
        await members(h, "alice", "bob", "carol")
        meeting = await a_meeting(h)
        await h.press("alice", "Going")
        await h.press("bob", "Going")
        await h.press("carol", "Can't come")
        await until(h, meeting.ends_at)
        invitation = posted(h, "meeting:draw")
        assert invitation.title == "Thank you for coming to “Monthly meetup”!"
        assert [b.label for b in invitation.buttons] == ["Draw a mission card"]

        alice_card = await h.press("alice", "Draw a mission card")
        bob_card = await h.press("bob", "Draw a mission card")
        assert alice_card.replies[0].title.startswith("Your mission: ")
        assert alice_card.replies[0].title != bob_card.replies[0].title  # no repeats while the bank lasts
        again = await h.press("alice", "Draw a mission card")
        assert again.replies[0].text.startswith("You already drew your card:")
        absent = await h.press("carol", "Draw a mission card")
        assert (
            absent.replies[0].text
            == "Mission cards are for those who came to “Monthly meetup”. See you at the next one!"
        )

        draws = await rows(h, MissionDraw)
        assert len(draws) == 2 and len({d.card_id for d in draws}) == 2
        shown = field(posted(h, "meeting:draw"), "Missions drawn")
        assert shown.startswith("• <@alice> — ") and "\n• <@bob> — " in shown
        listed = await h.command("carol", "meeting missions")
        assert listed.replies[0].title == "Missions until the next meeting"
        assert [f.name for f in listed.replies[0].fields] == ["alice", "bob"]

        # The next meeting's announcement shows who is on what since last time.
        await a_meeting(h, when="2026-12-17 18:00")
        assert field(announcement(h), "Missions since last time").startswith("• <@alice> — ")


async def test_whoever_drew_the_notes_card_is_asked_for_the_next_recap(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, next_poll="off") as h:
        await members(h, "alice")
        first = await a_meeting(h)
        await until(h, first.ends_at)
        assert h.database is not None
        async with h.database.transaction() as session:
            alice = await session.scalar(select(Member).where(Member.external_id == "alice"))
            assert alice is not None
            session.add(
                MissionDraw(
                    community_id=first.community_id,
                    meeting_id=first.id,
                    member_id=alice.id,
                    card_id="take-notes",
                    drawn_at=h.clock.now(),
                )
            )
        second = await a_meeting(h, when="2026-12-17 18:00")
        await until(h, second.ends_at)
        [ask] = titled(h.chat.dms("alice"), "How did “Monthly meetup” go?")
        assert ask.buttons[0].ref == str(second.id)
        opened = await h.press("alice", "Write the recap")
        assert opened.form is not None
        await h.submit("alice", "meeting_recap", {"recap": "Notes by alice."}, ref=str(second.id))
        assert "shared by alice" in (current(h, "Recap: Monthly meetup").footer or "")


async def test_same_slot_schedules_the_next_meeting_at_the_same_local_time(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    start = paris(2027, 3, 15, 9, 0)
    async with community(make_harness, start=start, next_poll="same_slot", cadence="1w") as h:
        await members(h, "alice")
        meeting = await a_meeting(h, when="2027-03-23 19:00")  # a Tuesday in winter time
        await until(h, meeting.ends_at)
        meetings = await rows(h, Meeting)
        assert [m.starts_at for m in meetings] == [
            paris(2027, 3, 23, 19, 0),
            paris(2027, 3, 30, 19, 0),
        ]  # summer time
        assert meetings[1].starts_at.hour == 17  # 19:00 in Paris is 17:00 UTC in summer
        assert len(await rows(h, MeetingPoll)) == 1  # no poll: the same slot was proposed
        [planned] = titled(h.chat.dms("camille"), "The next “Monthly meetup” is planned")
        assert planned.text.startswith("Same slot, 1 week later: Tuesday 30 March 2027 at 7:00 PM")


async def test_next_poll_off_fixes_nothing_by_itself(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness, next_poll="off") as h:
        meeting = await a_meeting(h)
        await until(h, meeting.ends_at + timedelta(days=1))
        assert len(await rows(h, MeetingPoll)) == 1 and len(await rows(h, Meeting)) == 1
        shown = await h.command("alice", "meeting next")
        assert shown.replies[0].text == "No meeting is planned yet."


async def test_the_next_meeting_is_visible_to_members(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness) as h:
        await members(h, "alice")
        await open_poll(h)
        polling = await h.command("alice", "meeting next")
        assert polling.replies[0].text.startswith(
            "No date yet: the poll is open until Wednesday 25 November 2026"
        )
        assert [b.label for b in polling.replies[0].buttons] == ["Answer"]
        await h.command("camille", "meeting close")  # nobody answered: the organiser picks
        await h.press("camille", "Choose 3")
        await h.press("alice", "Maybe")
        shown = await h.command("alice", "meeting next")
        assert shown.replies[0].title == "Monthly meetup"
        assert shown.replies[0].text == "You answered maybe. 0 going."


async def test_meeting_settings_are_checked_then_saved(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness) as h:
        refused = await h.command("alice", "meeting settings poll_duration=2d")
        assert refused.replies[0].text.startswith("Only the animators")
        bad = await h.command("camille", "meeting settings cadence=sometimes")
        assert (
            bad.replies[0].text == "“sometimes” doesn't work for cadence. Examples: 1w, 2w, 4w, or monthly."
        )
        unknown = await h.command("camille", "meeting settings next_poll=maybe")
        assert unknown.replies[0].text.startswith("“maybe” is not a choice for next_poll.")
        saved = await h.command(
            "camille",
            'meeting settings poll_duration=2d reminders="48h,2h" nudge_after=off capacity=12 cadence=monthly',
        )
        assert saved.replies[0].title == "Settings saved."
        assert field(saved.replies[0], "Reminders before") == "2d, 2h"
        assert field(saved.replies[0], "Nudge after") == "off"
        settings = (await h.app.community_settings(h.ref)).meetings  # type: ignore[union-attr]
        assert (
            settings.poll_duration == timedelta(days=2)
            and settings.capacity == 12
            and settings.cadence == "monthly"
        )
        assert (
            settings.reminders == [timedelta(hours=48), timedelta(hours=2)] and settings.nudge_after is None
        )
        form = await h.command("camille", "meeting poll")
        assert form.form is not None and {f.name: f.default for f in form.form.fields}["capacity"] == "12"


async def test_a_closing_time_can_be_given_and_is_checked(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        bad = await h.command("camille", "meeting poll closes=someday")
        assert bad.replies[0].text.startswith("“someday” is not a closing time I understand:")
        asked = await h.command("camille", "meeting poll closes=1d")
        assert asked.form is not None
        await h.submit("camille", "meeting_poll", {"title": "Soon", "options": OPTIONS}, ref=asked.form.ref)
        [poll] = await rows(h, MeetingPoll)
        assert poll.closes_at == paris(2026, 11, 24, 9, 0)
        again = await h.command("camille", "meeting poll")
        assert again.replies[0].text.startswith(
            "A poll is already open (“Soon”, until Tuesday 24 November 2026"
        )


async def test_many_members_each_answer_once(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness, nudge_after="off") as h:
        await members(h, "alice", "bob")
        await open_poll(h)
        await answer(h, "alice", "✅ 1", "✅ 1")
        assert h.database is not None
        async with h.database.transaction() as session:
            assert await session.scalar(select(func.count(PollAnswer.id))) == 1
