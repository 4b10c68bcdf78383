"""The rounds, debates and icebreakers page: what ran, and the review queues decided with the chat's own
buttons (the author hears it, the chat's queue is the same), never another community's suggestion."""

from __future__ import annotations

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from storage.models import Community
from storage.tables.debates import DebateMotion
from storage.tables.icebreakers import IcebreakerQuestion
from tests.support import arrive
from tests.web.support import Browser, open_page


async def test_suggestions_are_approved_and_rejected_as_in_the_chat(
    w: ConsoleCommunity, browser: Browser
) -> None:
    assert w.database is not None
    await arrive(w, "alice")
    await w.command("alice", 'icebreaker suggest "What tool saved your <b>week</b>?"')
    await w.command("alice", "debate propose Remote work weakens networks")
    page = await open_page(w, browser, "reviews")
    assert "What tool saved your <b>week</b>?" in browser.text and "<b>week" not in browser.html
    assert "Remote work weakens networks" in browser.text
    async with w.database.sessions() as session:
        question = await session.scalar(select(IcebreakerQuestion.id))
        motion = await session.scalar(select(DebateMotion.id))

    await browser.post(page, {"kind": "icebreaker", "decision": "approve", "ref": str(question)})
    assert browser.status == 200 and "Approved: it will be among the next questions asked." in browser.text
    await browser.post(page, {"kind": "debate", "decision": "reject", "ref": str(motion)})
    assert browser.status == 200 and "No motion is waiting." in browser.text

    async with w.database.sessions() as session:
        assert str(await session.scalar(select(IcebreakerQuestion.status))) == "approved"
        assert str(await session.scalar(select(DebateMotion.status))) == "declined"
    again = await w.command("camille", "icebreaker suggestions")
    assert "No suggestion is waiting" in again.replies[0].text


async def test_an_animator_of_another_community_cannot_decide_its_suggestions(
    w: ConsoleCommunity, browser: Browser
) -> None:
    assert w.app is not None and w.database is not None
    other = ConsoleCommunity(w.config, animators={"dana"}, community_id="other", name="Other place")
    other.app, other.database, other.scheduler, other.clock = w.app, w.database, w.scheduler, w.clock
    await other.join("zoe", delivery_id="other:1")
    async with w.database.transaction() as session:  # a suggestion waiting in the other community
        community = await session.scalar(select(Community.id).where(Community.external_id == "other"))
        question = IcebreakerQuestion(community_id=community, text="Secret question?", created_at=w.clock.now())
        session.add(question)
        await session.flush()
        theirs = question.id
    page = await open_page(w, browser, "reviews")
    assert "Secret question?" not in browser.text

    await browser.post(page, {"kind": "icebreaker", "decision": "approve", "ref": str(theirs)})

    assert browser.status == 422 and "Secret question?" not in browser.text
    await browser.post(
        f"/c/{int(page.split('/')[2]) + 1}/reviews",
        {"kind": "icebreaker", "decision": "approve", "ref": str(theirs)},
    )
    assert browser.status == 403
    async with w.database.sessions() as session:
        assert str(await session.scalar(select(IcebreakerQuestion.status))) == "pending"


async def test_the_page_speaks_french(w: ConsoleCommunity, browser: Browser) -> None:
    await open_page(w, browser, "reviews", "?lang=fr")

    assert "Questions brise-glace suggérées" in browser.text
