"""Stopping and starting the bot on the same database loses nothing and repeats nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from adapters.console import ConsoleCommunity


async def test_a_button_sent_before_a_restart_still_works_after_it(h: ConsoleCommunity) -> None:
    await h.join("alice")
    await h.restart()

    outcome = await h.press("alice", "I accept the charter")

    assert outcome.replies[0].text.startswith("Thank you!")
    assert h.chat.roles["alice"] == {"member"}


async def test_a_reminder_due_while_stopped_is_sent_once_at_start(h: ConsoleCommunity) -> None:
    await h.join("bob")
    await h.stop()
    h.clock.advance(timedelta(days=5))  # the bot is down while the reminder comes due

    await h.start()
    assert [d.message.title for d in h.chat.dms("bob") if d.message] == [
        "Welcome to The Indies!",
        "A gentle reminder from The Indies",
    ]

    await h.restart()
    await h.advance(days=10)
    assert len(h.chat.dms("bob")) == 2


async def test_an_accepted_charter_cancels_the_reminder_even_across_a_restart(h: ConsoleCommunity) -> None:
    await h.join("bob")
    await h.press("bob", "I accept the charter")
    await h.restart()
    await h.advance(days=3)
    assert "A gentle reminder from The Indies" not in [
        d.message.title for d in h.chat.dms("bob") if d.message
    ]


async def test_a_start_arms_only_the_next_hours_timers_and_later_ones_still_come_on_time(
    h: ConsoleCommunity, caplog: pytest.LogCaptureFixture
) -> None:
    await h.join("bob")  # his charter reminder is due in two days
    await h.restart()
    assert h.scheduler is not None
    pending = h.scheduler.pending()
    # Nothing is due within the hour: no timer is a job yet, one job arms the next stretch.
    assert [key for key in pending if key.startswith("timer:")] == []
    assert "timers:next" in pending

    await h.advance(days=2, minutes=1)
    assert [d.message.title for d in h.chat.dms("bob") if d.message] == [
        "Welcome to The Indies!",
        "A gentle reminder from The Indies",
    ]
    # A community whose recurring rules follow its settings has nothing to catch up at start: no BotStarted.
    with caplog.at_level(logging.INFO, logger="agora.events"):
        await h.restart()
    assert not [r for r in caplog.records if getattr(r, "agora", {}).get("event") == "BotStarted"]
