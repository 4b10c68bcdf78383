"""What the Slack end-to-end tests share: the workspace's members and channels, the bed (the real Agora app and
the Slack adapter against the loopback Slack fake), and helpers that read Block Kit. The fixtures that build the
bed are in ``conftest.py``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from adapters.slack import SlackAdapter
from bot.app import Agora
from bot.clock import FakeClock
from bot.config import Config, SlackConfig
from bot.scheduler import VirtualScheduler
from storage.database import Database
from storage.models import Community, OutboxEntry
from tests.fakes.fake_slack import FakeSlack, SlackCall
from tests.support import AgoraProcess, kill_delay, kill_during, lost_after_restart, run_config

SECRET = "test-signing-secret"
ALICE = "U0ALICE001"  # a newcomer
BOB = "U0BOB00001"  # in the "moderators" user group: an animator
CAMILLE = "U0CAMILLE1"  # a workspace admin
WELCOME = "C0WELCOME1"
MEMBERS = "C0MEMBERS1"
INTROS = "C0INTROS01"
SCOPE = "C0SCOPE001"
TIMEOUT = 10.0
KILL_TIMEOUT = 30.0  # a real `agora run` subprocess, started again after a SIGKILL
MODES = ["http", "socket"]


@dataclass
class Answer:
    """What the bot answered to a payload: the HTTP response, or the Socket Mode acknowledgement."""

    status: int
    body: Any


@dataclass
class SlackBed:
    fake: FakeSlack
    app: Agora
    adapter: SlackAdapter
    database: Database
    clock: FakeClock
    scheduler: VirtualScheduler
    mode: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.http_port}/slack/events"

    async def send(self, payload: dict[str, Any], retry: int | None = None, **options: Any) -> Answer:
        """Deliver ``payload`` as Slack would on this transport (``retry``: the re-delivery number)."""
        if self.mode == "http":
            response = await self.fake.requester(self.url).send(payload, retry_num=retry, **options)
            try:
                body = response.json()
            except ValueError:
                body = response.text
            return Answer(response.status, body)
        envelope_id = await self.fake.socket_deliver(payload, retry_attempt=retry or 0, timeout=TIMEOUT)
        ack = await self.fake.wait_for_ack(envelope_id, TIMEOUT)
        assert ack["envelope_id"] == envelope_id
        return Answer(200, ack.get("payload"))

    async def settle(self) -> None:
        await asyncio.wait_for(self.adapter.settle(), TIMEOUT)

    async def count(self, model: Any, *where: Any) -> int:
        async with self.database.transaction() as session:
            return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    async def outbox(self, op: str | None = None) -> list[OutboxEntry]:
        async with self.database.transaction() as session:
            query = select(OutboxEntry).order_by(OutboxEntry.id)
            if op is not None:
                query = query.where(OutboxEntry.op == op)
            return list((await session.scalars(query)).all())

    async def community(self) -> Community:
        async with self.database.transaction() as session:
            communities = (await session.scalars(select(Community))).all()
            assert len(communities) == 1
            return communities[0]

    async def dm_post(self, user: str, since: int = 0) -> SlackCall:
        channel = self.fake.dm_channel_id(user)
        return await self.fake.wait_for_call(
            "chat.postMessage", lambda c: c.args.get("channel") == channel, TIMEOUT, since=since
        )


# The introduction form's fields (onboarding), in order.
FIELDS = ("name", "what", "where", "interests", "offers", "needs")


def answers(**values: str) -> dict[str, dict[str, str]]:
    """The modal's state: one input block per field (block and action ids are the field's name)."""
    return {name: {name: values.get(name, "")} for name in FIELDS}


async def arrive(b: SlackBed, fake: FakeSlack, user: str) -> dict[str, Any]:
    """``user`` joins and accepts the charter (with onboarding on); returns the invitation to introduce themselves (the DM's call)."""
    await b.send(fake.event_callback(fake.team_join_event(user)))
    welcome = await b.dm_post(user)
    since = fake.mark()
    [accept] = buttons(welcome.args["blocks"])
    await b.send(fake.block_actions(user, accept["action_id"], channel=welcome.args["channel"]))
    invitation = await b.dm_post(user, since=since)
    await b.settle()
    return invitation.args


async def open_form(b: SlackBed, fake: FakeSlack, user: str, invitation: dict[str, Any]) -> dict[str, Any]:
    since = fake.mark()
    introduce = next(
        x for x in buttons(invitation["blocks"]) if x["action_id"] == "agora:onboarding:introduce:"
    )
    await b.send(fake.block_actions(user, introduce["action_id"], channel=invitation["channel"]))
    opened = await fake.wait_for_call("views.open", timeout=TIMEOUT, since=since)
    return opened.args["view"]


async def introduce(b: SlackBed, fake: FakeSlack, user: str, **values: str) -> None:
    """``user`` arrives, accepts the charter and introduces themselves (the onboarding's modal)."""
    invitation = await arrive(b, fake, user)
    await open_form(b, fake, user, invitation)
    since = fake.mark()
    await b.send(fake.view_submission(user, "agora:intro:", answers(**values)))
    await fake.wait_for_call("chat.postMessage", lambda c: c.args["channel"] == INTROS, TIMEOUT, since=since)
    await b.settle()


def slack_section(fake: FakeSlack, mode: str) -> dict[str, Any]:
    """The `slack:` section of a config pointing at ``fake`` in ``mode`` (http or socket)."""
    return {
        "bot_token": "xoxb-test",
        "mode": mode,
        "app_token": "xapp-test" if mode == "socket" else None,
        "signing_secret": SECRET if mode == "http" else None,
        "api_base_url": fake.api_base,
        "http": {"host": "127.0.0.1", "port": 0},
    }


def slack_config(
    base: Config, fake: FakeSlack, mode: str, scope_channel: str | None = None, **overrides: Any
) -> Config:
    slack = SlackConfig.model_validate(
        {**slack_section(fake, mode), "scope_channel": scope_channel, **overrides}
    )
    return base.model_copy(update={"slack": slack})


BedFactory = Callable[..., contextlib.AbstractAsyncContextManager[SlackBed]]


# --- the bed: fake Slack, the app, the adapter -----------------------------------------------------------------


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every text in a list of blocks, joined (what a member reads)."""
    out: list[str] = []
    for block in blocks or ():
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        for element in block.get("fields") or ():
            out.append(element["text"])
        for element in block.get("elements") or ():
            if isinstance(element.get("text"), dict):
                out.append(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                out.append(element["text"])
    return "\n".join(out)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks or () if b["type"] == "actions" for e in b["elements"]]


# --- killed during a burst (test_slack_kill, test_ack_first_slack) ---


async def warm_up(fake: FakeSlack, deliver: Callable[[dict[str, Any]], Awaitable[object]]) -> None:
    """One join handled before the burst: the first request's one-off costs (bolt's ``auth.test``, the user groups)
    are paid, as in a bot that has been running for a while."""
    fake.add_user("U0WARMUP01", "early", "Early Bird", "en-US")
    await deliver(fake.event_callback(fake.team_join_event("U0WARMUP01")))
    await fake.wait_for_call("chat.postMessage", timeout=KILL_TIMEOUT)


async def lost_in_http_burst(
    tmp_path: Path,
    fake: FakeSlack,
    users: list[str],
    payload: Callable[[str], dict[str, Any]],
    effects: Any,
    seed: str,
) -> tuple[list[str], set[str], float]:
    """``agora run`` in HTTP mode, killed during a burst of ``payload(user)`` for each of ``users``, then started
    again: (the acknowledged users whose payload had no effect (``effects``: a query of the users that have one),
    the acknowledged users, the delay before the kill)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    agora = AgoraProcess(run_config(tmp_path / "config.yaml", url, {"slack": slack_section(fake, "http")}))
    port = (await agora.start("slack connected"))["port"]
    requester = fake.requester(f"http://127.0.0.1:{port}/slack/events")
    await warm_up(fake, requester.send_event)
    acknowledged: set[str] = set()
    first = asyncio.Event()

    async def send(user_id: str) -> None:
        response = await requester.send(payload(user_id))
        if response.status == 200:
            acknowledged.add(user_id)
            first.set()

    async def burst() -> None:
        await asyncio.gather(*(send(u) for u in users), return_exceptions=True)

    delay = kill_delay(seed)
    await kill_during(burst, first, delay)
    await agora.kill()
    answered = set(acknowledged)
    return await lost_after_restart(agora, "slack connected", url, answered, effects), answered, delay
