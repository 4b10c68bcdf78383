"""A delivery the platform sends twice has one effect."""

from __future__ import annotations

from sqlalchemy import func, select

from adapters.console import ConsoleCommunity
from storage.models import Acknowledgement, Member, OutboxEntry


async def count(h: ConsoleCommunity, model: type) -> int:
    assert h.database is not None
    async with h.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_same_press_delivered_twice_records_one_acknowledgement_and_confirms_once(
    h: ConsoleCommunity,
) -> None:
    await h.join("alice")

    first = await h.press("alice", "I accept the charter", delivery_id="press-1")
    second = await h.press("alice", "I accept the charter", delivery_id="press-1")

    assert await count(h, Acknowledgement) == 1
    assert len(first.replies) == 1 and first.replies[0].text.startswith("Thank you!")
    assert second.duplicate and second.replies == [] and second.update is None
    assert [s.detail for s in h.chat.sent if s.kind == "role"] == ["+member"]


async def test_the_same_join_delivered_twice_sends_one_welcome(h: ConsoleCommunity) -> None:
    await h.join("alice", delivery_id="join-1")
    await h.join("alice", delivery_id="join-1")

    assert len(h.chat.dms("alice")) == 1
    assert await count(h, Member) == 1
    assert await count(h, OutboxEntry) == 1


async def test_a_delivery_id_is_remembered_across_a_restart(h: ConsoleCommunity) -> None:
    await h.join("alice")
    await h.press("alice", "I accept the charter", delivery_id="press-1")
    await h.restart()
    again = await h.press("alice", "I accept the charter", delivery_id="press-1")
    assert again.duplicate
    assert [s.detail for s in h.chat.sent if s.kind == "role"] == ["+member"]


async def test_a_refused_command_records_nothing_not_even_its_delivery(h: ConsoleCommunity) -> None:
    refused = await h.command("bob", "setup locale=fr", delivery_id="cmd-1")
    assert refused.error == "refused"
    assert "Only the animators" in refused.replies[0].text
    settings = await h.app.community_settings(h.ref) if h.app else None
    assert settings is not None and settings.locale == "en"
