"""Slack payloads in the core's words: who the community is, who acted, and the ``bot.events`` they make.

* The community is the workspace (``CommunityRef("slack", team_id, team name)``), or one channel of it when
  ``slack.scope_channel`` is set: then ``member_joined_channel``/``member_left_channel`` in that channel are the
  joins and departures, and ``team_join`` is ignored.
* A member is resolved with ``users.info`` (name, admin or owner, locale) and the user groups they belong to
  (``usergroups.list``), both cached: ``roles`` holds each group's id, handle (with and without ``@``) and
  name, so an ``animator_role`` may name a user group any of those ways. Events are built without asking Slack
  (the member as the caches know them, else by id alone), so that they are recorded and acknowledged at once;
  the member is looked up as the event is handled (``Inbound.complete``).
* Every event carries a delivery id that is the same when Slack delivers the same thing again.
* A slash command's text reaches the core with the neutral mentions (``<@U…>``, ``<#C…>``, ``<@&S…>`` for a user
  group): Slack's own forms (``<@U…|name>``, ``<!subteam^S…|@handle>``) stay here.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import form_values
from adapters.slack.chat import PLATFORM, chat_error, error_code
from bot.chat import TransientChatError
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    Event,
    FormSubmitted,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageRef,
    ReactionChanged,
)
from bot.messages import Button

__all__ = [
    "Communities",
    "Directory",
    "Inbound",
    "clean_command_text",
    "delivery_id",
    "member_ref",
    "neutral_mentions",
    "team_join_id",
]

log = logging.getLogger("agora.slack")

# The longest delivery id storage keeps (processed_deliveries.delivery_id).
_DELIVERY_ID_LIMIT = 200


def delivery_id(kind: str, *parts: object) -> str:
    """``slack:<kind>:<parts…>``, hashed if it would not fit in storage (it must stay the same on a re-delivery)."""
    value = ":".join(["slack", kind, *(str(p) for p in parts)])
    if len(value) <= _DELIVERY_ID_LIMIT:
        return value
    return f"slack:{kind}:sha1:{hashlib.sha1(value.encode('utf-8')).hexdigest()}"


def team_join_id(team_id: str, user_id: str) -> str:
    """The delivery id of a user joining the workspace, the same however Agora learns it (``team_join``, or the
    member list at start): a user joins a workspace once."""
    return delivery_id("join", team_id, user_id)


def clean_command_text(text: str) -> str:
    """A slash command's text as typed: Slack escapes ``&``, ``<`` and ``>`` (but not its own ``<@U…>``
    markup) and some keyboards type curly double quotes, which the command line reads as plain ones."""
    for curly in ("“", "”", "„"):
        text = text.replace(curly, '"')
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# Slack's markup for a member, a channel and a user group, with or without the name Slack appends.
_MENTION = re.compile(r"<@([A-Za-z0-9_.-]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([A-Za-z0-9_.-]+)(?:\|[^>]*)?>")
_USER_GROUP = re.compile(r"<!subteam\^([A-Za-z0-9_.-]+)(?:\|[^>]*)?>")


def neutral_mentions(text: str) -> str:
    """Slack's mentions as the core reads them: ``<@U1|ana>`` → ``<@U1>``, ``<#C1|general>`` → ``<#C1>``,
    ``<!subteam^S1|@mods>`` → ``<@&S1>`` (a role, in the core's words). Links and ``<!here>`` stay as they are."""
    text = _USER_GROUP.sub(r"<@&\1>", text)
    return _CHANNEL.sub(r"<#\1>", _MENTION.sub(r"<@\1>", text))


def member_ref(
    user_id: str, user: Mapping[str, Any] | None, roles: frozenset[str] = frozenset()
) -> MemberRef:
    """A ``MemberRef`` from a Slack user object (``users.info``, ``team_join``); only the id when unknown."""
    if not user:
        return MemberRef(PLATFORM, user_id, roles=roles, is_bot=user_id == "USLACKBOT")
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or ""
    )
    return MemberRef(
        PLATFORM,
        user_id,
        display_name=str(name),
        roles=roles,
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        locale=user.get("locale"),
        timezone=user.get("tz"),
    )


_LOOKUP_ERRORS = (SlackClientError, aiohttp.ClientError, TimeoutError, OSError)


