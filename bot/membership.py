"""Who is in a community: the platform's member list brought in line with the members table.

Agora learns members from events (a join, a command). A community that existed before Agora arrived, and joins
or departures that happened while Agora was stopped (or crashed between receiving an event and handling it),
never reach it that way. So, when an adapter connects (at start, on each new gateway session, when the bot is
added to a server), it asks the core to reconcile: the core reads the list through the ``Chat`` port
(``list_members``) and compares it with what it knows.

* A member it doesn't know was **already there** (recorded with ``existing_at``, never welcomed as a newcomer)
  when they joined before the community was set up in Agora. Where the platform gives no join time (Slack), the
  first import decides: every member it lists is already there; after it, a member it doesn't know joined while
  Agora wasn't listening.
* A member it doesn't know who joined after that, or one it had seen leave and who is listed again, is a **join**:
  a ``MemberJoined`` dispatched like the platform's own, with the delivery id that event carries (or would), so a
  late delivery of the same join has no second effect.
* A member it knows as present who is not listed any more is a **departure** (``MemberLeft``).

A list with no human at all is taken for a platform that answered wrong, not for everyone leaving: nobody is
marked as gone on its word.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from bot.chat import ListedMember
from bot.events import CommunityRef, MemberJoined, MemberLeft, MemberRef
from storage.models import Member

if TYPE_CHECKING:
    from bot.app import Agora

__all__ = ["Known", "Plan", "Reconciled", "plan", "reconcile_members"]

log = logging.getLogger("agora.members")


@dataclass(frozen=True)
class Known:
    """A member the members table holds, as plain data: when their membership started, and whether they left."""

    joined_at: datetime
    left_at: datetime | None = None


@dataclass
class Plan:
    """What a reconciliation does: members to record as already there, joins and departures to dispatch."""

    existing: list[ListedMember] = field(default_factory=list)
    joins: list[ListedMember] = field(default_factory=list)
    leaves: list[str] = field(default_factory=list)


def plan(
    listed: Sequence[ListedMember],
    known: Mapping[str, Known],
    *,
    set_up_at: datetime,
    imported: bool,
) -> Plan:
    """Compare the platform's list with the members known (pure).

    ``set_up_at`` is when the community was set up in Agora; ``imported`` says whether its list was read before.
    """
    result = Plan()
    seen: set[str] = set()
    for entry in listed:
        member_id = entry.member.id
        if member_id in seen or entry.member.is_bot:
            continue
        seen.add(member_id)
        row = known.get(member_id)
        if row is None:
            if entry.joined_at is not None:
                joined_after = entry.joined_at > set_up_at
            else:
                joined_after = imported
            (result.joins if joined_after else result.existing).append(entry)
        elif row.left_at is not None:
            result.joins.append(entry)
    if seen:
        result.leaves = sorted(m for m, row in known.items() if row.left_at is None and m not in seen)
    return result


@dataclass(frozen=True)
class Reconciled:
    """What a reconciliation found: how many members were listed, recorded as already there, joined, left."""

    listed: int
    existing: int
    joined: int
    left: int


async def reconcile_members(app: Agora, ref: CommunityRef) -> Reconciled:
    """Bring the members table of ``ref`` in line with the platform's list (see the module's docstring).

    Joins and departures go through ``app.dispatch`` one by one, like the platform's own events: each is
    welcomed (or said goodbye to) once, in its own transaction."""
    chat = app.chats.get(ref.platform)
    if chat is None:
        raise RuntimeError(f"no platform attached for {ref.platform!r}")
    listed = list(await chat.list_members(ref))
    async with app.alone(ref):
        async with app.database.transaction() as session:
            community = await app.ensure_community(session, ref)
            # Plain rows and bulk statements: a community of thousands is read at every start.
            rows = (
                await session.execute(
                    select(
                        Member.id, Member.external_id, Member.display_name, Member.joined_at, Member.left_at
                    ).where(Member.community_id == community.id)
                )
            ).all()
            names = {row.external_id: (row.id, row.display_name) for row in rows}
            known = {row.external_id: Known(row.joined_at, row.left_at) for row in rows}
            now = app.clock.now()
            todo = plan(
                listed,
                known,
                set_up_at=community.created_at,
                imported=community.members_imported_at is not None,
            )
            if todo.existing:
                await session.execute(
                    insert(Member),
                    [
                        {
                            "community_id": community.id,
                            "external_id": entry.member.id,
                            "display_name": entry.member.display_name[:200],
                            "joined_at": _before(entry.joined_at, now),
                            "existing_at": now,
                        }
                        for entry in todo.existing
                    ],
                )
            renamed = {
                names[entry.member.id][0]: entry.member.display_name[:200]
                for entry in listed
                if entry.member.id in names
                and entry.member.display_name
                and names[entry.member.id][1] != entry.member.display_name[:200]
            }
            if renamed:
                await session.execute(
                    update(Member), [{"id": row_id, "display_name": name} for row_id, name in renamed.items()]
                )
            if community.members_imported_at is None:
                community.members_imported_at = now
    app.remember_community(community)
    for entry in todo.joins:
        await app.dispatch(
            MemberJoined(
                community=ref,
                member=entry.member,
                delivery_id=_join_id(ref, entry, known.get(entry.member.id)),
            )
        )
    for member_id in todo.leaves:
        since = known[member_id].joined_at.isoformat()
        await app.dispatch(
            MemberLeft(
                community=ref,
                member=MemberRef(ref.platform, member_id, names[member_id][1]),
                delivery_id=f"{ref.platform}:member-list:leave:{ref.id}:{member_id}:{since}",
            )
        )
    result = Reconciled(len(listed), len(todo.existing), len(todo.joins), len(todo.leaves))
    log.info(
        "members reconciled",
        extra={
            "agora": {
                "platform": ref.platform,
                "community": ref.id,
                "listed": result.listed,
                "existing": result.existing,
                "joined": result.joined,
                "left": result.left,
            }
        },
    )
    return result


def _before(joined_at: datetime | None, now: datetime) -> datetime:
    """When a member already there joined: the platform's time, or now where it gives none (or a later one)."""
    return joined_at if joined_at is not None and joined_at < now else now


def _join_id(ref: CommunityRef, entry: ListedMember, row: Known | None) -> str:
    """The platform's own join id when there is one, else one that names the membership this join starts: a
    member never seen, or one seen leaving at a given moment."""
    if entry.join_id:
        return entry.join_id
    after = row.left_at.isoformat() if row is not None and row.left_at is not None else "new"
    return f"{ref.platform}:member-list:join:{ref.id}:{entry.member.id}:{after}"
