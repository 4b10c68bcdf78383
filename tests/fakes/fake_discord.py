"""A loopback fake of Discord's gateway (websocket) and REST API.

The real, unmodified discord.py runs against it: :func:`patched_discord` points
``discord.http.Route.BASE`` and ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` at an aiohttp server
bound to ``127.0.0.1`` on an ephemeral port.

Typical use::

    async with FakeDiscord() as fake:
        guild = fake.add_guild("Agora")
        alice = fake.add_member(guild, "alice")
        bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.1)
        async with running_client(bot, fake):
            await fake.member_join(guild, fake.add_user("bob"))
            request = await fake.wait_for_request("POST", r"/channels/\\d+/messages")

What the fake models (see :class:`FakeDiscord` for the helpers):

* users, guilds (with an ``@everyone`` role, a managed bot role and the bot's own member), text channels,
  categories, threads, DM channels, roles with positions and permissions, members with roles;
* the gateway: HELLO, heartbeat ACK, IDENTIFY -> READY + one GUILD_CREATE per guild, RESUME -> RESUMED,
  REQUEST_GUILD_MEMBERS -> GUILD_MEMBERS_CHUNK, intents filtering of dispatches, increasing sequence numbers;
* the REST endpoints a community bot uses (every request is recorded in :attr:`FakeDiscord.requests`);
* failure injection (:meth:`FakeDiscord.fail_next`, :meth:`FakeDiscord.fail_always`) and a role-hierarchy check.

State built with the synchronous ``add_*`` helpers before the client connects is sent in READY/GUILD_CREATE;
changes while a client is connected go through the ``async`` helpers, which dispatch gateway events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import yarl
from aiohttp import BodyPartReader, WSMsgType, web

if TYPE_CHECKING:
    import discord

__all__ = [
    "AUTO",
    "FailureRule",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMember",
    "FakeModal",
    "FakeRole",
    "FakeUser",
    "GatewayIntents",
    "MultipartPart",
    "PermissionBits",
    "RecordedRequest",
    "patched_discord",
    "running_client",
]

log = logging.getLogger("tests.fakes.fake_discord")

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = re.compile(r"^/api(?:/v\d+)?(?=/)")


class _Auto:
    """Sentinel type: "derive this value from the rest of the arguments"."""

    _instance: _Auto | None = None

    def __new__(cls) -> _Auto:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()
"""Default of arguments the fake derives itself (e.g. a button press's guild from its message)."""


class GatewayIntents:
    """Gateway intent bits the fake uses to filter dispatches."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    GUILD_PRESENCES = 1 << 8
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


class PermissionBits:
    """Permission bits used by the fake's defaults and checks."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 53) - 1

    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | SEND_MESSAGES_IN_THREADS
    )
    BOT_DEFAULT = (
        EVERYONE_DEFAULT
        | MANAGE_ROLES
        | MANAGE_THREADS
        | MANAGE_EVENTS
        | MANAGE_MESSAGES
        | KICK_MEMBERS
        | MENTION_EVERYONE
    )


# Application flags: GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED | APPLICATION_COMMAND_BADGE
DEFAULT_APPLICATION_FLAGS = (1 << 15) | (1 << 19) | (1 << 23)

THREAD_TYPES = (10, 11, 12)
_DEFAULT_ERRORS: dict[int, tuple[int, str]] = {
    400: (50035, "Invalid Form Body"),
    401: (0, "401: Unauthorized"),
    403: (50013, "Missing Permissions"),
    404: (0, "404: Not Found"),
    405: (0, "405: Method Not Allowed"),
    429: (0, "You are being rate limited."),
    500: (0, "500: Internal Server Error"),
    502: (0, "502: Bad Gateway"),
}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


# --------------------------------------------------------------------------------------------------------------------
# State model
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class FakeUser:
    """A Discord user (``accepts_dms=False`` makes sends to their DM channel fail with 50007)."""

    id: str
    username: str
    global_name: str | None = None
    bot: bool = False
    accepts_dms: bool = True
    avatar: str | None = None

    def to_dict(self) -> JSON:
        """The user object as Discord sends it."""
        return {
            "id": self.id,
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }


