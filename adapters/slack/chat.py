"""``SlackChat``: the core's ``Chat`` port on the Slack Web API (slack-sdk's ``AsyncWebClient``).

Slack has no roles: charter gating invites the member to the member channels (``conversations.invite``).
Direct messages and group DMs are ``conversations.open`` (one or several users) then ``chat.postMessage``.
A thread is the replies under a message: its channel id is ``<channel>/<ts>``, and posting there replies in it.

Errors: slack-sdk's retry handlers already retried a 429 (after ``Retry-After``) and a dropped connection once;
what still fails becomes a ``TransientChatError`` (rate limit, Slack-side or network trouble: the outbox tries
again later) or a ``PermanentChatError`` (the channel is gone, the user can't be reached, a scope is missing).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import message_payload
from bot.chat import (
    Capability,
    ChatError,
    DirectMessagesClosed,
    ListedMember,
    MissingPermission,
    PermanentChatError,
    Problem,
    ScheduledEvent,
    TransientChatError,
)
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Message
from bot.router import command_text

__all__ = [
    "PLATFORM",
    "SlackChat",
    "chat_error",
    "make_client",
    "slack_call",
    "split_thread",
    "thread_channel",
]

PLATFORM = "slack"
log = logging.getLogger("agora.slack")

T = TypeVar("T")

# Slack's error codes that no retry will fix. Anything unknown is treated as permanent too (a bad argument stays
# bad); only the codes below and HTTP 429/5xx are worth another try.
_TRANSIENT = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    }
)
_NO_PERMISSION = frozenset(
    {
        "missing_scope",
        "not_allowed_token_type",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "no_permission",
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "ekm_access_denied",
        "cant_invite",
        "not_in_channel",
    }
)
# What an error code means for the animators who can fix it (see ``bot.deliveries``). Slack answers
# ``channel_not_found`` for a private channel the bot was not invited to: it cannot even see it.
_PROBLEMS = {
    "channel_not_found": Problem.NOT_A_MEMBER,
    "not_in_channel": Problem.NOT_A_MEMBER,
    "method_not_supported_for_channel_type": Problem.NOT_A_MEMBER,
    "is_archived": Problem.ARCHIVED,
    "missing_scope": Problem.CANNOT_JOIN,
    "restricted_action": Problem.READ_ONLY,
    "restricted_action_read_only_channel": Problem.READ_ONLY,
    "restricted_action_thread_only_channel": Problem.READ_ONLY,
    "restricted_action_non_threadable_channel": Problem.READ_ONLY,
}
# conversations.invite: the member is there already, or is the bot itself; nothing left to do.
_ALREADY_DONE = frozenset({"already_in_channel", "cant_invite_self"})
# Slack limits a group DM to eight people besides the bot.
MAX_GROUP = 8
# How old a user object ``describe_member`` may answer with (users.info allows about 100 calls a minute).
DESCRIBED_WITHIN = 60.0


def thread_channel(ref: MessageRef) -> str:
    """The opaque channel id of the thread under ``ref`` (Slack ids never contain a slash)."""
    return f"{ref.channel_id}/{ref.id}"


def split_thread(channel_id: str) -> tuple[str, str | None]:
    """``(channel, thread ts)`` from a channel id that may name a thread."""
    channel, _, thread_ts = channel_id.partition("/")
    return channel, thread_ts or None


def make_client(token: str, base_url: str) -> AsyncWebClient:
    """A Web API client that retries a 429 after ``Retry-After`` and a dropped connection, once each."""
    return AsyncWebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
        ],
    )


def chat_error(exc: BaseException, method: str = "") -> ChatError:
    """The core's error for a failed Web API call."""
    where = f"{method}: " if method else ""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", 200)
        code = str(response.get("error", "") if response is not None else "") or f"http_{status}"
        if status == 429 or code in _TRANSIENT or status >= 500:
            retry_after: float | None = None
            headers = getattr(response, "headers", None) or {}
            for key, value in headers.items():
                if key.lower() == "retry-after":
                    raw = value[0] if isinstance(value, list | tuple) else value
                    try:
                        retry_after = float(raw)
                    except (TypeError, ValueError):
                        retry_after = None
            return TransientChatError(f"{where}{code}", retry_after=retry_after)
        problems = [_PROBLEMS[code]] if code in _PROBLEMS else []
        if code in _NO_PERMISSION:
            return MissingPermission(f"{where}{code}", problems)
        return PermanentChatError(f"{where}{code}", problems)
    if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError):
        return TransientChatError(f"{where}{type(exc).__name__}: {exc}")
    if isinstance(exc, SlackClientError):
        return PermanentChatError(f"{where}{type(exc).__name__}: {exc}")
    return TransientChatError(f"{where}{type(exc).__name__}: {exc}")


