"""Forms open at once on Slack, whatever the load: a ``trigger_id`` expires three seconds after the command, so
the modal is opened from what can be read without waiting for the community's other events, and the submission
does the work (the real slack-bolt against the loopback Slack fake)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from storage.models import Charter
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import BOB, TIMEOUT, WELCOME, BedFactory
from tests.support import BusyFeature

# Slack's own limit: a trigger is refused (expired_trigger_id) three seconds after it was issued.
TRIGGER_TTL = 3.0


async def test_charter_edit_opens_its_modal_while_the_community_is_busy_and_the_submission_saves_it(
    bed: BedFactory, fake: FakeSlack
) -> None:
    busy = BusyFeature()
    fake.trigger_ttl = TRIGGER_TTL
    async with bed("http", features=[busy]) as b:
        # Another event of the community holds it (and the database) for longer than Slack waits.
        await b.send(fake.slash_command(BOB, "test-busy", channel_id=WELCOME))
        await asyncio.wait_for(busy.started.wait(), TIMEOUT)

        since = fake.mark()
        await b.send(fake.slash_command(BOB, "charter edit", channel_id=WELCOME))
        opened = await fake.wait_for_call("views.open", timeout=TRIGGER_TTL + 0.5, since=since)
        view = opened.args["view"]
        assert view["title"]["text"] == "Charter, version 2"
        # Slack took it: the trigger was still valid (no expired_trigger_id, no apology).
        assert [v["title"]["text"] for v in fake.views.values()] == ["Charter, version 2"]
        assert not [r for r in fake.responses if "went wrong" in str(r.body.get("text"))]

        busy.release.set()
        await b.settle()
        inputs = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
        values = {
            name: {block["element"]["action_id"]: block["element"].get("initial_value", "")}
            for name, block in inputs.items()
        }
        values["objective"] = {"objective": "Help freelancers everywhere grow together."}
        values["note"] = {"note": "We are no longer only in Lyon."}
        answer = await b.send(fake.view_submission(BOB, view["callback_id"], values))
        assert answer.status == 200 and not answer.body  # the modal closes
        await b.settle()
        async with b.database.transaction() as session:
            versions = (await session.scalars(select(Charter).order_by(Charter.version))).all()
        assert [c.version for c in versions] == [1, 2]
        assert versions[1].objective == "Help freelancers everywhere grow together."
