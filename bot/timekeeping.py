"""Timers and recurring rules, as scheduler jobs derived from their tables: ``Agora``'s time keeping.

Timers due within ``TIMER_HORIZON`` are armed as jobs, plus one job (``timers:next``) that arms the next stretch
halfway through: start-up reads and arms the next hour, not every timer of every community. A recurring rule
whose next fire time is beyond the horizon waits in ``_later`` for the stretch that reaches it. When a job fires,
it dispatches a ``TimerFired`` event like any other (once per delivery id, in one transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Config
from bot.events import CommunityRef, Event, TimerFired
from bot.feature import Feature, ScheduleSpec
from bot.retention import prune
from bot.router import Router
from bot.scheduler import Scheduler, cron_trigger, next_fire_time, retried
from bot.settings import CommunitySettings
from storage.database import Database
from storage.models import Community, Schedule, Timer

if TYPE_CHECKING:
    from bot.context import Context, Outcome

__all__ = ["TIMER_HORIZON", "Timekeeping"]

log = logging.getLogger("agora.events")

# How far ahead timers are armed as scheduler jobs; a job arms the next stretch halfway through.
TIMER_HORIZON = timedelta(hours=1)


class Timekeeping:
    """The timers and recurring rules of an ``Agora`` (a mixin: the attributes below are ``Agora``'s)."""

    config: Config
    database: Database
    clock: Clock
    scheduler: Scheduler
    router: Router
    # Timers due up to this moment are armed as jobs; later ones wait for their stretch (None: not started).
    _armed_until: datetime | None
    # Recurring rules whose next fire time is beyond it: (that time, what arms the rule), by schedule id.
    _later: dict[int, tuple[datetime, Callable[[], None]]]
    # What each recurring rule was armed with, by schedule id: (cron, time zone, paused).
    _armed_rules: dict[int, tuple[str, str, bool]]

    async def dispatch(self, event: Event, *, inboxed: bool = False) -> Outcome:
        raise NotImplementedError  # Agora's

    async def reconcile_schedules(self, ctx: Context[Any], features: Iterable[Feature] | None = None) -> None:
        """Bring each feature's stored recurring rules in line with what its settings say (``schedules``): at
        start, when a community first appears, and whenever settings change (a new rule, a new time zone)."""
        specs = self._specs(features)
        if not specs:
            return
        rows = {
            row.kind: row
            for row in await ctx.session.scalars(
                select(Schedule).where(
                    Schedule.community_id == ctx.community.id, Schedule.kind.in_([s.kind for s in specs])
                )
            )
        }
        for kind, cron, paused in self._schedule_changes(ctx.settings, rows, features):
            await ctx.set_schedule(kind, cron, paused=paused)

    def _specs(self, features: Iterable[Feature] | None = None) -> list[ScheduleSpec]:
        return [
            spec
            for feature in (self.router.features if features is None else features)
            for spec in feature.schedules
        ]

    def _schedule_changes(
        self,
        settings: CommunitySettings,
        rows: dict[str, Schedule],
        features: Iterable[Feature] | None = None,
    ) -> list[tuple[str, str, bool]]:
        """What brings the recurring rules ``rows`` (by kind) in line with ``settings``: (kind, cron, paused)."""
        changes: list[tuple[str, str, bool]] = []
        for spec in self._specs(features):
            wanted = spec.rule(settings)
            row = rows.get(spec.kind)
            if wanted is not None:
                if row is None or row.paused or row.cron != wanted or row.timezone != settings.timezone:
                    changes.append((spec.kind, wanted, False))
            elif row is not None and not row.paused:
                changes.append((spec.kind, row.cron, True))
        return changes

    async def _arm_timers_until(self, until: datetime) -> None:
        """Arm the pending timers due before ``until`` (those after ``_armed_until`` are new to the scheduler),
        and one job that arms the next batch before this one runs out: the scheduler holds the next hour's
        timers, not every timer of every community."""
        query = select(Timer).where(Timer.fired_at.is_(None), ~Timer.cancelled, Timer.due_at <= until)
        if self._armed_until is not None and self.database.is_sqlite:
            # On PostgreSQL another process may have added timers within the stretch armed already: each batch
            # arms them all again (a timer fires once whichever process runs it: its delivery id is a unique row
            # written with its work).
            query = query.where(Timer.due_at > self._armed_until)
        async with self.database.transaction() as session:
            timers = (await session.scalars(query)).all()
            # On PostgreSQL, the rules another process added or changed (a new community, /agora setup there).
            # (At start, ``Agora.start`` arms every rule itself.)
            shared = not self.database.is_sqlite and self._armed_until is not None
            rules = (await session.scalars(select(Schedule))).all() if shared else []
        self._armed_until = until
        for timer in timers:
            self._arm_timer(timer)
        for rule in rules:
            if self._armed_rules.get(rule.id) != (rule.cron, rule.timezone, rule.paused):
                self._arm_schedule(rule)
        for schedule_id, (first, arm) in list(self._later.items()):
            if first <= until:
                del self._later[schedule_id]
                arm()
        self.scheduler.at("timers:next", until - TIMER_HORIZON / 2, self._arm_next_timers)

    async def _arm_next_timers(self) -> None:
        async def once() -> None:
            await self._arm_timers_until(
                max(self.clock.now(), self._armed_until or self.clock.now()) + TIMER_HORIZON / 2
            )

        await retried(self.scheduler, self.clock, "timers:next", once)()

    def _arm_timer(self, timer: Timer) -> None:
        key = f"timer:{timer.id}"
        if timer.cancelled or timer.fired_at is not None:
            self.scheduler.cancel(key)
            return
        if self._armed_until is not None and timer.due_at > self._armed_until:
            self.scheduler.cancel(key)  # beyond the horizon: the batch that reaches it arms it
            return
        timer_id, due = timer.id, timer.due_at

        async def fire() -> None:
            await self._fire_timer(timer_id, due)

        self.scheduler.at(key, due, retried(self.scheduler, self.clock, key, fire))

    async def _fire_timer(self, timer_id: int, due: datetime) -> None:
        async with self.database.transaction() as session:
            timer = await session.get(Timer, timer_id)
            if timer is None or timer.fired_at is not None or timer.cancelled:
                return
            if timer.due_at != due:
                # Moved since this job was armed (a batch read it just before a handler moved it): the job for
                # its new time is there, or is armed now.
                self._arm_timer(timer)
                return
            event = await _fired(session, timer.community_id, timer.kind, timer.ref, due, f"timer:{timer_id}")
        await self.dispatch(event)

    def _arm_schedule(self, schedule: Schedule) -> None:
        """Arm a recurring rule's chain of jobs, or, when its next fire time is beyond the armed horizon, keep it
        for the batch that reaches it (``_later``)."""
        key = f"schedule:{schedule.id}"
        self._later.pop(schedule.id, None)
        self._armed_rules[schedule.id] = (schedule.cron, schedule.timezone, schedule.paused)
        if schedule.paused:
            self.scheduler.cancel(key)
            return
        schedule_id = schedule.id
        trigger = cron_trigger(schedule.cron, schedule.timezone)
        after = schedule.last_fired_at or schedule.created_at

        async def fire(when: datetime) -> None:
            async def once() -> None:
                await self._fire_schedule(schedule_id, when)

            await retried(self.scheduler, self.clock, f"{key}:{when.isoformat()}", once)()

        def arm() -> None:
            self.scheduler.recurring(key, trigger, fire, after)

        if self._armed_until is not None:
            first = next_fire_time(trigger, after)
            if first is not None and first > self._armed_until:
                self.scheduler.cancel(key)
                self._later[schedule_id] = (first, arm)
                return
        arm()

    async def _prune(self, _when: datetime) -> None:
        async def once() -> None:
            await self.prune()

        await retried(self.scheduler, self.clock, "prune", once)()

    async def prune(self) -> dict[str, int]:
        """Delete what is older than ``database.keep_for`` (see ``bot.retention``); returns rows deleted per table."""
        removed = await prune(self.database, self.clock.now() - self.config.database.keep_for)
        log.info("pruned", extra={"agora": removed})
        return removed

    async def _fire_schedule(self, schedule_id: int, when: datetime) -> None:
        async with self.database.transaction() as session:
            schedule = await session.get(Schedule, schedule_id)
            if schedule is None or schedule.paused:
                return
            if self._armed_rules.get(schedule_id, (schedule.cron, schedule.timezone, False)) != (
                schedule.cron,
                schedule.timezone,
                False,
            ):
                # Changed by another process since this one armed it: armed again with what it says now.
                self._arm_schedule(schedule)
                return
            event = await _fired(
                session,
                schedule.community_id,
                schedule.kind,
                str(schedule_id),
                when,
                f"schedule:{schedule_id}",
            )
        await self.dispatch(event)


async def _fired(
    session: AsyncSession, community_id: int, kind: str, ref: str, due: datetime, key: str
) -> TimerFired:
    """The ``TimerFired`` event of a timer or rule (``key``) firing for ``due``: its delivery id is both."""
    community = await session.get(Community, community_id)
    assert community is not None
    return TimerFired(
        community=CommunityRef(community.platform, community.external_id, community.name),
        kind=kind,
        ref=ref,
        due=due,
        delivery_id=f"{key}:{due.isoformat()}",
    )
