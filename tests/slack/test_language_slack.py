"""Each member's language and time zone on Slack, end to end (the real slack-bolt against the loopback fake): in a
French workspace community, a member whose Slack profile says ``en-US`` and ``America/Montreal``
(``users.info``) is answered in English, with her dates in her zone, while her introduction is posted in French
for everybody; ``/agora language fr`` makes her read French."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.features.language import LanguageFeature
from bot.features.meetings import MeetingsFeature
from bot.features.onboarding import OnboardingFeature
from storage.models import Member
from tests.every_feature import catalog_phrases
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import ALICE, INTROS, TIMEOUT, WELCOME, BedFactory, SlackBed, buttons

FIELDS = ("name", "what", "where", "interests", "offers", "needs")
PROFILE = {"name": "Alice Martin", "what": "Ceramist in Montreuil", "where": "Montreuil"}


def french_in(data: object) -> list[str]:
    text = json.dumps(data, ensure_ascii=False)
    return [phrase for phrase in catalog_phrases()[0] if phrase in text]


async def command(b: SlackBed, fake: FakeSlack, text: str) -> Any:
    since = len(fake.responses)
    await b.send(fake.slash_command(ALICE, text, channel_id=WELCOME))
    return (await fake.wait_for_response(since=since, timeout=TIMEOUT)).body


@pytest.mark.parametrize("mode", ["http"])
async def test_an_english_speaker_in_montreal_reads_agora_in_english_in_a_french_community_on_slack(
    bed: BedFactory, fake: FakeSlack, mode: str
) -> None:
    fake.add_user(ALICE, "alice", "Alice Martin", "en-US", tz="America/Montreal", tz_offset=-18000)
    features = [OnboardingFeature(), MeetingsFeature(), LanguageFeature()]
    async with bed(mode, "fr", features=features) as b:
        await b.send(fake.event_callback(fake.team_join_event(ALICE)))
        welcome = await b.dm_post(ALICE)
        [accept] = buttons(welcome.args["blocks"])
        since = fake.mark()
        await b.send(fake.block_actions(ALICE, accept["action_id"], channel=welcome.args["channel"]))
        invitation = await b.dm_post(ALICE, since=since)
        assert french_in(invitation.args) == []
        await b.settle()

        helped = await command(b, fake, "help")
        assert "What you can do with Agora" in json.dumps(helped) and french_in(helped) == []
        zone = await command(b, fake, "meeting timezone")
        assert "Your dates are shown in America/Montreal time." in json.dumps(zone)
        async with b.database.transaction() as session:
            member = await session.scalar(select(Member).where(Member.external_id == ALICE))
            assert member is not None and (member.locale_seen, member.timezone_seen) == (
                "en-US",
                "America/Montreal",
            )

        values = {name: {name: PROFILE.get(name, "")} for name in FIELDS}
        await b.send(fake.view_submission(ALICE, "agora:intro:", values))
        post = await fake.wait_for_call("chat.postMessage", lambda c: c.args["channel"] == INTROS, TIMEOUT)
        assert "Dites bonjour" in json.dumps(post.args, ensure_ascii=False)  # the channel reads French

        chosen = await command(b, fake, "language fr")
        assert chosen["text"].startswith("Je vous parlerai désormais en français.")
        assert "Ce que vous pouvez faire avec Agora" in json.dumps(
            await command(b, fake, "help"), ensure_ascii=False
        )

        refused = await command(b, fake, "language klingon")
        assert refused["text"].startswith("« klingon » n'est pas une langue que je parle.")
