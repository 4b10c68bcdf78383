"""Icebreakers' SQL: the schedule row, the questions asked, the community's own questions, the reactions, and the
health figures. No messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, delete, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import IcebreakerQuestionStatus, Member, OutboxEntry, Schedule
from storage.tables.icebreakers import IcebreakerAsked, IcebreakerQuestion, IcebreakerReaction

SCHEDULE = "icebreaker"
# How many of the latest questions a reaction may be about (older posts are history, not answers).
REACTION_WINDOW = 20


async def schedule_row(session: AsyncSession, community_id: int) -> Schedule | None:
    """The community's stored icebreaker schedule, if it has one."""
    return await session.scalar(
        select(Schedule).where(Schedule.community_id == community_id, Schedule.kind == SCHEDULE)
    )


async def last_asked(session: AsyncSession, community_id: int) -> datetime | None:
    """When the community's last question was asked."""
    return await session.scalar(
        select(func.max(IcebreakerAsked.asked_at)).where(IcebreakerAsked.community_id == community_id)
    )


async def own_questions(
    session: AsyncSession, community_id: int, status: IcebreakerQuestionStatus
) -> list[tuple[IcebreakerQuestion, str | None]]:
    """The community's own questions in ``status`` with their author's platform id: approved ones by the date
    they were approved (the draw's order), waiting ones by the date they were suggested (the review's)."""
    when = (
        IcebreakerQuestion.decided_at
        if status == IcebreakerQuestionStatus.APPROVED
        else IcebreakerQuestion.created_at
    )
    rows = await session.execute(
        select(IcebreakerQuestion, Member.external_id)
        .outerjoin(Member, Member.id == IcebreakerQuestion.suggested_by)
        .where(IcebreakerQuestion.community_id == community_id, IcebreakerQuestion.status == status)
        .order_by(when, IcebreakerQuestion.id)
    )
    return [(question, author) for question, author in rows.all()]


async def pending_count(session: AsyncSession, community_id: int) -> int:
    """How many suggestions are waiting."""
    return int(
        await session.scalar(
            select(func.count(IcebreakerQuestion.id)).where(
                IcebreakerQuestion.community_id == community_id,
                IcebreakerQuestion.status == IcebreakerQuestionStatus.PENDING,
            )
        )
        or 0
    )


async def live_question_texts(session: AsyncSession, community_id: int) -> list[str]:
    """The community's own questions that are waiting or in the draw (a new one must not repeat them)."""
    return list(
        (
            await session.scalars(
                select(IcebreakerQuestion.text).where(
                    IcebreakerQuestion.community_id == community_id,
                    IcebreakerQuestion.status.in_(
                        (IcebreakerQuestionStatus.PENDING, IcebreakerQuestionStatus.APPROVED)
                    ),
                )
            )
        ).all()
    )


async def asked_history(session: AsyncSession, community_id: int) -> list[tuple[int, str]]:
    """Every question asked, as ``(cycle, key)``, oldest first."""
    rows = await session.execute(
        select(IcebreakerAsked.cycle, IcebreakerAsked.question_key)
        .where(IcebreakerAsked.community_id == community_id)
        .order_by(IcebreakerAsked.asked_at, IcebreakerAsked.id)
    )
    return [(cycle, key) for cycle, key in rows.all()]


async def current_cycle_keys(session: AsyncSession, community_id: int) -> set[str]:
    """The questions asked in the current cycle."""
    cycle = await session.scalar(
        select(func.max(IcebreakerAsked.cycle)).where(IcebreakerAsked.community_id == community_id)
    )
    return set(
        (
            await session.scalars(
                select(IcebreakerAsked.question_key).where(
                    IcebreakerAsked.community_id == community_id, IcebreakerAsked.cycle == (cycle or 1)
                )
            )
        ).all()
    )


async def last_question(session: AsyncSession, community_id: int) -> IcebreakerAsked | None:
    """The question asked last."""
    return await session.scalar(
        select(IcebreakerAsked)
        .where(IcebreakerAsked.community_id == community_id)
        .order_by(IcebreakerAsked.asked_at.desc(), IcebreakerAsked.id.desc())
        .limit(1)
    )


