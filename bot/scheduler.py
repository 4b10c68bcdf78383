"""The scheduler port and its two implementations.

Domain tables are the source of truth (a timer row knows its deadline; a schedule row its cron rule). The
scheduler only holds jobs derived from them, rebuilt at start. Both implementations compute fire times with
APScheduler's own triggers, so the virtual one used by tests and the demo fires exactly when production would:

- ``APScheduler``: APScheduler 3's ``AsyncIOScheduler`` runs one-off jobs on ``DateTrigger``s.
- ``VirtualScheduler``: the same jobs on a ``FakeClock``; ``advance(days=2)`` runs everything due, in order,
  in milliseconds.

Recurring rules (a cron rule in the community's time zone) are chains of one-off jobs: each run schedules the
next fire time computed by the ``CronTrigger``. The job receives its fire time, which makes it idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock, FakeClock, ensure_utc

__all__ = [
    "APScheduler",
    "Job",
    "Scheduler",
    "VirtualScheduler",
    "backoff",
    "cron_trigger",
    "next_fire_time",
    "retried",
]

log = logging.getLogger("agora.scheduler")

Job = Callable[[], Awaitable[None]]
RecurringJob = Callable[[datetime], Awaitable[None]]


@lru_cache(maxsize=1024)
def cron_trigger(rule: str, timezone: str) -> CronTrigger:
    """A cron rule (``"30 9 * * tue"``) read in a time zone. Raises ValueError naming what is wrong. Kept per
    rule and zone (a trigger holds no state between fire times): communities mostly share their rules, and
    settings are validated and rules armed far more often than they change."""
    try:
        fields = rule.split()
        if len(fields) == 5:
            fields[4] = _crontab_weekdays(fields[4])
        return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)
    except (ValueError, KeyError) as exc:
        raise ValueError(f"{rule!r} is not a cron rule ({exc})") from None


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _crontab_weekdays(field: str) -> str:
    """The weekday field with crontab's numbers (0 or 7 = Sunday, 1 = Monday) turned into names:
    APScheduler 3 numbers weekdays from Monday = 0, so ``1-5`` would otherwise mean Tuesday to Saturday."""
    if not any(ch.isdigit() for ch in field):
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        else:
            low, dash, high = span.partition("-")
            first = _weekday_number(low)
            last = _weekday_number(high) if dash else (6 if step_text else first)
        if step < 1 or last < first:
            raise ValueError(f"weekday range {part!r} is not valid")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(_WEEKDAYS[day] for day in sorted(days))


def _weekday_number(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text[:3] in _WEEKDAYS:
        return _WEEKDAYS.index(text[:3])
    raise ValueError(f"weekday {text!r} is not valid (0-7 or mon, tue, …)")


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Wait before the next try: 5 s, 10 s, 20 s ... capped at one hour, or what the platform asked."""
    wait = min(5 * 2 ** max(attempts - 1, 0), 3600)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return timedelta(seconds=wait)


def retried(scheduler: Scheduler, clock: Clock, key: str, job: Job, attempt: int = 0) -> Job:
    """``job``, tried again with back-off (5 s, 10 s, 20 s … then hourly) while it fails, under the key
    ``retry:<key>``: a database that refuses writes for a while (a full disk) delays a reminder, it doesn't drop
    it until the next restart. The job must be idempotent (a timer's delivery id makes a late run harmless)."""

    async def run() -> None:
        try:
            await job()
        except Exception:
            wait = backoff(attempt + 1)
            log.exception(
                "scheduled job failed, will be retried",
                extra={"agora": {"job": key, "attempt": attempt + 1, "in_s": wait.total_seconds()}},
            )
            scheduler.at(f"retry:{key}", clock.now() + wait, retried(scheduler, clock, key, job, attempt + 1))

    return run


# Per trigger, the last answer of ``next_fire_time``: (after, its first fire time).
_LAST_FIRE: dict[BaseTrigger, tuple[datetime, datetime]] = {}


def next_fire_time(trigger: BaseTrigger, after: datetime) -> datetime | None:
    """The first fire time strictly after ``after``, in UTC. The trigger's last answer serves every moment
    between the one it was for and its fire time (none lies between): communities sharing a rule that fired
    together cost one computation at start, not one each."""
    after = ensure_utc(after)
    known = _LAST_FIRE.get(trigger)
    if known is not None and known[0] <= after < known[1]:
        return known[1]
    fire = _next_fire_time(trigger, after)
    if fire is not None:
        if len(_LAST_FIRE) >= 1024:
            _LAST_FIRE.clear()
        _LAST_FIRE[trigger] = (after, fire)
    return fire


def _next_fire_time(trigger: BaseTrigger, after: datetime) -> datetime | None:
    moment = trigger.get_next_fire_time(after, after + timedelta(microseconds=1))
    if moment is not None and ensure_utc(moment) <= after:
        moment = trigger.get_next_fire_time(moment, after + timedelta(seconds=1))
    return ensure_utc(moment) if moment else None


