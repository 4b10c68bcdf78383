"""The walking skeleton through the console: a newcomer is welcomed, accepts the charter, is let in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from adapters.console import ConsoleCommunity
from storage.models import Acknowledgement, Member

WORDS = {
    "en": {
        "welcome": "Welcome to The Indies!",
        "objective": "Our objective",
        "who": "Who animates the group, and why",
        "button": "I accept the charter",
        "thanks": "Thank you! You accepted the charter of The Indies (version 1).",
        "already": "You already accepted this charter (version 1)",
        "reminder": "A gentle reminder from The Indies",
        "charter": "The charter of The Indies",
    },
    "fr": {
        "welcome": "Bienvenue dans Les Indés !",
        "objective": "Notre objectif",
        "who": "Qui anime le groupe, et pourquoi",
        "button": "J'accepte la charte",
        "thanks": "Merci ! Vous avez accepté la charte (version 1). Bienvenue à bord de Les Indés.",
        "already": "Vous avez déjà accepté cette charte (version 1)",
        "reminder": "Petit rappel de la part de Les Indés",
        "charter": "La charte de Les Indés",
    },
}


async def acknowledgements(h: ConsoleCommunity, member: str) -> int:
    assert h.database is not None
    async with h.database.transaction() as session:
        return int(
            await session.scalar(
                select(func.count(Acknowledgement.id)).join(Member).where(Member.external_id == member)
            )
            or 0
        )


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_newcomer_is_welcomed_accepts_the_charter_and_is_let_in(
    make_harness: Callable[..., ConsoleCommunity], locale: str
) -> None:
    words = WORDS[locale]
    async with make_harness(locale) as h:
        await h.join("alice")

        [welcome] = h.chat.dms("alice")
        assert welcome.message is not None
        assert welcome.message.title == words["welcome"]
        text = welcome.message.plain()
        assert words["objective"] in text and words["who"] in text
        assert "Camille" in text and ("three years" in text or "trois ans" in text)
        assert [b.label for b in welcome.message.buttons] == [words["button"]]

        outcome = await h.press("alice", words["button"])

        assert await acknowledgements(h, "alice") == 1
        assert h.chat.roles["alice"] == {"member"}
        assert outcome.replies[0].ephemeral and outcome.replies[0].text.startswith(words["thanks"])
        assert outcome.update is not None and not outcome.update.buttons  # the DM no longer asks

        shown = await h.command("bob", "charter")
        assert shown.replies[0].title == words["charter"]
        assert words["objective"] in shown.replies[0].plain()


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_pressing_again_records_nothing_more(
    make_harness: Callable[..., ConsoleCommunity], locale: str
) -> None:
    words = WORDS[locale]
    async with make_harness(locale) as h:
        await h.join("alice")
        await h.press("alice", words["button"])
        again = await h.press("alice", words["button"])

        assert await acknowledgements(h, "alice") == 1
        assert again.replies[0].text.startswith(words["already"])
        assert [s.detail for s in h.chat.sent if s.kind == "role"] == ["+member"]


async def test_one_reminder_after_the_delay_and_never_twice(h: ConsoleCommunity) -> None:
    await h.join("bob")
    await h.advance(days=1.9)
    assert len(h.chat.dms("bob")) == 1

    await h.advance(days=0.2)
    assert [d.message.title for d in h.chat.dms("bob") if d.message] == [
        "Welcome to The Indies!",
        "A gentle reminder from The Indies",
    ]
    reminder = h.chat.dms("bob")[1].message
    assert reminder is not None and "only reminder" in reminder.text

    await h.advance(days=30)
    assert len(h.chat.dms("bob")) == 2


async def test_no_reminder_for_who_accepted_or_left(h: ConsoleCommunity) -> None:
    await h.join("alice")
    await h.join("bob")
    await h.press("alice", "I accept the charter")
    await h.leave("bob")
    await h.advance(days=3)
    # alice then gets the invitation to introduce herself (onboarding), but no charter reminder.
    assert "A gentle reminder from The Indies" not in [
        d.message.title for d in h.chat.dms("alice") if d.message
    ]
    assert len(h.chat.dms("bob")) == 1


async def test_the_reminder_delay_is_the_communitys(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("en", charter_reminder_after="6h") as h:
        await h.join("bob")
        await h.advance(days=0.3)
        assert len(h.chat.dms("bob")) == 2


async def test_rejoining_after_accepting_opens_the_doors_again_without_a_new_charter(
    h: ConsoleCommunity,
) -> None:
    await h.join("alice")
    await h.press("alice", "I accept the charter")
    await h.leave("alice")
    await h.join("alice")
    assert h.chat.dms("alice")[-1].text == "Welcome back to The Indies!"
    assert [s.detail for s in h.chat.sent if s.kind == "role"] == ["+member", "+member"]
    await h.advance(days=3)
    assert "A gentle reminder from The Indies" not in [
        d.message.title for d in h.chat.dms("alice") if d.message
    ]