async def asked_by_post(session: AsyncSession, community_id: int, message_id: str) -> IcebreakerAsked | None:
    """The question whose post is the message ``message_id`` (among the latest ones), if any."""
    rows = await session.execute(
        select(IcebreakerAsked, OutboxEntry.result)
        .join(OutboxEntry, OutboxEntry.id == IcebreakerAsked.entry_id)
        .where(IcebreakerAsked.community_id == community_id)
        .order_by(IcebreakerAsked.asked_at.desc(), IcebreakerAsked.id.desc())
        .limit(REACTION_WINDOW)
    )
    for asked, result in rows.all():
        if isinstance(result, dict) and str(result.get("message_id")) == message_id:
            return cast(IcebreakerAsked, asked)
    return None


async def record_reaction(
    session: AsyncSession, asked: IcebreakerAsked, member_id: int, emoji: str, now: datetime, *, added: bool
) -> None:
    """Keep (or take back) a member's reaction to an asked question."""
    existing = await session.scalar(
        select(IcebreakerReaction).where(
            IcebreakerReaction.asked_id == asked.id,
            IcebreakerReaction.member_id == member_id,
            IcebreakerReaction.emoji == emoji,
        )
    )
    if added and existing is None:
        session.add(
            IcebreakerReaction(
                community_id=asked.community_id,
                asked_id=asked.id,
                member_id=member_id,
                emoji=emoji,
                reacted_at=now,
            )
        )
        await session.flush()
    elif not added and existing is not None:
        await session.execute(delete(IcebreakerReaction).where(IcebreakerReaction.id == existing.id))


async def answers_by_reaction(session: AsyncSession, asked_id: int) -> int:
    """How many members reacted to the question ``asked_id``."""
    return int(
        await session.scalar(
            select(func.count(distinct(IcebreakerReaction.member_id))).where(
                IcebreakerReaction.asked_id == asked_id
            )
        )
        or 0
    )


# --- health ---------------------------------------------------------------------------------------------------


async def count_asked(session: AsyncSession, community_id: int, since: datetime, until: datetime) -> int:
    """Questions asked in ``[since, until)``."""
    return int(
        await session.scalar(
            select(func.count(IcebreakerAsked.id)).where(
                IcebreakerAsked.community_id == community_id,
                IcebreakerAsked.asked_at >= since,
                IcebreakerAsked.asked_at < until,
            )
        )
        or 0
    )


def _suggested(community_id: int, since: datetime, until: datetime) -> list[Any]:
    return [
        IcebreakerQuestion.community_id == community_id,
        IcebreakerQuestion.suggested_by.is_not(None),
        IcebreakerQuestion.created_at >= since,
        IcebreakerQuestion.created_at < until,
    ]


async def count_suggested(session: AsyncSession, community_id: int, since: datetime, until: datetime) -> int:
    """Questions members suggested in ``[since, until)`` (animators' additions aside)."""
    return int(
        await session.scalar(
            select(func.count(IcebreakerQuestion.id)).where(*_suggested(community_id, since, until))
        )
        or 0
    )


def members_who_suggested(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who suggested a question in ``[since, until)``."""
    return select(IcebreakerQuestion.suggested_by, IcebreakerQuestion.created_at).where(
        *_suggested(community_id, since, until)
    )


def members_who_reacted(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who answered a question by reaction in ``[since, until)``."""
    return select(IcebreakerReaction.member_id, IcebreakerReaction.reacted_at).where(
        IcebreakerReaction.community_id == community_id,
        IcebreakerReaction.reacted_at >= since,
        IcebreakerReaction.reacted_at < until,
    )


async def count_reaction_answers(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> int:
    """Answers by reaction in ``[since, until)``: one per member and question."""
    pairs = (
        select(IcebreakerReaction.asked_id, IcebreakerReaction.member_id)
        .where(
            IcebreakerReaction.community_id == community_id,
            IcebreakerReaction.reacted_at >= since,
            IcebreakerReaction.reacted_at < until,
        )
        .distinct()
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(pairs)) or 0)


__all__ = [
    "SCHEDULE",
    "answers_by_reaction",
    "asked_by_post",
    "asked_history",
    "count_asked",
    "count_reaction_answers",
    "count_suggested",
    "current_cycle_keys",
    "last_asked",
    "last_question",
    "live_question_texts",
    "members_who_reacted",
    "members_who_suggested",
    "own_questions",
    "pending_count",
    "record_reaction",
    "schedule_row",
]
