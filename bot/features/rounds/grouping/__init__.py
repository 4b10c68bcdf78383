"""The grouping optimizer: who meets whom in a round. Pure functions, no I/O (but for the worker process that
runs them off the event loop, :mod:`~bot.features.rounds.grouping.worker`).

``plan_round`` takes the members taking part, the groups of past rounds (with their dates), the pairs that must
never be grouped, the group size, optional soft preferences and a time budget, and returns the groups of the
next round. What it minimises, in this order:

1. exclusions: never violated (a member who cannot be placed without violating one sits the round out, and the
   plan says so);
2. repeated pairs: as few as possible, and among repeats the older ones are cheaper;
3. soft preferences: shared interests, different companies, overlapping time zones, the caller's own pairs.

It plans ahead. A complete roster follows a whole repeat-free schedule for its size: a known design
(:mod:`~bot.features.rounds.grouping.designs`: round robin, affine planes, transversal designs, Kirkman and
nearly Kirkman triple systems, resolvable designs with blocks of four) or, where none reaches the best known
value (:mod:`~bot.features.rounds.grouping.known`), the whole-schedule tabu search within the time budget
(:mod:`~bot.features.rounds.grouping.schedule`). When the roster changed, the next rounds are searched together
from the real history (:mod:`~bot.features.rounds.grouping.planner`), and never make fewer new pairs than the
round-by-round planner (:mod:`~bot.features.rounds.grouping.local`).

Deterministic: the same input and seed give the same groups (members are sorted by id first; randomness is a
seeded ``random.Random``; a time budget only decides how far a search goes, and more time never gives less).
"""

from __future__ import annotations

from bot.features.rounds.grouping.designs import construction, round_robin, upper_bound
from bot.features.rounds.grouping.known import best_known
from bot.features.rounds.grouping.model import (
    Odd,
    PastRound,
    Person,
    Plan,
    Weights,
    group_sizes,
    history_pairs,
    pairs_of,
    repeat_free_rounds,
)
from bot.features.rounds.grouping.planner import plan_round, plan_schedule, round_by_round
from bot.features.rounds.grouping.schedule import longest_schedule
from bot.features.rounds.grouping.worker import plan_round_off_loop

__all__ = [
    "Odd",
    "PastRound",
    "Person",
    "Plan",
    "Weights",
    "best_known",
    "construction",
    "group_sizes",
    "history_pairs",
    "longest_schedule",
    "pairs_of",
    "plan_round",
    "plan_round_off_loop",
    "plan_schedule",
    "repeat_free_rounds",
    "round_by_round",
    "round_robin",
    "upper_bound",
]
