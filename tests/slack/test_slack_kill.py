"""Killed during a burst, ``agora run`` loses nothing it acknowledged to Slack (HTTP mode and Socket Mode); what it
can't record, it doesn't acknowledge.

The real ``agora run`` runs in a subprocess against the Slack fake; once it has handled a first join, 40 members
join at once (``team_join``), and the process is SIGKILLed 0.05–0.6 s after the first of them was acknowledged,
then started again on the same database. Slack never
re-sends an event it saw acknowledged: every one answered 200 (or acked on the Socket Mode link) must be handled.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Member
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import (
    KILL_TIMEOUT,
    MODES,
    SECRET,
    BedFactory,
    lost_in_http_burst,
    slack_section,
    warm_up,
)
from tests.support import (
    AgoraProcess,
    kill_delay,
    kill_during,
    lost_after_restart,
    refusing_writes,
    run_config,
)

BURST = 40


def newcomers(fake: FakeSlack) -> list[str]:
    ids = [f"U0NEW{n:05d}" for n in range(BURST)]
    for n, user_id in enumerate(ids):
        fake.add_user(user_id, f"newcomer{n}", f"Newcomer {n}", "en-US")
    return ids


async def test_no_event_answered_200_is_lost_when_agora_is_killed_during_a_burst(tmp_path: Path) -> None:
    async with FakeSlack(signing_secret=SECRET) as fake:
        lost, answered, delay = await lost_in_http_burst(
            tmp_path,
            fake,
            newcomers(fake),
            lambda user_id: fake.event_callback(fake.team_join_event(user_id)),
            select(Member.external_id),
            "slack-http",
        )

    assert lost == [], f"killed after {delay:.2f} s: {len(lost)} of {len(answered)} acknowledged joins lost"


async def test_no_event_acked_on_the_socket_is_lost_when_agora_is_killed_during_a_burst(
    tmp_path: Path,
) -> None:
    async with FakeSlack() as fake:
        users = newcomers(fake)
        url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
        agora = AgoraProcess(
            run_config(tmp_path / "config.yaml", url, {"slack": slack_section(fake, "socket")})
        )
        await agora.start("slack connected")
        await fake.wait_for_link(KILL_TIMEOUT)
        await warm_up(fake, lambda payload: fake.socket_send("events_api", payload))
        envelopes: dict[str, str] = {}
        first = asyncio.Event()

        async def acked() -> None:
            await fake.wait_until(lambda: any(e in fake.acks for e in envelopes), KILL_TIMEOUT, "an ack")
            first.set()

        async def burst() -> None:
            watcher = asyncio.ensure_future(acked())
            for user_id in users:
                payload = fake.event_callback(fake.team_join_event(user_id))
                envelopes[await fake.socket_send("events_api", payload)] = user_id
            await watcher

        delay = kill_delay("slack-socket")
        await kill_during(burst, first, delay)
        await agora.kill()
        answered = {user_id for envelope, user_id in envelopes.items() if envelope in fake.acks}
        lost = await lost_after_restart(agora, "slack connected", url, answered, select(Member.external_id))

    assert lost == [], f"killed after {delay:.2f} s: {len(lost)} of {len(answered)} acknowledged joins lost"


@pytest.mark.parametrize("mode", MODES)
async def test_an_event_that_cannot_be_recorded_is_not_acknowledged_and_its_redelivery_is_handled(
    bed: BedFactory, fake: FakeSlack, mode: str
) -> None:
    async with bed(mode) as b:
        fake.add_user("U0LATE0001", "late", "Late Comer", "en-US")
        payload = fake.event_callback(fake.team_join_event("U0LATE0001"))
        async with refusing_writes(b.database):  # a full disk
            if mode == "http":
                assert (await b.send(payload)).status == 500
            else:
                envelope = await fake.socket_deliver(payload, timeout=KILL_TIMEOUT)
                with pytest.raises(AssertionError):
                    await fake.wait_for_ack(envelope, 1.0)
        assert await b.count(Member, Member.external_id == "U0LATE0001") == 0

        # Slack delivers it again, since it was not acknowledged: this time it is recorded and handled.
        assert (await b.send(payload, retry=1)).status == 200
        await b.settle()
        await b.dm_post("U0LATE0001")
        assert await b.count(Member, Member.external_id == "U0LATE0001") == 1
