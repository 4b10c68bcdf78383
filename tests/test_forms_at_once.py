"""A command or button that only opens a form (``opens_form``) answers at once, however busy its community is:
the core runs it without waiting for the community's turn and refuses any write in it (the submission does the
work). The adapters' own tests show the modal opening within the platforms' three seconds."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.context import Context
from bot.events import ChannelRef, CommandInvoked
from bot.messages import Form, FormField
from bot.router import Feature, command
from storage.models import Timer
from tests.support import BusyFeature


class WritingFeature(Feature):
    """A form opener that writes, by mistake."""

    name = "writing-test"

    @command("test-writes", "Opens a form and writes", opens_form=True)
    async def opens(self, ctx: Context[CommandInvoked]) -> None:
        ctx.session.add(Timer(community_id=ctx.community.id, kind="test", ref="1", due_at=ctx.now))
        await ctx.session.flush()
        ctx.open_form(Form("test-form", "A form", fields=(FormField("x", "X"),)))


def invoked(h: ConsoleCommunity, who: str, name: str) -> CommandInvoked:
    return CommandInvoked(
        community=h.ref, actor=h.member(who), name=name, args={}, channel=ChannelRef("console", h.channel)
    )


async def test_a_form_opens_while_another_event_holds_the_community(h: ConsoleCommunity) -> None:
    busy = BusyFeature()
    assert h.app is not None
    h.app.router.add(busy)
    await h.join("alice")
    holding = asyncio.ensure_future(h.app.dispatch(invoked(h, "camille", "test-busy")))
    await asyncio.wait_for(busy.started.wait(), 5)

    opened = await asyncio.wait_for(h.app.dispatch(invoked(h, "camille", "charter edit")), 2)
    assert opened.form is not None and opened.form.title == "Charter, version 2"
    # Nobody else's turn was taken: the busy event is still running, and finishes as it would have.
    assert not holding.done()
    busy.release.set()
    assert (await holding).replies[0].text == "No longer busy."


async def test_a_form_opener_that_writes_is_refused_and_records_nothing(h: ConsoleCommunity) -> None:
    assert h.app is not None
    h.app.router.add(WritingFeature())
    await h.join("alice")
    with pytest.raises(RuntimeError, match="must not write"):
        await h.app.dispatch(invoked(h, "alice", "test-writes"))
    async with h.app.database.transaction() as session:
        assert (await session.scalars(select(Timer).where(Timer.kind == "test"))).all() == []