def error_code(exc: BaseException) -> str:
    """The Slack error code of a failed call (``""`` when it isn't a Web API error)."""
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return str(exc.response.get("error", ""))
    return ""


async def slack_call(call: Awaitable[T], method: str = "") -> T:
    """Await a Web API call, turning its failure into a ``ChatError``."""
    try:
        return await call
    except asyncio.CancelledError:
        raise
    except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise chat_error(exc, method) from exc


class SlackChat:
    """The Slack platform, as features see it."""

    platform = PLATFORM
    capabilities = frozenset(
        {
            Capability.CHANNEL_INVITE,
            Capability.GROUP_DM,
            Capability.THREADS,
            Capability.REACTIONS,
            Capability.UPDATE,
            Capability.FORMS,
            Capability.FILES,
            Capability.DELETE,
        }
    )

    def __init__(self, client: AsyncWebClient, scope_channel: str | None = None) -> None:
        from adapters.slack.events import Directory  # it builds on this module: imported when used

        self.client = client
        # The workspace's users and user groups, as every event's member is built from them (``events``).
        self.directory = Directory(client)
        # Whose members ``list_members`` reads: the workspace (its id is known once auth.test answered), or the
        # one channel that scopes the community.
        self.team_id = ""
        self.scope_channel = scope_channel

    async def list_members(self, community: CommunityRef) -> Sequence[ListedMember]:
        """The community's active human members, every page of them (``adapters.slack.members``)."""
        from adapters.slack.members import list_members  # it builds on this module: imported when used

        return await list_members(self.client, community, self.team_id, self.scope_channel)

    async def describe_member(self, community: CommunityRef, member_id: str) -> MemberRef | None:
        """The member as ``users.info`` and the user groups describe them (as an event's member is built), read
        at most ``DESCRIBED_WITHIN`` seconds ago: Slack limits how often these may be asked. A ``user_change``
        (admin flag, deactivation) and a change of user group are seen at once. None for a deactivated account.
        A community scoped to one channel is left through that channel, which the core learns from
        ``member_left_channel`` (Slack can't be asked whether one user is in a channel without listing it)."""
        return await self.directory.current(member_id, DESCRIBED_WITHIN)

    def command_text(self, name: str) -> str:
        return command_text(name)

    # --- messages -------------------------------------------------------------------------------------------

    async def post(self, channel: ChannelRef, message: Message) -> MessageRef:
        """Post ``message`` (Block Kit, with its text fallback) in ``channel`` (or in a thread opened by
        ``start_thread``); its files follow it in its thread."""
        channel_id, thread_ts = split_thread(channel.id)
        extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        payload = message_payload(message)
        try:
            response = await self.client.chat_postMessage(channel=channel_id, **payload, **extra)
        except SlackApiError as exc:
            if error_code(exc) != "not_in_channel":
                raise chat_error(exc, "chat.postMessage") from exc
            # A public channel the bot isn't in yet (chosen in /agora setup, or the bot was removed): it joins,
            # as it does before inviting, and posts. A private one answers channel_not_found instead.
            await self._join(channel_id)
            response = await slack_call(
                self.client.chat_postMessage(channel=channel_id, **payload, **extra), "chat.postMessage"
            )
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise chat_error(exc, "chat.postMessage") from exc
        # The real channel, even for a thread reply: chat.update and reactions need it.
        posted = MessageRef(PLATFORM, str(response["channel"]), str(response["ts"]))
        await self._upload(posted, message, thread_ts or posted.id)
        return posted

    async def _upload(self, posted: MessageRef, message: Message, thread_ts: str) -> None:
        for attachment in message.attachments:
            await slack_call(
                self.client.files_upload_v2(
                    channel=posted.channel_id,
                    content=attachment.data,
                    filename=attachment.filename,
                    title=attachment.filename,
                    thread_ts=thread_ts,
                ),
                "files.uploadV2",
            )

    async def start_thread(self, ref: MessageRef, title: str) -> ChannelRef:
        """The reply thread under ``ref``. Slack threads need no call and have no name: the channel returned is
        ``<channel>/<ts>``, which ``post`` reads as "reply in that thread"."""
        return ChannelRef(PLATFORM, thread_channel(ref), title)

    async def open_dm(self, member_id: str) -> str:
        """The id of the bot's direct conversation with ``member_id``."""
        response = await slack_call(self.client.conversations_open(users=member_id), "conversations.open")
        return str(response["channel"]["id"])

    async def direct_message(self, member: MemberRef, message: Message) -> MessageRef:
        """A DM. Whatever makes it impossible for good (user gone or disabled, DMs restricted, a bot, a missing
        scope) is ``DirectMessagesClosed``, so the outbox falls back to a mention in the welcome channel."""
        try:
            channel = await self.open_dm(member.id)
            return await self.post(ChannelRef(PLATFORM, channel), message)
        except DirectMessagesClosed:
            raise
        except PermanentChatError as exc:
            raise DirectMessagesClosed(f"cannot send a direct message to {member.id} ({exc})") from exc

    async def update(self, ref: MessageRef, message: Message) -> None:
        """Replace a message the bot posted (a tally that changed, a button that was answered)."""
        await slack_call(
            self.client.chat_update(channel=ref.channel_id, ts=ref.id, **message_payload(message)),
            "chat.update",
        )

    async def delete(self, ref: MessageRef) -> None:
        """Delete a message the bot posted; one already gone is not an error."""
        try:
            await self.client.chat_delete(channel=ref.channel_id, ts=ref.id)
        except SlackApiError as exc:
            if error_code(exc) != "message_not_found":
                raise chat_error(exc, "chat.delete") from exc
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise chat_error(exc, "chat.delete") from exc

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """Add the bot's reaction (an emoji name, with or without colons); reacting twice is not an error."""
        try:
            await self.client.reactions_add(channel=ref.channel_id, timestamp=ref.id, name=emoji.strip(":"))
        except SlackApiError as exc:
            if error_code(exc) != "already_reacted":
                raise chat_error(exc, "reactions.add") from exc
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise chat_error(exc, "reactions.add") from exc

    async def ephemeral(self, channel_id: str, member_id: str, message: Message) -> None:
        """A message only ``member_id`` sees in ``channel_id`` (for replies with no ``response_url``)."""
        channel, thread_ts = split_thread(channel_id)
        extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        await slack_call(
            self.client.chat_postEphemeral(
                channel=channel, user=member_id, **message_payload(message), **extra
            ),
            "chat.postEphemeral",
        )

    # --- membership -------------------------------------------------------------------------------------------

    async def grant_role(self, community: CommunityRef, member: MemberRef, role: str) -> None:
        """Slack has no roles: features invite to channels instead (``Capability.CHANNEL_INVITE``)."""
        raise PermanentChatError("Slack has no roles; use member_channels (channel invitations) instead")

    async def revoke_role(self, community: CommunityRef, member: MemberRef, role: str) -> None:
        """Slack has no roles."""
        raise PermanentChatError("Slack has no roles")

    async def invite_to_channels(
        self, community: CommunityRef, member: MemberRef, channels: Sequence[ChannelRef]
    ) -> None:
        """Invite ``member`` to each channel. Already there counts as done, so a retried invitation is harmless;
        the bot joins a public channel it isn't in before inviting. Every channel is tried; the first permanent
        failure is raised at the end, a transient one at once (the outbox retries the whole list)."""
        failed: PermanentChatError | None = None
        for channel in channels:
            try:
                await self._invite(channel.id, member.id)
            except PermanentChatError as exc:
                log.warning(
                    "slack invitation failed", extra={"agora": {"channel": channel.id, "error": str(exc)}}
                )
                failed = failed or exc
        if failed is not None:
            raise failed

    async def _invite(self, channel_id: str, member_id: str, *, joined: bool = False) -> None:
        try:
            await self.client.conversations_invite(channel=channel_id, users=member_id)
        except SlackApiError as exc:
            code = error_code(exc)
            if code in _ALREADY_DONE:
                return
            if code == "not_in_channel" and not joined:
                # The bot must be in a channel to invite to it; it may join a public one by itself.
                await self._join(channel_id)
                await self._invite(channel_id, member_id, joined=True)
                return
            raise chat_error(exc, "conversations.invite") from exc
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise chat_error(exc, "conversations.invite") from exc

    async def _join(self, channel_id: str) -> None:
        """Join a public channel (``channels:join``). A private one can't be joined, only be invited to."""
        await slack_call(self.client.conversations_join(channel=channel_id), "conversations.join")

    async def channel_access(
        self, community: CommunityRef, channel: ChannelRef, needs: frozenset[Problem]
    ) -> frozenset[Problem]:
        """Whether the bot can post in ``channel``: it sees it (a private channel it was not invited to is
        invisible to it), it is not archived, and the bot is in it; a public channel it is not in yet, it joins
        now, so the first post does not wait on that."""
        channel_id, _thread = split_thread(channel.id)
        try:
            response = await slack_call(
                self.client.conversations_info(channel=channel_id), "conversations.info"
            )
            info = response.get("channel") or {}
            if info.get("is_archived"):
                return frozenset({Problem.ARCHIVED})
            if not info.get("is_member") and not info.get("is_im") and not info.get("is_mpim"):
                if info.get("is_private"):
                    return frozenset({Problem.NOT_A_MEMBER})
                await self._join(channel_id)
        except PermanentChatError as exc:
            return frozenset(exc.problems or {Problem.NOT_A_MEMBER})
        return frozenset()

    async def open_group(
        self,
        community: CommunityRef,
        members: Sequence[MemberRef],
        title: str,
        parent: ChannelRef | None = None,
    ) -> ChannelRef:
        """A group DM (mpim) with ``members`` and the bot; Slack's are untitled and hold at most eight people."""
        ids = list(dict.fromkeys(m.id for m in members))
        if not ids:
            raise PermanentChatError("a group conversation needs at least one member")
        if len(ids) > MAX_GROUP:
            raise PermanentChatError(f"a Slack group DM holds at most {MAX_GROUP} people, not {len(ids)}")
        response = await slack_call(self.client.conversations_open(users=",".join(ids)), "conversations.open")
        return ChannelRef(PLATFORM, str(response["channel"]["id"]), title)

    async def create_event(self, community: CommunityRef, event: ScheduledEvent) -> str:
        """Slack has no calendar events (no ``Capability.SCHEDULED_EVENTS``)."""
        raise PermanentChatError("Slack has no scheduled events")

    async def delete_event(self, community: CommunityRef, event_id: str) -> None:
        """Slack has no calendar events: none was ever created to delete."""
        raise PermanentChatError("Slack has no scheduled events")

    async def channel_name(self, channel_id: str) -> str:
        """A channel's name (``""`` when it can't be read)."""
        try:
            response = await self.client.conversations_info(channel=channel_id)
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError):
            return ""
        return str((response.get("channel") or {}).get("name") or "")

    def __repr__(self) -> str:
        return f"SlackChat(base_url={self.client.base_url!r})"
