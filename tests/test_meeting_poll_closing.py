"""A date poll closes early enough for the chosen date to be announced: at least the meetings' lead time (24 hours
by default, ``/agora meeting settings lead_time=…``) before its first date, and a date too close for that is
refused with the reason."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from storage.tables.meetings import MeetingPoll
from tests.support import community, members, open_poll, paris


async def closing(h: ConsoleCommunity) -> object:
    assert h.app is not None
    async with h.app.database.transaction() as session:
        return (await session.scalars(select(MeetingPoll.closes_at))).one()


async def test_a_poll_closes_a_day_before_its_first_date(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    # Monday 9:00; the first date is Tuesday at 18:00: three days of poll would end after it.
    async with community(make_harness) as h:
        await members(h, "alice")
        opened = await open_poll(h, "tuesday 6pm\nwednesday 6pm")
        assert opened.error is None
        assert await closing(h) == paris(2026, 11, 23, 18, 0)  # 24 hours before Tuesday 18:00
        assert "It closes on Monday 23 November 2026 at 6:00 PM" in opened.replies[0].text


async def test_a_date_too_close_to_announce_is_refused_with_the_reason(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        refused = await open_poll(h, "today 6pm\nthursday 6pm")
        assert refused.form_errors == {
            "options": "Line 1 (“today 6pm”): It is too soon: the poll closes 24 hours before its first date, so "
            "that the chosen date can be announced. Choose a date after Tuesday 24 November 2026 at 9:00 AM."
        }


async def test_the_lead_time_is_a_meetings_setting(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness, "fr", lead_time="2h") as h:
        opened = await open_poll(h, "aujourd'hui 18h")
        assert opened.error is None
        assert await closing(h) == paris(2026, 11, 23, 16, 0)
        assert "(Il se clôt 2 heures avant la première date" in opened.replies[0].text
        changed = await h.command("camille", "meeting settings lead_time=48h")
        assert changed.error is None
        assert h.app is not None
        assert (await h.app.community_settings(h.ref)).meetings.lead_time.days == 2  # type: ignore[attr-defined]
