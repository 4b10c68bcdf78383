"""Animators are known by their member id: a member who renames herself after an animator listed in the config
stays a member (on Slack anyone may change their display name)."""

from __future__ import annotations

from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import ALICE, TIMEOUT, WELCOME, BedFactory


async def test_a_member_renamed_after_a_listed_animator_is_refused(bed: BedFactory, fake: FakeSlack) -> None:
    fake.users[ALICE].display_name = "Camille Martin"  # Alice renamed herself

    async with bed("http", animators=["Camille Martin"]) as b:
        await b.send(fake.slash_command(ALICE, f"setup add_animator=<@{ALICE}>", channel_id=WELCOME))

        refused = await fake.wait_for_response(timeout=TIMEOUT)
        assert refused.body["text"].startswith("Only the animators of this community can do that.")
        await b.settle()
        settings = await b.app.community_settings(b.adapter.communities.ref())
        assert settings.animators == ["Camille Martin"]


async def test_a_member_listed_by_id_animates(bed: BedFactory, fake: FakeSlack) -> None:
    fake.add_user(ALICE, "alice", "Alice Martin", "fr-FR")  # her Slack speaks French: she is answered in it
    async with bed("http", animators=[ALICE]) as b:
        await b.send(fake.slash_command(ALICE, "setup locale=fr", channel_id=WELCOME))

        done = await fake.wait_for_response(timeout=TIMEOUT)
        assert "Réglages enregistrés" in str(done.body)
        await b.settle()
        assert (await b.app.community_settings(b.adapter.communities.ref())).locale == "fr"
