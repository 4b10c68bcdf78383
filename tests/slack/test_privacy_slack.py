"""Privacy on Slack, end to end: the real slack-bolt against the loopback Slack fake. A member who introduced
herself asks what Agora keeps, gets her export by DM (a JSON file and a summary, uploaded), erases her data after
the confirmation: her introduction post is deleted (chat.delete) and nothing stored names her any more."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.features.onboarding import OnboardingFeature
from bot.features.privacy import PrivacyFeature
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import ALICE, INTROS, MODES, TIMEOUT, WELCOME, BedFactory, SlackBed, buttons, texts
from tests.support import traces_in

PROFILE = {"name": "Alice Martin", "what": "Céramiste à Montreuil", "where": "Montreuil", "interests": "raku"}
FIELDS = ("name", "what", "where", "interests", "offers", "needs")


async def introduced(b: SlackBed, fake: FakeSlack) -> Any:
    """Alice joins, accepts the charter and introduces herself; returns the introduction post's ts."""
    await b.send(fake.event_callback(fake.team_join_event(ALICE)))
    welcome = await b.dm_post(ALICE)
    [accept] = buttons(welcome.args["blocks"])
    since = fake.mark()
    await b.send(fake.block_actions(ALICE, accept["action_id"], channel=welcome.args["channel"]))
    await b.dm_post(ALICE, since=since)
    await b.settle()
    values = {name: {name: PROFILE.get(name, "")} for name in FIELDS}
    await b.send(fake.view_submission(ALICE, "agora:intro:", values))
    await fake.wait_for_call("chat.postMessage", lambda c: c.args["channel"] == INTROS, TIMEOUT)
    await b.settle()
    return fake.messages[INTROS][-1]["ts"]


async def press(b: SlackBed, fake: FakeSlack, action_id: str, blocks: list[Any]) -> Any:
    """Alice presses a button of an ephemeral answer (``blocks``); returns the answer to the press."""
    since = len(fake.responses)
    message = {"ts": "1.000001", "blocks": blocks}
    await b.send(fake.block_actions(ALICE, action_id, message=message, channel=WELCOME))
    return await fake.wait_for_response(since=since, timeout=TIMEOUT)


@pytest.mark.parametrize("mode", MODES)
async def test_a_member_exports_then_erases_her_data_on_slack(
    bed: BedFactory, fake: FakeSlack, mode: str
) -> None:
    async with bed(mode, features=[OnboardingFeature(), PrivacyFeature()]) as b:
        intro_ts = await introduced(b, fake)

        since = len(fake.responses)
        await b.send(fake.slash_command(ALICE, "privacy", channel_id=WELCOME))
        page = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert page.body["response_type"] == "ephemeral"
        assert "Your data" in texts(page.body["blocks"])
        export_id, erase_id = [x["action_id"] for x in buttons(page.body["blocks"])]
        assert (export_id, erase_id) == ("agora:privacy:export:", "agora:privacy:erase:")

        mark = fake.mark()
        sent = await press(b, fake, export_id, page.body["blocks"])
        assert "I'm sending your data by direct message." in json.dumps(sent.body)
        await b.settle()
        done = await fake.wait_for_call("files.completeUploadExternal", timeout=TIMEOUT, since=mark)
        assert done is not None
        uploaded = {fake.files[f]["title"].rsplit(".", 1)[1]: fake.uploads[f] for f in fake.uploads}
        data = json.loads(uploaded["json"])
        [profile] = next(d["entries"] for d in data["data"] if d["what"].startswith("Your introduction"))
        assert profile["what"] == "Céramiste à Montreuil"

        confirm = await press(b, fake, erase_id, page.body["blocks"])
        assert "Erase your data?" in texts(confirm.body["blocks"])
        mark = fake.mark()
        erased = await press(b, fake, "agora:privacy:erase-confirm:", confirm.body["blocks"])
        assert "Done: your data is erased" in json.dumps(erased.body)
        deleted = await fake.wait_for_call("chat.delete", timeout=TIMEOUT, since=mark)
        assert fake.messages[INTROS] == []
        assert (deleted.args["channel"], deleted.args["ts"]) == (INTROS, intro_ts)
        await b.settle()
        assert await traces_in(b.database, [ALICE, "alice", *PROFILE.values()]) == []


async def test_a_member_who_left_is_erased_after_90_days_on_slack(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http", features=[OnboardingFeature(), PrivacyFeature()]) as b:
        intro_ts = await introduced(b, fake)
        fake.users[ALICE].deleted = True  # deactivated: she has left the workspace
        await b.send(fake.event_callback(fake.user_change_event(ALICE)))
        await b.settle()
        await b.scheduler.advance(timedelta(days=89))
        assert await traces_in(b.database, [ALICE])  # kept for now

        mark = fake.mark()
        await b.scheduler.advance(timedelta(days=2))
        deleted = await fake.wait_for_call("chat.delete", timeout=TIMEOUT, since=mark)
        assert (deleted.args["channel"], deleted.args["ts"]) == (INTROS, intro_ts)
        await b.settle()
        assert await traces_in(b.database, [ALICE, "alice", *PROFILE.values()]) == []
