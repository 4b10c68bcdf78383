"""``/agora health`` on Slack (the real slack-bolt against the loopback Slack fake): an animator's private report
comes with its chart; Slack's ephemeral messages carry no files, so the private answer comes by direct message,
the PNG uploaded into it (files v2). Posted for everyone, the chart follows the post in its channel."""

from __future__ import annotations

from bot.features.health import HealthFeature
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import BOB, TIMEOUT, WELCOME, BedFactory, texts


async def test_the_private_report_comes_by_dm_with_its_chart(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http", features=[HealthFeature()]) as b:
        mark = fake.mark()
        await b.send(fake.slash_command(BOB, "health period=30d", channel_id=WELCOME))
        done = await fake.wait_for_call("files.completeUploadExternal", timeout=TIMEOUT, since=mark)
        dm = fake.dm_channel_id(BOB)
        assert done.args["channel_id"] == dm
        [posted] = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == dm]
        assert "Community health, last 30 days" in texts(posted.args["blocks"])
        [file_id] = fake.uploads
        assert fake.uploads[file_id].startswith(b"\x89PNG")
        assert fake.files[file_id]["name"].endswith(".png")
        # Nothing in the channel: the report was for the animator alone.
        assert not [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == WELCOME]


async def test_posted_for_everyone_the_chart_follows_the_post(bed: BedFactory, fake: FakeSlack) -> None:
    async with bed("http", "fr", features=[HealthFeature()]) as b:
        mark = fake.mark()
        await b.send(fake.slash_command(BOB, "health post=oui", channel_id=WELCOME))
        await b.settle()
        done = await fake.wait_for_call("files.completeUploadExternal", timeout=TIMEOUT, since=mark)
        assert done.args["channel_id"] == WELCOME
        [posted] = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == WELCOME]
        assert "Santé de la communauté, 90 derniers jours" in texts(posted.args["blocks"])
        [file_id] = fake.uploads
        assert fake.uploads[file_id].startswith(b"\x89PNG")
        assert fake.files[file_id]["name"].startswith("sante-")