class Directory:
    """Users and user groups of the workspace, cached (users for ``user_ttl``, groups for ``group_ttl`` s).

    A failed lookup never stops an event: the member is then known by id only (no admin flag, no roles)."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        user_ttl: float = 300.0,
        group_ttl: float = 60.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.user_ttl = user_ttl
        self.group_ttl = group_ttl
        self._now = now
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        self._groups: tuple[float, dict[str, frozenset[str]], TransientChatError | None] | None = None
        self._groups_lock = asyncio.Lock()

    def remember(self, user: Mapping[str, Any]) -> None:
        """Keep a user object a payload carried (``team_join``, ``user_change``)."""
        if user.get("id"):
            self._users[str(user["id"])] = (self._now(), dict(user))

    def forget(self, user_id: str) -> None:
        self._users.pop(user_id, None)

    async def user(
        self, user_id: str, *, max_age: float | None = None, strict: bool = False
    ) -> dict[str, Any] | None:
        """The user object of ``user_id`` (with ``locale``), read again when the one kept is older than
        ``max_age`` (default ``user_ttl``); None when Slack can't tell, or, ``strict``, when there is no such
        user (a failed call then raises its ``ChatError``)."""
        cached = self._users.get(user_id)
        # A user object a payload carried (``team_join``) has no ``locale``: asked once, the member's language
        # is known from their first action on.
        fresh = self.user_ttl if max_age is None else max_age
        if cached is not None and self._now() - cached[0] < fresh and "locale" in cached[1]:
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except _LOOKUP_ERRORS as exc:
            if strict:
                if error_code(exc) == "user_not_found":
                    return None
                raise chat_error(exc, "users.info") from exc
            log.warning("slack users.info failed", extra={"agora": {"user": user_id, "error": str(exc)}})
            return cached[1] if cached is not None else None
        user = dict(response.get("user") or {})
        if "locale" not in user:
            user["locale"] = cached[1].get("locale") if cached is not None else None
        self._users[user_id] = (self._now(), user)
        return user

    async def roles(self, user_id: str, *, strict: bool = False) -> frozenset[str]:
        """Ids, handles and names of the user groups ``user_id`` belongs to. ``strict``: a transient failure of
        the last read raises it rather than answer "none"."""
        async with self._groups_lock:
            if self._groups is None or self._now() - self._groups[0] >= self.group_ttl:
                self._groups = (self._now(), *await self._read_groups())
            _, roles, failed = self._groups
        if strict and failed is not None:
            raise failed
        return roles.get(user_id, frozenset())

    def forget_groups(self) -> None:
        """A user group changed (``subteam_members_changed``, ``subteam_updated``): read them again next time."""
        self._groups = None

    async def _read_groups(self) -> tuple[dict[str, frozenset[str]], TransientChatError | None]:
        """Each user's groups, and the transient failure that left them empty, if one did."""
        by_user: dict[str, set[str]] = {}
        try:
            response = await self.client.usergroups_list(include_users=True)
            for group in response.get("usergroups") or ():
                users = group.get("users")
                if users is None:
                    listed = await self.client.usergroups_users_list(usergroup=group["id"])
                    users = listed.get("users") or []
                handle = str(group.get("handle") or "")
                names = {
                    str(group["id"]),
                    handle,
                    f"@{handle}" if handle else "",
                    str(group.get("name") or ""),
                }
                names.discard("")
                for user_id in users:
                    by_user.setdefault(str(user_id), set()).update(names)
        except _LOOKUP_ERRORS as exc:
            # Free workspaces have no user groups; a missing scope says the same. Roles are then empty, and
            # animators are the admins and those listed by id. A rate limit or a network error says nothing of
            # anyone's groups: kept as such, for whoever must not take it for "none" (``strict``).
            log.info("slack user groups unavailable", extra={"agora": {"error": str(exc)}})
            error = chat_error(exc, "usergroups.list")
            return {}, error if isinstance(error, TransientChatError) else None
        return {user_id: frozenset(names) for user_id, names in by_user.items()}, None

    def known(self, user_id: str) -> MemberRef | None:
        """The member ``user_id`` as the caches know them, without asking Slack; None when a lookup is due."""
        cached = self._users.get(user_id)
        groups = self._groups
        now = self._now()
        if (
            cached is None
            or now - cached[0] >= self.user_ttl
            or "locale" not in cached[1]
            or groups is None
            or now - groups[0] >= self.group_ttl
        ):
            return None
        return member_ref(user_id, cached[1], groups[1].get(user_id, frozenset()))

    def recorded(self, user_id: str) -> MemberRef:
        """The member ``user_id`` as an event is recorded before its acknowledgement: as the caches know them,
        else by id alone (``Inbound.complete`` looks them up after)."""
        return self.known(user_id) or member_ref(user_id, None)

    async def member(self, user_id: str) -> MemberRef:
        """The member ``user_id`` as the core sees them now; a failed lookup leaves them known by id alone."""
        user, roles = await asyncio.gather(self.user(user_id), self.roles(user_id))
        return member_ref(user_id, user, roles)

    async def current(self, user_id: str, max_age: float) -> MemberRef | None:
        """The member ``user_id`` as Slack describes them, read at most ``max_age`` seconds ago (user groups:
        ``group_ttl``, or since one changed); None when the account is gone or deactivated. A failed lookup raises
        its ``ChatError`` instead of passing for a member without groups or admin flag."""
        user = await self.user(user_id, max_age=max_age, strict=True)
        if not user or user.get("deleted"):
            return None
        return member_ref(user_id, user, await self.roles(user_id, strict=True))


