"""Grouping rounds through the console: opt in, a round, the group conversations with introductions, "Did you
meet?", the animators' statistics and settings, and every refusal explained."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from adapters.console import ConsoleCommunity
from storage.models import Member, Schedule
from storage.tables.rounds import Round, RoundExclusion, RoundGroupMember, RoundParticipant
from tests.support import everyone_joins, groups_opened, members_of, monday_morning


async def test_opt_in_then_a_round_opens_a_conversation_per_group_with_introductions(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness("en")
    monday_morning(h)
    async with h:
        joined = await h.command("alice", "round join")
        assert joined.replies[0].text.startswith("You're in!")
        assert "Next round: Monday 6 July 2026 at 9:00 AM." in joined.replies[0].text
        assert [b.label for b in joined.replies[0].buttons] == ["Skip the next round", "Leave the rounds"]
        await everyone_joins(h, "bob", "chloe", "dan")

        await h.advance(days=1)  # Monday 9:00: the weekly round

        opened = groups_opened(h)
        assert len(opened) == 2
        assert sorted(len(members_of(o)) for o, _ in opened) == [2, 2]
        assert set().union(*(members_of(o) for o, _ in opened)) == {"alice", "bob", "chloe", "dan"}
        for conversation, first in opened:
            assert conversation.detail.startswith("Round 1:")
            message = first.message
            assert message is not None and message.title == "Round 1: meet each other"
            names = {f.name for f in message.fields}
            assert members_of(conversation) <= names  # one introduction per member (display names here)
            assert "Not introduced yet" in message.plain()
            assert "To get the conversation going" in names
            assert "/agora round leave" in (message.footer or "")
            for member in members_of(conversation):
                assert f"<@{member}>" in message.text

        [announcement] = h.chat.posts("announcements")
        assert announcement.text.startswith("Round 1 is out: 4 members in 2 groups")
        assert "Next round: Monday 13 July 2026 at 9:00 AM." in announcement.text


async def test_did_you_meet_a_few_days_later_feeds_the_statistics(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice", "bob", "chloe", "dan")
    started = await h.command("camille", "round start")
    assert started.replies[0].text == "Round 1 is out: 4 members in 2 groups."

    await h.advance(days=2)
    assert not [d for d in h.chat.dms("alice") if d.message and "did you meet" in (d.message.title or "")]
    await h.advance(days=1, hours=1)

    [question] = [d for d in h.chat.dms("alice") if d.message and d.message.title == "Round 1: did you meet?"]
    assert question.message is not None
    assert [b.label for b in question.message.buttons] == ["Yes, we met", "Not yet", "We won't"]
    assert "I won't ask again" in (question.message.footer or "")
    partner = next(
        iter(members_of(next(o for o, _ in groups_opened(h) if "alice" in members_of(o))) - {"alice"})
    )
    assert partner.capitalize() in question.message.text or partner in question.message.text

    answered = await h.press("alice", "Yes, we met")
    assert answered.replies[0].text == "Wonderful! Thank you for telling me."
    assert answered.update is not None and not answered.update.buttons
    others = [n for n in ("bob", "chloe", "dan") if n != partner]
    await h.press(others[0], "We won't")

    status = await h.command("camille", "round status")
    text = status.replies[0].plain()
    assert "4 taking part, 0 skipping the next round, 0 left the rounds." in text
    assert (
        "Round 1," in text
        and "4 members in 2 groups · 2 new pairs of 2 · 1 of 2 groups met (2 answered)" in text
    )
    assert "50% of the groups that answered met (1 of 2)." in text
    assert "Paused: 0 as quiet" in text and "Round 1: 50%" in text
    assert "2 of the 6 pairs possible among the members taking part." in text

    # Asked once per round: no reminder after the question (the weekly rounds that follow ask about their own).
    await h.advance(days=30)
    questions = [
        d for d in h.chat.dms("bob") if d.message and (d.message.title or "").endswith("did you meet?")
    ]
    titles = [d.message.title for d in questions if d.message]
    assert titles.count("Round 1: did you meet?") == 1 and len(titles) == len(set(titles))


async def test_a_group_that_did_not_meet_may_be_formed_again_the_next_round(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice", "bob")
    await h.command("camille", "round start")
    await h.advance(days=3, hours=1)
    await h.press("alice", "We won't")
    await h.press("bob", "Not yet")
    assert h.database is not None
    await h.command("camille", "round start")  # only the two of them: the same pair, no one else
    assert len(groups_opened(h)) == 2


async def test_leave_snooze_and_come_back(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice", "bob", "chloe")
    snoozed = await h.command("alice", "round snooze 2")
    assert (
        snoozed.replies[0].text
        == "Noted: you skip the next 2 rounds, and you're back automatically after them."
    )
    await h.command("camille", "round start")
    assert all("alice" not in members_of(o) for o, _ in groups_opened(h))
    await h.command("camille", "round start")
    assert all("alice" not in members_of(o) for o, _ in groups_opened(h))
    await h.command("camille", "round start")
    assert "alice" in members_of(groups_opened(h)[-1][0])

    left = await h.press("bob", "Leave the rounds")
    assert left.replies[0].text.startswith("Done: you no longer take part in the rounds.")
    again = await h.command("bob", "round leave")
    assert again.replies[0].text.startswith("You weren't taking part in the rounds.")
    back = await h.press("bob", "Count me in")
    assert back.replies[0].text.startswith("You're in!")

    mine = await h.command("alice", "round")
    assert mine.replies[0].text.startswith("You take part in the rounds.")


async def test_the_join_button_under_the_announcement(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice", "bob")
    await h.command("camille", "round start")
    pressed = await h.press("chloe", "Count me in")
    assert pressed.replies[0].text.startswith("You're in!")
    assert h.database is not None
    async with h.database.transaction() as session:
        assert (
            await session.scalar(select(func.count(RoundParticipant.id)).where(RoundParticipant.active)) == 3
        )


async def test_an_exclusion_is_private_and_always_respected(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice", "bob", "chloe", "dan")
    avoided = await h.command("alice", "round avoid @bob")
    assert avoided.replies[0].ephemeral
    assert "nobody is told" in avoided.replies[0].text
    before = len(h.chat.sent)
    for _ in range(6):
        await h.command("camille", "round start")
    for opened, first in groups_opened(h):
        assert not {"alice", "bob"} <= members_of(opened)
        assert "avoid" not in first.text
    # Nothing about it ever reached bob, nor any channel.
    assert all("avoid" not in s.text for s in h.chat.sent[before:] if s.kind in ("dm", "post"))
    status = await h.command("camille", "round status")
    assert "avoid" not in status.replies[0].plain()

    mine = await h.command("alice", "round")
    assert "You asked not to be grouped with 1 member (only you can see this)." in mine.replies[0].text
    allowed = await h.command("alice", "round allow @bob")
    assert allowed.replies[0].text == "Noted: the rounds may put you with bob again."
    again = await h.command("alice", "round allow @bob")
    assert again.replies[0].text == "You weren't avoiding bob: nothing to change."


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "No round: nobody takes part yet."),
        (1, "No round: only one member takes part for now"),
        (2, "Round 1 is out: 2 members in 1 group."),
        (3, "Round 1 is out: 3 members in 1 group."),
    ],
)
async def test_tiny_rosters_get_clear_outcomes(h: ConsoleCommunity, count: int, expected: str) -> None:
    names = ["alice", "bob", "chloe"][:count]
    await everyone_joins(h, *names)
    outcome = await h.command("camille", "round start")
    assert outcome.replies[0].text.startswith(expected)
    if count == 1:
        [dm] = h.chat.dms("alice")
        assert "the only member taking part" in dm.text and "/agora round leave" in dm.text
    opened = groups_opened(h)
    assert sum(len(members_of(o)) for o, _ in opened) == (count if count >= 2 else 0)


async def test_odd_counts_leave_nobody_out_with_a_bigger_group(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "a1", "a2", "a3", "a4", "a5")
    await h.command("camille", "round start")
    assert sorted(len(members_of(o)) for o, _ in groups_opened(h)) == [2, 3]  # pairs, and one trio


async def test_odd_counts_leave_nobody_out_with_smaller_groups(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", rounds={"group_size": 4, "odd": "smaller"}) as h:
        await everyone_joins(h, *(f"b{i}" for i in range(7)))
        await h.command("camille", "round start")
        assert sorted(len(members_of(o)) for o, _ in groups_opened(h)) == [3, 4]


async def test_someone_who_can_only_be_left_out_is_told_kindly(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice", "bob", "chloe")
    await h.command("alice", "round avoid bob")
    await h.command("chloe", "round avoid alice")
    outcome = await h.command("camille", "round start")
    assert outcome.replies[0].text == "Round 1 is out: 2 members in 1 group."
    [told] = [d for d in h.chat.dms("alice") if "could not find a group" in d.text]
    assert "still in for the next one" in told.text and "bob" not in told.text and "chloe" not in told.text


async def test_refusals_are_explained_and_record_nothing(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice")
    cases = {
        ("alice", "round snooze 0"): "“0” won't do: choose a number of rounds between 1 and 12.",
        ("alice", "round snooze 40"): "“40” won't do: choose a number of rounds between 1 and 12.",
        ("bob", "round snooze"): "You don't take part in the rounds, so there is nothing to skip.",
        ("alice", "round avoid @nobody"): "I don't know “nobody” in this community.",
        ("alice", "round avoid @alice"): "That's you!",
        ("alice", "round status"): "Only the animators of this community can do that.",
        ("alice", "round start"): "Only the animators of this community can do that.",
        ("camille", "round settings group_size=7"): "Groups have 2 to 4 members: “7” won't do.",
        ("camille", "round settings time=25:00"): "“25:00” is not a time of day I understand.",
        ("camille", "round settings follow_up_after=soon"): "“soon” is not a delay I understand.",
        ("camille", "round settings cadence=daily"): "“daily” is not a choice for cadence.",
        ("camille", "round settings colour=blue"): "“colour” is not an option of /agora round settings.",
    }
    for (who, text), expected in cases.items():
        outcome = await h.command(who, text)
        assert outcome.error == "refused", text
        assert outcome.replies[0].ephemeral
        assert outcome.replies[0].text.startswith(expected), (text, outcome.replies[0].text)
    assert h.database is not None
    async with h.database.transaction() as session:
        participant = await session.scalar(select(RoundParticipant))
        assert participant is not None and participant.snooze_rounds == 0 and participant.active
        assert await session.scalar(select(func.count(RoundExclusion.id))) == 0
    settings = await h.command("camille", "round settings")
    assert "Group size" in settings.replies[0].plain() and "2" in settings.replies[0].plain()


async def test_only_the_member_asked_can_answer_did_you_meet(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice", "bob")
    await h.command("camille", "round start")
    await h.advance(days=3, hours=1)
    assert h.database is not None
    async with h.database.transaction() as session:
        seat = await session.scalar(
            select(RoundGroupMember)
            .join(Member, Member.id == RoundGroupMember.member_id)
            .where(Member.external_id == "alice")
        )
        assert seat is not None
        seat_id = seat.id
    from bot.events import ButtonPressed

    outcome = await h.deliver(
        ButtonPressed(
            community=h.ref, actor=h.member("bob"), action="rounds:met", ref=str(seat_id), delivery_id="x1"
        ),
        actor="bob",
    )
    assert outcome.replies[0].text == "This question was meant for another member: only they can answer it."


async def test_settings_change_the_schedule_in_the_communitys_time_zone(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness("en")
    monday_morning(h)
    async with h:
        await everyone_joins(h, "alice", "bob")
        saved = await h.command(
            "camille", "round settings cadence=biweekly day=thu time=12:30 group_size=3 follow_up_after=2d"
        )
        text = saved.replies[0].plain()
        assert saved.replies[0].title == "Rounds settings saved."
        assert "every two weeks" in text and "Thursday at 12:30" in text
        assert h.database is not None
        async with h.database.transaction() as session:
            schedule = await session.scalar(select(Schedule).where(Schedule.kind == "rounds:round"))
            assert schedule is not None and schedule.cron == "30 12 * * thu"
            assert schedule.timezone == "Europe/Paris"

        await h.advance(days=4, hours=3)  # Thursday 9 July, 12:30: the first round
        await h.advance(days=7)  # the off week: nothing
        await h.advance(days=7)  # Thursday 23 July: the second
        async with h.database.transaction() as session:
            started = (await session.scalars(select(Round.started_at).order_by(Round.number))).all()
        paris = [s.astimezone(ZoneInfo("Europe/Paris")) for s in started]
        assert [(d.day, d.month, d.hour, d.minute) for d in paris] == [(9, 7, 12, 30), (23, 7, 12, 30)]

        paused = await h.command("camille", "round settings enabled=no")
        assert "paused" in paused.replies[0].plain()
        await h.advance(days=30)
        async with h.database.transaction() as session:
            assert await session.scalar(select(func.count(Round.id))) == 2


async def test_a_round_survives_a_restart_and_its_follow_up_still_comes(h: ConsoleCommunity) -> None:
    await everyone_joins(h, "alice", "bob")
    await h.command("camille", "round start")
    await h.restart()
    await h.advance(days=3, hours=1)
    assert [d for d in h.chat.dms("alice") if d.message and d.message.title == "Round 1: did you meet?"]


async def test_in_french(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("fr") as h:
        joined = await h.command("alice", "round join")
        assert joined.replies[0].text.startswith("C'est noté, vous en êtes !")
        await h.command("bob", "round join")
        started = await h.command("camille", "round start")
        assert started.replies[0].text == "Le tour 1 est lancé : 2 membres dans 1 groupe."
        [(_, first)] = groups_opened(h)
        assert first.message is not None and first.message.title == "Tour 1 : faites connaissance"
        assert "Pour lancer la conversation" in {f.name for f in first.message.fields}
        refused = await h.command("alice", "round snooze 99")
        assert refused.replies[0].text.startswith("« 99 » ne convient pas")


async def test_introductions_come_from_profiles_and_say_what_members_share(h: ConsoleCommunity) -> None:
    from storage.tables.profiles import Profile

    await everyone_joins(h, "alice", "bob")
    assert h.database is not None
    async with h.database.transaction() as session:
        ids = dict((await session.execute(select(Member.external_id, Member.id))).all())
        for who, name, what, interests in (
            ("alice", "Alice Martin", "UX designer for public services", ["Accessibility", "Research"]),
            ("bob", "Bob Leroy", "Front-end developer", ["accessibility", "Rust"]),
        ):
            session.add(
                Profile(
                    community_id=1,
                    member_id=ids[who],
                    name=name,
                    what=what,
                    interests=interests,
                    introduced_at=h.clock.now(),
                    updated_at=h.clock.now(),
                )
            )

    await h.command("camille", "round start")

    [(_, first)] = groups_opened(h)
    assert first.message is not None
    fields = {f.name: f.value for f in first.message.fields}
    assert fields["Alice Martin"] == "UX designer for public services · Interests: Accessibility, Research"
    assert fields["Bob Leroy"].startswith("Front-end developer")
    assert fields["What you have in common"] == "Alice Martin and Bob Leroy both mentioned Accessibility."


async def test_a_new_time_zone_from_setup_moves_the_rounds_with_it(h: ConsoleCommunity) -> None:
    """Rounds happen at a local time: when the animators move the community to Montreal, Monday 9:00 is
    Montreal's Monday 9:00 from then on, without touching the rounds' own settings."""
    await h.command("camille", "round join")
    await h.command("camille", "setup timezone=America/Montreal")
    assert h.database is not None
    async with h.database.transaction() as session:
        schedules = (await session.scalars(select(Schedule).where(Schedule.kind.like("round%")))).all()
    assert schedules and {s.timezone for s in schedules} == {"America/Montreal"}
