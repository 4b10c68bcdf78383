"""Planning off the event loop: ``plan_round`` is pure CPU-bound Python (it holds the interpreter lock), so a
plan with a 10 s budget run in the loop, or in a thread, would stall every answer for 10 s. It runs in a worker
process instead, at a lower priority (answers first on a busy machine); the loop only awaits its result.

One worker process, started on first use and kept: its caches (the schedules searched for a size, the plans
made for a roster) live there and serve the next rounds. Spawned, not forked: the bot's process has threads
(database drivers) that a fork would copy in an unknown state. Should the worker die, the pool is rebuilt and
the plan is made once more in a fresh one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

from bot.features.rounds.grouping.model import Person, Plan
from bot.features.rounds.grouping.planner import plan_round

__all__ = ["plan_round_off_loop", "shutdown"]

_pool: ProcessPoolExecutor | None = None


def _yield_the_cpu() -> None:
    """In the worker: a lower priority, so that on a busy machine the answers to members go first."""
    if hasattr(os, "nice"):
        os.nice(10)


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_yield_the_cpu
        )
    return _pool


def shutdown() -> None:
    """Stop the worker process (it is started again when a plan is next asked for)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


async def plan_round_off_loop(people: Iterable[Person | str], **options: Any) -> Plan:
    """``plan_round(people, **options)`` computed in the worker process (see the module's docstring); the same
    arguments, all plain data."""
    people = list(people)
    call = partial(plan_round, people, **options)
    if len(people) <= options.get("size", 2) + 1:
        return call()  # one group at most: nothing to search, no process to wake
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), call)
    except BrokenProcessPool:
        shutdown()
        return await loop.run_in_executor(_executor(), call)
