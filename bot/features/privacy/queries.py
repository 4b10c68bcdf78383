"""Privacy's SQL, generic over what features declare (``Feature.personal_data``): the rows naming a member, their
export, their erasure, the outbox's copies of what was said to or about them, and the counts animators see.
No messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Enum,
    RowMapping,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from bot.feature import CORE_PERSONAL_DATA, Feature, PersonalData
from bot.features.privacy import rules
from bot.features.privacy.rules import Section, Who
from bot.i18n import N_
from bot.messages import mention
from storage.models import Member, OutboxEntry, OutboxStatus, ProcessedDelivery
from storage.tables.profiles import Profile

__all__ = [
    "CORE_TITLE",
    "Declared",
    "Erased",
    "clean_outbox",
    "declared",
    "due_for_erasure",
    "erase",
    "export",
    "forget_deliveries",
    "kept_counts",
    "own_texts",
    "pending_erasures",
    "profile_name",
    "profile_texts",
    "rows_naming",
]

CORE_TITLE = N_("You in this community")


@dataclass(frozen=True)
class Declared:
    """A declaration and the title of the feature that made it (an English message id)."""

    title: str
    item: PersonalData


def declared(features: Iterable[Feature]) -> list[Declared]:
    """Every declaration of the running features, the core's (the member row) first."""
    out = [Declared(CORE_TITLE, item) for item in CORE_PERSONAL_DATA]
    for feature in features:
        out.extend(Declared(feature.title or feature.name, item) for item in feature.personal_data)
    return out


def _table(item: PersonalData) -> Table:
    table: Table = item.table.__table__
    return table


async def rows_naming(
    session: AsyncSession, community_id: int, item: PersonalData, who: Who
) -> list[RowMapping]:
    """The rows of ``item``'s table, in this community, whose declared column names ``who``."""
    table = _table(item)
    column = table.c[item.member]
    query = select(table).where(table.c.community_id == community_id)
    reference = item.reference
    if reference == "id":
        query = query.where(column == who.id)
    elif reference == "external_id":
        query = query.where(column == who.external_id)
    elif reference == "mention":
        query = query.where(column == mention(who.external_id))
    else:
        query = query.where(column.is_not(None))
    rows = (await session.execute(query.order_by(table.c.id))).mappings().all()
    return [row for row in rows if rules.names(row[item.member], reference, who)]


# --- export ---------------------------------------------------------------------------------------------------


def _member_columns(declarations: Sequence[Declared]) -> dict[str, set[str]]:
    by_table: dict[str, set[str]] = {}
    for d in declarations:
        by_table.setdefault(d.item.tablename, set()).add(d.item.member)
    return by_table


def _to_members(table: Table) -> set[str]:
    return {c.name for c in table.columns if any(fk.target_fullname == "members.id" for fk in c.foreign_keys)}


async def export(
    session: AsyncSession, community_id: int, who: Who, declarations: Sequence[Declared]
) -> list[Section]:
    """Every row naming ``who`` of every exported declaration, with readable field names and ISO dates. A row's
    bookkeeping (ids, the outbox entries of its posts) is left out, and so are the columns naming other people;
    a member the row is about by their own choice (whom they asked never to meet) is shown by name."""
    others = _member_columns(declarations)
    rows = await session.execute(
        select(Member.id, Member.display_name).where(Member.community_id == community_id)
    )
    names: dict[int, str] = {member_id: name for member_id, name in rows}
    sections: list[Section] = []
    for d in declarations:
        if not d.item.exported:
            continue
        table = _table(d.item)
        references = _to_members(table)
        section = Section(d.title, d.item.label)
        for row in await rows_naming(session, community_id, d.item, who):
            out: dict[str, Any] = {}
            for column in table.columns:
                name = column.name
                if name in ("id", "community_id") or "entry" in name or "entries" in name:
                    continue
                if name in others[d.item.tablename] and name not in d.item.columns:
                    continue  # who did it: this member (the row is here), or someone else (not theirs)
                value = row[name]
                if name in references and value is not None and name != d.item.member:
                    value = names.get(value) or str(value)
                out[rules.field_name(name)] = rules.exportable(value)
            section.rows.append(out)
        if section.rows:
            sections.append(section)
    return sections


# --- erasure --------------------------------------------------------------------------------------------------


@dataclass
class Erased:
    """What an erasure did: rows deleted, rows kept without the member, and the outbox entries of the bot's
    posts presenting them (to delete from the platform)."""

    deleted: int = 0
    anonymized: int = 0
    posts: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Blank:
    """What an anonymised column becomes: ``keep`` it (it names nobody, or can't be emptied) or ``value``."""

    keep: bool
    value: Any = None