class Scheduler(Protocol):
    """Runs jobs at given moments."""

    def at(self, key: str, when: datetime, job: Job) -> None:
        """Run ``job`` at ``when`` (at once if it is past), replacing any job with the same key."""
        ...

    def cancel(self, key: str) -> None: ...

    def recurring(self, key: str, trigger: BaseTrigger, job: RecurringJob, after: datetime) -> None:
        """Run ``job(fire_time)`` at every fire time of ``trigger`` after ``after``."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class _Recurring:
    """Shared by both schedulers: a recurring rule as a chain of one-off jobs."""

    clock: Clock

    def _generation(self, key: str, bump: bool = False) -> int:
        # Each (re)arming or cancelling of a key starts a new generation: a run of an older one must not re-arm
        # the rule with its old trigger after a handler changed or cancelled it.
        generations: dict[str, int] = self.__dict__.setdefault("_generations", {})
        if bump:
            generations[key] = generations.get(key, 0) + 1
        return generations.get(key, 0)

    def cancel(self, key: str) -> None:
        self._generation(key, bump=True)
        self._cancel_job(key)

    def recurring(self, key: str, trigger: BaseTrigger, job: RecurringJob, after: datetime) -> None:
        generation = self._generation(key, bump=True)
        fire = next_fire_time(trigger, after)
        if fire is None:
            self._cancel_job(key)
            return
        now = self.clock.now()
        if fire < now:
            # Fire times missed while the bot was down are coalesced: the job runs once, for the latest of them.
            for _ in range(100_000):
                following = next_fire_time(trigger, fire)
                if following is None or following > now:
                    break
                fire = following

        async def run() -> None:
            try:
                await job(fire)
            finally:
                if self._generation(key) == generation:
                    self.recurring(key, trigger, job, fire)

        self.at(key, fire, run)

    def at(self, key: str, when: datetime, job: Job) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _cancel_job(self, key: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class APScheduler(_Recurring):
    """Production scheduler on APScheduler 3 (``AsyncIOScheduler``, in UTC)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._scheduler = AsyncIOScheduler(timezone="UTC")

    def at(self, key: str, when: datetime, job: Job) -> None:
        when = max(ensure_utc(when), self.clock.now())
        self._scheduler.add_job(
            _guarded(key, job),
            trigger=DateTrigger(run_date=when, timezone="UTC"),
            id=key,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def _cancel_job(self, key: str) -> None:
        if self._scheduler.get_job(key) is not None:
            self._scheduler.remove_job(key)

    def pending(self) -> dict[str, datetime]:
        return {
            job.id: ensure_utc(job.next_run_time) for job in self._scheduler.get_jobs() if job.next_run_time
        }

    async def start(self) -> None:
        self._scheduler.start()

    async def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def _guarded(key: str, job: Job) -> Job:
    async def run() -> None:
        try:
            await job()
        except Exception:
            log.exception("scheduled job failed", extra={"job": key})

    return run


class VirtualScheduler(_Recurring):
    """The same jobs on simulated time: nothing runs until ``advance`` (or ``run_due``) says so."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock: FakeClock = clock
        self._jobs: dict[str, tuple[datetime, int, Job]] = {}
        self._counter = 0
        self._lock = asyncio.Lock()
        # Called after each job, so work a job started (outbox deliveries) finishes at that simulated moment.
        self.after_job: Job | None = None

    def at(self, key: str, when: datetime, job: Job) -> None:
        fire = DateTrigger(run_date=ensure_utc(when), timezone="UTC").get_next_fire_time(
            None, self.clock.now()
        )
        self._counter += 1
        self._jobs[key] = (ensure_utc(fire), self._counter, job)

    def _cancel_job(self, key: str) -> None:
        self._jobs.pop(key, None)

    def pending(self) -> dict[str, datetime]:
        return {key: when for key, (when, _, _) in self._jobs.items()}

    async def start(self) -> None:
        await self.run_due()

    async def stop(self) -> None:
        self._jobs.clear()

    async def run_due(self) -> int:
        """Run every job due now (and those they schedule for now)."""
        return await self.run_until(self.clock.now())

    async def run_until(self, target: datetime) -> int:
        """Move the clock to ``target``, running every job due on the way at its own time, in order."""
        ran = 0
        async with self._lock:
            while True:
                due = [(when, n, key) for key, (when, n, _) in self._jobs.items() if when <= target]
                if not due:
                    break
                when, _, key = min(due)
                _, _, job = self._jobs.pop(key)
                if when > self.clock.now():
                    self.clock.set(when)
                await _guarded(key, job)()
                if self.after_job is not None:
                    await self.after_job()
                ran += 1
            if target > self.clock.now():
                self.clock.set(target)
        return ran

    async def advance(self, delta: timedelta) -> int:
        return await self.run_until(self.clock.now() + delta)