@dataclass
class FakeRole:
    """A guild role; the ``@everyone`` role has the guild's id and position 0."""

    id: str
    guild_id: str
    name: str
    position: int
    permissions: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    tags: JSON | None = None

    def to_dict(self) -> JSON:
        """The role object as Discord sends it."""
        data: JSON = {
            "id": self.id,
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.tags is not None:
            data["tags"] = dict(self.tags)
        return data


@dataclass
class FakeChannel:
    """A channel: guild text (0), DM (1), voice (2), category (4), announcement (5), threads (10/11/12), forum (15)."""

    id: str
    type: int
    name: str | None = None
    guild_id: str | None = None
    position: int = 0
    parent_id: str | None = None
    topic: str | None = None
    owner_id: str | None = None
    recipients: list[str] = field(default_factory=list)
    thread_members: dict[str, str] = field(default_factory=dict)  # user id -> join timestamp
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    created_at: str = field(default_factory=_now_iso)
    last_message_id: str | None = None
    message_count: int = 0
    # Permission overwrites as Discord sends them: {"id": role or user id, "type": 0 role / 1 member, "allow",
    # "deny"} (bit strings). Set with ``FakeDiscord.overwrite``.
    overwrites: list[JSON] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        """Whether this channel is a thread."""
        return self.type in THREAD_TYPES

    def to_dict(self, fake: FakeDiscord) -> JSON:
        """The channel object as Discord sends it."""
        if self.type in (1, 3):
            return {
                "id": self.id,
                "type": self.type,
                "last_message_id": self.last_message_id,
                "flags": 0,
                "recipients": [fake.users[u].to_dict() for u in self.recipients if u in fake.users],
            }
        if self.is_thread:
            data: JSON = {
                "id": self.id,
                "type": self.type,
                "guild_id": self.guild_id,
                "parent_id": self.parent_id,
                "owner_id": self.owner_id,
                "name": self.name,
                "last_message_id": self.last_message_id,
                "rate_limit_per_user": 0,
                "flags": 0,
                "message_count": self.message_count,
                "total_message_sent": self.message_count,
                "member_count": len(self.thread_members),
                "thread_metadata": {
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.created_at,
                    "locked": self.locked,
                    "invitable": self.invitable,
                    "create_timestamp": self.created_at,
                },
            }
            if fake.bot_user.id in self.thread_members:
                data["member"] = {
                    "id": self.id,
                    "user_id": fake.bot_user.id,
                    "join_timestamp": self.thread_members[fake.bot_user.id],
                    "flags": 0,
                }
            return data
        data = {
            "id": self.id,
            "type": self.type,
            "guild_id": self.guild_id,
            "name": self.name,
            "position": self.position,
            "parent_id": self.parent_id,
            "permission_overwrites": [dict(o) for o in self.overwrites],
            "nsfw": False,
            "flags": 0,
        }
        if self.type in (0, 5, 15, 16):
            data.update(
                topic=self.topic,
                rate_limit_per_user=0,
                last_message_id=self.last_message_id,
                default_auto_archive_duration=1440,
            )
        if self.type in (2, 13):
            data.update(bitrate=64000, user_limit=0, rtc_region=None, last_message_id=None)
        if self.type in (15, 16):
            data.update(
                available_tags=[],
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
        return data


@dataclass
class FakeMember:
    """A guild member: a user plus role ids."""

    user: FakeUser
    guild_id: str
    roles: list[str] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=_now_iso)
    flags: int = 0
    pending: bool = False

    @property
    def id(self) -> str:
        """The member's user id."""
        return self.user.id

    def to_dict(self, *, with_user: bool = True) -> JSON:
        """The guild member object as Discord sends it (``with_user=False`` for resolved/message members)."""
        data: JSON = {
            "roles": list(self.roles),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": self.flags,
            "pending": self.pending,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_dict()
        return data


@dataclass
class FakeGuild:
    """A guild with its roles, channels, members and scheduled events (all keyed by snowflake string)."""

    id: str
    name: str
    owner_id: str
    bot_role_id: str = ""
    preferred_locale: str = "en-US"
    roles: dict[str, FakeRole] = field(default_factory=dict)
    channels: dict[str, FakeChannel] = field(default_factory=dict)
    members: dict[str, FakeMember] = field(default_factory=dict)
    scheduled_events: dict[str, JSON] = field(default_factory=dict)
    joined_at: str = field(default_factory=_now_iso)

    @property
    def everyone_role(self) -> FakeRole:
        """The ``@everyone`` role."""
        return self.roles[self.id]

    @property
    def bot_role(self) -> FakeRole:
        """The bot's managed role."""
        return self.roles[self.bot_role_id]

    def text_channels(self) -> list[FakeChannel]:
        """Text channels (type 0) in position order."""
        return sorted(
            (c for c in self.channels.values() if c.type == 0), key=lambda c: (c.position, int(c.id))
        )

    def channel_named(self, name: str) -> FakeChannel:
        """The first channel with this name."""
        for channel in self.channels.values():
            if channel.name == name:
                return channel
        raise KeyError(f"guild {self.name!r} has no channel named {name!r}")

    def role_named(self, name: str) -> FakeRole:
        """The role with this name."""
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"guild {self.name!r} has no role named {name!r}")

    def member_permissions(self, user_id: str) -> int:
        """Guild-level permissions of a member (owner and administrators get everything)."""
        if user_id == self.owner_id:
            return PermissionBits.ALL
        member = self.members.get(user_id)
        perms = self.everyone_role.permissions
        if member is not None:
            for role_id in member.roles:
                role = self.roles.get(role_id)
                if role is not None:
                    perms |= role.permissions
        if perms & PermissionBits.ADMINISTRATOR:
            return PermissionBits.ALL
        return perms

    def channel_permissions(self, user_id: str, channel: FakeChannel) -> int:
        """A member's permissions in ``channel``, as Discord computes them: the guild's, then the channel's
        overwrites for @everyone, for the member's roles (denies, then allows), and for the member."""
        perms = self.member_permissions(user_id)
        if perms == PermissionBits.ALL:
            return perms
        by_id = {str(o["id"]): o for o in channel.overwrites}
        everyone = by_id.get(self.id)
        if everyone is not None:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        member = self.members.get(user_id)
        roles = member.roles if member is not None else []
        deny = allow = 0
        for role_id in roles:
            rule = by_id.get(str(role_id))
            if rule is not None and rule.get("type", 0) == 0:
                deny |= int(rule["deny"])
                allow |= int(rule["allow"])
        perms = (perms & ~deny) | allow
        own = by_id.get(user_id)
        if own is not None and own.get("type") == 1:
            perms = (perms & ~int(own["deny"])) | int(own["allow"])
        return perms

    def top_role_position(self, user_id: str) -> int:
        """Position of the member's highest role (0 when they only have ``@everyone``)."""
        member = self.members.get(user_id)
        if member is None:
            return 0
        return max((self.roles[r].position for r in member.roles if r in self.roles), default=0)


@dataclass
class FakeModal:
    """A modal the bot opened (interaction callback type 9)."""

    custom_id: str
    title: str
    components: list[JSON]
    interaction: FakeInteraction


@dataclass
class FakeInteraction:
    """An interaction the fake delivered, with what the bot answered to it."""

    id: str
    token: str
    type: int
    payload: JSON
    user_id: str
    guild_id: str | None
    channel_id: str
    message_id: str | None = None
    command_name: str | None = None
    deliveries: int = 1
    created: float = field(default_factory=time.monotonic)
    responses: list[JSON] = field(default_factory=list)
    response_type: int | None = None
    original_message_id: str | None = None
    followup_ids: list[str] = field(default_factory=list)
    autocomplete_choices: list[JSON] | None = None

    @property
    def acknowledged(self) -> bool:
        """Whether the bot has answered the interaction callback."""
        return self.response_type is not None


@dataclass
class MultipartPart:
    """One part of a multipart/form-data request body."""

    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes

    def text(self) -> str:
        """The part decoded as UTF-8."""
        return self.data.decode("utf-8")

    def json(self) -> Any:
        """The part parsed as JSON."""
        return json.loads(self.data)


@dataclass
class RecordedRequest:
    """A REST request the fake received, and what it answered."""

    index: int
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    parts: list[MultipartPart] = field(default_factory=list)
    raw: bytes = b""
    status: int = 0
    response: Any = None
    handled: bool = True
    injected: bool = False

    @property
    def body(self) -> Any:
        """The JSON payload: the JSON body, or a multipart request's ``payload_json`` part."""
        if self.json is not None:
            return self.json
        for part in self.parts:
            if part.name == "payload_json":
                return part.json()
        return None

    @property
    def files(self) -> list[MultipartPart]:
        """Multipart parts that carry a file."""
        return [p for p in self.parts if p.filename is not None]

    def matches(self, method: str | None, path_regex: str | re.Pattern[str]) -> bool:
        """Whether the method (``None`` or ``"*"`` = any) and the path (``re.search``) match."""
        if method not in (None, "*") and method.upper() != self.method:
            return False
        return re.search(path_regex, self.path) is not None

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


@dataclass
class FailureRule:
    """An injected failure: matching requests get ``status`` with a Discord error body."""

    method: str | None
    path: re.Pattern[str]
    status: int
    code: int
    message: str
    times: int | None = 1
    retry_after: float | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: JSON | None = None
    is_global: bool = False
    hits: int = 0

    @property
    def exhausted(self) -> bool:
        """Whether the rule has fired as many times as allowed."""
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to this request."""
        if self.exhausted:
            return False
        if self.method not in (None, "*") and self.method.upper() != method:
            return False
        return self.path.search(path) is not None

    def reply(self) -> _Reply:
        """The reply this rule produces."""
        headers = dict(self.headers)
        if self.body is not None:
            body = dict(self.body)
        else:
            body = {"message": self.message, "code": self.code}
        if self.status == 429:
            retry_after = 0.05 if self.retry_after is None else self.retry_after
            body.setdefault("retry_after", retry_after)
            body.setdefault("global", self.is_global)
            headers.setdefault("Via", "1.1 google")
            headers.setdefault("Retry-After", f"{retry_after:g}")
            headers.setdefault("X-RateLimit-Scope", "global" if self.is_global else "user")
            if self.is_global:
                headers.setdefault("X-RateLimit-Global", "true")
        elif self.retry_after is not None:
            headers.setdefault("Retry-After", f"{self.retry_after:g}")
        return _Reply(self.status, body, headers)


UserRef = FakeUser | FakeMember | int | str
GuildRef = FakeGuild | int | str
ChannelRef = FakeChannel | int | str
RoleRef = FakeRole | int | str


# --------------------------------------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class _Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_response(self) -> web.Response:
        if self.status == 204 or self.body is None:
            return web.Response(status=self.status, headers=self.headers)
        # Exactly "application/json": discord.py compares the header literally (no "; charset=utf-8").
        headers = {**self.headers, "Content-Type": "application/json"}
        return web.Response(status=self.status, body=json.dumps(self.body).encode(), headers=headers)


class _ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        body: JSON = {"message": message, "code": code}
        if errors:
            body["errors"] = errors
        self.reply = _Reply(status, body)


def _unknown(what: str, code: int) -> _ApiError:
    return _ApiError(404, code, f"Unknown {what}")


@dataclass
class _Session:
    id: str
    intents: int
    token: str
    shard: list[int] | None = None
    seq: int = 0
    large_threshold: int = 50


class _Connection:
    """One gateway websocket."""

    def __init__(self, ws: web.WebSocketResponse, query: Mapping[str, str]) -> None:
        self.ws = ws
        self.query = dict(query)
        self.session: _Session | None = None
        self.ready = False
        self.lock = asyncio.Lock()

    @property
    def live(self) -> bool:
        return self.ready and not self.ws.closed and self.session is not None

    async def send(self, payload: JSON) -> bool:
        async with self.lock:
            return await self._send(payload)

    async def dispatch(self, event: str, data: Any) -> bool:
        async with self.lock:
            if self.session is None:
                return False
            self.session.seq += 1
            return await self._send({"op": 0, "t": event, "s": self.session.seq, "d": data})

    async def _send(self, payload: JSON) -> bool:
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError) as exc:
            log.debug("FakeDiscord: could not send to a closing gateway connection: %s", exc)
            return False
        return True


_Handler = Callable[[RecordedRequest, "re.Match[str]"], Any]


# --------------------------------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------------------------------


class FakeDiscord:
    """A loopback Discord (gateway + REST) for tests; see the module docstring.

    Parameters:
        bot_name: username of the bot user.
        bot_id / application_id: snowflakes (generated when omitted; the application id defaults to the bot id).
        owner_name: username of the application owner (``GET /oauth2/applications/@me``), also default guild owner.
        token: when set, IDENTIFY with another token is closed with 4004 and REST calls answer 401.
        enforce_role_hierarchy: PUT/DELETE member roles answer 403/50013 unless the bot's top role is above the role
            and the bot has Manage Roles (as Discord does).
        dispatch_own_messages: echo the bot's messages as MESSAGE_CREATE/MESSAGE_UPDATE, as Discord does.
        allow_resume: answer RESUME with RESUMED (otherwise with INVALID_SESSION, forcing a new IDENTIFY).
        privileged_intents: when False, IDENTIFY with a privileged intent is closed with 4014.
        interaction_deadline: seconds after which an unanswered interaction's callback gets 404/10062
            (Discord uses 3 s); ``None`` disables the check.
        heartbeat_interval: milliseconds, sent in HELLO.
        member_chunk_size: members per GUILD_MEMBERS_CHUNK answering REQUEST_GUILD_MEMBERS (op 8); Discord sends
            up to 1000. A guild with more members than the ``large_threshold`` of the IDENTIFY (50 when absent)
            is "large": its GUILD_CREATE carries only the bot's member, and the client asks for the rest (op 8).
    """

    def __init__(
        self,
        *,
        bot_name: str = "Agora",
        bot_id: int | str | None = None,
        application_id: int | str | None = None,
        owner_name: str = "owner",
        token: str | None = None,
        enforce_role_hierarchy: bool = True,
        dispatch_own_messages: bool = True,
        allow_resume: bool = True,
        privileged_intents: bool = True,
        interaction_deadline: float | None = None,
        heartbeat_interval: int = 41250,
        application_flags: int = DEFAULT_APPLICATION_FLAGS,
        host: str = "127.0.0.1",
        member_chunk_size: int = 1000,
    ) -> None:
        self.host = host
        self.member_chunk_size = member_chunk_size
        self.token = token
        self.enforce_role_hierarchy = enforce_role_hierarchy
        self.dispatch_own_messages = dispatch_own_messages
        self.allow_resume = allow_resume
        self.privileged_intents = privileged_intents
        self.interaction_deadline = interaction_deadline
        self.heartbeat_interval = heartbeat_interval
        self.application_flags = application_flags

        self._id_base = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._id_counter = 0

        self.users: dict[str, FakeUser] = {}
        self.guilds: dict[str, FakeGuild] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.messages: dict[str, JSON] = {}
        self.interactions: dict[str, FakeInteraction] = {}
        self.modals: dict[str, FakeModal] = {}
        self.attachments: dict[str, bytes] = {}
        self.synced_commands: dict[str | None, list[JSON]] = {}
        """Commands stored by PUT/POST, keyed by guild id string, ``None`` for global commands."""

        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.errors: list[str] = []
        self.gateway_received: list[JSON] = []
        self.identifies: list[JSON] = []
        self.member_requests: list[JSON] = []
        """REQUEST_GUILD_MEMBERS (op 8) payloads answered with chunks."""
        self.member_chunks: list[JSON] = []
        """The GUILD_MEMBERS_CHUNKs sent in answer, in order."""
        self.failure_rules: list[FailureRule] = []

        self.bot_user = self._register_user(
            FakeUser(id=str(bot_id) if bot_id is not None else self.new_id(), username=bot_name, bot=True)
        )
        self.application_id = str(application_id) if application_id is not None else self.bot_user.id
        self.owner = self.add_user(owner_name)

        self._dm_by_user: dict[str, str] = {}
        self._nonces: dict[tuple[str, str], str] = {}
        self._connections: set[_Connection] = set()
        self._sessions: dict[str, _Session] = {}
        self._cond = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._routes: list[tuple[str, re.Pattern[str], _Handler]] = []
        self._install_routes()

    # ------------------------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the server on an ephemeral port."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        log.debug("FakeDiscord listening on %s", self.base_url)

    async def stop(self) -> None:
        """Close every gateway connection and stop the server."""
        for conn in list(self._connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"fake stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port (after :meth:`start`)."""
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://{self.host}:{self.port}/"

    def patch_discord(self) -> contextlib.AbstractContextManager[FakeDiscord]:
        """Same as :func:`patched_discord` (``with fake.patch_discord(): ...``)."""
        return patched_discord(self)

    # ------------------------------------------------------------------------------------------------ ids & lookups

    def new_id(self) -> str:
        """A fresh, increasing snowflake string."""
        self._id_counter += 1
        return str(self._id_base + self._id_counter)

    def user(self, ref: UserRef) -> FakeUser:
        """Look up a user by object, id or username."""
        if isinstance(ref, FakeUser):
            return ref
        if isinstance(ref, FakeMember):
            return ref.user
        key = str(ref)
        if key in self.users:
            return self.users[key]
        for user in self.users.values():
            if user.username == key:
                return user
        raise KeyError(f"FakeDiscord: unknown user {ref!r} (create it with add_user)")

    def guild(self, ref: GuildRef) -> FakeGuild:
        """Look up a guild by object, id or name."""
        if isinstance(ref, FakeGuild):
            return ref
        key = str(ref)
        if key in self.guilds:
            return self.guilds[key]
        for guild in self.guilds.values():
            if guild.name == key:
                return guild
        raise KeyError(f"FakeDiscord: unknown guild {ref!r} (create it with add_guild)")

    def channel(self, ref: ChannelRef) -> FakeChannel:
        """Look up a channel (guild channel, thread or DM) by object or id."""
        if isinstance(ref, FakeChannel):
            return ref
        try:
            return self.channels[str(ref)]
        except KeyError:
            raise KeyError(f"FakeDiscord: unknown channel {ref!r}") from None

    def role(self, guild: GuildRef, ref: RoleRef) -> FakeRole:
        """Look up a role by object, id or name."""
        if isinstance(ref, FakeRole):
            return ref
        g = self.guild(guild)
        key = str(ref)
        if key in g.roles:
            return g.roles[key]
        return g.role_named(key)

    def member(self, guild: GuildRef, user: UserRef) -> FakeMember:
        """Look up a guild member."""
        g = self.guild(guild)
        u = self.user(user)
        try:
            return g.members[u.id]
        except KeyError:
            raise KeyError(
                f"FakeDiscord: {u.username!r} is not a member of {g.name!r} (use add_member)"
            ) from None

    def message(self, message_id: int | str) -> JSON:
        """A stored message payload (sent by the bot, a user, or an interaction response)."""
        return self.messages[str(message_id)]

    def messages_in(self, channel: ChannelRef) -> list[JSON]:
        """Stored messages of a channel, oldest first."""
        cid = self.channel(channel).id
        return [m for m in self.messages.values() if m["channel_id"] == cid]

    def bot_messages(self, channel: ChannelRef | None = None) -> list[JSON]:
        """Messages authored by the bot (optionally in one channel), oldest first."""
        cid = None if channel is None else self.channel(channel).id
        return [
            m
            for m in self.messages.values()
            if m["author"]["id"] == self.bot_user.id and (cid is None or m["channel_id"] == cid)
        ]

    def command_names(self, guild: GuildRef | None = None) -> list[str]:
        """Names of the synced commands, global (``None``) or of one guild."""
        key = None if guild is None else self.guild(guild).id
        return [c["name"] for c in self.synced_commands.get(key, [])]

    # ------------------------------------------------------------------------------------------------ state builders

    def _register_user(self, user: FakeUser) -> FakeUser:
        self.users[user.id] = user
        return user

    def add_user(
        self,
        username: str,
        *,
        user_id: int | str | None = None,
        global_name: str | None = None,
        bot: bool = False,
        accepts_dms: bool = True,
    ) -> FakeUser:
        """Create a user (not yet in any guild)."""
        uid = str(user_id) if user_id is not None else self.new_id()
        return self._register_user(
            FakeUser(id=uid, username=username, global_name=global_name, bot=bot, accepts_dms=accepts_dms)
        )

    def add_guild(
        self,
        name: str,
        *,
        guild_id: int | str | None = None,
        owner: UserRef | None = None,
        channels: Iterable[str] = ("general",),
        everyone_permissions: int = PermissionBits.EVERYONE_DEFAULT,
        bot_permissions: int = PermissionBits.BOT_DEFAULT,
        bot_role_name: str | None = None,
        preferred_locale: str = "en-US",
    ) -> FakeGuild:
        """Create a guild with ``@everyone``, the bot's managed role, the bot and the owner as members, and text
        channels named ``channels``."""
        gid = str(guild_id) if guild_id is not None else self.new_id()
        owner_user = self.owner if owner is None else self._user_or_create(owner)
        guild = FakeGuild(id=gid, name=name, owner_id=owner_user.id, preferred_locale=preferred_locale)
        self.guilds[gid] = guild
        guild.roles[gid] = FakeRole(
            id=gid, guild_id=gid, name="@everyone", position=0, permissions=everyone_permissions
        )
        bot_role = FakeRole(
            id=self.new_id(),
            guild_id=gid,
            name=bot_role_name or self.bot_user.username,
            position=1,
            permissions=bot_permissions,
            managed=True,
            tags={"bot_id": self.bot_user.id},
        )
        guild.roles[bot_role.id] = bot_role
        guild.bot_role_id = bot_role.id
        guild.members[self.bot_user.id] = FakeMember(user=self.bot_user, guild_id=gid, roles=[bot_role.id])
        guild.members[owner_user.id] = FakeMember(user=owner_user, guild_id=gid)
        for channel_name in channels:
            self.add_channel(guild, channel_name)
        return guild

    def add_channel(
        self,
        guild: GuildRef,
        name: str,
        *,
        type: int = 0,
        channel_id: int | str | None = None,
        position: int | None = None,
        parent: ChannelRef | None = None,
        topic: str | None = None,
    ) -> FakeChannel:
        """Create a guild channel (text by default; ``type=4`` for a category)."""
        g = self.guild(guild)
        cid = str(channel_id) if channel_id is not None else self.new_id()
        if position is None:
            position = sum(1 for c in g.channels.values() if not c.is_thread)
        channel = FakeChannel(
            id=cid,
            type=type,
            name=name,
            guild_id=g.id,
            position=position,
            parent_id=None if parent is None else self.channel(parent).id,
            topic=topic,
        )
        g.channels[cid] = channel
        self.channels[cid] = channel
        return channel

    def add_role(
        self,
        guild: GuildRef,
        name: str,
        *,
        role_id: int | str | None = None,
        position: int | None = None,
        permissions: int = 0,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> FakeRole:
        """Create a role. Without ``position`` it goes just below the bot's role (the bot role moves up one), so the
        bot can manage it; give an explicit ``position`` (>= the bot role's) to test the hierarchy check."""
        g = self.guild(guild)
        if position is None:
            bot_role = g.bot_role
            position = bot_role.position
            for role in g.roles.values():
                if role.position >= position and role.id != g.id:
                    role.position += 1
        role = FakeRole(
            id=str(role_id) if role_id is not None else self.new_id(),
            guild_id=g.id,
            name=name,
            position=position,
            permissions=permissions,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
        )
        g.roles[role.id] = role
        return role

    def set_role_position(self, guild: GuildRef, role: RoleRef, position: int) -> FakeRole:
        """Move a role (no other role moves)."""
        r = self.role(guild, role)
        r.position = position
        return r

    def add_member(
        self,
        guild: GuildRef,
        user: UserRef,
        roles: Iterable[RoleRef] = (),
        *,
        nick: str | None = None,
        pending: bool = False,
    ) -> FakeMember:
        """Add a member. ``user`` is a FakeUser, a known id, or a username (created when unknown)."""
        g = self.guild(guild)
        u = self._user_or_create(user)
        member = FakeMember(
            user=u, guild_id=g.id, roles=[self.role(g, r).id for r in roles], nick=nick, pending=pending
        )
        g.members[u.id] = member
        return member

    def dm_channel(self, user: UserRef) -> FakeChannel:
        """The DM channel between the bot and a user (created on first use, as ``POST users/@me/channels`` does)."""
        u = self.user(user)
        cid = self._dm_by_user.get(u.id)
        if cid is None:
            cid = self.new_id()
            self.channels[cid] = FakeChannel(id=cid, type=1, recipients=[u.id])
            self._dm_by_user[u.id] = cid
        return self.channels[cid]

    def _user_or_create(self, ref: UserRef) -> FakeUser:
        try:
            return self.user(ref)
        except KeyError:
            if isinstance(ref, str) and not ref.isdigit():
                return self.add_user(ref)
            raise

    def overwrite(
        self, channel: ChannelRef, target: str | FakeRole | FakeUser, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a permission overwrite on ``channel`` for a role or a member (``target``; the guild's id is
        @everyone): ``deny=PermissionBits.SEND_MESSAGES`` makes a read-only channel. Set before the bot connects
        (it arrives in GUILD_CREATE); posting there then answers 403/50013 Missing Permissions."""
        ch = self.channel(channel)
        target_id = target if isinstance(target, str) else target.id
        kind = 1 if target_id in self.users else 0
        ch.overwrites = [o for o in ch.overwrites if str(o["id"]) != target_id]
        ch.overwrites.append({"id": target_id, "type": kind, "allow": str(allow), "deny": str(deny)})

    # ------------------------------------------------------------------------------------------------ failures

    def fail_next(
        self,
        method: str | None,
        path_regex: str,
        status: int,
        *,
        code: int | None = None,
        message: str | None = None,
        times: int | None = 1,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
        body: JSON | None = None,
        is_global: bool = False,
    ) -> FailureRule:
        """Answer the next ``times`` matching requests with an error (``method`` None/"*" = any; ``path_regex`` is
        searched in the path after ``/api/v10``, e.g. ``r"/channels/\\d+/messages$"``). A 429 carries ``Via`` and
        ``retry_after`` (default 0.05 s) so discord.py retries; 500/502 are retried by discord.py after 1 s, 3 s..."""
        default_code, default_message = _DEFAULT_ERRORS.get(status, (0, f"{status}: Error"))
        rule = FailureRule(
            method=method,
            path=re.compile(path_regex),
            status=status,
            code=default_code if code is None else code,
            message=default_message if message is None else message,
            times=times,
            retry_after=retry_after,
            headers=dict(headers or {}),
            body=body,
            is_global=is_global,
        )
        self.failure_rules.append(rule)
        return rule

    def fail_always(self, method: str | None, path_regex: str, status: int, **kwargs: Any) -> FailureRule:
        """A permanent :meth:`fail_next` rule (remove it with :meth:`clear_failures`)."""
        kwargs["times"] = None
        return self.fail_next(method, path_regex, status, **kwargs)

    def clear_failures(self, rule: FailureRule | None = None) -> None:
        """Remove one failure rule, or all of them."""
        if rule is None:
            self.failure_rules.clear()
        elif rule in self.failure_rules:
            self.failure_rules.remove(rule)

    # ------------------------------------------------------------------------------------------------ waiting

    def mark(self) -> int:
        """The number of recorded requests so far, for ``wait_for(..., since=mark)``."""
        return len(self.requests)

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def _wait_until(self, find: Callable[[], Any], timeout: float, describe: Callable[[], str]) -> Any:  # noqa: ASYNC109
        async def loop() -> Any:
            async with self._cond:
                while True:
                    found = find()
                    if found is not None:
                        return found
                    await self._cond.wait()

        try:
            return await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            raise TimeoutError(describe()) from None

    def _summary(self, since: int = 0) -> str:
        lines = [f"  #{r.index} {r}" for r in self.requests[since:][-30:]]
        return "\n".join(lines) or "  (none)"

    async def wait_for(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
        *,
        since: int = 0,
    ) -> RecordedRequest:
        """The first recorded request (from index ``since``) for which ``predicate`` is true, waiting up to
        ``timeout`` seconds. A predicate raising KeyError/TypeError/IndexError/AttributeError counts as False."""

        def find() -> RecordedRequest | None:
            for request in self.requests[since:]:
                try:
                    if predicate(request):
                        return request
                except (KeyError, TypeError, IndexError, AttributeError):
                    continue
            return None

        return await self._wait_until(
            find, timeout, lambda: f"no matching request within {timeout}s; recorded:\n{self._summary(since)}"
        )

    async def wait_for_request(
        self,
        method: str | None,
        path_regex: str,
        *,
        where: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
        since: int = 0,
        status: int | None = None,
    ) -> RecordedRequest:
        """:meth:`wait_for` a request by method, path regex, optional answered ``status`` and extra predicate."""

        def predicate(r: RecordedRequest) -> bool:
            if not r.matches(method, path_regex):
                return False
            if status is not None and r.status != status:
                return False
            return where is None or bool(where(r))

        return await self.wait_for(predicate, timeout, since=since)

    def find_requests(self, method: str | None, path_regex: str) -> list[RecordedRequest]:
        """Recorded requests matching method and path regex."""
        return [r for r in self.requests if r.matches(method, path_regex)]

    async def wait_for_response(self, interaction: FakeInteraction | str | int, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Wait until the bot answered an interaction's callback; returns the callback body (``type``, ``data``)."""
        iid = interaction.id if isinstance(interaction, FakeInteraction) else str(interaction)

        def find() -> JSON | None:
            inter = self.interactions.get(iid)
            if inter is not None and inter.responses:
                return inter.responses[0]
            return None

        return await self._wait_until(
            find,
            timeout,
            lambda: f"interaction {iid} got no callback within {timeout}s; recorded:\n{self._summary()}",
        )

    async def wait_for_answer(self, interaction: FakeInteraction | str | int, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """The bot's first visible answer to an interaction, in the callback's shape (``type``, ``data``): the
        callback itself, or, when the bot deferred (as it does when the core needs more than Discord's budget,
        e.g. on a loaded machine), what replaced the "thinking" message or else the first follow-up."""
        iid = interaction.id if isinstance(interaction, FakeInteraction) else str(interaction)

        def find() -> JSON | None:
            inter = self.interactions.get(iid)
            if inter is None or not inter.responses:
                return None
            first = inter.responses[0]
            if first.get("type") not in (5, 6):
                return first
            original = self.messages.get(inter.original_message_id or "")
            if first.get("type") == 5 and original is not None and not int(original.get("flags", 0)) & 128:
                return {"type": 4, "data": original}
            if inter.followup_ids and inter.followup_ids[0] in self.messages:
                return {"type": 4, "data": self.messages[inter.followup_ids[0]]}
            return None

        return await self._wait_until(
            find,
            timeout,
            lambda: (
                f"interaction {iid} got no visible answer within {timeout}s; recorded:\n{self._summary()}"
            ),
        )

    async def wait_for_connection(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a client has identified (READY and GUILD_CREATEs sent)."""

        def find() -> bool | None:
            return True if any(c.live for c in self._connections) else None

        await self._wait_until(
            find, timeout, lambda: f"no client identified on the gateway within {timeout}s"
        )

    async def wait_for_gateway(self, predicate: Callable[[JSON], bool], timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Wait for a payload the client sent on the gateway (e.g. ``lambda p: p["op"] == 3`` for presence)."""

        def find() -> JSON | None:
            for payload in self.gateway_received:
                with contextlib.suppress(KeyError, TypeError, IndexError):
                    if predicate(payload):
                        return payload
            return None

        return await self._wait_until(find, timeout, lambda: f"no matching gateway payload within {timeout}s")

    def assert_all_handled(self) -> None:
        """Raise AssertionError if the bot called a route the fake does not know or a handler crashed."""
        problems = [f"unhandled route: {r.method} {r.path}" for r in self.unhandled] + self.errors
        if problems:
            raise AssertionError("FakeDiscord:\n" + "\n".join(problems))

    # ------------------------------------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _Connection(ws, request.query)
        self._connections.add(conn)
        try:
            await conn.send(
                {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval}, "s": None, "t": None}
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        log.warning("FakeDiscord: gateway received non-JSON text %r", msg.data[:200])
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                        break
                    await self._on_gateway(conn, payload)
                elif msg.type == WSMsgType.BINARY:
                    log.warning("FakeDiscord: gateway received a binary frame; only JSON text is supported")
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self._connections.discard(conn)
            conn.ready = False
            await self._notify()
        return ws

    async def _on_gateway(self, conn: _Connection, payload: JSON) -> None:
        self.gateway_received.append(payload)
        op = payload.get("op")
        data = payload.get("d")
        if op == 1:
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif op == 8:
            await self._request_members(conn, data or {})
        elif op in (3, 4):
            pass  # presence / voice state updates: recorded only
        else:
            log.warning("FakeDiscord: gateway received unknown op %r: %r", op, payload)
        await self._notify()

    async def _identify(self, conn: _Connection, data: JSON) -> None:
        self.identifies.append(data)
        token = str(data.get("token", ""))
        if self.token is not None and token != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if not self.privileged_intents and intents & GatewayIntents.PRIVILEGED:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session = _Session(
            id=secrets.token_hex(16),
            intents=intents,
            token=token,
            shard=data.get("shard"),
            large_threshold=int(data.get("large_threshold") or 50),
        )
        self._sessions[session.id] = session
        conn.session = session
        ready: JSON = {
            "v": 10,
            "user": {**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": g.id, "unavailable": True} for g in self._guilds_of(session)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.application_id, "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        await conn.dispatch("READY", ready)
        if intents & GatewayIntents.GUILDS:
            for guild in self._guilds_of(session):
                await conn.dispatch("GUILD_CREATE", self._guild_create_payload(guild, session))
        conn.ready = True

    def _guilds_of(self, session: _Session) -> list[FakeGuild]:
        """The guilds a session carries: all of them, or on a shard ``[id, count]``, those Discord puts on it
        (``(guild_id >> 22) % count == id``)."""
        guilds = list(self.guilds.values())
        if not session.shard:
            return guilds
        shard, count = session.shard
        return [g for g in guilds if (int(g.id) >> 22) % count == shard]

    async def _resume(self, conn: _Connection, data: JSON) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        if (
            not self.allow_resume
            or session is None
            or (self.token is not None and data.get("token") != self.token)
        ):
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        conn.session = session
        await conn.dispatch("RESUMED", {})
        conn.ready = True

    async def _request_members(self, conn: _Connection, data: JSON) -> None:
        guild = self.guilds.get(str(data.get("guild_id")))
        if guild is None:
            return
        members = list(guild.members.values())
        not_found: list[str] = []
        if data.get("user_ids"):
            wanted = [str(u) for u in data["user_ids"]]
            members = [m for m in members if m.id in wanted]
            not_found = [u for u in wanted if u not in guild.members]
        elif data.get("query"):
            query = str(data["query"]).lower()
            members = [m for m in members if m.user.username.lower().startswith(query)]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        if "user_ids" not in data and "query" not in data:
            return  # Discord needs a query (or user ids): a request without one gets no answer
        whole_list = not data.get("user_ids") and not data.get("query")
        if whole_list and not (
            conn.session is not None and conn.session.intents & GatewayIntents.GUILD_MEMBERS
        ):
            return  # the whole list takes the members intent
        size = max(1, self.member_chunk_size)
        pages = [members[i : i + size] for i in range(0, len(members), size)] or [[]]
        self.member_requests.append(data)
        for index, page in enumerate(pages):
            chunk: JSON = {
                "guild_id": guild.id,
                "members": [m.to_dict() for m in page],
                "chunk_index": index,
                "chunk_count": len(pages),
                "not_found": not_found if index == len(pages) - 1 else [],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            if data.get("presences"):
                chunk["presences"] = []
            self.member_chunks.append(chunk)
            await conn.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _guild_create_payload(self, guild: FakeGuild, session: _Session) -> JSON:
        intents = session.intents
        members = list(guild.members.values())
        large = len(members) > session.large_threshold
        if not intents & GatewayIntents.GUILD_MEMBERS or large:
            # A large guild's GUILD_CREATE lists (online members and) the bot only: the rest comes by chunks.
            members = [m for m in members if m.id == self.bot_user.id]
        channels = [c for c in guild.channels.values() if not c.is_thread]
        threads = [c for c in guild.channels.values() if c.is_thread and not c.archived]
        return {
            "id": guild.id,
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": guild.owner_id,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "preferred_locale": guild.preferred_locale,
            "features": [],
            "application_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "joined_at": guild.joined_at,
            "large": large,
            "unavailable": False,
            "lazy": True,
            "member_count": len(guild.members),
            "roles": [r.to_dict() for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "members": [m.to_dict() for m in members],
            "channels": [c.to_dict(self) for c in channels],
            "threads": [c.to_dict(self) for c in threads],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": list(guild.scheduled_events.values()),
            "soundboard_sounds": [],
        }

    @staticmethod
    def _allowed(event: str, data: Any, intents: int) -> bool:
        in_guild = isinstance(data, dict) and data.get("guild_id") is not None
        needed: int | None
        if event.startswith("GUILD_MEMBER_") and event != "GUILD_MEMBERS_CHUNK":
            needed = GatewayIntents.GUILD_MEMBERS
        elif event.startswith("GUILD_SCHEDULED_EVENT_"):
            needed = GatewayIntents.GUILD_SCHEDULED_EVENTS
        elif event.startswith("MESSAGE_REACTION_"):
            needed = (
                GatewayIntents.GUILD_MESSAGE_REACTIONS
                if in_guild
                else GatewayIntents.DIRECT_MESSAGE_REACTIONS
            )
        elif event.startswith("MESSAGE_"):
            needed = GatewayIntents.GUILD_MESSAGES if in_guild else GatewayIntents.DIRECT_MESSAGES
        elif event == "THREAD_MEMBERS_UPDATE":
            needed = GatewayIntents.GUILDS
        elif event.startswith(("GUILD_", "CHANNEL_", "THREAD_")):
            needed = GatewayIntents.GUILDS
        else:
            needed = None
        return needed is None or bool(intents & needed)

    def _visible_message(self, data: JSON, intents: int) -> JSON:
        """Blank content as Discord does without the message content intent."""
        if intents & GatewayIntents.MESSAGE_CONTENT or data.get("guild_id") is None:
            return data
        author = data.get("author", {}).get("id")
        mentioned = any(u.get("id") == self.bot_user.id for u in data.get("mentions", []))
        if author == self.bot_user.id or mentioned:
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    async def dispatch(self, event: str, data: Any, *, wait: bool = True, timeout: float = 5.0) -> int:  # noqa: ASYNC109
        """Send a gateway dispatch to every identified client (filtered by its intents). With ``wait``, first wait up
        to ``timeout`` for a client to be connected. Returns how many connections it was sent to."""
        if wait:
            await self.wait_for_connection(timeout)
        sent = 0
        for conn in list(self._connections):
            if not conn.live or conn.session is None:
                continue
            intents = conn.session.intents
            if not self._allowed(event, data, intents):
                continue
            payload = data
            if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and isinstance(data, dict):
                payload = self._visible_message(data, intents)
            if await conn.dispatch(event, payload):
                sent += 1
        return sent

    async def _broadcast(self, event: str, data: Any) -> None:
        """Dispatch caused by a REST call: never waits for a client."""
        await self.dispatch(event, data, wait=False)

    async def request_reconnect(self) -> None:
        """Send RECONNECT (op 7): clients close and RESUME."""
        for conn in list(self._connections):
            await conn.send({"op": 7, "d": None, "s": None, "t": None})

    async def invalidate_sessions(self) -> None:
        """Send INVALID_SESSION (op 9, not resumable): clients IDENTIFY again and get a new READY. Note that
        discord.py's default ``before_identify_hook`` sleeps 5 s before a non-initial IDENTIFY."""
        self._sessions.clear()
        for conn in list(self._connections):
            await conn.send({"op": 9, "d": False, "s": None, "t": None})

    async def disconnect_clients(self, code: int = 4000) -> None:
        """Close every gateway connection from the server side (clients reconnect and RESUME)."""
        for conn in list(self._connections):
            await conn.ws.close(code=code, message=b"fake disconnect")

    # ------------------------------------------------------------------------------------------------ event helpers

    async def bot_join_guild(self, guild: GuildRef) -> FakeGuild:
        """Dispatch GUILD_CREATE for a guild added after the client connected (``on_guild_join``)."""
        g = self.guild(guild)
        for conn in list(self._connections):
            if conn.live and conn.session is not None and conn.session.intents & GatewayIntents.GUILDS:
                payload = self._guild_create_payload(g, conn.session)
                # A guild joined carries no "unavailable" (false would say: back after an outage).
                payload.pop("unavailable", None)
                await conn.dispatch("GUILD_CREATE", payload)
        return g

    async def member_join(
        self, guild: GuildRef, user: UserRef, *, roles: Iterable[RoleRef] = (), pending: bool = False
    ) -> FakeMember:
        """Add a member and dispatch GUILD_MEMBER_ADD (``user`` may be a new username)."""
        member = self.add_member(guild, user, roles, pending=pending)
        await self.dispatch("GUILD_MEMBER_ADD", {"guild_id": member.guild_id, **member.to_dict()})
        return member

    async def member_leave(self, guild: GuildRef, user: UserRef) -> FakeUser:
        """Remove a member and dispatch GUILD_MEMBER_REMOVE."""
        g = self.guild(guild)
        u = self.user(user)
        g.members.pop(u.id, None)
        await self.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": g.id, "user": u.to_dict()})
        return u

    async def member_update(
        self,
        guild: GuildRef,
        user: UserRef,
        *,
        roles: Iterable[RoleRef] | None = None,
        nick: str | _Auto | None = AUTO,
        pending: bool | None = None,
    ) -> FakeMember:
        """Change a member (roles, nick, membership screening) and dispatch GUILD_MEMBER_UPDATE."""
        member = self.member(guild, user)
        if roles is not None:
            member.roles = [self.role(guild, r).id for r in roles]
        if nick is not AUTO:
            member.nick = nick
        if pending is not None:
            member.pending = pending
        await self.dispatch("GUILD_MEMBER_UPDATE", {"guild_id": member.guild_id, **member.to_dict()})
        return member

    async def user_message(
        self,
        channel: ChannelRef,
        user: UserRef,
        content: str = "",
        *,
        embeds: Sequence[JSON] = (),
        message_reference: JSON | None = None,
    ) -> JSON:
        """A user posts a message: stores it and dispatches MESSAGE_CREATE (content blanked for clients without the
        message content intent, unless it is a DM or mentions the bot)."""
        ch = self.channel(channel)
        u = self.user(user)
        payload: JSON = {"content": content, "embeds": list(embeds)}
        if message_reference is not None:
            payload["message_reference"] = message_reference
        msg = self._create_message(ch, u, payload)
        await self.dispatch("MESSAGE_CREATE", msg)
        return msg

    async def reaction_add(
        self,
        channel: ChannelRef,
        message_id: int | str,
        user: UserRef,
        emoji: str | JSON = "\N{THUMBS UP SIGN}",
    ) -> JSON:
        """A user reacts: dispatches MESSAGE_REACTION_ADD (``emoji`` is a unicode string or an emoji object)."""
        data = self._reaction_payload(channel, message_id, user, emoji)
        msg = self.messages.get(str(message_id))
        if msg is not None:
            self._count_reaction(msg, data["emoji"], 1, data["user_id"] == self.bot_user.id)
            data["message_author_id"] = msg["author"]["id"]
        await self.dispatch("MESSAGE_REACTION_ADD", data)
        return data

    async def reaction_remove(
        self,
        channel: ChannelRef,
        message_id: int | str,
        user: UserRef,
        emoji: str | JSON = "\N{THUMBS UP SIGN}",
    ) -> JSON:
        """A user removes a reaction: dispatches MESSAGE_REACTION_REMOVE."""
        data = self._reaction_payload(channel, message_id, user, emoji)
        data.pop("member", None)
        msg = self.messages.get(str(message_id))
        if msg is not None:
            self._count_reaction(msg, data["emoji"], -1, data["user_id"] == self.bot_user.id)
        await self.dispatch("MESSAGE_REACTION_REMOVE", data)
        return data

    def _reaction_payload(
        self, channel: ChannelRef, message_id: int | str, user: UserRef, emoji: str | JSON
    ) -> JSON:
        ch = self.channel(channel)
        u = self.user(user)
        emoji_obj = {"id": None, "name": emoji} if isinstance(emoji, str) else dict(emoji)
        data: JSON = {
            "user_id": u.id,
            "channel_id": ch.id,
            "message_id": str(message_id),
            "emoji": emoji_obj,
            "burst": False,
            "burst_colors": [],
            "type": 0,
        }
        if ch.guild_id is not None:
            data["guild_id"] = ch.guild_id
            member = self.guilds[ch.guild_id].members.get(u.id)
            if member is not None:
                data["member"] = member.to_dict()
        return data

    @staticmethod
    def _count_reaction(msg: JSON, emoji: JSON, delta: int, me: bool) -> None:
        reactions: list[JSON] = msg.setdefault("reactions", [])
        for reaction in reactions:
            known = reaction["emoji"]
            if known.get("id") == emoji.get("id") and known.get("name") == emoji.get("name"):
                reaction["count"] += delta
                reaction["count_details"]["normal"] = reaction["count"]
                if me:
                    reaction["me"] = delta > 0
                if reaction["count"] <= 0:
                    reactions.remove(reaction)
                return
        if delta > 0:
            reactions.append(
                {
                    "emoji": emoji,
                    "count": 1,
                    "count_details": {"burst": 0, "normal": 1},
                    "me": me,
                    "me_burst": False,
                    "burst_colors": [],
                }
            )

    # ------------------------------------------------------------------------------------------------ interactions

    def _interaction_channel(
        self, guild: FakeGuild | None, user: FakeUser, channel: ChannelRef | None
    ) -> FakeChannel:
        if channel is not None:
            return self.channel(channel)
        if guild is None:
            return self.dm_channel(user)
        text = guild.text_channels()
        if not text:
            raise ValueError(f"guild {guild.name!r} has no text channel; pass channel_id")
        return text[0]

    async def _deliver_interaction(
        self,
        itype: int,
        user: UserRef,
        guild: GuildRef | None,
        channel: ChannelRef | None,
        data: JSON,
        *,
        message: JSON | None = None,
        interaction_id: int | str | None = None,
        token: str | None = None,
        locale: str = "en-US",
        command_name: str | None = None,
    ) -> FakeInteraction:
        u = self.user(user)
        g = None if guild is None else self.guild(guild)
        if g is not None and u.id not in g.members:
            raise ValueError(f"{u.username!r} is not a member of {g.name!r}; add_member/member_join first")
        ch = self._interaction_channel(g, u, channel)
        iid = str(interaction_id) if interaction_id is not None else self.new_id()
        existing = self.interactions.get(iid)
        if token is None:
            token = existing.token if existing is not None else f"fake-token-{iid}-{secrets.token_hex(8)}"
        perms = g.member_permissions(u.id) if g is not None else PermissionBits.ALL
        channel_payload = {**ch.to_dict(self), "permissions": str(perms)}
        payload: JSON = {
            "id": iid,
            "application_id": self.application_id,
            "type": itype,
            "token": token,
            "version": 1,
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel": channel_payload,
            "channel_id": ch.id,
            "locale": locale,
            "entitlements": [],
            "data": data,
        }
        if g is not None:
            bot_perms = g.member_permissions(self.bot_user.id)
            payload.update(
                guild_id=g.id,
                guild={"id": g.id, "locale": g.preferred_locale, "features": []},
                guild_locale=g.preferred_locale,
                member={**g.members[u.id].to_dict(), "permissions": str(perms)},
                app_permissions=str(bot_perms),
                authorizing_integration_owners={"0": g.id},
                context=0,
            )
        else:
            payload.update(
                user=u.to_dict(),
                app_permissions=str(PermissionBits.EVERYONE_DEFAULT),
                authorizing_integration_owners={"0": self.owner.id},
                context=1,
            )
        if message is not None:
            payload["message"] = message
        inter = FakeInteraction(
            id=iid,
            token=token,
            type=itype,
            payload=payload,
            user_id=u.id,
            guild_id=None if g is None else g.id,
            channel_id=ch.id,
            message_id=None if message is None else str(message["id"]),
            command_name=command_name,
        )
        if existing is not None:
            # A re-delivery of the same interaction id: keep what was answered the first time.
            existing.deliveries += 1
            existing.payload = payload
            inter = existing
        else:
            self.interactions[iid] = inter
        await self.dispatch("INTERACTION_CREATE", payload)
        return inter

    def _find_command(
        self, name: str, guild: FakeGuild | None, ctype: int = 1
    ) -> tuple[JSON | None, str | None]:
        if guild is not None:
            for cmd in self.synced_commands.get(guild.id, []):
                if cmd["name"] == name and cmd.get("type", 1) == ctype:
                    return cmd, guild.id
        for cmd in self.synced_commands.get(None, []):
            if cmd["name"] == name and cmd.get("type", 1) == ctype:
                return cmd, None
        return None, None

    def _option_payload(
        self,
        guild: FakeGuild | None,
        name: str,
        value: Any,
        schema: JSON | None,
        resolved: JSON,
        focused: str | None,
    ) -> JSON:
        otype = schema.get("type") if schema else None
        if otype is None:
            if isinstance(value, (FakeUser, FakeMember)):
                otype = 6
            elif isinstance(value, FakeChannel):
                otype = 7
            elif isinstance(value, FakeRole):
                otype = 8
            elif isinstance(value, bool):
                otype = 5
            elif isinstance(value, int):
                otype = 4
            elif isinstance(value, float):
                otype = 10
            else:
                otype = 3
        if otype == 9:  # mentionable: a user or a role
            otype_value = 8 if isinstance(value, FakeRole) else 6
            if otype_value == 6 and not isinstance(value, (FakeUser, FakeMember)) and guild is not None:
                if str(value) in guild.roles:
                    otype_value = 8
        else:
            otype_value = otype
        out_value: Any
        if otype_value == 6:
            u = self.user(value)
            resolved.setdefault("users", {})[u.id] = u.to_dict()
            if guild is not None and u.id in guild.members:
                member = guild.members[u.id].to_dict(with_user=False)
                member["permissions"] = str(guild.member_permissions(u.id))
                resolved.setdefault("members", {})[u.id] = member
            out_value = u.id
        elif otype_value == 7:
            ch = self.channel(value)
            perms = guild.member_permissions(self.bot_user.id) if guild is not None else PermissionBits.ALL
            resolved.setdefault("channels", {})[ch.id] = {**ch.to_dict(self), "permissions": str(perms)}
            out_value = ch.id
        elif otype_value == 8:
            if guild is None:
                raise ValueError("role options need a guild")
            role = self.role(guild, value)
            resolved.setdefault("roles", {})[role.id] = role.to_dict()
            out_value = role.id
        elif otype_value == 4:
            out_value = int(value)
        elif otype_value == 10:
            out_value = float(value)
        elif otype_value == 5:
            out_value = bool(value)
        else:
            out_value = value if isinstance(value, (str, dict, list)) else str(value)
        option: JSON = {"name": name, "type": otype, "value": out_value}
        if focused == name:
            option["focused"] = True
            option["value"] = str(value)
        return option

    def _command_data(
        self,
        guild: FakeGuild | None,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None,
        *,
        focused: str | None = None,
        resolved: JSON | None = None,
        command_guild_id: GuildRef | _Auto | None = AUTO,
    ) -> JSON:
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        schema, scope = self._find_command(parts[0], guild)
        level: list[JSON] = (schema or {}).get("options", []) or []
        wrappers: list[tuple[str, int]] = []
        for i, part in enumerate(parts[1:], start=1):
            sub = next((o for o in level if o.get("name") == part), None)
            wrappers.append((part, sub["type"] if sub else (1 if i == len(parts) - 1 else 2)))
            level = (sub or {}).get("options", []) or []
        res: JSON = dict(resolved or {})
        leaf: list[JSON]
        if options is None:
            leaf = []
        elif isinstance(options, Mapping):
            leaf = [
                self._option_payload(
                    guild, k, v, next((o for o in level if o.get("name") == k), None), res, focused
                )
                for k, v in options.items()
            ]
        else:
            leaf = [dict(o) for o in options]
        for part, otype in reversed(wrappers):
            leaf = [{"name": part, "type": otype, "options": leaf}]
        data: JSON = {
            "id": schema["id"] if schema else self.new_id(),
            "name": parts[0],
            "type": 1,
            "options": leaf,
        }
        if command_guild_id is not AUTO:
            scope = None if command_guild_id is None else self.guild(command_guild_id).id
        if scope is not None:
            data["guild_id"] = scope
        if res:
            data["resolved"] = res
        return data

    async def slash_command(
        self,
        guild_id: GuildRef | None,
        user_id: UserRef,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None = None,
        *,
        channel_id: ChannelRef | None = None,
        interaction_id: int | str | None = None,
        token: str | None = None,
        locale: str = "en-US",
        resolved: JSON | None = None,
        command_guild_id: GuildRef | _Auto | None = AUTO,
    ) -> FakeInteraction:
        """Deliver an application command (INTERACTION_CREATE type 2). ``name`` may be ``"group sub"`` or
        ``"cmd sub"``: they become nested options of type 2/1. ``options`` is ``{name: value}`` (types come from the
        synced command, else from the Python value; FakeUser/FakeRole/FakeChannel values fill ``resolved``) or a raw
        list of option objects. ``guild_id=None`` is a DM. Reusing ``interaction_id`` re-delivers that interaction.
        ``data.guild_id`` (which tells discord.py to look among guild commands) is set when the command was synced to
        that guild; force it with ``command_guild_id`` (a guild, or None for a global command)."""
        g = None if guild_id is None else self.guild(guild_id)
        data = self._command_data(g, name, options, resolved=resolved, command_guild_id=command_guild_id)
        return await self._deliver_interaction(
            2,
            user_id,
            g,
            channel_id,
            data,
            interaction_id=interaction_id,
            token=token,
            locale=locale,
            command_name=name,
        )

    async def autocomplete(
        self,
        guild_id: GuildRef | None,
        user_id: UserRef,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        channel_id: ChannelRef | None = None,
        interaction_id: int | str | None = None,
        locale: str = "en-US",
        command_guild_id: GuildRef | _Auto | None = AUTO,
    ) -> FakeInteraction:
        """Deliver an autocomplete request (type 4) with ``focused`` naming the option being typed; the choices the
        bot answers land in ``FakeInteraction.autocomplete_choices``."""
        g = None if guild_id is None else self.guild(guild_id)
        data = self._command_data(g, name, options, focused=focused, command_guild_id=command_guild_id)
        return await self._deliver_interaction(
            4, user_id, g, channel_id, data, interaction_id=interaction_id, locale=locale, command_name=name
        )

    def _find_component_message(self, custom_id: str, channel_id: str | None) -> JSON | None:
        for msg in reversed(list(self.messages.values())):
            if channel_id is not None and msg["channel_id"] != channel_id:
                continue
            if any(c.get("custom_id") == custom_id for c in _walk_components(msg.get("components", []))):
                return msg
        return None

    def _resolve_component_context(
        self,
        custom_id: str,
        user: FakeUser,
        message: JSON | int | str | None,
        guild_id: GuildRef | _Auto | None,
        channel_id: ChannelRef | None,
        component: JSON,
    ) -> tuple[JSON, FakeGuild | None, FakeChannel]:
        msg: JSON | None
        if isinstance(message, dict):
            msg = message
        elif message is not None:
            msg = self.message(message)
        else:
            wanted = None if channel_id is None else self.channel(channel_id).id
            msg = self._find_component_message(custom_id, wanted)
        if msg is not None:
            ch = self.channels.get(str(msg["channel_id"]))
            if ch is None:
                ch = self.channel(channel_id) if channel_id is not None else self.dm_channel(user)
            g = self.guilds.get(ch.guild_id) if ch.guild_id else None
            if guild_id is not AUTO:
                g = None if guild_id is None else self.guild(guild_id)
            return msg, g, ch
        # No message known: synthesize a bot message carrying the component.
        if guild_id is AUTO:
            if channel_id is not None:
                ch0 = self.channel(channel_id)
                guild_id = ch0.guild_id
            else:
                raise ValueError(
                    f"no stored message carries {custom_id!r}: pass message=, guild_id= or channel_id="
                )
        g = None if guild_id is None else self.guild(guild_id)
        ch = self._interaction_channel(g, user, channel_id)
        msg = self._create_message(
            ch,
            self.bot_user,
            {"content": "", "components": [{"type": 1, "components": [component]}]},
            record_only=True,
        )
        return msg, g, ch

    async def press_button(
        self,
        custom_id: str,
        user_id: UserRef,
        *,
        message: JSON | int | str | None = None,
        guild_id: GuildRef | _Auto | None = AUTO,
        channel_id: ChannelRef | None = None,
        interaction_id: int | str | None = None,
        token: str | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Deliver a button press (type 3, component_type 2). The ``message`` carrying the button is a stored message
        id/payload; by default the newest stored message with this custom_id, else a synthesized bot message (then
        give ``guild_id``, ``None`` for a DM, or ``channel_id``)."""
        return await self._component_interaction(
            custom_id,
            user_id,
            {"type": 2, "style": 1, "label": custom_id[:80], "custom_id": custom_id},
            {"custom_id": custom_id, "component_type": 2},
            message=message,
            guild_id=guild_id,
            channel_id=channel_id,
            interaction_id=interaction_id,
            token=token,
            locale=locale,
        )

    async def select_menu(
        self,
        custom_id: str,
        user_id: UserRef,
        values: Sequence[str],
        *,
        component_type: int = 3,
        message: JSON | int | str | None = None,
        guild_id: GuildRef | _Auto | None = AUTO,
        channel_id: ChannelRef | None = None,
        interaction_id: int | str | None = None,
        resolved: JSON | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Deliver a select-menu choice (type 3, ``component_type`` 3 string / 5 user / 6 role / 7 mentionable /
        8 channel); see :meth:`press_button` for how the message is found."""
        data: JSON = {"custom_id": custom_id, "component_type": component_type, "values": list(values)}
        if resolved is not None:
            data["resolved"] = resolved
        component: JSON = {"type": component_type, "custom_id": custom_id, "min_values": 1, "max_values": 1}
        if component_type == 3:
            component["options"] = [{"label": v, "value": v} for v in values]
        return await self._component_interaction(
            custom_id,
            user_id,
            component,
            data,
            message=message,
            guild_id=guild_id,
            channel_id=channel_id,
            interaction_id=interaction_id,
            token=None,
            locale=locale,
        )

    async def _component_interaction(
        self,
        custom_id: str,
        user_id: UserRef,
        component: JSON,
        data: JSON,
        *,
        message: JSON | int | str | None,
        guild_id: GuildRef | _Auto | None,
        channel_id: ChannelRef | None,
        interaction_id: int | str | None,
        token: str | None,
        locale: str,
    ) -> FakeInteraction:
        u = self.user(user_id)
        msg, g, ch = self._resolve_component_context(custom_id, u, message, guild_id, channel_id, component)
        return await self._deliver_interaction(
            3,
            u,
            g,
            ch,
            data,
            message=msg,
            interaction_id=interaction_id,
            token=token,
            locale=locale,
        )

    async def submit_modal(
        self,
        custom_id: str,
        user_id: UserRef,
        values: Mapping[str, Any],
        *,
        guild_id: GuildRef | _Auto | None = AUTO,
        channel_id: ChannelRef | None = None,
        interaction_id: int | str | None = None,
        token: str | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Deliver a modal submission (type 5). If the bot opened this modal (callback type 9) its layout is mirrored
        (action rows or labels, type 18) and ``values`` may be keyed by an input's custom_id or its label; guild and
        channel default to the interaction that opened it. Otherwise each value becomes a text input in an action
        row keyed by custom_id."""
        modal = self.modals.get(custom_id)
        message: JSON | None = None
        g: FakeGuild | None
        if guild_id is AUTO:
            if modal is not None:
                opener = modal.interaction
                g = self.guilds.get(opener.guild_id) if opener.guild_id else None
                channel_id = channel_id if channel_id is not None else opener.channel_id
                if opener.message_id is not None:
                    message = self.messages.get(opener.message_id)
            elif channel_id is not None:
                ch0 = self.channel(channel_id)
                g = self.guilds.get(ch0.guild_id) if ch0.guild_id else None
            else:
                raise ValueError(
                    f"modal {custom_id!r} was never opened by the bot: pass guild_id= or channel_id="
                )
        else:
            g = None if guild_id is None else self.guild(guild_id)
        remaining = dict(values)
        if modal is not None:
            components = _mirror_modal(modal.components, remaining)
        else:
            components = [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": str(v)}]}
                for k, v in values.items()
            ]
            remaining.clear()
        if remaining:
            raise ValueError(f"modal {custom_id!r} has no inputs for {sorted(remaining)}")
        data: JSON = {"custom_id": custom_id, "components": components}
        return await self._deliver_interaction(
            5,
            user_id,
            g,
            channel_id,
            data,
            message=message,
            interaction_id=interaction_id,
            token=token,
            locale=locale,
        )

    # ------------------------------------------------------------------------------------------------ messages

    def _attachments_from(self, payload: JSON, files: Sequence[MultipartPart], channel_id: str) -> list[JSON]:
        by_index: dict[int, MultipartPart] = {}
        for part in files:
            m = re.fullmatch(r"files\[(\d+)\]", part.name or "")
            if m:
                by_index[int(m.group(1))] = part
        out: list[JSON] = []
        described = payload.get("attachments")
        entries: list[tuple[MultipartPart, JSON]] = []
        if described is None:
            entries = [(p, {}) for p in files]
        else:
            for entry in described:
                try:
                    idx = int(entry.get("id"))
                except (TypeError, ValueError):
                    continue
                if idx in by_index:
                    entries.append((by_index[idx], entry))
        for part, entry in entries:
            aid = self.new_id()
            filename = entry.get("filename") or part.filename or "file"
            self.attachments[aid] = part.data
            url = f"{self.base_url}/attachments/{channel_id}/{aid}/{filename}"
            att: JSON = {
                "id": aid,
                "filename": filename,
                "size": len(part.data),
                "url": url,
                "proxy_url": url,
                "content_type": part.content_type,
            }
            if entry.get("description"):
                att["description"] = entry["description"]
            out.append(att)
        return out

    def _create_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        payload: JSON,
        files: Sequence[MultipartPart] = (),
        *,
        interaction: FakeInteraction | None = None,
        record_only: bool = False,
    ) -> JSON:
        mid = self.new_id()
        content = payload.get("content") or ""
        mentions = []
        for uid in dict.fromkeys(re.findall(r"<@!?(\d+)>", content)):
            if uid in self.users:
                mentions.append(self.users[uid].to_dict())
        msg: JSON = {
            "id": mid,
            "channel_id": channel.id,
            "author": author.to_dict(),
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": mentions,
            "mention_roles": list(dict.fromkeys(re.findall(r"<@&(\d+)>", content))),
            "attachments": self._attachments_from(payload, files, channel.id),
            "embeds": list(payload.get("embeds") or []),
            "components": list(payload.get("components") or []),
            "reactions": [],
            "pinned": False,
            "type": 19 if payload.get("message_reference") else 0,
            "flags": int(payload.get("flags") or 0),
            "sticker_items": [],
        }
        if payload.get("nonce") is not None:
            msg["nonce"] = payload["nonce"]
        if payload.get("message_reference"):
            msg["message_reference"] = {**payload["message_reference"], "channel_id": channel.id}
            ref = self.messages.get(str(payload["message_reference"].get("message_id")))
            msg["referenced_message"] = ref
        if payload.get("poll"):
            msg["poll"] = payload["poll"]
        if channel.guild_id is not None:
            msg["guild_id"] = channel.guild_id
            member = self.guilds[channel.guild_id].members.get(author.id)
            if member is not None:
                msg["member"] = member.to_dict(with_user=False)
        if interaction is not None:
            msg["webhook_id"] = self.application_id
            msg["application_id"] = self.application_id
            msg["type"] = 20 if interaction.type == 2 else 0
            metadata: JSON = {
                "id": interaction.id,
                "type": interaction.type,
                "user": self.users[interaction.user_id].to_dict(),
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
            if interaction.type == 2 and interaction.command_name:
                metadata["name"] = interaction.command_name
                metadata["command_type"] = 1
            if interaction.message_id is not None:
                metadata["interacted_message_id"] = interaction.message_id
            msg["interaction_metadata"] = metadata
        self.messages[mid] = msg
        if not record_only:
            channel.last_message_id = mid
            channel.message_count += 1
        return msg

    def _edit_message(self, msg: JSON, payload: JSON, files: Sequence[MultipartPart]) -> JSON:
        for key in ("content", "embeds", "components", "poll"):
            if key in payload:
                value = payload[key]
                msg[key] = value if value is not None else ("" if key == "content" else [])
        if "flags" in payload and payload["flags"] is not None:
            msg["flags"] = (int(msg.get("flags", 0)) & 64) | int(payload["flags"])
        msg["flags"] = int(msg.get("flags", 0)) & ~128  # no longer "thinking"
        if "attachments" in payload or files:
            keep_ids = {str(a.get("id")) for a in payload.get("attachments") or []}
            kept = (
                [a for a in msg.get("attachments", []) if a["id"] in keep_ids]
                if "attachments" in payload
                else list(msg.get("attachments", []))
            )
            new = self._attachments_from(payload, files, msg["channel_id"])
            msg["attachments"] = kept + new
        msg["edited_timestamp"] = _now_iso()
        return msg

    async def _announce(self, event: str, msg: JSON) -> None:
        if self.dispatch_own_messages and not int(msg.get("flags", 0)) & 64:
            await self._broadcast(event, msg)

    # ------------------------------------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._gateway(request)
        path = request.path
        m = re.match(r"^/attachments/\d+/(\d+)/", path)
        if m and request.method == "GET" and m.group(1) in self.attachments:
            return web.Response(body=self.attachments[m.group(1)], content_type="application/octet-stream")
        api = API_PREFIX.match(path)
        if api is None:
            return _Reply(404, {"message": "404: Not Found", "code": 0}).to_response()
        try:
            rec = await self._read_request(request, path[api.end() :])
        except Exception as exc:  # never answer 500 for a fake bug: discord.py would retry it for 25 s
            log.exception("FakeDiscord: could not read %s %s", request.method, path)
            self.errors.append(f"could not read {request.method} {path}: {exc!r}")
            return _Reply(400, {"message": f"FakeDiscord internal error: {exc!r}", "code": 0}).to_response()
        reply = await self._route(rec)
        rec.status = reply.status
        rec.response = reply.body
        rec.index = len(self.requests)
        self.requests.append(rec)
        await self._notify()
        return reply.to_response()

    async def _read_request(self, request: web.Request, path: str) -> RecordedRequest:
        rec = RecordedRequest(
            index=len(self.requests),
            method=request.method.upper(),
            path=path,
            query=dict(request.query),
            headers=dict(request.headers),
        )
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue
                data = await part.read(decode=False)
                rec.parts.append(
                    MultipartPart(
                        name=part.name,
                        filename=part.filename,
                        content_type=part.headers.get("Content-Type"),
                        data=bytes(data),
                    )
                )
        else:
            rec.raw = await request.read()
            if rec.raw:
                try:
                    rec.json = json.loads(rec.raw)
                except ValueError:
                    rec.json = None
        return rec

    async def _route(self, rec: RecordedRequest) -> _Reply:
        for rule in self.failure_rules:
            if rule.matches(rec.method, rec.path):
                rule.hits += 1
                rec.injected = True
                if rule.exhausted:
                    self.failure_rules.remove(rule)
                return rule.reply()
        if self.token is not None and rec.headers.get("Authorization") not in (f"Bot {self.token}", None):
            if not rec.path.startswith(("/interactions/", "/webhooks/")):
                return _Reply(401, {"message": "401: Unauthorized", "code": 0})
        for method, pattern, handler in self._routes:
            if method != rec.method:
                continue
            match = pattern.fullmatch(rec.path)
            if match is None:
                continue
            try:
                result = await handler(rec, match)
            except _ApiError as exc:
                return exc.reply
            except Exception as exc:
                # A bug in the fake must not look like a Discord outage (discord.py retries 500s for 25 s).
                log.exception("FakeDiscord: handler for %s %s crashed", rec.method, rec.path)
                self.errors.append(f"handler crashed for {rec.method} {rec.path}: {exc!r}")
                return _Reply(400, {"message": f"FakeDiscord internal error: {exc!r}", "code": 0})
            if isinstance(result, _Reply):
                return result
            return _Reply(200, result)
        rec.handled = False
        self.unhandled.append(rec)
        log.warning(
            "FakeDiscord has no handler for %s /api/v10%s (body=%.300r): answered 404 Unknown route. "
            "Add it to tests/fakes/fake_discord.py if the bot needs it.",
            rec.method,
            rec.path,
            rec.body,
        )
        return _Reply(404, {"message": "Unknown route", "code": 0})

    def _install_routes(self) -> None:
        snow = r"(?P<{}>\d+)"
        table: list[tuple[str, str, _Handler]] = [
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/" + snow.format("user"), self._get_user),
            ("GET", "/oauth2/applications/@me", self._get_app),
            ("GET", "/applications/@me", self._get_app),
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("PUT", "/applications/(?P<app>\\d+)/commands", self._put_commands),
            ("GET", "/applications/(?P<app>\\d+)/commands", self._get_commands),
            ("POST", "/applications/(?P<app>\\d+)/commands", self._post_command),
            ("PUT", "/applications/(?P<app>\\d+)/guilds/(?P<guild>\\d+)/commands", self._put_commands),
            ("GET", "/applications/(?P<app>\\d+)/guilds/(?P<guild>\\d+)/commands", self._get_commands),
            ("POST", "/applications/(?P<app>\\d+)/guilds/(?P<guild>\\d+)/commands", self._post_command),
            (
                "DELETE",
                "/applications/(?P<app>\\d+)(?:/guilds/(?P<guild>\\d+))?/commands/(?P<cmd>\\d+)",
                self._delete_command,
            ),
            ("POST", "/interactions/(?P<iid>\\d+)/(?P<token>[^/]+)/callback", self._interaction_callback),
            (
                "GET",
                "/webhooks/(?P<app>\\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\\d+)",
                self._webhook_get,
            ),
            (
                "PATCH",
                "/webhooks/(?P<app>\\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\\d+)",
                self._webhook_edit,
            ),
            (
                "DELETE",
                "/webhooks/(?P<app>\\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\\d+)",
                self._webhook_delete,
            ),
            ("POST", "/webhooks/(?P<app>\\d+)/(?P<token>[^/]+)", self._webhook_followup),
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/channels/(?P<c>\\d+)", self._get_channel),
            ("POST", "/channels/(?P<c>\\d+)/messages", self._post_message),
            ("GET", "/channels/(?P<c>\\d+)/messages/(?P<m>\\d+)", self._get_message),
            ("PATCH", "/channels/(?P<c>\\d+)/messages/(?P<m>\\d+)", self._patch_message),
            ("DELETE", "/channels/(?P<c>\\d+)/messages/(?P<m>\\d+)", self._delete_message),
            (
                "PUT",
                "/channels/(?P<c>\\d+)/messages/(?P<m>\\d+)/reactions/(?P<emoji>[^/]+)/@me",
                self._put_reaction,
            ),
            (
                "DELETE",
                "/channels/(?P<c>\\d+)/messages/(?P<m>\\d+)/reactions/(?P<emoji>[^/]+)/@me",
                self._delete_reaction,
            ),
            ("POST", "/channels/(?P<c>\\d+)/typing", self._no_content),
            ("POST", "/channels/(?P<c>\\d+)/threads", self._create_thread),
            ("POST", "/channels/(?P<c>\\d+)/messages/(?P<m>\\d+)/threads", self._create_thread),
            ("PUT", "/channels/(?P<c>\\d+)/thread-members/(?P<u>\\d+|@me)", self._add_thread_member),
            ("DELETE", "/channels/(?P<c>\\d+)/thread-members/(?P<u>\\d+|@me)", self._remove_thread_member),
            ("GET", "/guilds/(?P<g>\\d+)", self._get_guild),
            ("GET", "/guilds/(?P<g>\\d+)/roles", self._get_roles),
            ("GET", "/guilds/(?P<g>\\d+)/channels", self._get_guild_channels),
            ("GET", "/guilds/(?P<g>\\d+)/members/(?P<u>\\d+)", self._get_member),
            ("PATCH", "/guilds/(?P<g>\\d+)/members/(?P<u>\\d+)", self._patch_member),
            ("PUT", "/guilds/(?P<g>\\d+)/members/(?P<u>\\d+)/roles/(?P<r>\\d+)", self._put_member_role),
            ("DELETE", "/guilds/(?P<g>\\d+)/members/(?P<u>\\d+)/roles/(?P<r>\\d+)", self._delete_member_role),
            ("POST", "/guilds/(?P<g>\\d+)/scheduled-events", self._create_event),
            ("GET", "/guilds/(?P<g>\\d+)/scheduled-events", self._list_events),
            ("DELETE", "/guilds/(?P<g>\\d+)/scheduled-events/(?P<e>\\d+)", self._delete_event),
        ]
        self._routes = [(method, re.compile(regex), handler) for method, regex, handler in table]

    # ------------------------------------------------------------------------------------------------ lookups (REST)

    def _rest_guild(self, gid: str) -> FakeGuild:
        guild = self.guilds.get(gid)
        if guild is None:
            raise _unknown("Guild", 10004)
        return guild

    def _rest_channel(self, cid: str) -> FakeChannel:
        channel = self.channels.get(cid)
        if channel is None:
            raise _unknown("Channel", 10003)
        return channel

    def _rest_message(self, cid: str, mid: str) -> JSON:
        msg = self.messages.get(mid)
        if msg is None or msg["channel_id"] != cid:
            raise _unknown("Message", 10008)
        return msg

    def _rest_member(self, guild: FakeGuild, uid: str) -> FakeMember:
        member = guild.members.get(uid)
        if member is None:
            raise _unknown("Member", 10007)
        return member

    def _rest_interaction_by_token(self, app: str, token: str) -> FakeInteraction:
        if app != self.application_id:
            raise _unknown("Webhook", 10015)
        for inter in self.interactions.values():
            if inter.token == token:
                return inter
        raise _unknown("Webhook", 10015)

    # ------------------------------------------------------------------------------------------------ REST handlers

    async def _no_content(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        return _Reply(204)

    async def _get_me(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        return {
            **self.bot_user.to_dict(),
            "verified": True,
            "mfa_enabled": False,
            "locale": "en-US",
            "email": None,
        }

    async def _get_user(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        user = self.users.get(m["user"])
        if user is None:
            raise _unknown("User", 10013)
        return user.to_dict()

    async def _get_app(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        return {
            "id": self.application_id,
            "name": self.bot_user.username,
            "description": "",
            "icon": None,
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.to_dict(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": self.application_flags,
            "summary": "",
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.guilds),
            "bot": self.bot_user.to_dict(),
        }

    async def _get_gateway(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        return {"url": self.gateway_url.rstrip("/")}

    async def _get_gateway_bot(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        return {
            "url": self.gateway_url.rstrip("/"),
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }

    def _check_app(self, m: re.Match[str]) -> str | None:
        if m["app"] != self.application_id:
            raise _unknown("Application", 10002)
        guild = m.groupdict().get("guild")
        if guild is not None:
            self._rest_guild(guild)
        return guild

    def _store_command(self, scope: str | None, payload: JSON, existing: list[JSON]) -> JSON:
        ctype = payload.get("type", 1)
        old = next((c for c in existing if c["name"] == payload["name"] and c.get("type", 1) == ctype), None)
        cmd: JSON = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **payload,
            "id": old["id"] if old is not None else self.new_id(),
            "application_id": self.application_id,
            "version": self.new_id(),
            "type": ctype,
        }
        if scope is not None:
            cmd["guild_id"] = scope
        return cmd

    async def _put_commands(self, rec: RecordedRequest, m: re.Match[str]) -> list[JSON]:
        scope = self._check_app(m)
        body = rec.body or []
        if not isinstance(body, list):
            raise _ApiError(400, 50035, "Invalid Form Body")
        existing = self.synced_commands.get(scope, [])
        stored = [self._store_command(scope, c, existing) for c in body]
        self.synced_commands[scope] = stored
        return stored

    async def _get_commands(self, rec: RecordedRequest, m: re.Match[str]) -> list[JSON]:
        scope = self._check_app(m)
        return self.synced_commands.get(scope, [])

    async def _post_command(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        scope = self._check_app(m)
        existing = self.synced_commands.setdefault(scope, [])
        cmd = self._store_command(scope, rec.body or {}, existing)
        existing[:] = [c for c in existing if c["id"] != cmd["id"]] + [cmd]
        return cmd

    async def _delete_command(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        scope = self._check_app(m)
        existing = self.synced_commands.get(scope, [])
        if not any(c["id"] == m["cmd"] for c in existing):
            raise _unknown("application command", 10063)
        self.synced_commands[scope] = [c for c in existing if c["id"] != m["cmd"]]
        return _Reply(204)

    async def _interaction_callback(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        inter = self.interactions.get(m["iid"])
        if inter is None or inter.token != m["token"]:
            raise _unknown("interaction", 10062)
        if (
            self.interaction_deadline is not None
            and time.monotonic() - inter.created > self.interaction_deadline
        ):
            raise _unknown("interaction", 10062)
        if inter.acknowledged:
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = rec.body or {}
        rtype = int(body.get("type", 0))
        data = body.get("data") or {}
        channel = self.channels[inter.channel_id]
        answer: JSON = {"id": inter.id, "type": inter.type}
        resource: JSON | None = None
        if rtype == 4:
            msg = self._create_message(channel, self.bot_user, data, rec.files, interaction=inter)
            inter.original_message_id = msg["id"]
            answer.update(
                response_message_id=msg["id"],
                response_message_loading=False,
                response_message_ephemeral=bool(msg["flags"] & 64),
            )
            resource = {"type": 4, "message": msg}
            await self._announce("MESSAGE_CREATE", msg)
        elif rtype == 5:
            flags = 128 | (int(data.get("flags") or 0) & 64)
            msg = self._create_message(
                channel, self.bot_user, {"content": "", "flags": flags}, interaction=inter
            )
            inter.original_message_id = msg["id"]
            answer.update(
                response_message_id=msg["id"],
                response_message_loading=True,
                response_message_ephemeral=bool(flags & 64),
            )
            resource = {"type": 5, "message": msg}
        elif rtype in (6, 7):
            if inter.message_id is None:
                raise _ApiError(400, 50035, "Invalid Form Body: no message to update")
            inter.original_message_id = inter.message_id
            msg = self.messages.get(inter.message_id)
            if rtype == 7 and msg is not None:
                self._edit_message(msg, data, rec.files)
                resource = {"type": 7, "message": msg}
                await self._announce("MESSAGE_UPDATE", msg)
            answer["response_message_id"] = inter.message_id
        elif rtype == 8:
            inter.autocomplete_choices = list(data.get("choices") or [])
        elif rtype == 9:
            self.modals[str(data.get("custom_id"))] = FakeModal(
                custom_id=str(data.get("custom_id")),
                title=str(data.get("title", "")),
                components=list(data.get("components") or []),
                interaction=inter,
            )
        elif rtype not in (1, 10, 12):
            raise _ApiError(400, 50035, f"Invalid Form Body: unknown interaction response type {rtype}")
        inter.response_type = rtype
        inter.responses.append(body)
        result: JSON = {"interaction": answer}
        if resource is not None:
            result["resource"] = resource
        return result

    def _webhook_target(self, inter: FakeInteraction, mid: str) -> JSON:
        if mid == "@original":
            target = inter.original_message_id
            if target is None:
                raise _unknown("Message", 10008)
        else:
            target = mid
            if target != inter.original_message_id and target not in inter.followup_ids:
                raise _unknown("Message", 10008)
        msg = self.messages.get(target)
        if msg is None:
            raise _unknown("Message", 10008)
        return msg

    async def _webhook_get(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        inter = self._rest_interaction_by_token(m["app"], m["token"])
        return self._webhook_target(inter, m["mid"])

    async def _webhook_edit(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        inter = self._rest_interaction_by_token(m["app"], m["token"])
        msg = self._webhook_target(inter, m["mid"])
        self._edit_message(msg, rec.body or {}, rec.files)
        await self._announce("MESSAGE_UPDATE", msg)
        return msg

    async def _webhook_delete(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        inter = self._rest_interaction_by_token(m["app"], m["token"])
        msg = self._webhook_target(inter, m["mid"])
        self.messages.pop(msg["id"], None)
        payload = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if msg.get("guild_id"):
            payload["guild_id"] = msg["guild_id"]
        if not msg.get("flags", 0) & 64 and self.dispatch_own_messages:
            await self._broadcast("MESSAGE_DELETE", payload)
        return _Reply(204)

    async def _webhook_followup(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        inter = self._rest_interaction_by_token(m["app"], m["token"])
        if not inter.acknowledged:
            raise _unknown("Webhook", 10015)
        body = rec.body or {}
        original = self.messages.get(inter.original_message_id or "")
        if inter.response_type == 5 and original is not None and original.get("flags", 0) & 128:
            # The first followup after a deferred response replaces the "thinking" message.
            self._edit_message(original, body, rec.files)
            original["edited_timestamp"] = None
            await self._announce("MESSAGE_UPDATE", original)
            return original
        channel = self.channels[inter.channel_id]
        msg = self._create_message(channel, self.bot_user, body, rec.files, interaction=inter)
        inter.followup_ids.append(msg["id"])
        await self._announce("MESSAGE_CREATE", msg)
        return msg

    async def _create_dm(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        body = rec.body or {}
        uid = str(body.get("recipient_id", ""))
        if uid not in self.users:
            raise _ApiError(400, 50033, "Invalid Recipient(s)")
        return self.dm_channel(uid).to_dict(self)

    async def _get_channel(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        return self._rest_channel(m["c"]).to_dict(self)

    async def _post_message(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        channel = self._rest_channel(m["c"])
        body = rec.body or {}
        if channel.type == 1:
            recipient = self.users.get(channel.recipients[0]) if channel.recipients else None
            if recipient is not None and not recipient.accepts_dms:
                raise _ApiError(403, 50007, "Cannot send messages to this user")
        guild = self.guilds.get(channel.guild_id or "")
        if guild is not None and not channel.is_thread:
            perms = guild.channel_permissions(self.bot_user.id, channel)
            if not perms & PermissionBits.VIEW_CHANNEL:
                raise _ApiError(403, 50001, "Missing Access")
            if not perms & PermissionBits.SEND_MESSAGES:
                raise _ApiError(403, 50013, "Missing Permissions")
        if not (
            body.get("content")
            or body.get("embeds")
            or body.get("components")
            or rec.files
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            earlier = self._nonces.get((channel.id, str(nonce)))
            if earlier is not None and earlier in self.messages:
                return self.messages[earlier]
        msg = self._create_message(channel, self.bot_user, body, rec.files)
        if nonce is not None:
            self._nonces[(channel.id, str(nonce))] = msg["id"]
        await self._announce("MESSAGE_CREATE", msg)
        return msg

    async def _get_message(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        self._rest_channel(m["c"])
        return self._rest_message(m["c"], m["m"])

    async def _patch_message(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        self._rest_channel(m["c"])
        msg = self._rest_message(m["c"], m["m"])
        if msg["author"]["id"] != self.bot_user.id and set(rec.body or {}) - {"flags"}:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._edit_message(msg, rec.body or {}, rec.files)
        await self._announce("MESSAGE_UPDATE", msg)
        return msg

    async def _delete_message(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        channel = self._rest_channel(m["c"])
        msg = self._rest_message(m["c"], m["m"])
        self.messages.pop(msg["id"], None)
        payload: JSON = {"id": msg["id"], "channel_id": channel.id}
        if channel.guild_id:
            payload["guild_id"] = channel.guild_id
        await self._broadcast("MESSAGE_DELETE", payload)
        return _Reply(204)

    def _emoji_from_path(self, raw: str) -> JSON:
        if ":" in raw:
            name, _, eid = raw.partition(":")
            return {"id": eid, "name": name}
        return {"id": None, "name": raw}

    async def _put_reaction(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        channel = self._rest_channel(m["c"])
        msg = self._rest_message(m["c"], m["m"])
        emoji = self._emoji_from_path(m["emoji"])
        self._count_reaction(msg, emoji, 1, True)
        data = self._reaction_payload(channel, msg["id"], self.bot_user, emoji)
        data["message_author_id"] = msg["author"]["id"]
        await self._broadcast("MESSAGE_REACTION_ADD", data)
        return _Reply(204)

    async def _delete_reaction(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        channel = self._rest_channel(m["c"])
        msg = self._rest_message(m["c"], m["m"])
        emoji = self._emoji_from_path(m["emoji"])
        self._count_reaction(msg, emoji, -1, True)
        data = self._reaction_payload(channel, msg["id"], self.bot_user, emoji)
        data.pop("member", None)
        await self._broadcast("MESSAGE_REACTION_REMOVE", data)
        return _Reply(204)

    async def _create_thread(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        parent = self._rest_channel(m["c"])
        body = rec.body or {}
        if parent.guild_id is None or parent.is_thread or parent.type not in (0, 5, 15, 16):
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        guild = self.guilds[parent.guild_id]
        from_message = m.groupdict().get("m")
        now = _now_iso()
        if from_message is not None:
            msg = self._rest_message(parent.id, from_message)
            if from_message in self.channels:
                raise _ApiError(400, 160004, "A thread has already been created for this message")
            tid = from_message
            ttype = 10 if parent.type == 5 else 11
        else:
            msg = None
            tid = self.new_id()
            default_type = 11 if parent.type in (15, 16) else 12
            ttype = int(body.get("type") or default_type)
        thread = FakeChannel(
            id=tid,
            type=ttype,
            name=str(body.get("name", "thread")),
            guild_id=guild.id,
            parent_id=parent.id,
            owner_id=self.bot_user.id,
            invitable=bool(body.get("invitable", True)),
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            thread_members={self.bot_user.id: now},
            created_at=now,
        )
        guild.channels[tid] = thread
        self.channels[tid] = thread
        result = thread.to_dict(self)
        if msg is not None:
            msg["thread"] = result
            msg["flags"] = int(msg.get("flags", 0)) | 32
        if parent.type in (15, 16) and isinstance(body.get("message"), dict):
            first = self._create_message(thread, self.bot_user, body["message"], rec.files)
            result = {**thread.to_dict(self), "message": first}
        await self._broadcast("THREAD_CREATE", {**thread.to_dict(self), "newly_created": True})
        return result

    async def _thread_member_change(self, rec: RecordedRequest, m: re.Match[str], add: bool) -> _Reply:
        thread = self._rest_channel(m["c"])
        if not thread.is_thread or thread.guild_id is None:
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        guild = self.guilds[thread.guild_id]
        uid = self.bot_user.id if m["u"] == "@me" else m["u"]
        member = self._rest_member(guild, uid)
        if add:
            if uid in thread.thread_members:
                return _Reply(204)
            thread.thread_members[uid] = _now_iso()
            update: JSON = {
                "id": thread.id,
                "guild_id": guild.id,
                "member_count": len(thread.thread_members),
                "added_members": [
                    {
                        "id": thread.id,
                        "user_id": uid,
                        "join_timestamp": thread.thread_members[uid],
                        "flags": 0,
                        "member": member.to_dict(),
                    }
                ],
            }
        else:
            if thread.thread_members.pop(uid, None) is None:
                return _Reply(204)
            update = {
                "id": thread.id,
                "guild_id": guild.id,
                "member_count": len(thread.thread_members),
                "removed_member_ids": [uid],
            }
        await self._broadcast("THREAD_MEMBERS_UPDATE", update)
        return _Reply(204)

    async def _add_thread_member(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        return await self._thread_member_change(rec, m, True)

    async def _remove_thread_member(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        return await self._thread_member_change(rec, m, False)

    async def _get_guild(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        guild = self._rest_guild(m["g"])
        payload = self._guild_create_payload(guild, _Session(id="", intents=GatewayIntents.GUILDS, token=""))
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "lazy",
            "unavailable",
            "member_count",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
        ):
            payload.pop(key, None)
        return payload

    async def _get_roles(self, rec: RecordedRequest, m: re.Match[str]) -> list[JSON]:
        return [r.to_dict() for r in self._rest_guild(m["g"]).roles.values()]

    async def _get_guild_channels(self, rec: RecordedRequest, m: re.Match[str]) -> list[JSON]:
        return [c.to_dict(self) for c in self._rest_guild(m["g"]).channels.values() if not c.is_thread]

    async def _get_member(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        guild = self._rest_guild(m["g"])
        return self._rest_member(guild, m["u"]).to_dict()

    def _check_can_manage_role(self, guild: FakeGuild, role: FakeRole) -> None:
        if not self.enforce_role_hierarchy:
            return
        perms = guild.member_permissions(self.bot_user.id)
        if not perms & (PermissionBits.MANAGE_ROLES | PermissionBits.ADMINISTRATOR):
            raise _ApiError(403, 50013, "Missing Permissions")
        if self.bot_user.id != guild.owner_id and role.position >= guild.top_role_position(self.bot_user.id):
            raise _ApiError(403, 50013, "Missing Permissions")
        if role.managed or role.id == guild.id:
            raise _ApiError(403, 50013, "Missing Permissions")

    async def _member_roles_changed(self, guild: FakeGuild, member: FakeMember) -> None:
        await self._broadcast("GUILD_MEMBER_UPDATE", {"guild_id": guild.id, **member.to_dict()})

    async def _put_member_role(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        guild = self._rest_guild(m["g"])
        member = self._rest_member(guild, m["u"])
        role = guild.roles.get(m["r"])
        if role is None:
            raise _unknown("Role", 10011)
        self._check_can_manage_role(guild, role)
        if role.id not in member.roles:
            member.roles.append(role.id)
            await self._member_roles_changed(guild, member)
        return _Reply(204)

    async def _delete_member_role(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        guild = self._rest_guild(m["g"])
        member = self._rest_member(guild, m["u"])
        role = guild.roles.get(m["r"])
        if role is None:
            raise _unknown("Role", 10011)
        self._check_can_manage_role(guild, role)
        if role.id in member.roles:
            member.roles.remove(role.id)
            await self._member_roles_changed(guild, member)
        return _Reply(204)

    async def _patch_member(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        guild = self._rest_guild(m["g"])
        member = self._rest_member(guild, m["u"])
        body = rec.body or {}
        if "roles" in body and body["roles"] is not None:
            wanted = [str(r) for r in body["roles"]]
            for rid in wanted:
                if rid not in guild.roles:
                    raise _unknown("Role", 10011)
            for rid in set(wanted) ^ set(member.roles):
                self._check_can_manage_role(guild, guild.roles[rid])
            member.roles = wanted
        if "nick" in body:
            member.nick = body["nick"]
        await self._member_roles_changed(guild, member)
        return member.to_dict()

    async def _create_event(self, rec: RecordedRequest, m: re.Match[str]) -> JSON:
        guild = self._rest_guild(m["g"])
        body = rec.body or {}
        missing = [
            k for k in ("name", "scheduled_start_time", "entity_type", "privacy_level") if not body.get(k)
        ]
        entity_type = body.get("entity_type")
        if entity_type == 3:
            if not (body.get("entity_metadata") or {}).get("location"):
                missing.append("entity_metadata.location")
            if not body.get("scheduled_end_time"):
                missing.append("scheduled_end_time")
        elif entity_type in (1, 2) and not body.get("channel_id"):
            missing.append("channel_id")
        if missing:
            errors = {
                k: {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]}
                for k in missing
            }
            raise _ApiError(400, 50035, "Invalid Form Body", errors)
        event: JSON = {
            "id": self.new_id(),
            "guild_id": guild.id,
            "channel_id": body.get("channel_id"),
            "creator_id": self.bot_user.id,
            "creator": self.bot_user.to_dict(),
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body.get("privacy_level", 2),
            "status": 1,
            "entity_type": entity_type,
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "user_count": 0,
            "image": None,
            "recurrence_rule": body.get("recurrence_rule"),
        }
        guild.scheduled_events[event["id"]] = event
        await self._broadcast("GUILD_SCHEDULED_EVENT_CREATE", event)
        return event

    async def _list_events(self, rec: RecordedRequest, m: re.Match[str]) -> list[JSON]:
        return list(self._rest_guild(m["g"]).scheduled_events.values())

    async def _delete_event(self, rec: RecordedRequest, m: re.Match[str]) -> _Reply:
        guild = self._rest_guild(m["g"])
        event = guild.scheduled_events.pop(m["e"], None)
        if event is None:
            raise _unknown("Guild Scheduled Event", 10070)
        await self._broadcast("GUILD_SCHEDULED_EVENT_DELETE", event)
        return _Reply(204)


# --------------------------------------------------------------------------------------------------------------------
# Module helpers
# --------------------------------------------------------------------------------------------------------------------


def _walk_components(components: Iterable[JSON]) -> Iterator[JSON]:
    for component in components:
        yield component
        if isinstance(component.get("components"), list):
            yield from _walk_components(component["components"])
        if isinstance(component.get("component"), dict):
            yield from _walk_components([component["component"]])
        if isinstance(component.get("accessory"), dict):
            yield from _walk_components([component["accessory"]])


_SELECT_TYPES = (3, 5, 6, 7, 8, 19, 22)


def _modal_value(component: JSON, label: str | None, values: dict[str, Any]) -> JSON:
    custom_id = component.get("custom_id")
    key = custom_id if custom_id in values else (label if label in values else None)
    ctype = component.get("type")
    out: JSON = {"type": ctype, "custom_id": custom_id}
    if "id" in component:
        out["id"] = component["id"]
    raw: Any = values.pop(key) if key is not None else None
    if ctype in _SELECT_TYPES:
        out["values"] = (
            [] if raw is None else ([str(v) for v in raw] if isinstance(raw, (list, tuple)) else [str(raw)])
        )
    elif ctype == 23:
        out["value"] = bool(raw)
    elif ctype == 21:
        out["value"] = None if raw is None else str(raw)
    else:
        out["value"] = "" if raw is None else str(raw)
    return out


def _mirror_modal(components: Sequence[JSON], values: dict[str, Any]) -> list[JSON]:
    """Build a modal submission's components from the modal the bot sent, consuming ``values``."""
    out: list[JSON] = []
    for component in components:
        ctype = component.get("type")
        if ctype == 1:
            children = []
            for child in component.get("components", []):
                label = child.get("label")
                children.append(_modal_value(child, label, values))
            out.append({"type": 1, "components": children})
        elif ctype == 18:
            entry: JSON = {
                "type": 18,
                "component": _modal_value(component["component"], component.get("label"), values),
            }
            if "id" in component:
                entry["id"] = component["id"]
            out.append(entry)
        elif ctype == 10:
            entry = {"type": 10, "content": component.get("content", "")}
            if "id" in component:
                entry["id"] = component["id"]
            out.append(entry)
    return out


@contextlib.contextmanager
def patched_discord(fake: FakeDiscord) -> Iterator[FakeDiscord]:
    """Point discord.py at the fake (REST base and gateway URL), restoring the previous values on exit."""
    import discord.gateway
    import discord.http

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running_client(
    client: discord.Client,
    fake: FakeDiscord | None = None,
    *,
    token: str = "fake-bot-token",
    timeout: float = 10.0,  # noqa: ASYNC109 (explicit per-wait timeouts are the API)
) -> AsyncIterator[discord.Client]:
    """Start ``client`` (login + gateway) and wait until it is ready; close it and wait for it on exit.

    With ``fake``, discord.py is pointed at it for the duration (see :func:`patched_discord`). Raises the client's
    own exception if it dies before ready, TimeoutError if it is not ready within ``timeout``.
    """
    patch = patched_discord(fake) if fake is not None else contextlib.nullcontext()
    with patch:
        async with client:
            task = asyncio.create_task(client.start(token), name="fake-discord-client")
            ready = asyncio.create_task(client.wait_until_ready())
            try:
                done, _ = await asyncio.wait(
                    {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if ready not in done:
                    ready.cancel()
                    if task in done:
                        exc = task.exception()
                        raise exc if exc is not None else RuntimeError("client stopped before it was ready")
                    raise TimeoutError(f"client not ready within {timeout}s")
                yield client
            finally:
                if not ready.done():
                    ready.cancel()
                await client.close()
                try:
                    await asyncio.wait_for(task, timeout)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
                except Exception as exc:  # the client's own failure is reported above or by the test
                    log.debug("client task ended with %r", exc)