def _blank(column: Column[Any], unique: bool) -> Blank:
    """The emptied value of ``column``: NULL where allowed; an empty text (a fresh anonymous token where the
    text must stay unique); a status or a required number or date stays (it names nobody by itself)."""
    if column.nullable:
        return Blank(False, None)
    if isinstance(column.type, Enum):
        return Blank(True)
    if isinstance(column.type, String):
        return Blank(False, rules.erased_id() if unique else "")
    if isinstance(column.type, JSON):
        return Blank(False, [] if column.default is None else column.default.arg)  # type: ignore[attr-defined]
    return Blank(True)


def _unique(table: Table, name: str) -> bool:
    column = table.c[name]
    return bool(column.unique) or any(
        isinstance(c, UniqueConstraint) and name in c.columns for c in table.constraints
    )


async def profile_texts(session: AsyncSession, member_id: int) -> list[str]:
    """What the member wrote in their introduction: it must survive nowhere once they are erased."""
    profile = await session.scalar(select(Profile).where(Profile.member_id == member_id))
    if profile is None:
        return []
    texts = [profile.name, profile.what, profile.location, profile.offers, profile.needs]
    return [t for t in texts + [str(i) for i in profile.interests] if t]


async def profile_name(session: AsyncSession, member_id: int) -> str:
    """The name the member gave in their introduction ("" without one)."""
    name = await session.scalar(select(Profile.name).where(Profile.member_id == member_id))
    return name or ""


def _free_text(table: Table, names: Iterable[str]) -> list[str]:
    return [name for name in names if isinstance(table.c[name].type, Text)]


async def own_texts(
    session: AsyncSession, community_id: int, who: Who, declarations: Sequence[Declared]
) -> list[str]:
    """What the member wrote in their own words (the free-text columns declared as theirs: an ask for help and
    its details, an amendment and its reason, a recap): once erased, it must survive nowhere, the outbox's copies
    of the posts and messages quoting it included."""
    texts: list[str] = []
    for d in declarations:
        item = d.item
        if item.table is Member or item.in_list:
            continue
        columns = _free_text(_table(item), item.columns)
        if not columns:
            continue
        for row in await rows_naming(session, community_id, item, who):
            texts += [row[c] for c in columns if isinstance(row[c], str) and row[c]]
    return texts


async def _scrub_rows(
    session: AsyncSession, item: PersonalData, rows: Sequence[RowMapping], names: Sequence[str]
) -> None:
    """Take ``names`` out of the free texts of ``item``'s rows kept without the member (its declared columns are
    emptied already): others' words about them (a thank-you naming who helped) keep their meaning, not who it
    was."""
    table = _table(item)
    emptied = {item.member, *item.columns}
    columns = _free_text(table, (c.name for c in table.columns if c.name not in emptied))
    for row in rows:
        changed = {c: rules.scrub(row[c], list(names)) for c in columns if isinstance(row[c], str)}
        changed = {c: v for c, v in changed.items() if v != row[c]}
        if changed:
            await session.execute(update(table).where(table.c.id == row["id"]).values(changed))


async def erase(
    session: AsyncSession,
    community_id: int,
    member: Member,
    declarations: Sequence[Declared],
    now: datetime,
    names: Sequence[str] = (),
) -> Erased:
    """Delete or anonymise every row naming ``member`` as the declarations say, then the member row itself (kept,
    for the history pointing at it, with a random platform id and no name). ``names`` (their mention, platform
    id and names) are taken out of the free texts of the rows kept."""
    who = Who(member.id, member.external_id)
    done = Erased()
    for d in declarations:
        item = d.item
        if item.table is Member:
            continue
        table = _table(item)
        rows = await rows_naming(session, community_id, item, who)
        if not rows:
            continue
        done.posts.extend(int(row[c]) for row in rows for c in item.posts if row[c])
        ids = [row["id"] for row in rows]
        if item.in_list:
            for row in rows:
                kept = rules.without(row[item.member], item.reference, who)
                await session.execute(
                    update(table).where(table.c.id == row["id"]).values({item.member: kept})
                )
            await _scrub_rows(session, item, rows, names)
            done.anonymized += len(rows)
        elif item.erase == "delete":
            await session.execute(delete(table).where(table.c.id.in_(ids)))
            done.deleted += len(rows)
        else:
            values: dict[str, Any] = {}
            for name in (item.member, *item.columns):
                emptied = _blank(table.c[name], _unique(table, name))
                if not emptied.keep:
                    values[name] = emptied.value
            if values:
                await session.execute(update(table).where(table.c.id.in_(ids)).values(values))
            await _scrub_rows(session, item, rows, names)
            done.anonymized += len(rows)
    member.external_id, member.display_name = rules.erased_id(), ""
    member.locale_chosen = member.locale_seen = member.timezone_seen = None
    if member.left_at is None:
        member.left_at = now
    return done


