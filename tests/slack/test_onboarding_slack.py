"""Onboarding on Slack, end to end: the real slack-bolt against the loopback Slack fake (the bed of
``tests/slack/conftest.py``). A newcomer joins the workspace, accepts the charter by DM, gets the invitation to
introduce herself, opens the six-field modal; an empty "what I do" is refused next to the field (nothing posted);
her introduction is then posted in the introductions channel with the member she should meet; then the directory."""

from __future__ import annotations

import pytest

from bot.features.onboarding import DirectoryFeature, OnboardingFeature
from storage.tables.profiles import Profile
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import (
    ALICE,
    BOB,
    CAMILLE,
    FIELDS,
    INTROS,
    MODES,
    TIMEOUT,
    WELCOME,
    BedFactory,
    answers,
    arrive,
    buttons,
    open_form,
    texts,
)


@pytest.mark.parametrize("mode", MODES)
async def test_a_newcomer_introduces_herself_on_slack_and_meets_a_member(
    bed: BedFactory,
    fake: FakeSlack,
    mode: str,
) -> None:
    async with bed(mode, features=[OnboardingFeature(), DirectoryFeature()]) as b:
        invitation = await arrive(b, fake, BOB)
        await open_form(b, fake, BOB, invitation)
        await b.send(
            fake.view_submission(
                BOB, "agora:intro:", answers(name="Bob", what="Developer", interests="écologie, vélo")
            )
        )
        await fake.wait_for_call("chat.postMessage", lambda c: c.args["channel"] == INTROS, TIMEOUT)

        invitation = await arrive(b, fake, ALICE)
        assert invitation["blocks"][0]["text"]["text"] == "Introduce yourself in two lines"
        assert [x["action_id"] for x in buttons(invitation["blocks"])] == [
            "agora:onboarding:introduce:",
            "agora:onboarding:later:",
        ]
        view = await open_form(b, fake, ALICE, invitation)
        assert view["title"]["text"] == "Introduce yourself"
        inputs = [block for block in view["blocks"] if block["type"] == "input"]
        assert [block["block_id"] for block in inputs] == list(FIELDS)
        assert [block["block_id"] for block in inputs if not block["optional"]] == ["what"]

        # "What I do" left empty: the error shows next to the field, and nothing is recorded or posted.
        since = fake.mark()
        refused = await b.send(
            fake.view_submission(ALICE, "agora:intro:", answers(name="Alice", interests="design"))
        )
        assert refused.body == {
            "response_action": "errors",
            "errors": {"what": "Say in a few words what you do: it is the only answer needed."},
        }
        await b.settle()
        assert await b.count(Profile) == 1
        assert [c for c in fake.calls[since:] if c.method == "chat.postMessage"] == []

        accepted = await b.send(
            fake.view_submission(
                ALICE,
                "agora:intro:",
                answers(
                    name="Alice Martin", what="UX designer", interests="Ecologie, design", needs="a mentor"
                ),
            )
        )
        assert accepted.status == 200 and not accepted.body  # the modal closes
        intro = await fake.wait_for_call(
            "chat.postMessage", lambda c: c.args["channel"] == INTROS, TIMEOUT, since=since
        )
        shown = texts(intro.args["blocks"])
        assert intro.args["blocks"][0]["text"]["text"] == "Say hello to Alice Martin!"
        assert f"<@{ALICE}>: UX designer" in shown
        assert f"• <@{BOB}> — You both care about: Ecologie" in shown
        assert f"<@{ALICE}>: UX designer" in intro.args["text"]  # the fallback says it all too
        await b.settle()
        assert await b.count(Profile) == 2

        # The directory, typed as text: several words need no quotes; accents and case don't matter.
        since = len(fake.responses)
        await b.send(fake.slash_command(CAMILLE, "members ECOLOGIE", channel_id=WELCOME))
        listing = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert listing.body["response_type"] == "ephemeral"
        found = texts(listing.body["blocks"])
        assert "Alice Martin" in found and "Bob" in found and "2 members match." in found
