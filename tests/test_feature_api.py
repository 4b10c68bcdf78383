"""Feature API v2: a feature declares its settings and schedules; the core builds the settings command, converts
options before the handler runs, reconciles the schedules and refuses bad input politely.

The feature here is the README's worked example ("How it is built"): one command, one setting, one schedule."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from pydantic import BaseModel, Field, field_validator

from adapters.console import ConsoleCommunity
from bot.context import Context
from bot.events import ButtonPressed, CommandInvoked, TimerFired
from bot.feature import Feature, ScheduleSpec
from bot.i18n import N_
from bot.messages import Message
from bot.router import Option, command, timer
from bot.settings.types import DURATION, OffOrCron
from storage.models import Timer


class PulseSettings(BaseModel):
    """A weekly question to take the group's pulse."""

    schedule: OffOrCron = Field(default="0 9 * * mon", description=N_("When to ask: a cron rule, or off"))

    @field_validator("schedule")
    @classmethod
    def _not_every_minute(cls, rule: str | None) -> str | None:
        if rule is not None and rule.startswith("* "):
            raise ValueError("asking every minute would be spam")
        return rule


class PulseFeature(Feature):
    """Asks the group how it is doing, on a schedule or when an animator asks."""

    name = "pulse"
    settings = PulseSettings
    settings_command = "pulse settings"
    schedules = (ScheduleSpec("pulse", lambda settings: settings.pulse.schedule),)

    @command("pulse", N_("Ask the group how it is doing, now"), options=[Option("within", "", type=DURATION)])
    async def now(self, ctx: Context[CommandInvoked], within: timedelta = timedelta(days=1)) -> None:
        ctx.post_to("announcements", Message(text=f"How are you doing? Answer within {within}."))
        ctx.reply("Asked.")

    @timer("pulse")
    async def scheduled(self, ctx: Context[TimerFired]) -> None:
        ctx.post_to("announcements", Message(text="How are you doing this week?"))


@pytest.fixture
async def pulse(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    h = make_harness("en")
    h._features = lambda: [PulseFeature()]
    await h.start()
    yield h
    await h.stop()


def said(outcome: object) -> str:
    replies = outcome.replies  # type: ignore[attr-defined]
    return "\n".join(
        f"{m.title or ''} {m.text} " + " ".join(f.name + f.value for f in m.fields) for m in replies
    )


async def test_options_arrive_converted_to_their_kind(pulse: ConsoleCommunity) -> None:
    await pulse.command("camille", "pulse within=2h")
    assert "Answer within 2:00:00" in pulse.chat.posts("announcements")[-1].message.text


async def test_a_bad_option_is_refused_by_its_kind_naming_it(pulse: ConsoleCommunity) -> None:
    outcome = await pulse.command("camille", "pulse within=soon")
    assert "“soon” is not a duration I understand (option within)" in said(outcome)
    assert pulse.chat.posts("announcements") == []


async def test_a_huge_value_is_refused_and_never_echoed_whole(pulse: ConsoleCommunity) -> None:
    outcome = await pulse.command("camille", f"pulse within={'9' * 6000}d")
    text = said(outcome)
    assert "too long" in text or "not a duration" in text
    assert len(text) < 300


async def test_the_settings_command_is_built_from_the_settings_model(pulse: ConsoleCommunity) -> None:
    assert pulse.app is not None
    spec = pulse.app.router.commands["pulse settings"]
    assert spec.animator_only
    assert [o.name for o in spec.options] == ["schedule"]
    shown = said(await pulse.command("camille", "pulse settings"))
    assert "0 9 * * mon" in shown


async def test_members_cannot_change_settings(pulse: ConsoleCommunity) -> None:
    await pulse.join("alex")
    outcome = await pulse.command("alex", 'pulse settings schedule="0 18 * * fri"')
    assert "Only the animators" in said(outcome)


async def test_the_schedule_follows_the_setting_and_off_switches_it_off(pulse: ConsoleCommunity) -> None:
    await pulse.join("alex")
    await pulse.command("camille", 'pulse settings schedule="0 18 * * fri"')
    await pulse.advance(days=7)
    assert [p.message.text for p in pulse.chat.posts("announcements")] == ["How are you doing this week?"]
    outcome = await pulse.command("camille", "pulse settings schedule=off")
    assert "Settings saved" in said(outcome)
    await pulse.advance(days=14)
    assert len(pulse.chat.posts("announcements")) == 1


async def test_a_bad_setting_is_refused_and_nothing_is_saved(pulse: ConsoleCommunity) -> None:
    outcome = await pulse.command("camille", "pulse settings schedule=sometimes")
    assert "is not a schedule I understand (option schedule)" in said(outcome)
    assert "0 9 * * mon" in said(await pulse.command("camille", "pulse settings"))


async def test_owned_finds_only_this_communitys_rows(pulse: ConsoleCommunity) -> None:
    await pulse.join("alex")
    assert pulse.app is not None
    from bot.errors import UserError

    async with pulse.app.database.transaction() as session:
        from sqlalchemy import select

        from storage.models import Community

        community = await session.scalar(select(Community))
        assert community is not None
        other = Community(
            platform="console", external_id="other", name="Other", settings={}, created_at=pulse.clock.now()
        )
        session.add(other)
        await session.flush()
        session.add(Timer(community_id=other.id, kind="x", ref="1", due_at=pulse.clock.now()))
        await session.flush()
        foreign = await session.scalar(select(Timer.id).where(Timer.kind == "x"))
        settings = pulse.app.settings_of(community)
        from bot.i18n import translator

        event = ButtonPressed(community=pulse.ref, actor=pulse.member("alex"), action="x", ref=str(foreign))
        ctx = Context(pulse.app, event, session, community, settings, None, translator("en"))
        for ref in (str(foreign), "abc", "99999999999", ""):
            with pytest.raises(UserError, match="no longer exists"):
                await ctx.owned(Timer, ref, gone=N_("This no longer exists."))
        await session.rollback()


async def test_a_setting_its_validator_refuses_is_refused_in_the_members_language(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness("fr")
    h._features = lambda: [PulseFeature()]
    await h.start()
    try:
        outcome = await h.command("camille", 'pulse settings schedule="* * * * *"')
        text = said(outcome)
        assert "n'est pas un calendrier que je comprends (option schedule)" in text
        assert "spam" not in text
        assert "0 9 * * mon" in said(await h.command("camille", "pulse settings"))
    finally:
        await h.stop()
