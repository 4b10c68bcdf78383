"""What a feature declares about itself; the core does the rest.

A feature is a class (like a discord.py ``Cog``) whose decorated methods handle commands, buttons, forms, timers
and events. Beside its handlers it declares, as plain data:

- ``settings``: a pydantic model of its settings. The core makes it the ``community.<section>`` part of the
  configuration (validated, with ``check-config``'s messages), builds the ``/agora <...> settings`` command from
  its fields (options, help and refusals in both languages), saves what an animator changes, and re-arms schedules.
- ``schedules``: its recurring rules, each read from the settings; the core reconciles them with the stored rows at
  start, when a community first appears, and whenever settings change.
- ``personal_data``: which of its tables and columns hold a member's data, so export and erase need no code of it.
- ``health``: funnel steps and counters the community's health report reads (``bot.features.health``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.context import Context
    from bot.messages import Message
    from bot.settings import CommunitySettings

__all__ = [
    "CORE_PERSONAL_DATA",
    "FUNNEL_STAGES",
    "CountQuery",
    "Feature",
    "HealthStep",
    "MemberQuery",
    "PersonalData",
    "ScheduleSpec",
    "feature_classes",
]


@dataclass(frozen=True)
class ScheduleSpec:
    """A recurring rule of a feature: ``kind`` is the timer kind its ``@timer`` handler takes; ``rule`` reads the
    cron rule (in the community's time zone) from the community's settings, or None when it is off."""

    kind: str
    rule: Callable[[CommunitySettings], str | None]


@dataclass(frozen=True)
class PersonalData:
    """A table holding members' data.

    ``member`` is the column naming the member; ``columns`` are the other columns whose value is the member's own
    (what they wrote, chose or said), exported with their data. ``erase`` says what erasing the member does to
    their rows: ``delete`` them, or ``anonymize`` (keep the row for the group's history, so aggregates keep their
    numbers, with the member column and ``columns`` emptied where a column can be: a required reference to
    ``members`` keeps pointing at the erased member's row, which no longer says who they were, and a status or a
    date, which names nobody, stays). ``label`` says in plain words what the rows are (an English message id), for the
    privacy page.

    ``refers`` says how ``member`` names the member: ``id`` (a ``members.id``), ``external_id`` (their platform
    id, or a word such as "schedule" when nobody did it), ``mention`` (``<@their platform id>``, ready to show),
    ``list`` (a JSON list holding their ``members.id`` or platform id among others') or ``list:KEY`` (a JSON list
    of objects whose ``KEY`` is their platform id). Left empty, an integer column is an ``id`` and any other an
    ``external_id``. Erasing a member takes them out of a list and keeps the row."""

    table: type[Any]
    member: str
    columns: tuple[str, ...] = ()
    erase: Literal["delete", "anonymize"] = "delete"
    label: str = ""
    refers: str = ""
    # Columns holding the outbox entry of a post of the bot's that presents the member (their introduction):
    # erasing the member deletes that post from the platform, where it can.
    posts: tuple[str, ...] = ()
    # False for rows others keep about the member (their private "don't group me with…"): erased with the
    # member, never shown to them.
    exported: bool = True

    @property
    def tablename(self) -> str:
        return str(self.table.__tablename__)

    @property
    def reference(self) -> str:
        """How ``member`` names the member (``refers``, or what the column's type says)."""
        if self.refers:
            return self.refers
        from sqlalchemy import Integer

        column = self.table.__table__.columns[self.member]
        return "id" if isinstance(column.type, Integer) else "external_id"

    @property
    def in_list(self) -> bool:
        return self.reference == "list" or self.reference.startswith("list:")


# The stages of a member's path through the community, in order: the health report's funnel. A step declares the
# stage it is part of (``HealthStep.stage``); several steps of one stage (the ways a member acts) count together.
FUNNEL_STAGES: tuple[str, ...] = ("joined", "accepted", "introduced", "round", "met", "meeting", "acted")

# Which members reached a step in [since, until): a SELECT of ``members.id`` and, second, when they reached it (a
# query to compose, run by the health report inside its own queries, so nothing is fetched that it does not need).
MemberQuery = Callable[[int, datetime, datetime], "Select[Any, Any]"]
# How many times something happened in [since, until).
CountQuery = Callable[["AsyncSession", int, datetime, datetime], Awaitable[int]]


@dataclass(frozen=True)
class HealthStep:
    """A figure of the community's health, read from the feature's own tables. ``label`` is an English message id.

    ``members(community_id, since, until)`` names the members who reached the step in ``[since, until)`` (a
    SELECT of ``members.id`` and the moment they reached it, e.g. ``select(Profile.member_id, Profile.introduced_at)``): the report counts them, compares periods, follows a member from one stage to the
    next and finds who has done nothing yet. ``count(session, community_id, since, until)`` says how many times
    something happened (a counter: meetings held, questions asked); a step with only ``members`` counts them.
    ``stage`` (one of :data:`FUNNEL_STAGES`) puts the members of the step in that stage of the funnel; ``kind``
    says whether the step is a funnel stage's own figure (members) or a counter (times)."""

    key: str
    label: str
    count: CountQuery | None = None
    kind: Literal["funnel", "counter"] = "counter"
    members: MemberQuery | None = None
    stage: str = ""

    def __post_init__(self) -> None:
        if self.count is None and self.members is None:
            raise ValueError(f"health step {self.key!r} needs a count or a members query")
        if self.stage and self.stage not in FUNNEL_STAGES:
            raise ValueError(f"health step {self.key!r}: unknown stage {self.stage!r}")
        if self.stage and self.members is None:
            raise ValueError(f"health step {self.key!r} is a stage of the funnel: it needs a members query")
        if self.kind == "funnel" and not self.stage:
            raise ValueError(f"health step {self.key!r} is a funnel step: it needs a stage")

    async def tally(self, session: AsyncSession, community_id: int, since: datetime, until: datetime) -> int:
        """The step's figure for ``[since, until)``: its count, or how many members reached it."""
        if self.count is not None:
            return await self.count(session, community_id, since, until)
        assert self.members is not None
        from sqlalchemy import func, select

        reached = self.members(community_id, since, until).subquery()
        return int(await session.scalar(select(func.count(func.distinct(reached.c[0])))) or 0)


def _core_personal_data() -> tuple[PersonalData, ...]:
    from bot.i18n import N_
    from storage.models import Member

    # The member row itself: their platform id and the name they go by. Erasing a member keeps the row (other
    # features' history points at it) with the name emptied.
    return (
        PersonalData(
            Member,
            member="id",
            columns=("external_id", "display_name", "locale_chosen", "locale_seen", "timezone_seen"),
            erase="anonymize",
            label=N_(
                "Who you are here: your platform id, the name you go by, when you joined and left, the language "
                "you read Agora in and your time zone (as you chose them or your platform says)"
            ),
        ),
    )


class Feature:
    """Base class of a feature: one capability of the bot, a module or package under ``bot/features/``."""

    name: ClassVar[str] = "feature"
    # What members call it, on pages that list the features (privacy): an English message id.
    title: ClassVar[str] = ""
    # Lower sees shared events (a member joining) first: the charter's welcome before the introductions.
    order: ClassVar[int] = 100

    settings: ClassVar[type[BaseModel] | None] = None
    # The part of ``community`` the settings live in (``community.debates``); the feature's name by default.
    section: ClassVar[str | None] = None
    # The command the core builds from ``settings`` (``"debate settings"``); None for no command.
    settings_command: ClassVar[str | None] = None
    settings_description: ClassVar[str] = ""
    # The settings page's titles, when only looking and after a change (English message ids).
    settings_title: ClassVar[str] = ""
    settings_saved_title: ClassVar[str] = ""
    # Where ``settings_command`` is None: the feature's own command that takes its settings as options
    # (``"charter rules"``), which the dashboard's settings form runs instead.
    settings_form: ClassVar[str | None] = None
    # Fields of ``settings`` the command leaves out (they have commands of their own, or are config-only).
    settings_hidden: ClassVar[frozenset[str]] = frozenset()

    schedules: ClassVar[tuple[ScheduleSpec, ...]] = ()
    personal_data: ClassVar[tuple[PersonalData, ...]] = ()
    health: ClassVar[tuple[HealthStep, ...]] = ()

    @classmethod
    def settings_section(cls) -> str:
        return cls.section or cls.name

    async def describe_settings(self, ctx: Context[Any], title: str) -> Message:
        """The page the settings command shows (after a change, under ``title``). The core's default lists each
        setting with its description; a feature overrides it to say more (the next date, the channel)."""
        from bot.settings.command import describe

        return describe(ctx, type(self), title)

    async def settings_saved(self, ctx: Context[Any], changes: dict[str, Any]) -> None:
        """Called after the settings command saved ``changes`` (and schedules were reconciled)."""


def feature_classes() -> list[type[Feature]]:
    """Every feature Agora ships: each ``Feature`` subclass defined in a module or package of ``bot.features``,
    ordered by its ``order`` (then name), the order in which they see shared events such as a member joining."""
    import importlib
    import pkgutil

    import bot.features as package

    found: dict[str, type[Feature]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Feature)
                and value is not Feature
                and value.__module__.startswith(module.__name__)
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return sorted(found.values(), key=lambda cls: (cls.order, cls.name))


CORE_PERSONAL_DATA: tuple[PersonalData, ...] = _core_personal_data()
