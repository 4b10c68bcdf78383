"""The meetings page: the next and past meetings with their answers and recaps, one meeting's names, and the
calendar feed members' calendars subscribe to with its secret address alone (made, replaced, the old one dead)."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from storage.models import Community, Member, RsvpStatus
from storage.tables.meetings import Meeting, Rsvp
from tests.support import arrive
from tests.web.support import PUBLIC_URL, Browser, open_page


async def a_meeting(
    h: ConsoleCommunity, title: str, days: int, recap: str = "", going: tuple[str, ...] = ()
) -> int:
    """A meeting ``days`` from now (negative: past) in ``h``'s community, with members going."""
    assert h.database is not None
    now = h.clock.now()
    async with h.database.transaction() as session:
        community = await session.scalar(
            select(Community).where(Community.platform == h.ref.platform, Community.external_id == h.ref.id)
        )
        assert community is not None
        meeting = Meeting(
            community_id=community.id,
            title=title,
            place="La Cordée, Lyon",
            starts_at=now + timedelta(days=days),
            ends_at=now + timedelta(days=days, hours=2),
            capacity=10,
            created_by="camille",
            created_at=now,
            recap=recap or None,
            ended_at=now + timedelta(days=days, hours=2) if days < 0 else None,
        )
        session.add(meeting)
        await session.flush()
        for name in going:
            member = await session.scalar(
                select(Member).where(Member.community_id == community.id, Member.external_id == name)
            )
            assert member is not None
            session.add(
                Rsvp(
                    community_id=community.id,
                    meeting_id=meeting.id,
                    member_id=member.id,
                    status=RsvpStatus.GOING,
                    updated_at=now,
                )
            )
        return meeting.id


async def feed(path: str, browser: Browser) -> tuple[int, str, str]:
    """The feed as a calendar fetches it: no cookie, the address alone."""
    async with aiohttp.ClientSession() as calendar, calendar.get(browser.base + path) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def test_the_page_shows_next_and_past_meetings_with_answers_and_recaps(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await arrive(w, "alice")
    await arrive(w, "bob")
    await a_meeting(w, "October meetup", -30, recap="We shared <b>rates</b>.", going=("alice", "bob"))
    upcoming = await a_meeting(w, "December meetup", 10, going=("alice",))

    page = await open_page(w, browser, "meetings")

    nxt = browser.text.split('id="next"')[1].split('id="past"')[0]
    assert "December meetup" in nxt and "October meetup" not in nxt
    assert "<td>1 / 10</td>" in browser.html.split("December meetup")[1]
    assert "<td>2 / 10</td>" in browser.html.split("October meetup")[1]
    assert "We shared &lt;b&gt;rates&lt;/b&gt;." in browser.html  # member text is data
    await browser.get(f"{page}?meeting={upcoming}")
    assert browser.status == 200 and "alice" in browser.text and "Going" in browser.text


async def test_the_calendar_feed_is_made_replaced_and_read_without_a_session(
    w: ConsoleCommunity, browser: Browser
) -> None:
    await arrive(w, "alice")
    await a_meeting(w, "December meetup", 10)
    page = await open_page(w, browser, "meetings")
    assert "No calendar address yet" in browser.text

    await browser.post(page, {"action": "rotate"})
    assert browser.status == 200 and "The calendar's address is ready" in browser.text
    first = re.search(re.escape(PUBLIC_URL) + r"(/calendar/[A-Za-z0-9_-]{43}\.ics)", browser.text)
    assert first is not None
    status, kind, text = await feed(first.group(1), browser)
    assert status == 200 and kind.startswith("text/calendar")
    assert "SUMMARY:December meetup" in text and "X-WR-CALNAME:The Indies" in text

    await browser.post(page, {"action": "rotate"})
    assert "The calendar has a new address" in browser.text
    second = re.search(re.escape(PUBLIC_URL) + r"(/calendar/[A-Za-z0-9_-]{43}\.ics)", browser.text)
    assert second is not None and second.group(1) != first.group(1)
    assert (await feed(first.group(1), browser))[0] == 404
    assert (await feed(second.group(1), browser))[0] == 200
    assert (await feed("/calendar/" + "x" * 43 + ".ics", browser))[0] == 404


async def test_the_page_speaks_french(w: ConsoleCommunity, browser: Browser) -> None:
    await open_page(w, browser, "meetings", "?lang=fr")

    assert "Prochaines rencontres" in browser.text


async def test_an_animator_of_another_community_sees_none_of_its_meetings(
    w: ConsoleCommunity, browser: Browser
) -> None:
    assert w.app is not None
    other = ConsoleCommunity(w.config, animators={"dana"}, community_id="other", name="Other place")
    other.app, other.database, other.scheduler, other.clock = w.app, w.database, w.scheduler, w.clock
    await other.join("dana", delivery_id="other:1")
    theirs = await a_meeting(other, "Secret summit", 5)
    await arrive(w, "alice")
    await a_meeting(w, "Our meetup", 5)
    page = await open_page(w, browser, "meetings")

    assert "Secret summit" not in browser.text
    await browser.get(f"{page}?meeting={theirs}")
    assert browser.status == 404 and "Secret summit" not in browser.text
    await browser.get(f"/c/{int(page.split('/')[2]) + 1}/meetings?meeting={theirs}")
    assert browser.status in (403, 404) and "Secret summit" not in browser.text
    await browser.get(page)
    await browser.post(page, {"action": "rotate"})
    ours = re.search(re.escape(PUBLIC_URL) + r"(/calendar/[A-Za-z0-9_-]{43}\.ics)", browser.text)
    assert ours is not None
    text = (await feed(ours.group(1), browser))[2]
    assert "Our meetup" in text and "Secret summit" not in text
