"""A loopback fake of Slack for tests that run the real slack-bolt / slack-sdk.

``FakeSlack`` is an aiohttp server on 127.0.0.1 (ephemeral port) that plays the Slack side of three links:

* the Web API (``fake.api_base`` is what ``AsyncWebClient(base_url=...)`` needs), backed by a small workspace
  model (users, channels, user groups, messages, views, files) that the tests build and then read back;
* the Socket Mode link (``apps.connections.open`` answers ``ws://127.0.0.1:PORT/link``), through which the
  tests push envelopes and read the bot's acknowledgements;
* ``response_url`` endpoints and the v2 file upload URL.

``SlackRequester`` is the other direction of HTTP mode: it POSTs signed requests to a bot's ``/slack/events``.
The payload builders (``fake.event_callback``, ``fake.slash_command``, ``fake.block_actions``,
``fake.view_submission``, ...) return plain dicts usable both over HTTP and over Socket Mode.

Typical use::

    async with FakeSlack() as fake:
        fake.add_user("U0ALICE01", "alice", "Alice Example", "fr-FR")
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_base)
        ...
        call = await fake.wait_for_call("chat.postMessage")

Everything waits on an ``asyncio.Condition`` with a timeout: no fixed sleeps.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Arguments that slack-sdk (or a bot) may send JSON-encoded inside a form or query string; the fake decodes them.
_JSON_ARGS = frozenset({"blocks", "attachments", "view", "metadata", "files", "unfurls", "user_auth_blocks"})

#: Scopes reported by auth.test in ``x-oauth-scopes`` (bolt reads them into ``context.authorize_result``).
DEFAULT_SCOPES = (
    "app_mentions:read,channels:history,channels:read,chat:write,commands,files:write,groups:read,im:history,"
    "im:read,im:write,mpim:read,mpim:write,reactions:read,reactions:write,usergroups:read,users:read,"
    "channels:manage,groups:write"
)


class FakeSlackTimeout(AssertionError):
    """Raised by the ``wait_for_*`` helpers when what they wait for does not happen in time."""


class SlackCall(NamedTuple):
    """One Web API call as the fake received it.

    ``args`` merges the query string, form and JSON body; JSON-encoded structured arguments (``blocks``,
    ``attachments``, ``view``, ``files``, ...) are decoded. ``headers`` are the request headers (a case-insensitive mapping).
    """

    method: str
    args: dict[str, Any]
    headers: Mapping[str, str]


class ResponseUrlPost(NamedTuple):
    """A POST the bot made to a ``response_url`` the fake issued (``response_id`` is the ``<n>`` of the URL)."""

    response_id: str
    body: dict[str, Any]


class _ApiError(Exception):
    """A Web API error answer: status 200, ``{"ok": false, "error": error, **extra}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class FakeUser:
    """A workspace member as the fake knows it."""

    id: str
    name: str
    real_name: str
    locale: str = "en-US"
    email: str | None = None
    display_name: str = ""
    is_bot: bool = False
    bot_id: str | None = None
    deleted: bool = False
    is_admin: bool = False
    is_owner: bool = False
    is_restricted: bool = False
    tz: str = "Europe/Paris"
    tz_label: str = "Central European Time"
    tz_offset: int = 3600

    def to_api(self, team_id: str, *, include_locale: bool = False) -> dict[str, Any]:
        """The user object as users.info / users.list / team_join carry it (``locale`` only on request)."""
        first, _, last = self.real_name.partition(" ")
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "first_name": first,
            "last_name": last,
            "title": "",
            "phone": "",
            "skype": "",
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g0000000000",
            "image_24": f"https://avatars.example.invalid/{self.id}_24.png",
            "image_48": f"https://avatars.example.invalid/{self.id}_48.png",
            "image_72": f"https://avatars.example.invalid/{self.id}_72.png",
            "team": team_id,
        }
        if self.email is not None:
            profile["email"] = self.email
        if self.bot_id is not None:
            profile["bot_id"] = self.bot_id
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz_label,
            "tz_offset": self.tz_offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "is_email_confirmed": self.email is not None,
            "who_can_share_contact_card": "EVERYONE",
        }
        if include_locale:
            data["locale"] = self.locale
        return data


@dataclass
class FakeChannel:
    """A conversation: public/private channel, IM (``D…``) or multi-person IM (``G…``)."""

    id: str
    name: str
    members: list[str] = field(default_factory=list)
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    topic: str = ""
    purpose: str = ""
    created: int = field(default_factory=lambda: int(time.time()))
    is_archived: bool = False

    def to_api(self, bot_user_id: str) -> dict[str, Any]:
        """The conversation object as conversations.info / conversations.open(return_im) return it."""
        data: dict[str, Any] = {
            "id": self.id,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_im": self.is_im,
            "is_mpim": self.is_mpim,
            "is_org_shared": False,
            "context_team_id": None,
        }
        if self.is_im:
            others = [m for m in self.members if m != bot_user_id]
            data.update(
                {"user": others[0] if others else bot_user_id, "is_user_deleted": False, "priority": 0}
            )
            return data
        data.update(
            {
                "name": self.name,
                "name_normalized": self.name,
                "is_channel": not self.is_private and not self.is_mpim,
                "is_group": self.is_private and not self.is_mpim,
                "is_private": self.is_private or self.is_mpim,
                "is_general": False,
                "is_shared": False,
                "is_ext_shared": False,
                "is_member": bot_user_id in self.members,
                "creator": bot_user_id,
                "topic": {"value": self.topic, "creator": "", "last_set": 0},
                "purpose": {"value": self.purpose, "creator": "", "last_set": 0},
                "num_members": len(self.members),
            }
        )
        return data


@dataclass
class FakeUsergroup:
    """A user group (``S…``), mentioned as ``<!subteam^ID>``."""

    id: str
    handle: str
    users: list[str] = field(default_factory=list)
    name: str = ""

    def to_api(self, team_id: str, *, include_users: bool = False) -> dict[str, Any]:
        """The user group object as usergroups.list returns it."""
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": team_id,
            "is_usergroup": True,
            "name": self.name or self.handle,
            "handle": self.handle,
            "description": "",
            "is_external": False,
            "date_delete": 0,
            "user_count": len(self.users),
        }
        if include_users:
            data["users"] = list(self.users)
        return data


