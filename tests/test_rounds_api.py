"""The grouping rounds' pieces on their own: the pure rules and the messages without a database, then what the
feature declares (settings command, schedule, personal data, health) on a console community."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.content import ContentItem
from bot.feature import PersonalData
from bot.features.rounds import RoundsFeature, render, rules, zones
from bot.features.rounds.grouping import PastRound, plan_round
from bot.features.rounds.settings import RoundSettings
from bot.i18n import translator
from storage.models import Community, Member, Schedule
from storage.tables.rounds import RoundGroupMember
from tests.support import groups_opened, health_figure, members_of

_ = translator("en")
MONDAY = datetime(2026, 7, 6, 7, 0, tzinfo=UTC)

# --- rules, no database ------------------------------------------------------------------------------------------


def test_a_group_met_when_anyone_says_so_and_did_not_when_all_who_answered_say_no() -> None:
    played = rules.PlayedRound(
        1, MONDAY, groups=[[1, 2], [3, 4], [5, 6]], answers=[["met", None], ["wont", "not_yet"], [None, None]]
    )
    assert [played.met(i) for i in range(3)] == [True, False, None]
    # A group that did not meet may be formed again: the optimizer does not see it.
    [past] = rules.optimizer_history([played])
    assert past.groups == (("1", "2"), ("5", "6")) and past.when == MONDAY
    assert past.planned == (("1", "2"), ("3", "4"), ("5", "6"))


def test_only_the_pairs_who_met_are_avoided() -> None:
    """In a trio where one member said "we won't", the two others met; a group that kept quiet counts as met."""
    played = rules.PlayedRound(
        1,
        MONDAY,
        groups=[[1, 2, 3], [4, 5], [6, 7]],
        answers=[["met", "wont", None], ["wont", None], [None, None]],
    )
    [past] = rules.optimizer_history([played])
    assert past.groups == (("1", "3"), ("6", "7"))
    # The round as planned stays known, for the planner to recognise its schedule's round.
    assert past.planned == (("1", "2", "3"), ("4", "5"), ("6", "7"))


def test_round_lines_count_new_pairs_and_groups_that_met() -> None:
    first = rules.PlayedRound(1, MONDAY, groups=[[1, 2], [3, 4]], answers=[["met", None], [None, None]])
    second = rules.PlayedRound(
        2, MONDAY + timedelta(days=7), groups=[[1, 2], [3, 5]], answers=[[None, None], ["wont", None]]
    )
    lines = rules.round_lines([first, second])
    assert [(line.new, line.pairs, line.met, line.answered) for line in lines] == [(2, 2, 1, 1), (1, 2, 0, 1)]


def test_snooze_takes_one_to_twelve_rounds() -> None:
    assert [rules.snooze_count(v) for v in (1, "12", 0, 13, "soon", None)] == [1, 12, None, None, None, None]


def test_a_scheduled_round_waits_for_the_minimum_gap() -> None:
    gap = RoundSettings(cadence="biweekly").min_gap
    assert rules.due(None, MONDAY, gap)
    assert not rules.due(MONDAY, MONDAY + timedelta(days=7), gap)
    assert rules.due(MONDAY, MONDAY + timedelta(days=14), gap)


def test_the_next_round_skips_the_off_week_of_a_fortnight() -> None:
    s = RoundSettings(cadence="biweekly", day="mon", time="09:00")
    after = MONDAY + timedelta(hours=1)
    moment = rules.next_round_at(s.cron(), "Europe/Paris", s.min_gap, after=after, last=MONDAY)
    assert moment == MONDAY + timedelta(days=14)
    assert rules.next_round_at(
        s.cron(), "Europe/Paris", s.min_gap, after=after, last=None
    ) == MONDAY + timedelta(days=7)


def test_settings_read_times_and_delays_as_members_write_them() -> None:
    s = RoundSettings.model_validate(
        {"time": "9h30", "follow_up_after": "2d", "day": "thu", "cadence": "monthly"}
    )
    assert s.time == "09:30" and s.follow_up_after == timedelta(days=2)
    assert s.cron() == "30 9 1-7 * thu"


# --- render, no database -----------------------------------------------------------------------------------------


def test_the_members_page_says_in_out_or_skipping() -> None:
    out = render.my_place(_, active=False, snoozed=0, next_round="Next round: soon.", avoided=0)
    assert out.text.startswith("You don't take part") and [b.label for b in out.buttons] == ["Count me in"]
    skipping = render.my_place(_, active=True, snoozed=2, next_round="Next round: soon.", avoided=1)
    assert "skip the next 2 ones" in skipping.text and "only you can see this" in skipping.text
    assert [b.label for b in skipping.buttons] == ["Skip the next round", "Leave the rounds"]


def test_a_groups_first_message_introduces_everyone_and_what_they_share() -> None:
    seats = [
        render.Seat("alice", rules.Profile("Alice", what="Designer", interests=["Climbing", "jazz"])),
        render.Seat("bob", rules.Profile("Bob", interests=["climbing"])),
        render.Seat("chloe", rules.Profile("Chloe")),
    ]
    message = render.group_message(_, 3, seats, ContentItem(id="s1", text="What made you smile today?"))
    assert message.title == "Round 3: meet each other"
    assert "<@alice>" in message.text and "<@chloe>" in message.text
    fields = {f.name: f.value for f in message.fields}
    assert "Not introduced yet" in fields["Chloe"]
    assert fields["What you have in common"] == "Alice and Bob both mentioned Climbing."
    assert fields["To get the conversation going"] == "What made you smile today?"


def test_answering_not_yet_keeps_the_yes_button() -> None:
    text, question = render.answered(_, "not_yet", 2, ["Bob"], "7")
    assert text.startswith("No rush") and question.text == "⏳ Not yet met with Bob."
    assert [(b.action, b.ref) for b in question.buttons] == [(render.ANSWERS["met"], "7")]
    assert render.answered(_, "met", 2, ["Bob"], "7")[1].buttons == ()


def test_the_statistics_before_any_round_say_how_to_start() -> None:
    counts = rules.Participation(taking_part=3, snoozed=1, paused_quiet=1, paused_month=0, out=2)
    page = render.status(_, participation=counts, next_round="paused", lines=[], dates=[])
    assert page.text.startswith("No round yet")
    assert page.fields[0].value.startswith("3 taking part, 1 skipping the next round, 2 left the rounds.\n")
    assert "Paused: 1 as quiet" in page.fields[0].value and "0 for a month" in page.fields[0].value


def test_participation_puts_each_member_in_one_place() -> None:
    later, earlier = MONDAY + timedelta(days=9), MONDAY - timedelta(days=1)
    rows = [
        (1, True, 0, None, False),
        (2, True, 2, None, False),
        (3, True, 0, None, True),
        (4, True, 1, later, False),
        (5, True, 0, earlier, False),  # a month's pause that is over: taking part again
        (6, False, 0, None, True),
    ]
    assert rules.participation(rows, MONDAY) == rules.Participation(2, 1, 1, 1, 1)


def test_new_pairs_so_far_against_the_most_the_roster_allows() -> None:
    played = [
        rules.PlayedRound(1, MONDAY, groups=[[1, 2], [3, 4]], answers=[[None, None], [None, None]]),
        rules.PlayedRound(2, MONDAY, groups=[[1, 3], [2, 4, 9]], answers=[[None, None], [None, None, None]]),
    ]
    # Member 9 left: the pairs are counted among the four taking part, 4 of their 6.
    assert rules.pair_coverage(played, [1, 2, 3, 4]) == (4, 6)


def test_the_settings_page_in_words() -> None:
    s = RoundSettings(enabled=False, cadence="biweekly", day="thu", time="12:30")
    page = render.settings_page(_, "Rounds settings", s).plain()
    assert "paused" in page and "every two weeks" in page and "Thursday at 12:30" in page and "3d" in page


# --- declarations, on a console community ------------------------------------------------------------------------


def test_every_rounds_table_naming_a_member_is_declared() -> None:
    tables = {item.tablename for item in RoundsFeature.personal_data if isinstance(item, PersonalData)}
    assert tables == {
        "round_participants",
        "round_exclusions",
        "round_group_members",
        "rounds",
        "round_groups",
        "round_polls",
        "round_poll_answers",
    }


async def test_the_schedule_follows_enabled(h: ConsoleCommunity) -> None:
    await h.command("alice", "round join")
    assert h.database is not None
    async with h.database.transaction() as session:
        schedule = await session.scalar(select(Schedule).where(Schedule.kind == "rounds:round"))
        assert schedule is not None and not schedule.paused and schedule.cron == "0 9 * * mon"
    await h.command("camille", "round settings enabled=no")
    async with h.database.transaction() as session:
        schedule = await session.scalar(select(Schedule).where(Schedule.kind == "rounds:round"))
        assert schedule is not None and schedule.paused


async def test_health_counts_members_who_met_and_rounds_held(h: ConsoleCommunity) -> None:
    for name in ("alice", "bob"):
        await h.command(name, "round join")
    since = h.clock.now()
    await h.command("camille", "round start")
    assert h.database is not None
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        assert await health_figure(session, "rounds_held", community.id, since) == 1
        assert await health_figure(session, "rounds_met", community.id, since) == 0
        seat = await session.scalar(
            select(RoundGroupMember)
            .join(Member, Member.id == RoundGroupMember.member_id)
            .where(Member.external_id == "alice")
        )
        assert seat is not None
        seat_id = seat.id
    from bot.events import ButtonPressed

    await h.deliver(
        ButtonPressed(
            community=h.ref, actor=h.member("alice"), action="rounds:met", ref=str(seat_id), delivery_id="m1"
        ),
        actor="alice",
    )
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        assert await health_figure(session, "rounds_met", community.id, since) == 1
        assert (
            await health_figure(session, "rounds_held", community.id, h.clock.now() + timedelta(seconds=1))
            == 0
        )


# --- time zones: working hours that never overlap --------------------------------------------------------------


def test_working_hours_overlap_on_the_clock_of_the_world() -> None:
    paris, tokyo, sydney, san_francisco = 1, 9, 11, -8
    assert zones.overlap([paris, tokyo]) == 1  # Paris 9:00-10:00 is Tokyo 17:00-18:00
    assert zones.apart(paris, sydney) and zones.apart(san_francisco, paris)  # SF's 9:00 is Paris's 18:00
    assert not zones.apart(paris, paris + 5.5)
    # Three members may each share an hour with the other two and still never all work at once.
    assert zones.overlap([0, 8]) == zones.overlap([8, 16]) == zones.overlap([0, 16]) == 1
    assert zones.overlap([0, 8, 16]) == 0
    assert zones.utc_offset("Europe/Paris", MONDAY) == 2 and zones.utc_offset("Nowhere/Else", MONDAY) is None


def test_apart_pairs_are_the_soft_costs_of_members_who_never_work_at_once() -> None:
    pairs = zones.apart_pairs({"a": 1, "b": 1, "c": 13, "d": None})
    assert pairs == {("a", "c"): zones.ZONE_APART, ("b", "c"): zones.ZONE_APART}


def test_time_zones_keep_apart_those_who_never_work_at_once_but_never_repeat_a_pair() -> None:
    offsets: dict[str, float | None] = {"p1": 1, "p2": 1, "n1": 13, "n2": 13}
    soft = zones.apart_pairs(offsets)
    first = plan_round(list(offsets), size=2, soft_pairs=soft, seed=3)
    assert first.groups == (("n1", "n2"), ("p1", "p2"))
    # Next round: no group stays within working hours without repeating a pair, and repeats come first.
    second = plan_round(list(offsets), size=2, soft_pairs=soft, seed=3, history=[PastRound(first.groups)])
    assert second.repeated_pairs == 0


async def test_members_time_zones_reach_the_optimizer(make_harness: Callable[..., ConsoleCommunity]) -> None:
    """Three members in Paris, three in Auckland (chosen with /agora meeting timezone): the trios of the first
    round keep each city together, while those with no known zone go anywhere."""
    async with make_harness("en", rounds={"group_size": 3, "enabled": False}) as h:
        for name, zone in (("ana", "Europe/Paris"), ("ben", "Europe/Paris"), ("cleo", "Europe/Paris")):
            await h.command(name, "round join")
            await h.command(name, f"meeting timezone zone={zone}")
        for name in ("dev", "eli", "fay"):
            await h.command(name, "round join")
            await h.command(name, "meeting timezone zone=Pacific/Auckland")
        await h.command("camille", "round start")
        groups = sorted(sorted(members_of(o)) for o, _ in groups_opened(h))
        assert groups == [["ana", "ben", "cleo"], ["dev", "eli", "fay"]]
