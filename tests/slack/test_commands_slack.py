"""Commands as Slack members see them (the real slack-bolt against the loopback Slack fake): a subcommand nobody
has is named with the commands that exist, and help names commands as they are typed on Slack, the animators'
ones saying "(animators)"."""

from __future__ import annotations

from bot.features.debates import DebatesFeature
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import ALICE, BOB, TIMEOUT, WELCOME, BedFactory, texts


async def test_an_unknown_subcommand_is_named_with_the_commands_that_exist(
    bed: BedFactory, fake: FakeSlack
) -> None:
    async with bed("http", features=[DebatesFeature()]) as b:
        await b.send(fake.slash_command(ALICE, "debate frobnicate", channel_id=WELCOME))
        refused = await fake.wait_for_response(timeout=TIMEOUT)
        assert refused.body["text"] == (
            "/agora debate has no command “frobnicate”. Its commands: add, close, motions, proposals, propose, "
            "settings, start, status, volunteer."
        )

        since = len(fake.responses)
        await b.send(fake.slash_command(BOB, "help", channel_id=WELCOME))
        shown = await fake.wait_for_response(timeout=TIMEOUT, since=since)
        said = texts(shown.body["blocks"])
        assert "/agora charter — Read the community's charter" in said
        # The animators' commands say so.
        assert (
            "/agora charter edit — Change the charter: a new version that members are asked to accept (animators)"
            in said
        )
        assert (
            "/agora debate start — Start a debate: a motion, positions to take, a thread for the arguments (animators)"
            in said
        )