@dataclass
class SlackHttpResponse:
    """What the bot answered to a request from ``SlackRequester``."""

    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        """The body parsed as JSON (``None`` for an empty body)."""
        return json.loads(self.text) if self.text else None


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _split_ids(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _decode_json_args(args: dict[str, Any]) -> dict[str, Any]:
    for key in _JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass
    return args


def _walk_elements(blocks: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str | None, Mapping[str, Any]]]:
    """Yield (block_id, interactive element) for each element in a block list."""
    for block in blocks or ():
        block_id = block.get("block_id")
        for element in block.get("elements") or ():
            if isinstance(element, Mapping) and "action_id" in element:
                yield block_id, element
        for key in ("accessory", "element"):
            element = block.get(key)
            if isinstance(element, Mapping) and "action_id" in element:
                yield block_id, element


def envelope_type_for(payload: Mapping[str, Any]) -> str:
    """The Socket Mode envelope type for a payload from the builders: events_api, slash_commands or interactive."""
    kind = payload.get("type")
    if kind in ("event_callback", "url_verification", "app_rate_limited"):
        return "events_api"
    if "command" in payload and kind is None:
        return "slash_commands"
    return "interactive"


class FakeSlack:
    """A loopback Slack: Web API, Socket Mode link, response URLs and file uploads, on 127.0.0.1:ephemeral.

    Workspace state lives in plain attributes the tests may read: ``users``, ``channels``, ``usergroups``,
    ``messages`` (channel id → list of message dicts, in posting order, thread replies included), ``ephemeral``,
    ``views`` (view id → view), ``home_tabs`` (user id → view), ``files``, ``uploads`` (file id → bytes),
    ``responses`` (posts to response URLs), ``calls`` (every Web API call), ``envelopes`` (what was sent over the
    link), ``acks`` (envelope id → acknowledgement) and ``socket_received`` (everything the bot sent on the link).
    """

    def __init__(
        self,
        *,
        team_id: str = "T0AGORA01",
        team_name: str = "Agora Test",
        team_domain: str = "agora-test",
        bot_user_id: str = "U0AGORABOT",
        bot_id: str = "B0AGORABOT",
        bot_name: str = "agora",
        app_id: str = "A0AGORA01",
        signing_secret: str = "fake-signing-secret",
        verification_token: str = "fake-verification-token",
        trigger_ttl: float | None = None,
    ) -> None:
        """Create the fake (nothing listens until ``start()``).

        ``trigger_ttl``: if set, views.open/views.push answer ``expired_trigger_id`` for a trigger older than
        that many seconds (Slack's limit is 3 s); by default triggers never expire but are still single-use.
        """
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.signing_secret = signing_secret
        self.verification_token = verification_token
        self.trigger_ttl = trigger_ttl

        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.usergroups: dict[str, FakeUsergroup] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemeral: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_tabs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.responses: list[ResponseUrlPost] = []
        self.calls: list[SlackCall] = []
        self.envelopes: list[dict[str, Any]] = []
        self.acks: dict[str, dict[str, Any]] = {}
        # Methods whose calls wait until their event is set (``hold``): a slow Slack, as a test decides.
        self._held: dict[str, asyncio.Event] = {}
        self.socket_received: list[dict[str, Any]] = []
        # Every client connection the fake accepted (its peer's address and port): how many HTTP connections
        # the bot opened to Slack (a shared session keeps a few alive; one per call would count each call).
        self.connections: set[tuple[str, int]] = set()

        self.users[bot_user_id] = FakeUser(
            id=bot_user_id, name=bot_name, real_name=bot_name.title(), is_bot=True, bot_id=bot_id
        )

        self._cond = asyncio.Condition()
        self._counter = itertools.count(1)
        self._last_us = 0
        self._conversations_by_users: dict[frozenset[str], str] = {}
        self._ts_channel: dict[str, str] = {}
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self._response_targets: dict[str, dict[str, Any]] = {}
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._injections: dict[str, deque[tuple[str, Any]]] = {}
        self._links: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.invite": self._conversations_invite,
            "conversations.join": self._conversations_join,
            "conversations.members": self._conversations_members,
            "conversations.info": self._conversations_info,
            "conversations.list": self._conversations_list,
            "conversations.replies": self._conversations_replies,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        """Start listening on 127.0.0.1 with an ephemeral port."""
        if self._runner is not None:
            return self
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._count_connection])
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._handle_api),
                web.get("/link", self._handle_link),
                web.post("/upload/{file_id}", self._handle_upload),
                web.post("/response/{response_id}", self._handle_response_url),
            ]
        )
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        log.debug("FakeSlack listening on %s", self.base_url)
        return self

    @web.middleware
    async def _count_connection(self, request: web.Request, handler: Any) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport is not None else None
        if peer is not None:
            self.connections.add((str(peer[0]), int(peer[1])))
        response: web.StreamResponse = await handler(request)
        return response

    @property
    def connects(self) -> int:
        """How many client connections the fake has accepted since it started (``connections``)."""
        return len(self.connections)

    async def stop(self) -> None:
        """Close the Socket Mode links and stop the server (idempotent)."""
        await self.close_links()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port the fake listens on (after ``start()``)."""
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The Web API base URL for ``AsyncWebClient(base_url=...)``."""
        return f"{self.base_url}/api/"

    @property
    def link_url(self) -> str:
        """The Socket Mode URL apps.connections.open hands out."""
        return f"ws://127.0.0.1:{self.port}/link"

    # ------------------------------------------------------------------ workspace state

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str | None = None,
        locale: str = "en-US",
        **extra: Any,
    ) -> FakeUser:
        """Add (or replace) a workspace member; ``extra`` sets other ``FakeUser`` fields (email, is_bot, tz, ...)."""
        user = FakeUser(id=user_id, name=name, real_name=real_name or name.title(), locale=locale, **extra)
        self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: Iterable[str] = (),
        *,
        is_private: bool = False,
        bot_member: bool = True,
        topic: str = "",
        purpose: str = "",
        is_archived: bool = False,
    ) -> FakeChannel:
        """Add a channel; the bot is a member unless ``bot_member=False``. Then, as on Slack, posting in a public
        one answers ``not_in_channel`` (``conversations.join`` lets the bot in), and a private one is invisible to
        the bot: ``channel_not_found`` for posting, ``conversations.info`` and joining. Posting in an archived
        channel answers ``is_archived``."""
        member_list = list(dict.fromkeys(members))
        if bot_member and self.bot_user_id not in member_list:
            member_list.append(self.bot_user_id)
        channel = FakeChannel(
            id=channel_id,
            name=name,
            members=member_list,
            is_private=is_private,
            topic=topic,
            purpose=purpose,
            is_archived=is_archived,
        )
        self.channels[channel_id] = channel
        self.messages.setdefault(channel_id, [])
        return channel

    def add_usergroup(
        self, usergroup_id: str, handle: str, users: Iterable[str] = (), *, name: str = ""
    ) -> FakeUsergroup:
        """Add a user group (``usergroups.users.list`` / ``usergroups.list`` answer from it)."""
        group = FakeUsergroup(id=usergroup_id, handle=handle, users=list(users), name=name)
        self.usergroups[usergroup_id] = group
        return group

    def dm_channel_id(self, user_id: str) -> str:
        """The IM id between the bot and ``user_id`` (created if needed, as conversations.open would)."""
        return self._open_conversation([user_id]).id

    def find_message(self, ts: str, channel_id: str | None = None) -> dict[str, Any] | None:
        """The stored message with this ts (in ``channel_id`` if given)."""
        channel_id = channel_id or self._ts_channel.get(ts)
        for message in self.messages.get(channel_id or "", []):
            if message["ts"] == ts:
                return message
        return None

    def channel_of(self, ts: str) -> str | None:
        """The channel a stored message (by ts) lives in."""
        return self._ts_channel.get(ts)

    def post_user_message(
        self, user_id: str, channel_id: str, text: str, *, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """Store a message written by a user (as if typed in Slack) and return it; no event is sent."""
        message = {
            "type": "message",
            "user": user_id,
            "text": text,
            "ts": self._next_ts(),
            "team": self.team_id,
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        self._store_message(channel_id, message)
        return message

    def issue_trigger_id(self) -> str:
        """A fresh trigger_id that views.open will accept once."""
        trigger_id = f"{int(time.time())}.{next(self._counter)}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = time.monotonic()
        return trigger_id

    # ------------------------------------------------------------------ injection

    def fail_next(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        """Make the next ``times`` calls to ``method`` answer ``{"ok": false, "error": error}`` (status 200)."""
        self._injections.setdefault(method, deque()).extend([("error", error)] * times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Make the next ``times`` calls to ``method`` answer status 429 with ``Retry-After: retry_after``."""
        self._injections.setdefault(method, deque()).extend([("ratelimit", int(retry_after))] * times)

    def hold(self, method: str) -> asyncio.Event:
        """Make calls to ``method`` wait (unanswered) until the returned event is set."""
        return self._held.setdefault(method, asyncio.Event())

    # ------------------------------------------------------------------ waiting and reading

    def mark(self) -> int:
        """The current number of recorded calls, for ``wait_for_call(..., since=fake.mark())``."""
        return len(self.calls)

    def calls_to(self, method: str) -> list[SlackCall]:
        """Every recorded call to ``method``, in order."""
        return [c for c in self.calls if c.method == method]

    @property
    def unknown_methods(self) -> list[str]:
        """Methods the bot called that the fake does not implement (each answered ``unknown_method``)."""
        return [c.method for c in self.calls if c.method not in self._methods]

    async def wait_until(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
        what: str = "a condition",
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked whenever the fake's state changes) and return it."""
        try:
            async with asyncio.timeout(timeout):
                async with self._cond:
                    return await self._cond.wait_for(predicate)
        except TimeoutError:
            recent = ", ".join(c.method for c in self.calls[-15:]) or "none"
            raise FakeSlackTimeout(
                f"FakeSlack: timed out after {timeout}s waiting for {what} (last calls: {recent})"
            ) from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[SlackCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
        *,
        since: int = 0,
    ) -> SlackCall:
        """The first call to ``method`` (from index ``since``) matching ``predicate``, waiting for it if needed."""

        def find() -> SlackCall | None:
            for call in self.calls[since:]:
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        return await self.wait_until(find, timeout, f"a call to {method}")

    async def wait_for_ack(
        self,
        envelope_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
    ) -> dict[str, Any]:
        """The bot's acknowledgement of an envelope: ``{"envelope_id": ..., "payload"?: ...}``."""
        return await self.wait_until(lambda: self.acks.get(envelope_id), timeout, f"the ack of {envelope_id}")

    async def wait_for_response(
        self,
        predicate: Callable[[ResponseUrlPost], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
        *,
        since: int = 0,
    ) -> ResponseUrlPost:
        """The first POST to a response URL (from index ``since`` of ``fake.responses``) matching ``predicate``."""

        def find() -> ResponseUrlPost | None:
            for post in self.responses[since:]:
                if predicate is None or predicate(post):
                    return post
            return None

        return await self.wait_until(find, timeout, "a post to a response_url")

    async def wait_for_link(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
    ) -> None:
        """Wait until a Socket Mode client is connected (and has been sent ``hello``)."""
        await self.wait_until(lambda: bool(self._open_links()), timeout, "a Socket Mode connection")

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    # ------------------------------------------------------------------ Socket Mode

    def _open_links(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self._links if not ws.closed]

    @property
    def link_count(self) -> int:
        """How many Socket Mode connections are open."""
        return len(self._open_links())

    async def socket_send(
        self,
        type: str,
        payload: Mapping[str, Any],
        retry_attempt: int = 0,
        retry_reason: str = "",
        *,
        accepts_response_payload: bool | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
    ) -> str:
        """Send an envelope over the newest Socket Mode connection and return its envelope_id.

        Like Slack, ``retry_attempt``/``retry_reason`` are part of ``events_api`` envelopes (a first delivery has
        ``retry_attempt: 0``, which bolt turns into ``x-slack-retry-num: "0"``); for the other types they are only
        included when non-default.
        """
        if type not in ("events_api", "slash_commands", "interactive"):
            raise ValueError(f"unknown envelope type {type!r}")
        await self.wait_for_link(timeout)
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive" and payload.get("type") in ("view_submission", "block_suggestion")
            )
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": dict(payload),
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api" or retry_attempt or retry_reason:
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        self.envelopes.append(envelope)
        await self._open_links()[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def socket_deliver(self, payload: Mapping[str, Any], **kwargs: Any) -> str:
        """``socket_send`` with the envelope type guessed from the payload (see ``envelope_type_for``)."""
        return await self.socket_send(envelope_type_for(payload), payload, **kwargs)

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``{"type": "disconnect"}`` on every open link (slack-sdk then reconnects)."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        for ws in self._open_links():
            await ws.send_str(json.dumps(message))

    async def close_links(self) -> None:
        """Close every Socket Mode connection from the server side."""
        for ws in list(self._links):
            if not ws.closed:
                await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"fake slack closing")

    async def _handle_link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._links.append(ws)
        hello = {
            "type": "hello",
            "num_connections": len(self._open_links()),
            "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        await ws.send_str(json.dumps(hello))
        await self._notify()
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    log.warning("FakeSlack: non-JSON message on the Socket Mode link: %r", msg.data)
                    continue
                self.socket_received.append(data)
                if isinstance(data, dict) and "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data
                await self._notify()
        finally:
            if ws in self._links:
                self._links.remove(ws)
            await self._notify()
        return ws

    # ------------------------------------------------------------------ HTTP requester

    def requester(self, url: str, signing_secret: str | None = None) -> SlackRequester:
        """A ``SlackRequester`` for the bot at ``url`` signing with this fake's secret (or ``signing_secret``)."""
        return SlackRequester(url, signing_secret or self.signing_secret)

    # ------------------------------------------------------------------ payload builders

    def _user_ref(self, user_id: str) -> dict[str, Any]:
        user = self.users.get(user_id)
        name = user.name if user else user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _new_response_url(self, **target: Any) -> str:
        response_id = str(next(self._counter))
        self._response_targets[response_id] = target
        return f"{self.base_url}/response/{response_id}"

    def _channel_name(self, channel_id: str) -> str:
        channel = self.channels.get(channel_id)
        if channel is None:
            return channel_id
        if channel.is_im:
            return "directmessage"
        return channel.name

    def event_callback(
        self, event: Mapping[str, Any], *, event_id: str | None = None, event_time: int | None = None
    ) -> dict[str, Any]:
        """Wrap an event in the ``event_callback`` body Slack sends (Events API over HTTP or Socket Mode)."""
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or f"Ev0F{next(self._counter):08X}",
            "event_time": event_time or int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(12)}",
        }

    def team_join_event(self, user_id: str) -> dict[str, Any]:
        """A ``team_join`` event with the full user object (without ``locale``: only users.info gives it)."""
        if user_id not in self.users:
            raise KeyError(f"add_user({user_id!r}, ...) before building its team_join")
        return {
            "type": "team_join",
            "user": self.users[user_id].to_api(self.team_id),
            "cache_ts": int(time.time()),
            "event_ts": self._next_ts(),
        }

    def user_change_event(self, user_id: str) -> dict[str, Any]:
        """A ``user_change`` event with the user object as it is now (``deleted`` when deactivated)."""
        return {
            "type": "user_change",
            "user": self.users[user_id].to_api(self.team_id),
            "cache_ts": int(time.time()),
            "event_ts": self._next_ts(),
        }

    def member_joined_channel_event(
        self, user_id: str, channel_id: str, *, inviter: str | None = None
    ) -> dict[str, Any]:
        """A ``member_joined_channel`` event; the user is added to the channel's members, as in Slack."""
        channel = self.channels.get(channel_id)
        if channel is not None and user_id not in channel.members:
            channel.members.append(user_id)
        event: dict[str, Any] = {
            "type": "member_joined_channel",
            "user": user_id,
            "channel": channel_id,
            "channel_type": "G" if channel is not None and (channel.is_private or channel.is_mpim) else "C",
            "team": self.team_id,
            "event_ts": self._next_ts(),
        }
        if inviter:
            event["inviter"] = inviter
        return event

    def reaction_event(
        self, user_id: str, reaction: str, channel_id: str, ts: str, *, removed: bool = False
    ) -> dict[str, Any]:
        """A ``reaction_added`` (or ``reaction_removed``) event; the stored message's reactions follow."""
        message = self.find_message(ts, channel_id)
        if message is not None:
            self._apply_reaction(message, reaction, user_id, add=not removed)
        event: dict[str, Any] = {
            "type": "reaction_removed" if removed else "reaction_added",
            "user": user_id,
            "reaction": reaction,
            "item": {"type": "message", "channel": channel_id, "ts": ts},
            "event_ts": self._next_ts(),
        }
        if message is not None and message.get("user"):
            event["item_user"] = message["user"]
        return event

    def app_mention_event(
        self, user_id: str, channel_id: str, text: str = "", *, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """An ``app_mention`` event (the text gets a ``<@BOT>`` prefix if it lacks one); the message is stored."""
        mention = f"<@{self.bot_user_id}>"
        if mention not in text:
            text = f"{mention} {text}".strip()
        message = self.post_user_message(user_id, channel_id, text, thread_ts=thread_ts)
        event = {**message, "type": "app_mention", "channel": channel_id, "event_ts": message["ts"]}
        return event

    def message_event(
        self, user_id: str, channel_id: str, text: str, *, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A ``message`` event from a user (``channel_type`` im/mpim/channel/group); the message is stored."""
        message = self.post_user_message(user_id, channel_id, text, thread_ts=thread_ts)
        channel = self.channels.get(channel_id)
        if channel is None or not (channel.is_im or channel.is_mpim or channel.is_private):
            channel_type = "channel"
        else:
            channel_type = "im" if channel.is_im else "mpim" if channel.is_mpim else "group"
        return {**message, "channel": channel_id, "channel_type": channel_type, "event_ts": message["ts"]}

    def url_verification(self, challenge: str | None = None) -> dict[str, Any]:
        """The ``url_verification`` body Slack sends when the request URL is configured."""
        return {
            "token": self.verification_token,
            "challenge": challenge or secrets.token_hex(16),
            "type": "url_verification",
        }

    def slash_command(
        self,
        user_id: str,
        text: str = "",
        command: str = "/agora",
        channel_id: str | None = None,
        trigger_id: str | None = None,
    ) -> dict[str, str]:
        """A slash command's fields (form-encoded over HTTP, the envelope payload in Socket Mode).

        ``channel_id`` defaults to the user's DM with the bot; ``trigger_id`` is freshly issued; ``response_url``
        points at the fake (posts land in ``fake.responses``).
        """
        channel_id = channel_id or self.dm_channel_id(user_id)
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user_ref(user_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": self._new_response_url(kind="command", channel=channel_id, user=user_id, ts=None),
            "trigger_id": trigger_id or self.issue_trigger_id(),
        }

    def block_actions(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        message: Mapping[str, Any] | None = None,
        channel: str | None = None,
        container: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | str | None = None,
        block_id: str | None = None,
        action: Mapping[str, Any] | None = None,
        trigger_id: str | None = None,
    ) -> dict[str, Any]:
        """A ``block_actions`` payload for a click on ``action_id``.

        On a message: pass ``message`` (e.g. ``fake.messages[ch][-1]``) and/or ``channel`` (then the newest message
        there carrying ``action_id`` is used). In a modal or home tab: pass ``view`` (a view dict or id). The
        block_id, element type and text are taken from the blocks when found; ``action`` overrides the action
        object entirely (e.g. for a select with ``selected_option``).
        """
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_ref(user_id),
            "api_app_id": self.app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id or self.issue_trigger_id(),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
        }
        blocks: list[Mapping[str, Any]] = []
        if view is not None:
            view_obj = self.views[view] if isinstance(view, str) else dict(view)
            blocks = view_obj.get("blocks") or []
            payload["container"] = dict(container or {"type": "view", "view_id": view_obj.get("id")})
            payload["view"] = copy.deepcopy(view_obj)
            if view_obj.get("state"):
                payload["state"] = copy.deepcopy(view_obj["state"])
        else:
            if message is None:
                if channel is None:
                    raise ValueError("block_actions needs message=, channel= or view=")
                message = self._find_message_with_action(channel, action_id)
            channel = channel or self._ts_channel.get(message["ts"])
            if channel is None:
                raise ValueError("block_actions: cannot tell the message's channel; pass channel=")
            blocks = message.get("blocks") or []
            payload["container"] = dict(
                container
                or {
                    "type": "message",
                    "message_ts": message["ts"],
                    "channel_id": channel,
                    "is_ephemeral": False,
                }
            )
            payload["channel"] = {"id": channel, "name": self._channel_name(channel)}
            payload["message"] = copy.deepcopy(dict(message))
            payload["response_url"] = self._new_response_url(
                kind="action", channel=channel, user=user_id, ts=message["ts"]
            )
        if action is None:
            found_block, element = next(
                ((b, e) for b, e in _walk_elements(blocks) if e.get("action_id") == action_id), (None, {})
            )
            built: dict[str, Any] = {
                "action_id": action_id,
                "block_id": block_id or found_block or "agora_actions",
                "type": element.get("type", "button"),
                "action_ts": self._next_ts(),
            }
            if "text" in element:
                built["text"] = element["text"]
            if value is not None or "value" in element:
                built["value"] = value if value is not None else element["value"]
            action = built
        payload["actions"] = [dict(action)]
        return payload

    def view_submission(
        self,
        user_id: str,
        callback_id: str,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        private_metadata: str | None = None,
        *,
        view_id: str | None = None,
        trigger_id: str | None = None,
    ) -> dict[str, Any]:
        """A ``view_submission`` payload for a modal.

        ``values`` is ``{block_id: {action_id: {"type": ..., "value": ...}}}``; a bare string stands for a
        plain_text_input value. The view is the one views.open stored (``view_id``, else the newest with this
        callback_id) when there is one, else a minimal modal.
        """
        state_values: dict[str, dict[str, Any]] = {}
        for block_key, actions in (values or {}).items():
            state_values[block_key] = {
                action_key: ({"type": "plain_text_input", "value": v} if isinstance(v, str) else dict(v))
                for action_key, v in actions.items()
            }
        base: dict[str, Any] | None = None
        if view_id is not None:
            base = self.views[view_id]
        else:
            for candidate in reversed(list(self.views.values())):
                if candidate.get("callback_id") == callback_id and candidate.get("type") == "modal":
                    base = candidate
                    break
        view = copy.deepcopy(base) if base is not None else self._build_view({"type": "modal"}, None)
        view["callback_id"] = callback_id
        view["state"] = {"values": state_values}
        if private_metadata is not None:
            view["private_metadata"] = private_metadata
        return {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user_ref(user_id),
            "api_app_id": self.app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id or self.issue_trigger_id(),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    # ------------------------------------------------------------------ internals

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}0F{next(self._counter):08X}"

    def _next_ts(self) -> str:
        self._last_us = max(time.time_ns() // 1000, self._last_us + 1)
        return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"

    def _store_message(self, channel_id: str, message: dict[str, Any]) -> None:
        self.messages.setdefault(channel_id, []).append(message)
        self._ts_channel[message["ts"]] = channel_id
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            parent = self.find_message(thread_ts, channel_id)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                users = parent.setdefault("reply_users", [])
                author = message.get("user")
                if author and author not in users:
                    users.append(author)
                parent["latest_reply"] = message["ts"]

    def _find_message_with_action(self, channel_id: str, action_id: str) -> dict[str, Any]:
        messages = self.messages.get(channel_id) or []
        for message in reversed(messages):
            if any(e.get("action_id") == action_id for _, e in _walk_elements(message.get("blocks") or [])):
                return message
        if messages:
            return messages[-1]
        raise ValueError(f"no message in {channel_id} to click {action_id} on")

    def _apply_reaction(self, message: dict[str, Any], name: str, user_id: str, *, add: bool) -> bool:
        reactions: list[dict[str, Any]] = message.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if add:
            if entry is None:
                entry = {"name": name, "users": [], "count": 0}
                reactions.append(entry)
            if user_id in entry["users"]:
                return False
            entry["users"].append(user_id)
            entry["count"] = len(entry["users"])
            return True
        if entry is None or user_id not in entry["users"]:
            return False
        entry["users"].remove(user_id)
        entry["count"] = len(entry["users"])
        if not entry["users"]:
            reactions.remove(entry)
        if not reactions:
            del message["reactions"]
        return True

    def _open_conversation(self, user_ids: list[str]) -> FakeChannel:
        others = [u for u in dict.fromkeys(user_ids) if u != self.bot_user_id]
        if not others:
            raise _ApiError("cannot_dm_bot")
        for user_id in others:
            if user_id not in self.users:
                raise _ApiError("user_not_found")
        key = frozenset(others)
        existing = self._conversations_by_users.get(key)
        if existing is not None:
            return self.channels[existing]
        if len(others) == 1:
            channel = FakeChannel(
                id=self._next_id("D"), name=others[0], members=[others[0], self.bot_user_id], is_im=True
            )
        else:
            names = [self.users[u].name for u in others] + [self.bot_name]
            channel = FakeChannel(
                id=self._next_id("G"),
                name="mpdm-" + "--".join(names) + "-1",
                members=[*others, self.bot_user_id],
                is_mpim=True,
                is_private=True,
            )
        self.channels[channel.id] = channel
        self.messages.setdefault(channel.id, [])
        self._conversations_by_users[key] = channel.id
        return channel

    def _channel(self, args: Mapping[str, Any], key: str = "channel") -> FakeChannel:
        value = args.get(key)
        if not value:
            raise _ApiError("channel_not_found")
        value = str(value)
        if value in self.channels:
            return self.channels[value]
        if value[:1] in ("U", "W") and value in self.users:
            return self._open_conversation([value])
        name = value.lstrip("#")
        for channel in self.channels.values():
            if not channel.is_im and channel.name == name:
                return channel
        raise _ApiError("channel_not_found")

    def _require_bot_in(self, channel: FakeChannel) -> None:
        if self.bot_user_id not in channel.members:
            raise _ApiError("channel_not_found" if self._hidden(channel) else "not_in_channel")

    def _hidden(self, channel: FakeChannel) -> bool:
        """A private channel the bot was not invited to: Slack answers as if it did not exist."""
        return channel.is_private and not channel.is_mpim and self.bot_user_id not in channel.members

    def _user(self, args: Mapping[str, Any], key: str = "user") -> FakeUser:
        user = self.users.get(str(args.get(key) or ""))
        if user is None:
            raise _ApiError("user_not_found")
        return user

    def _message(self, channel: FakeChannel, ts: Any) -> dict[str, Any]:
        message = self.find_message(str(ts or ""), channel.id)
        if message is None or self._ts_channel.get(message["ts"]) != channel.id:
            raise _ApiError("message_not_found")
        return message

    @staticmethod
    def _paginate(items: list[T], args: Mapping[str, Any], default_limit: int = 100) -> tuple[list[T], str]:
        try:
            offset = int(args.get("cursor") or 0)
            limit = int(args.get("limit") or default_limit)
        except ValueError:
            raise _ApiError("invalid_cursor") from None
        if limit <= 0:
            limit = default_limit
        end = offset + limit
        return items[offset:end], (str(end) if end < len(items) else "")

    @staticmethod
    def _check_text(args: Mapping[str, Any]) -> None:
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise _ApiError("no_text")

    def _take_injection(self, method: str) -> tuple[str, Any] | None:
        queue = self._injections.get(method)
        if queue:
            return queue.popleft()
        return None

    # ------------------------------------------------------------------ HTTP handlers

    @staticmethod
    async def _read_args(request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    args.update(body)
            elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        args[key] = value.file.read()
                    else:
                        args[key] = value
        return _decode_json_args(args)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._read_args(request)
        held = self._held.get(method)
        if held is not None:
            await held.wait()
        # Record and process without awaiting in between, then notify once: a test woken by wait_for_call sees
        # the state the call produced (fake.messages, fake.views, ...).
        self.calls.append(SlackCall(method, args, CIMultiDict(request.headers)))
        status, headers, body = self._answer(method, args, request.headers.get("Authorization", ""))
        await self._notify()
        return web.json_response(body, status=status, headers=headers)

    def _answer(
        self, method: str, args: dict[str, Any], authorization: str
    ) -> tuple[int, dict[str, str], Any]:
        injected = self._take_injection(method)
        if injected is not None:
            kind, value = injected
            if kind == "ratelimit":
                return 429, {"Retry-After": str(value)}, {"ok": False, "error": "ratelimited"}
            return 200, {}, {"ok": False, "error": value}

        handler = self._methods.get(method)
        if handler is None:
            log.warning(
                "FakeSlack: unknown Web API method %r called with %r: answering unknown_method", method, args
            )
            return 200, {}, {"ok": False, "error": "unknown_method"}

        token = authorization[7:] if authorization.startswith("Bearer ") else str(args.get("token") or "")
        try:
            if not token:
                raise _ApiError("not_authed")
            if token.startswith("xapp-") != (method == "apps.connections.open") and method != "auth.test":
                raise _ApiError("not_allowed_token_type")
            result = handler(args)
        except _ApiError as err:
            return 200, {}, {"ok": False, "error": err.error, **err.extra}
        headers = {"x-oauth-scopes": DEFAULT_SCOPES} if method == "auth.test" else {}
        return 200, headers, {"ok": True, **result}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        pending = self._pending_files.get(file_id)
        if pending is None:
            return web.Response(status=404, text="file_not_found")
        data = await request.read()
        self.uploads[file_id] = data
        pending["size"] = len(data)
        pending["uploaded"] = True
        await self._notify()
        return web.Response(text=f"OK - {len(data)}")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        response_id = request.match_info["response_id"]
        target = self._response_targets.get(response_id)
        if target is None:
            return web.Response(status=404, text="no_active_hooks")
        if request.content_type == "application/json":
            body = await request.json()
        else:
            form = await request.post()
            body = json.loads(str(form["payload"])) if "payload" in form else dict(form)
        body = _decode_json_args(dict(body))
        self.responses.append(ResponseUrlPost(response_id, body))
        channel_id, ts = target.get("channel"), target.get("ts")
        original = self.find_message(ts, channel_id) if ts else None
        if original is not None and _truthy(body.get("delete_original")):
            self.messages[channel_id].remove(original)
        elif original is not None and _truthy(body.get("replace_original")):
            for key in ("text", "blocks", "attachments"):
                if key in body:
                    original[key] = body[key]
        elif body.get("response_type") == "in_channel" and channel_id:
            message = self._bot_message(body)
            self._store_message(channel_id, message)
        elif channel_id:
            self.ephemeral.append(
                {
                    "channel": channel_id,
                    "user": target.get("user"),
                    "text": body.get("text", ""),
                    "blocks": body.get("blocks"),
                    "via": "response_url",
                }
            )
        await self._notify()
        return web.Response(text="ok")

    # ------------------------------------------------------------------ Web API methods

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.link_url}

    def _bot_message(self, args: Mapping[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": args.get("text") or "",
            "ts": self._next_ts(),
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "metadata"):
            if args.get(key):
                message[key] = args[key]
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        return message

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        self._require_bot_in(channel)
        if channel.is_archived:
            raise _ApiError("is_archived")
        self._check_text(args)
        message = self._bot_message(args)
        self._store_message(channel.id, message)
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        message = self._message(channel, args.get("ts"))
        if message.get("user") != self.bot_user_id:
            raise _ApiError("cant_update_message")
        self._check_text(args)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": message,
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        message = self._message(channel, args.get("ts"))
        if message.get("user") != self.bot_user_id:
            raise _ApiError("cant_delete_message")
        self.messages[channel.id].remove(message)
        return {"channel": channel.id, "ts": message["ts"]}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        user = self._user(args)
        self._check_text(args)
        if user.id not in channel.members:
            raise _ApiError("user_not_in_channel")
        ts = self._next_ts()
        self.ephemeral.append(
            {
                "channel": channel.id,
                "user": user.id,
                "text": args.get("text", ""),
                "blocks": args.get("blocks"),
                "message_ts": ts,
                "via": "chat.postEphemeral",
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        message = self._message(channel, args.get("message_ts"))
        ts = message["ts"].replace(".", "")
        return {
            "channel": channel.id,
            "permalink": f"https://{self.team_domain}.slack.com/archives/{channel.id}/p{ts}",
        }

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            channel = self._channel(args)
            existed = True
        else:
            users = _split_ids(args.get("users"))
            if not users:
                raise _ApiError("users_list_not_supplied")
            existed = frozenset(u for u in users if u != self.bot_user_id) in self._conversations_by_users
            channel = self._open_conversation(users)
        body: dict[str, Any] = {
            "channel": channel.to_api(self.bot_user_id)
            if _truthy(args.get("return_im"))
            else {"id": channel.id}
        }
        if existed:
            body.update({"no_op": True, "already_open": True})
        return body

    def _conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if channel.is_im or channel.is_mpim:
            raise _ApiError("method_not_supported_for_channel_type")
        self._require_bot_in(channel)
        users = _split_ids(args.get("users"))
        if not users:
            raise _ApiError("no_user")
        errors = []
        for user_id in users:
            if user_id == self.bot_user_id:
                errors.append({"user": user_id, "ok": False, "error": "cant_invite_self"})
            elif user_id not in self.users:
                errors.append({"user": user_id, "ok": False, "error": "user_not_found"})
            elif user_id in channel.members:
                errors.append({"user": user_id, "ok": False, "error": "already_in_channel"})
        failed = {e["user"] for e in errors}
        if errors and not (_truthy(args.get("force")) and len(failed) < len(users)):
            raise _ApiError(errors[0]["error"], errors=errors)
        channel.members.extend(u for u in users if u not in failed)
        return {"channel": channel.to_api(self.bot_user_id)}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if self._hidden(channel):
            raise _ApiError("channel_not_found")
        if channel.is_archived:
            raise _ApiError("is_archived")
        if channel.is_private or channel.is_im or channel.is_mpim:
            raise _ApiError("method_not_supported_for_channel_type")
        already = self.bot_user_id in channel.members
        if not already:
            channel.members.append(self.bot_user_id)
        body: dict[str, Any] = {"channel": channel.to_api(self.bot_user_id)}
        if already:
            body["warning"] = "already_in_channel"
        return body

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        page, cursor = self._paginate(list(channel.members), args)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if self._hidden(channel):
            raise _ApiError("channel_not_found")
        return {"channel": channel.to_api(self.bot_user_id)}

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        types = set(_split_ids(args.get("types")) or ["public_channel"])

        def kind(channel: FakeChannel) -> str:
            if channel.is_im:
                return "im"
            if channel.is_mpim:
                return "mpim"
            return "private_channel" if channel.is_private else "public_channel"

        matching = [c.to_api(self.bot_user_id) for c in self.channels.values() if kind(c) in types]
        page, cursor = self._paginate(matching, args)
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        ts = str(args.get("ts") or "")
        parent = self.find_message(ts, channel.id)
        if parent is None:
            raise _ApiError("thread_not_found")
        thread = [parent] + [
            m for m in self.messages.get(channel.id, []) if m.get("thread_ts") == ts and m["ts"] != ts
        ]
        page, cursor = self._paginate(thread, args, default_limit=1000)
        return {"messages": page, "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        inclusive = _truthy(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else float("inf")

        def in_range(ts: str) -> bool:
            value = float(ts)
            if inclusive:
                return oldest <= value <= latest
            return oldest < value < latest

        top_level = [
            m
            for m in reversed(self.messages.get(channel.id, []))
            if (not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast")
            and in_range(m["ts"])
        ]
        page, cursor = self._paginate(top_level, args)
        return {
            "messages": page,
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._user(args)
        return {"user": user.to_api(self.team_id, include_locale=_truthy(args.get("include_locale")))}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        include_locale = _truthy(args.get("include_locale"))
        members = [u.to_api(self.team_id, include_locale=include_locale) for u in self.users.values()]
        page, cursor = self._paginate(members, args, default_limit=200)
        return {"members": page, "cache_ts": int(time.time()), "response_metadata": {"next_cursor": cursor}}

    def _usergroups_list(self, args: dict[str, Any]) -> dict[str, Any]:
        include_users = _truthy(args.get("include_users"))
        return {
            "usergroups": [
                g.to_api(self.team_id, include_users=include_users) for g in self.usergroups.values()
            ]
        }

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self.usergroups.get(str(args.get("usergroup") or ""))
        if group is None:
            raise _ApiError("no_such_subteam")
        return {"users": list(group.users)}

    def _consume_trigger(self, args: Mapping[str, Any]) -> None:
        trigger_id = str(args.get("trigger_id") or "")
        issued = self._triggers.get(trigger_id)
        if issued is None or trigger_id in self._used_triggers:
            raise _ApiError("invalid_trigger_id")
        self._used_triggers.add(trigger_id)
        if self.trigger_ttl is not None and time.monotonic() - issued > self.trigger_ttl:
            raise _ApiError("expired_trigger_id")

    def _build_view(self, spec: Mapping[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        view_id = previous["id"] if previous else self._next_id("V")
        view: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec.get("type", "modal"),
            "blocks": spec.get("blocks", []),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": spec.get("title", {"type": "plain_text", "text": "Agora"}),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "previous_view_id": previous.get("previous_view_id") if previous else None,
            "root_view_id": previous.get("root_view_id", view_id) if previous else view_id,
            "app_id": self.app_id,
            "external_id": spec.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return view

    def _view_spec(self, args: Mapping[str, Any]) -> dict[str, Any]:
        spec = args.get("view")
        if not isinstance(spec, dict):
            raise _ApiError("invalid_arguments")
        return spec

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        spec = self._view_spec(args)
        self._consume_trigger(args)
        view = self._build_view(spec, None)
        self.views[view["id"]] = view
        return {"view": view}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        spec = self._view_spec(args)
        self._consume_trigger(args)
        view = self._build_view(spec, None)
        parents = [v for v in self.views.values() if v.get("type") == "modal"]
        if parents:
            view["previous_view_id"] = parents[-1]["id"]
            view["root_view_id"] = parents[-1].get("root_view_id") or parents[-1]["id"]
        self.views[view["id"]] = view
        return {"view": view}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        spec = self._view_spec(args)
        current: dict[str, Any] | None = None
        if args.get("view_id"):
            current = self.views.get(str(args["view_id"]))
        elif args.get("external_id"):
            current = next(
                (v for v in self.views.values() if v.get("external_id") == args["external_id"]), None
            )
        else:
            raise _ApiError("invalid_arguments")
        if current is None:
            raise _ApiError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        view = self._build_view(spec, current)
        self.views[view["id"]] = view
        for user_id, home in self.home_tabs.items():
            if home["id"] == view["id"]:
                self.home_tabs[user_id] = view
        return {"view": view}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        spec = self._view_spec(args)
        user = self._user(args, "user_id")
        current = self.home_tabs.get(user.id)
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        view = self._build_view({"type": "home", **spec}, current)
        self.views[view["id"]] = view
        self.home_tabs[user.id] = view
        return {"view": view}

    def _reaction_target(self, args: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        channel = self._channel(args)
        message = self._message(channel, args.get("timestamp"))
        name = str(args.get("name") or "").strip(":")
        if not name:
            raise _ApiError("invalid_name")
        return message, name

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        message, name = self._reaction_target(args)
        if not self._apply_reaction(message, name, self.bot_user_id, add=True):
            raise _ApiError("already_reacted")
        return {}

    def _reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        message, name = self._reaction_target(args)
        if not self._apply_reaction(message, name, self.bot_user_id, add=False):
            raise _ApiError("no_reaction")
        return {}

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = args.get("filename")
        if not filename or args.get("length") in (None, ""):
            raise _ApiError("invalid_arguments")
        file_id = self._next_id("F")
        self._pending_files[file_id] = {
            "id": file_id,
            "name": str(filename),
            "length": int(args["length"]),
            "alt_txt": args.get("alt_txt"),
            "snippet_type": args.get("snippet_type"),
            "uploaded": False,
        }
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise _ApiError("invalid_arguments")
        channel_ids = _split_ids(args.get("channels")) or _split_ids(args.get("channel_id"))
        channels = [self._channel({"channel": c}) for c in channel_ids]
        completed = []
        for entry in entries:
            pending = self._pending_files.get(str(entry.get("id")))
            if pending is None or not pending["uploaded"]:
                raise _ApiError("file_not_found")
            file_obj = {
                "id": pending["id"],
                "created": int(time.time()),
                "name": pending["name"],
                "title": entry.get("title") or pending["name"],
                "size": pending["size"],
                "user": self.bot_user_id,
                "mimetype": "text/plain" if pending.get("snippet_type") else "application/octet-stream",
                "channels": [c.id for c in channels],
                "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{pending['id']}",
            }
            self.files[file_obj["id"]] = file_obj
            completed.append(file_obj)
        for channel in channels:
            message = self._bot_message(
                {"text": args.get("initial_comment") or "", "thread_ts": args.get("thread_ts")}
            )
            message["files"] = copy.deepcopy(completed)
            message["upload"] = True
            self._store_message(channel.id, message)
        return {"files": completed}


class SlackRequester:
    """Sends signed HTTP requests to a bot's ``/slack/events`` endpoint, as Slack does in HTTP mode."""

    def __init__(self, url: str, signing_secret: str, *, timeout: float = 10.0) -> None:
        """``url`` is the full endpoint (e.g. ``http://127.0.0.1:PORT/slack/events``)."""
        self.url = url
        self.signing_secret = signing_secret
        self.timeout = timeout
        self._verifier = SignatureVerifier(signing_secret)

    def signature_headers(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        """``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` for ``body``."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._verifier.generate_signature(timestamp=ts, body=body)
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        skew: int = 0,
        bad_signature: bool = False,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> SlackHttpResponse:
        """POST a raw body, signed.

        ``skew`` shifts the timestamp (``-360``: six minutes old, which bolt rejects); ``bad_signature`` signs with
        a wrong secret; ``retry_num``/``retry_reason`` add ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` (absent on
        a first delivery, as in Slack).
        """
        ts = (int(time.time()) if timestamp is None else timestamp) + skew
        if bad_signature:
            signed = SlackRequester(self.url, self.signing_secret + "-wrong").signature_headers(body, ts)
        else:
            signed = self.signature_headers(body, ts)
        request_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **signed,
        }
        if retry_num is not None:
            request_headers["X-Slack-Retry-Num"] = str(retry_num)
            request_headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        elif retry_reason is not None:
            request_headers["X-Slack-Retry-Reason"] = retry_reason
        request_headers.update(headers or {})
        client_timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=client_timeout) as session:
            async with session.post(self.url, data=body.encode("utf-8"), headers=request_headers) as response:
                text = await response.text()
                return SlackHttpResponse(response.status, dict(response.headers), text)

    async def send_event(self, body: Mapping[str, Any], **options: Any) -> SlackHttpResponse:
        """POST an Events API body (``event_callback`` or ``url_verification``) as JSON."""
        return await self.post(json.dumps(body), "application/json", **options)

    async def send_command(self, form: Mapping[str, Any], **options: Any) -> SlackHttpResponse:
        """POST a slash command, form-encoded."""
        fields = {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in form.items()}
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded", **options)

    async def send_interactive(self, payload: Mapping[str, Any], **options: Any) -> SlackHttpResponse:
        """POST an interactivity payload (block_actions, view_submission, ...) as form field ``payload=<JSON>``."""
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **options)

    async def send(self, payload: Mapping[str, Any], **options: Any) -> SlackHttpResponse:
        """POST any builder payload, encoded the way Slack encodes its kind."""
        kind = envelope_type_for(payload)
        if kind == "events_api":
            return await self.send_event(payload, **options)
        if kind == "slash_commands":
            return await self.send_command(payload, **options)
        return await self.send_interactive(payload, **options)

    async def url_verification(self, challenge: str = "fake-challenge") -> SlackHttpResponse:
        """Send Slack's ``url_verification`` request; bolt answers with the challenge."""
        body = {"token": "fake-verification-token", "challenge": challenge, "type": "url_verification"}
        return await self.send_event(body)
