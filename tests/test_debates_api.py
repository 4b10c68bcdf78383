"""The debates' pieces on their own: the pure rules and the messages without a database, then what the feature
declares (settings command, schedule, personal data, health) on a console community."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.errors import UserError
from bot.features.debates import DebatesFeature, render, rules
from bot.features.debates.settings import DebateSettings
from bot.features.debates.summary import Stance, summarize
from bot.i18n import translator
from storage.models import Community, Schedule
from tests.support import health_figure

_ = translator("en")
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


def when(moment: datetime) -> str:
    return moment.strftime("%d/%m %H:%M")


@dataclass
class FakeDebate:
    id: int = 7
    number: int = 3
    motion: str = "Remote work weakens professional networks"
    positions: list[str] = field(default_factory=lambda: ["For", "Against"])
    credit: str = ""
    channel: str = "debates"
    status: str = "open"
    anonymous: bool = True
    closes_at: datetime = NOW + timedelta(days=3)
    closed_at: datetime | None = None


@dataclass
class FakeMotion:
    id: int = 4
    text: str = "Meetings should start on time"
    positions: list[str] = field(default_factory=list)
    credited: bool = True


# --- rules, no database ------------------------------------------------------------------------------------------


def test_positions_are_split_checked_and_defaulted() -> None:
    assert rules.parse_positions("For | Against;  It depends\n") == ["For", "Against", "It depends"]
    assert rules.debate_positions(_, None, ()) == ["For", "Against", "Nuanced"]
    assert rules.debate_positions(_, None, ("Yes", "No")) == ["Yes", "No"]
    with pytest.raises(UserError, match="given twice"):
        rules.checked_positions(_, "Yes | yes")
    with pytest.raises(UserError, match="at least two positions"):
        rules.checked_positions(_, "Alone")
    with pytest.raises(UserError, match="6 positions"):
        rules.checked_positions(_, "A|B|C|D|E|F")


def test_what_an_animator_types_for_the_motion() -> None:
    assert rules.motion_ref(_, "C12") == rules.MotionRef("own", "C12", 12)
    assert rules.motion_ref(_, "Remote-Networks") == rules.MotionRef("bank", "remote-networks")
    assert rules.motion_ref(_, "Cats  rule").kind == "text"
    with pytest.raises(UserError, match="The motion is empty"):
        rules.motion_ref(_, "  ")
    with pytest.raises(UserError, match="single word"):
        rules.new_motion_text(_, "Cats")


def test_a_debate_lasts_between_ten_minutes_and_sixty_days() -> None:
    assert rules.debate_duration(_, None, timedelta(days=3)) == timedelta(days=3)
    assert rules.debate_duration(_, "36h", timedelta(days=3)) == timedelta(hours=36)
    with pytest.raises(UserError, match="between 10 minutes"):
        rules.debate_duration(_, "90d", timedelta(days=3))
    with pytest.raises(UserError, match="not a duration"):
        rules.debate_duration(_, "soon", timedelta(days=3))


def test_the_next_bank_motion_is_a_fresh_one_else_the_oldest() -> None:
    assert rules.pick_fresh(["a", "b"], {"a": NOW}, 1) == "b"
    assert rules.pick_fresh(["a", "b"], {"a": NOW, "b": NOW - timedelta(days=1)}, 1) == "b"
    assert rules.pick_fresh(["a", "b", "c"], {}, 5) == rules.pick_fresh(["a", "b", "c"], {}, 5)


def test_positions_are_taken_until_the_deadline_even_before_the_close_runs() -> None:
    assert rules.takes_positions("open", NOW + timedelta(minutes=1), NOW)
    assert not rules.takes_positions("open", NOW, NOW)
    assert not rules.takes_positions("closed", NOW + timedelta(days=1), NOW)
    assert rules.answer_by(NOW, timedelta(days=1), NOW + timedelta(hours=2)) == NOW + timedelta(hours=2)


def test_the_settings_model_refuses_a_debate_too_long_and_reads_off() -> None:
    assert DebateSettings(schedule="off").schedule is None
    assert DebateSettings.model_validate({"duration": "2d"}).model_dump(mode="json")["duration"] == "2d"
    with pytest.raises(ValueError, match="between 10 minutes"):
        DebateSettings.model_validate({"duration": "90d"})


# --- render, no database -----------------------------------------------------------------------------------------


def test_the_debate_post_has_a_button_per_position_while_open() -> None:
    message = render.debate_message(_, when, FakeDebate(), 2, "u-lea", threads=True)
    assert message.title == "Debate: Remote work weakens professional networks"
    assert [b.label for b in message.buttons] == ["For", "Against"]
    assert [b.ref for b in message.buttons] == ["7.0", "7.1"]
    assert message.fields[0].value == "2 members so far"
    assert "thread" in message.text and message.footer == "Debate #3"
    closed = FakeDebate(status="closed", closed_at=NOW, credit="<@u-ana>")
    message = render.debate_message(_, when, closed, 2, None, threads=False)
    assert message.buttons == () and "closed on 16/03 09:00" in message.text
    assert message.footer == "Debate #3, motion proposed by <@u-ana>"


def test_the_summary_names_nobody_when_anonymous() -> None:
    summary = summarize(
        ["For", "Against"], [Stance(0, 1, member="<@u-a>"), Stance(0, 0, member="<@u-b>")], []
    )
    message = render.summary_message(_, FakeDebate(), summary, None, volunteer_button=False)
    assert message.text == "2 members took a position. 1 of them changed their mind during the debate."
    assert "<@u-a>" not in " ".join(f.value for f in message.fields)
    named = render.summary_message(_, FakeDebate(anonymous=False), summary, "u-lea", volunteer_button=True)
    assert "<@u-a>" in " ".join(f.value for f in named.fields)
    assert named.buttons[0].action == render.VOLUNTEER


def test_the_settings_page_and_the_status() -> None:
    view = render.SettingsView(
        True, timedelta(days=2), False, True, timedelta(days=1), "0 9 * * mon", "Monday", ""
    )
    page = render.settings_page(_, "Debate settings", view)
    fields = {f.name: f.value for f in page.fields}
    assert fields["Schedule"] == "0 9 * * mon (next: Monday)" and fields["Duration"] == "2d"
    assert fields["Channel"].startswith("not set")
    status = render.status_message(
        _, [render.OpenDebate(1, "M", "debates", "Friday", None)], None, enabled=False
    )
    assert status.fields[-1].value == "Debates are switched off in this community."


def test_a_proposal_has_review_buttons_until_decided() -> None:
    message = render.proposal_message(_, FakeMotion(credited=False), None)
    assert message.title == "Motion c4, proposed by a former member"
    assert [b.action for b in message.buttons] == [render.APPROVE, render.REJECT]
    assert render.proposal_message(_, FakeMotion(), "u-ana", decided="Declined.").buttons == ()


def test_long_lists_are_cut_into_fields_under_discords_cap() -> None:
    fields = render.chunks("Motions", ["x" * 400] * 5)
    assert len(fields) == 3 and all(len(f.value) <= 1000 for f in fields)


# --- the declarations, on a console community --------------------------------------------------------------------


@pytest.fixture
async def h(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    async with make_harness("en", channels={"debates": "debates"}) as harness:
        yield harness


async def test_the_settings_command_is_built_from_the_model(h: ConsoleCommunity) -> None:
    assert h.app is not None
    spec = h.app.router.commands["debate settings"]
    assert spec.animator_only
    assert [o.name for o in spec.options] == list(DebateSettings.model_fields)


async def test_the_recurring_rule_follows_the_setting(h: ConsoleCommunity) -> None:
    await h.command("camille", 'debate settings schedule="0 9 * * mon"')
    assert h.database is not None
    async with h.database.transaction() as session:
        row = await session.scalar(select(Schedule).where(Schedule.kind == render.SCHEDULED))
        assert row is not None and row.cron == "0 9 * * mon" and not row.paused
    await h.command("camille", "debate settings enabled=no")
    async with h.database.transaction() as session:
        row = await session.scalar(select(Schedule).where(Schedule.kind == render.SCHEDULED))
        assert row is None or row.paused


def test_every_debates_table_naming_a_member_is_declared() -> None:
    declared = {(d.tablename, d.member) for d in DebatesFeature.personal_data}
    assert ("debate_stances", "member_id") in declared and ("debates", "lead_id") in declared


async def test_health_counts_members_who_took_a_position_and_debates_held(h: ConsoleCommunity) -> None:
    await h.join("alice")
    since = h.clock.now()
    await h.command("camille", 'debate start motion="Meetings should start on time"')
    assert h.database is not None
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        assert await health_figure(session, "debates.held", community.id, since) == 1
        assert await health_figure(session, "debates.position", community.id, since) == 0
    post = next(s for s in h.chat.posts("debates") if s.message and s.message.buttons)
    assert post.message is not None
    await h.press("alice", post.message.buttons[0].label)
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        assert await health_figure(session, "debates.position", community.id, since) == 1
        later = h.clock.now() + timedelta(seconds=1)
        assert await health_figure(session, "debates.held", community.id, later) == 0
    assert [step.key for step in DebatesFeature.health] == [
        "debates.position",
        "debates.motions",
        "debates.held",
    ]
