"""Stopping and starting the bot on the same database loses nothing and repeats nothing."""

from __future__ import annotations

from datetime import timedelta

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
