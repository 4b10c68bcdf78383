"""Rows let go of the outbox entries they no longer need, so that the daily pruning job removes them after
``database.keep_for`` and the outbox stays bounded however many members come: a newcomer's invitation and reminder
once answered (or lapsed, unanswered, after the newcomer's first weeks), an icebreaker suggestion's review requests
once decided; and an entry a pending update still needs is kept until it is delivered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.operations import ReplacePost
from bot.retention import prune
from storage.models import Member, OutboxEntry, OutboxStatus
from storage.tables.icebreakers import IcebreakerQuestion
from storage.tables.profiles import Newcomer
from tests.support import arrive, onboarding_harness


async def newcomer(h: ConsoleCommunity, who: str) -> Newcomer:
    assert h.database is not None
    async with h.database.transaction() as session:
        found = await session.scalar(select(Newcomer).join(Member).where(Member.external_id == who))
    assert found is not None
    return found


async def arrive_and_get_reminded(h: ConsoleCommunity, who: str) -> tuple[int, int]:
    """``who`` arrives, is invited, and reminded three days later: the outbox entries of both DMs."""
    await arrive(h, who)
    await h.advance(days=3.1)
    path = await newcomer(h, who)
    assert path.invitation_entry_id is not None and path.nudge_entry_id is not None
    return path.invitation_entry_id, path.nudge_entry_id


def invitations(h: ConsoleCommunity, who: str) -> list[str]:
    """The current text of the invitation and of the reminder in ``who``'s DMs; no buttons left on either."""
    shown = []
    for sent in h.chat.dms(who)[1:]:
        assert sent.ref is not None
        message = h.chat.current[sent.ref.id]
        assert not message.buttons, message
        shown.append(message.text)
    return shown


async def still_stored(h: ConsoleCommunity, *entry_ids: int) -> set[int]:
    assert h.database is not None
    async with h.database.transaction() as session:
        return set(await session.scalars(select(OutboxEntry.id).where(OutboxEntry.id.in_(entry_ids))))


async def test_an_introduction_retires_both_dms_which_are_pruned_after_the_window(
    o: ConsoleCommunity,
) -> None:
    sent = await arrive_and_get_reminded(o, "alice")
    outcome = await o.submit("alice", "intro", {"what": "Baker"})
    assert outcome.error is None

    assert invitations(o, "alice") == ["✅ Done: your introduction is in <#introductions>."] * 2
    path = await newcomer(o, "alice")
    assert (path.invitation_entry_id, path.nudge_entry_id) == (None, None)

    await o.advance(days=1)
    assert await still_stored(o, *sent) == set(sent)
    await o.advance(days=30)  # past the 30 days of database.keep_for: the daily job pruned them
    assert await still_stored(o, *sent) == set()


async def test_not_now_on_the_reminder_retires_the_invitation_too(o: ConsoleCommunity) -> None:
    sent = await arrive_and_get_reminded(o, "alice")
    invitation, reminder = o.chat.dms("alice")[1:]
    # The reminder is the newest "Not now": it is the one pressed, and the invitation follows.
    later = await o.press("alice", "Not now")
    assert later.update is not None and not later.update.buttons

    said = "No problem: I won't ask again. Whenever you like, /agora profile opens your introduction."
    assert invitations(o, "alice") == [said, said]
    # Each is replaced once: the pressed reminder with the answer, the invitation through the outbox.
    updates = [s.ref for s in o.chat.sent if s.kind == "update" and s.ref in (invitation.ref, reminder.ref)]
    assert sorted(map(str, updates)) == sorted(map(str, [invitation.ref, reminder.ref]))
    path = await newcomer(o, "alice")
    assert (path.invitation_entry_id, path.nudge_entry_id) == (None, None)

    await o.advance(days=31)
    assert await still_stored(o, *sent) == set()


