"""Slack hears "ok" as soon as what a member did is recorded (issue 12), never after asking Slack who they are: a
slash command and a form submission are acknowledged while ``users.info`` is still unanswered (the fake holds it),
are in the inbox by then, and are handled once Slack has answered, in the member's language as Slack gives it; a
burst of commands killed half-way loses none that was acknowledged."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import select

from bot.features.language import LanguageFeature
from bot.features.onboarding import OnboardingFeature
from storage.models import InboxEntry, Member
from storage.tables.profiles import Profile
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import (
    SECRET,
    TIMEOUT,
    WELCOME,
    BedFactory,
    SlackBed,
    answers,
    arrive,
    lost_in_http_burst,
    open_form,
)

ELODIE = "U0ELODIE01"  # reads Slack in French, in an English-speaking community
BURST = 30


async def inbox(b: SlackBed) -> list[str]:
    async with b.database.transaction() as session:
        return list((await session.scalars(select(InboxEntry.delivery_id))).all())


def french_member(fake: FakeSlack) -> None:
    fake.add_user(ELODIE, "elodie", "Élodie Caron", "fr-FR")
    fake.channels[WELCOME].members.append(ELODIE)


async def test_a_slash_command_is_acknowledged_before_slack_says_who_typed_it_and_answered_in_her_language(
    bed: BedFactory, fake: FakeSlack
) -> None:
    french_member(fake)
    async with bed("http", "en") as b:
        # Élodie was never seen; Slack is slow to say who she is.
        slack_answers = fake.hold("users.info")
        typed = await asyncio.wait_for(
            b.send(fake.slash_command(ELODIE, "help", channel_id=WELCOME)), TIMEOUT
        )
        assert typed.status == 200 and not typed.body
        assert len(await inbox(b)) == 1  # recorded before the "ok": a crash now would not lose it
        assert fake.responses == []

        slack_answers.set()
        await b.settle()
        answer = fake.responses[-1].body
        assert "Ce que vous pouvez faire avec Agora" in json.dumps(answer, ensure_ascii=False)
        assert await inbox(b) == []

        # A command that can't be read is acknowledged as fast, and refused in her words once Slack has told them.
        since = len(fake.responses)
        b.adapter.directory.forget(ELODIE)  # five minutes later: what Slack said of her is stale
        slack_answers.clear()
        typed = await asyncio.wait_for(
            b.send(fake.slash_command(ELODIE, "frobnicate", channel_id=WELCOME)), TIMEOUT
        )
        assert typed.status == 200 and not typed.body
        slack_answers.set()
        refused = await fake.wait_for_response(since=since, timeout=TIMEOUT)
        assert refused.body["text"].startswith("Il n'existe pas de commande « frobnicate ».")


async def test_a_form_submission_is_acknowledged_before_slack_says_who_sent_it_and_answered_in_her_language(
    bed: BedFactory, fake: FakeSlack
) -> None:
    french_member(fake)
    async with bed("http", "en", features=[OnboardingFeature(), LanguageFeature()]) as b:
        invitation = await arrive(b, fake, ELODIE)
        await open_form(b, fake, ELODIE, invitation)
        # She takes her time: by the submission, what Slack said of her is stale, and Slack is slow to say again.
        b.adapter.directory.forget(ELODIE)
        slack_answers = fake.hold("users.info")
        since = fake.mark()
        sent = await asyncio.wait_for(
            b.send(
                fake.view_submission(ELODIE, "agora:intro:", answers(name="Élodie", interests="céramique"))
            ),
            TIMEOUT,
        )
        # The modal closes at once (its answer can't wait for Slack), with the submission in the inbox.
        assert sent.status == 200 and not sent.body
        assert len(await inbox(b)) == 1

        slack_answers.set()
        await b.settle()
        # "What I do" was left empty: she is told by message, in French, and nothing is saved.
        said = [c for c in fake.calls[since:] if c.method != "users.info"]
        assert any(
            "Vos réponses n'ont pas pu être enregistrées : Dites en quelques mots ce que vous faites"
            in json.dumps(c.args, ensure_ascii=False)
            for c in said
        ), [c.method for c in said]
        assert await b.count(Profile) == 0
        assert await inbox(b) == []


async def test_no_command_acknowledged_is_lost_when_agora_is_killed_during_a_burst(tmp_path: Path) -> None:
    async with FakeSlack(signing_secret=SECRET) as fake:
        users = [f"U0CMD{n:05d}" for n in range(BURST)]
        for n, user_id in enumerate(users):
            fake.add_user(user_id, f"member{n}", f"Member {n}", "en-US")
        lost, answered, delay = await lost_in_http_burst(
            tmp_path,
            fake,
            users,
            lambda user_id: fake.slash_command(user_id, "language fr", channel_id=WELCOME),
            select(Member.external_id).where(Member.locale_chosen == "fr"),
            "slack-commands",
        )

    assert lost == [], (
        f"killed after {delay:.2f} s: {len(lost)} of {len(answered)} acknowledged commands lost"
    )
