"""The workspace's member list, for the core's reconciliation (``Chat.list_members``, ``Agora.reconcile_members``).

``users.list`` is read page by page (``cursor``, ``response_metadata.next_cursor``); bots, Slackbot and
deactivated accounts (``deleted``) are left out. A community scoped to one channel (``slack.scope_channel``) lists
that channel's members (``conversations.members``, paged the same way) among them.

Slack gives no join time. The core decides with the first import: whoever is listed the first time Agora reads
the list was there before it; after that, a user it doesn't know joined while it was not listening. In a
workspace, a user joins once (``team_join``; a deactivated account that comes back is reactivated, not joined
again), so a join's delivery id is the user's own (``slack:join:<team>:<user>``): the join learnt from the list
and the same ``team_join`` delivered late count once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import slack_call
from adapters.slack.events import member_ref, team_join_id
from bot.chat import ListedMember
from bot.events import CommunityRef

if TYPE_CHECKING:
    from bot.app import Agora

__all__ = ["is_person", "list_members", "reconcile"]

log = logging.getLogger("agora.slack")

PAGE = 200


def is_person(user: Mapping[str, Any]) -> bool:
    """A human whose account is active: not a bot, not Slackbot, not deactivated."""
    return bool(user.get("id")) and not (
        user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT"
    )


async def _pages(call: Callable[..., Awaitable[Any]], method: str, key: str, **args: Any) -> list[Any]:
    items: list[Any] = []
    cursor = ""
    while True:
        response = await slack_call(call(limit=PAGE, cursor=cursor or None, **args), method)
        items.extend(response.get(key) or [])
        cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return items


async def list_members(
    client: AsyncWebClient, community: CommunityRef, team_id: str, scope_channel: str | None
) -> list[ListedMember]:
    """The community's active human members (a ``ChatError`` rather than a partial list)."""
    users = [u for u in await _pages(client.users_list, "users.list", "members") if is_person(u)]
    if scope_channel and community.id == scope_channel:
        inside = set(
            map(
                str,
                await _pages(
                    client.conversations_members, "conversations.members", "members", channel=scope_channel
                ),
            )
        )
        # In a channel, one can leave and come back: the core names each such join itself.
        return [ListedMember(member_ref(str(u["id"]), u)) for u in users if str(u["id"]) in inside]
    team = team_id or community.id
    return [
        ListedMember(member_ref(str(u["id"]), u), join_id=team_join_id(team, str(u["id"]))) for u in users
    ]


async def reconcile(app: Agora, community: CommunityRef) -> None:
    """Have the core read the member list at start; a failure is logged, never raised (the next start tries
    again)."""
    try:
        await app.reconcile_members(community)
    except Exception:
        log.exception("could not reconcile the member list", extra={"agora": {"community": community.id}})