@dataclass
class Communities:
    """Which community a payload belongs to: the workspace, or the channel that scopes it."""

    team_id: str = ""
    team_name: str = ""
    scope_channel: str | None = None
    scope_name: str = ""

    def ref(self, team_id: str | None = None) -> CommunityRef:
        if self.scope_channel:
            return CommunityRef(PLATFORM, self.scope_channel, self.scope_name or self.team_name)
        team = team_id or self.team_id
        return CommunityRef(PLATFORM, team, self.team_name if team == self.team_id else "")


def _team_of(body: Mapping[str, Any]) -> str | None:
    team = body.get("team")
    if isinstance(team, Mapping):
        return team.get("id")
    return body.get("team_id") or (body.get("user") or {}).get("team_id") or team


def _channel_of(body: Mapping[str, Any]) -> ChannelRef | None:
    channel = body.get("channel")
    if isinstance(channel, Mapping) and channel.get("id"):
        return ChannelRef(PLATFORM, str(channel["id"]), str(channel.get("name") or ""))
    container = body.get("container") or {}
    if container.get("channel_id"):
        return ChannelRef(PLATFORM, str(container["channel_id"]))
    return None


class Inbound:
    """Builds the core's events from Slack payloads (bodies as bolt passes them to listeners)."""

    def __init__(self, directory: Directory, communities: Communities, bot_user_id: str = "") -> None:
        self.directory = directory
        self.communities = communities
        self.bot_user_id = bot_user_id

    # --- Events API ----------------------------------------------------------------------------------------

    async def joined(self, body: Mapping[str, Any]) -> MemberJoined | None:
        """``team_join`` (workspace communities) or ``member_joined_channel`` in the scope channel."""
        event = body.get("event") or {}
        scope = self.communities.scope_channel
        join_id = delivery_id("event", body.get("event_id"))
        if event.get("type") == "team_join":
            user = event.get("user") or {}
            # A deactivated account (or a bot) joining is nobody to welcome, by DM or in the welcome channel.
            if scope or not user.get("id") or user.get("deleted") or user.get("is_bot"):
                return None
            self.directory.remember(user)
            user_id = str(user["id"])
            # A user joins a workspace once: the same id whether the event comes late or the member list
            # told first (adapters.slack.members).
            join_id = team_join_id(_team_of(body) or self.communities.team_id, user_id)
        elif event.get("type") == "member_joined_channel":
            if not scope or event.get("channel") != scope:
                return None
            user_id = str(event.get("user") or "")
            # The bot joining, or someone the bot invited (its own gating), is no newcomer.
            if not user_id or self.bot_user_id in (user_id, event.get("inviter")):
                return None
        else:
            return None
        return MemberJoined(
            community=self.communities.ref(_team_of(body)),
            member=self.directory.recorded(user_id),
            delivery_id=join_id,
        )

    async def left(self, body: Mapping[str, Any]) -> MemberLeft | None:
        """``member_left_channel`` from the scope channel, or a workspace member deactivated (``user_change``)."""
        event = body.get("event") or {}
        scope = self.communities.scope_channel
        if event.get("type") == "member_left_channel":
            if not scope or event.get("channel") != scope or event.get("user") == self.bot_user_id:
                return None
            user_id = str(event.get("user") or "")
        elif event.get("type") == "user_change":
            user = event.get("user") or {}
            if user.get("id"):
                self.directory.remember(user)
            if scope or not user.get("deleted") or not user.get("id"):
                return None
            user_id = str(user["id"])
        else:
            return None
        if not user_id:
            return None
        return MemberLeft(
            community=self.communities.ref(_team_of(body)),
            member=self.directory.recorded(user_id),
            delivery_id=delivery_id("event", body.get("event_id")),
        )

    async def reaction(self, body: Mapping[str, Any]) -> ReactionChanged | None:
        """``reaction_added`` / ``reaction_removed`` on a message."""
        event = body.get("event") or {}
        item = event.get("item") or {}
        user_id = str(event.get("user") or "")
        if item.get("type") != "message" or not user_id or user_id == self.bot_user_id:
            return None
        return ReactionChanged(
            community=self.communities.ref(_team_of(body)),
            actor=self.directory.recorded(user_id),
            message=MessageRef(PLATFORM, str(item.get("channel") or ""), str(item.get("ts") or "")),
            emoji=str(event.get("reaction") or ""),
            added=event.get("type") == "reaction_added",
            delivery_id=delivery_id("event", body.get("event_id")),
        )

    # --- interactivity ---------------------------------------------------------------------------------------

    async def command(self, body: Mapping[str, Any], name: str, args: dict[str, Any]) -> CommandInvoked:
        """``/agora <name> …`` once its text was parsed."""
        channel_id = str(body.get("channel_id") or "")
        return CommandInvoked(
            community=self.communities.ref(body.get("team_id")),
            actor=self.directory.recorded(str(body.get("user_id") or "")),
            name=name,
            args=args,
            channel=ChannelRef(PLATFORM, channel_id, str(body.get("channel_name") or ""))
            if channel_id
            else None,
            delivery_id=delivery_id("command", body.get("trigger_id")),
        )

    async def pressed(self, body: Mapping[str, Any], action: Mapping[str, Any]) -> ButtonPressed | None:
        """A press on one of Agora's buttons (``action_id`` = ``agora:<action>:<ref>``); None for others."""
        parsed = Button.parse_custom_id(str(action.get("action_id") or ""))
        if parsed is None:
            return None
        name, ref = parsed
        container = body.get("container") or {}
        message: MessageRef | None = None
        if container.get("type") == "message" and container.get("message_ts"):
            message = MessageRef(
                PLATFORM, str(container.get("channel_id") or ""), str(container["message_ts"])
            )
        where = container.get("message_ts") or container.get("view_id") or (body.get("view") or {}).get("id")
        user = body.get("user") or {}
        return ButtonPressed(
            community=self.communities.ref(_team_of(body)),
            actor=self.directory.recorded(str(user.get("id") or "")),
            action=name,
            ref=ref or str(action.get("value") or ""),
            message=message,
            channel=_channel_of(body),
            delivery_id=delivery_id("action", where, action.get("action_id"), action.get("action_ts")),
        )

    async def complete(self, event: Event) -> Event:
        """``event`` with its member looked up (name, roles, admin, locale): every event is recorded and
        acknowledged without asking Slack (``Directory.recorded``). ``Agora.completers`` calls it as each event is
        handled, so one retried from the inbox (busy, or after a restart) is completed too."""
        if isinstance(event, ButtonPressed | CommandInvoked | FormSubmitted | ReactionChanged):
            return replace(event, actor=await self.directory.member(event.actor.id))
        if isinstance(event, MemberJoined | MemberLeft):
            return replace(event, member=await self.directory.member(event.member.id))
        return event

    async def submitted(
        self, body: Mapping[str, Any], channel: ChannelRef | None = None
    ) -> FormSubmitted | None:
        """A submitted modal of Agora's (``callback_id`` = ``agora:<form>:<ref>``); None for others."""
        view = body.get("view") or {}
        parsed = Button.parse_custom_id(str(view.get("callback_id") or ""))
        if parsed is None:
            return None
        form, ref = parsed
        user = body.get("user") or {}
        return FormSubmitted(
            community=self.communities.ref(_team_of(body)),
            actor=self.directory.recorded(str(user.get("id") or "")),
            form=form,
            ref=ref or str(view.get("private_metadata") or ""),
            values=form_values(view),
            channel=channel,
            delivery_id=delivery_id("view", view.get("id"), view.get("hash") or body.get("trigger_id")),
        )