async def clean_outbox(
    session: AsyncSession,
    community_id: int,
    external_id: str,
    found: list[str],
    posts: Sequence[int],
    now: datetime,
) -> list[int]:
    """Drop what is still waiting to be sent to the member, or to post (or update) a post presenting them; take
    them out of group conversations not yet opened; empty what was sent to them; and scrub their mention, id,
    name and profile texts from the outbox's copy of everything else. Returns the entries of the posts presenting
    them that are out on the platform (to delete there)."""
    delivered: list[int] = []
    entries = (
        await session.scalars(select(OutboxEntry).where(OutboxEntry.community_id == community_id))
    ).all()
    for entry in entries:
        payload = dict(entry.payload or {})
        to_them = payload.get("member") == external_id
        about_them = entry.id in posts or (entry.op == "update" and payload.get("entry") in posts)
        pending = entry.status == OutboxStatus.PENDING
        if entry.op == "group" and external_id in payload.get("members", []):
            payload["members"] = [m for m in payload["members"] if m != external_id]
            to_them = not payload["members"]
        if pending and (to_them or about_them):
            entry.status, entry.done_at = OutboxStatus.DROPPED, now
        elif entry.id in posts and entry.status == OutboxStatus.SENT and entry.result:
            delivered.append(entry.id)
        if to_them:
            payload = {}
        if entry.actor_id == external_id:
            entry.actor_id = None
        entry.payload = rules.scrub(payload, found)
        entry.result = rules.scrub(entry.result, found)
        entry.last_error = rules.scrub(entry.last_error, found)
        flag_modified(entry, "payload")
        flag_modified(entry, "result")
    return delivered


async def forget_deliveries(session: AsyncSession, community_id: int, external_id: str, token: str) -> None:
    """Deliveries already handled whose id carries the member's platform id (a Discord join, a reaction) keep
    doing their work, de-duplicating, with the erased member's token in its place."""
    deliveries = await session.scalars(
        select(ProcessedDelivery).where(
            ProcessedDelivery.community_id == community_id,
            ProcessedDelivery.delivery_id.contains(external_id),
        )
    )
    for delivery in deliveries:
        delivery.delivery_id = delivery.delivery_id.replace(external_id, token)


# --- what animators see -----------------------------------------------------------------------------------------


async def kept_counts(
    session: AsyncSession, community_id: int, declarations: Sequence[Declared]
) -> list[int]:
    """For each declaration, how many of its rows in this community name somebody."""
    counts = []
    for d in declarations:
        table = _table(d.item)
        column = table.c[d.item.member]
        query = select(column).where(table.c.community_id == community_id, column.is_not(None))
        if d.item.table is Member:
            query = query.where(~Member.external_id.startswith(rules.ERASED_PREFIX))
        if d.item.in_list:
            values = (await session.scalars(query)).all()
            counts.append(sum(1 for v in values if v))
            continue
        if d.item.reference == "external_id":
            # Only values naming a member ("schedule", "config" or "deadline" name nobody).
            query = query.where(
                column.in_(select(Member.external_id).where(Member.community_id == community_id))
            )
        elif d.item.reference != "id":
            query = query.where(column != "")
        counted = await session.scalar(select(func.count()).select_from(query.subquery()))
        counts.append(int(counted or 0))
    return counts


def _left(community_id: int) -> Any:
    return (
        Member.community_id == community_id,
        Member.left_at.is_not(None),
        ~Member.external_id.startswith(rules.ERASED_PREFIX),
    )


async def pending_erasures(session: AsyncSession, community_id: int) -> int:
    """Members who left and are not erased yet."""
    count = await session.scalar(select(func.count(Member.id)).where(*_left(community_id)))
    return int(count or 0)


async def due_for_erasure(
    session: AsyncSession, community_id: int, retention: timedelta, now: datetime
) -> list[Member]:
    """Members who left at least ``retention`` ago and are not erased yet."""
    query = select(Member).where(*_left(community_id), Member.left_at <= now - retention).order_by(Member.id)
    return list((await session.scalars(query)).all())
