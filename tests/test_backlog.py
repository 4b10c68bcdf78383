"""Back-pressure: when the process has too many events on its hands, the person who acted is told to wait a
moment (in their community's language), the event waits in the inbox, and it is handled once there is room:
nothing acknowledged is dropped. The backlog is on ``/healthz`` and in each event's log line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import func, select

from adapters.console import ConsoleCommunity
from bot.events import ButtonPressed
from storage.models import InboxEntry
from storage.tables.debates import DebateStance

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "debates": "debates"}


async def burst(h: ConsoleCommunity, members: int) -> list[str]:
    """``members`` take a position at once, each recorded in the inbox first as an adapter does; the answers."""
    assert h.app is not None
    events = [
        ButtonPressed(
            community=h.ref,
            actor=h.member(f"m{i}"),
            action="debate:take",
            ref="1.0",
            delivery_id=f"press-{i}",
        )
        for i in range(members)
    ]
    for event in events:
        assert await h.app.accept(event)
    outcomes = await asyncio.gather(*(h.app.process(event) for event in events))
    await h.app.settle()
    return [o.replies[0].text if o.replies else "" for o in outcomes]


async def test_a_burst_beyond_the_backlog_is_told_to_wait_and_every_press_still_counts(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness("fr", channels=CHANNELS)
    await h.start()
    try:
        assert h.app is not None and h.database is not None
        await h.command("camille", "debate start motion=remote-networks duration=2d")
        h.app.backlog.limit = 3

        answers = await burst(h, 10)

        busy = [a for a in answers if a.startswith("Beaucoup de demandes en ce moment")]
        assert len(busy) == 7 and h.app.backlog.refused == 7
        async with h.database.transaction() as session:
            assert await session.scalar(select(func.count(DebateStance.id))) == 10
            assert await session.scalar(select(func.count(InboxEntry.id))) == 0
        assert h.app.backlog.size == 0
    finally:
        await h.stop()