async def test_an_unanswered_invitation_lapses_after_the_newcomer_window(o: ConsoleCommunity) -> None:
    sent = await arrive_and_get_reminded(o, "alice")
    await o.advance(days=26.8)  # the newcomer window (30 days) is not over yet
    assert [s.kind for s in o.chat.sent if s.to == "alice"] == ["dm", "update", "reply", "role", "dm", "dm"]
    assert (await newcomer(o, "alice")).invitation_entry_id == sent[0]

    await o.advance(days=0.2)
    lapsed = "Whenever you like, you can still introduce yourself: /agora profile opens the form."
    assert invitations(o, "alice") == [lapsed, lapsed]
    assert len(o.chat.dms("alice")) == 3  # retired in place: nothing new is sent
    path = await newcomer(o, "alice")
    assert (path.invitation_entry_id, path.nudge_entry_id) == (None, None)
    assert (await o.command("alice", "profile")).form is not None

    await o.advance(days=31)
    assert await still_stored(o, *sent) == set()


async def test_a_post_waiting_for_its_replacement_is_not_pruned(o: ConsoleCommunity) -> None:
    """A row may let go of a post once it enqueued its last update: the update finds it, however late."""
    await arrive(o, "alice")
    invitation = (await newcomer(o, "alice")).invitation_entry_id
    assert invitation is not None and o.database is not None
    later = o.clock.now() + timedelta(days=400)
    async with o.database.transaction() as session:
        old = await session.get(OutboxEntry, invitation)
        assert old is not None and old.status == OutboxStatus.SENT
        # The platform is down: the replacement waits for a retry, far beyond the window.
        replacement = ReplacePost(o.chat.dms("alice")[-1].message, entry=invitation)  # type: ignore[arg-type]
        session.add(
            OutboxEntry(
                community_id=old.community_id,
                op=replacement.op,
                payload=replacement.to_payload(),
                next_attempt_at=later,
                created_at=o.clock.now(),
            )
        )
        path = await session.scalar(select(Newcomer))
        assert path is not None
        path.invitation_entry_id = None

    await prune(o.database, later)
    assert await still_stored(o, invitation) == {invitation}


async def test_a_decided_suggestion_lets_go_of_its_review_requests(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness(
        "en", channels={"welcome": "welcome", "icebreakers": "icebreakers"}, animators=["camille", "dora"]
    )
    await h.start()
    try:
        await h.join("alex")
        await h.command("alex", 'icebreaker suggest "Which tool did you discover thanks to a colleague?"')
        assert h.database is not None
        async with h.database.transaction() as session:
            question = await session.scalar(select(IcebreakerQuestion))
        assert question is not None and len(question.review_entries) == 2
        requests = [int(e) for e in question.review_entries]

        await h.press("camille", "Approve")
        [dora_copy] = [d for d in h.chat.dms("dora") if d.message and d.message.title]
        assert dora_copy.ref is not None and not h.chat.current[dora_copy.ref.id].buttons
        async with h.database.transaction() as session:
            question = await session.scalar(select(IcebreakerQuestion))
        assert question is not None and question.review_entries == []

        await h.advance(days=31)
        assert await still_stored(h, *requests) == set()
    finally:
        await h.stop()


async def test_a_reminder_due_after_the_newcomer_window_is_sent_and_lapses_a_week_later(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    # An animator who reminds late (after the newcomer window) still gets the reminder out, answerable for a week.
    async with onboarding_harness(
        make_harness, onboarding={"nudge_after": "40d", "newcomer_window": "30d"}
    ) as h:
        await arrive(h, "zoe")
        await h.advance(days=40.1)
        path = await newcomer(h, "zoe")
        assert path.nudged_at is not None and path.nudge_entry_id is not None
        assert all(h.chat.current[d.ref.id].buttons for d in h.chat.dms("zoe")[1:] if d.ref is not None)

        await h.advance(days=7)
        lapsed = "Whenever you like, you can still introduce yourself: /agora profile opens the form."
        assert invitations(h, "zoe") == [lapsed, lapsed]
