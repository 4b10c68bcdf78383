"""A round planned away from its community's lock: the plan is computed in the worker process while the
community's other events go on, then applied in an event of its own (``handlers_rounds``). Here: what is being
planned, and fitting a computed plan to a roster that changed meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

from bot.features.rounds.grouping import Person, Plan, plan_round
from bot.messages import Message

__all__ = ["Request", "fitted", "same_inputs"]

# What may differ between the inputs read before planning and those read when applying, without the plan being
# out of date: the moment (a few seconds later) and the search's budget.
_IGNORED = ("now", "budget")


@dataclass(eq=False)
class Request:
    """The plan of a community's round ``number``, being computed (``task``) or computed (``plan``), from
    ``people`` and the planner's other ``options``."""

    number: int
    people: Sequence[Person]
    options: Mapping[str, Any]
    task: asyncio.Task[list[Message]] | None = None
    plan: Plan | None = None
    # An animator's "/agora round start" waits for the outcome (``waiting``); the applying event chose to answer
    # them in its own reply (``replying``) rather than in a direct message.
    waiting: bool = False
    replying: bool = False
    # The animator erased their data before the plan was applied: nobody to answer (see ``planned``).
    forgotten: bool = False
    failed: list[BaseException] = field(default_factory=list)


def same_inputs(request: Request, people: Sequence[Person], options: Mapping[str, Any]) -> bool:
    """Whether the plan of ``request`` answers ``people`` and ``options`` as they are now."""
    if {p.id: p for p in request.people} != {p.id: p for p in people}:
        return False
    return {k: v for k, v in request.options.items() if k not in _IGNORED} == {
        k: v for k, v in options.items() if k not in _IGNORED
    }


def fitted(plan: Plan, people: Sequence[Person], options: Mapping[str, Any]) -> Plan:
    """``plan``, computed for an earlier roster, fitted to ``people`` cheaply: its groups whose members are all
    still there and allowed together stay as they are; the others' members and the newcomers are grouped by the
    round-by-round planner (no budget: a fraction of a second), among themselves. When too few are left for a
    group, the last kept groups join them. The figures (new pairs, cost) are those of the part planned again."""
    size = int(options.get("size", 2))
    present = {p.id for p in people}
    banned = {frozenset(pair) for pair in options.get("exclusions", ())}
    kept = [
        group
        for group in plan.groups
        if set(group) <= present and not any(frozenset(pair) in banned for pair in combinations(group, 2))
    ]
    rest = present - {member for group in kept for member in group}
    while rest and len(rest) < size and kept:
        rest |= set(kept.pop())
    if not rest:
        return replace(plan, groups=tuple(kept), unplaced=())
    again = {k: v for k, v in options.items() if k != "budget"}
    part = plan_round([p for p in people if p.id in rest], **again)
    return replace(part, groups=(*kept, *part.groups), method=plan.method)
