"""How well and how fast does the grouping optimizer plan rounds, next to what peers do?

    python bench/grouping.py [--budget 10] [--big 10000] [--weeks 20]

The peers' method (what coffee-roulette bots commonly do): shuffle the members, then fill the groups in
order, putting each member in the first group where they meet nobody seen in the last 12 weeks (anywhere if
there is none). Both are called round by round, with the history so far, as the live feature does.

Prints:
1. every social golfer instance of at most 40 players with a published best known value (groups × size on a
   complete, unchanged roster; the table and how sure each value is: bot/features/rounds/grouping/known.py):
   the repeat-free rounds the planner's whole schedule reaches within the budget (a construction, else the
   search), its time on one core, and the peers' method round by round beside it;
2. random rosters with churn (members skip weeks, newcomers arrive): repeated pairs over the weeks and the
   first week with a repeat, for both;
3. one round of a big roster (10,000 members by default, with three past rounds and some exclusions): the
   optimizer's time, and its ratio to the peers' method run in the same process.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.features.rounds.grouping import PastRound, group_sizes, pairs_of, plan_round, repeat_free_rounds
from bot.features.rounds.grouping.known import instances
from bot.features.rounds.grouping.schedule import SCHEDULES, longest_schedule


def peers_round(
    members: list[str], size: int, history: list[PastRound], rng: random.Random
) -> list[list[str]]:
    """Shuffle, then first fit avoiding pairs seen in the last 12 rounds (weekly rounds: 12 weeks)."""
    recent: set[frozenset[str]] = set()
    for past in history[-12:]:
        recent |= pairs_of(past.groups)
    shuffled = list(members)
    rng.shuffle(shuffled)
    sizes = group_sizes(len(shuffled), size)
    groups: list[list[str]] = [[] for _ in sizes]
    first_open = 0
    for member in shuffled:
        while first_open < len(groups) and len(groups[first_open]) >= sizes[first_open]:
            first_open += 1
        target = None
        for g in range(first_open, min(len(groups), first_open + 50)):
            if len(groups[g]) < sizes[g] and not any(frozenset((member, o)) in recent for o in groups[g]):
                target = g
                break
        if target is None:
            target = next(g for g in range(first_open, len(groups)) if len(groups[g]) < sizes[g])
        groups[target].append(member)
    return groups


def run_instance(groups: int, size: int, best: int, budget: float) -> tuple[int, int, float]:
    """The planner's whole schedule (from nothing cached) and the peers' round by round."""
    count = groups * size
    SCHEDULES.clear()
    started = time.perf_counter()
    schedule = longest_schedule(count, size, budget=budget, seed="bench")
    elapsed = time.perf_counter() - started
    ours = repeat_free_rounds([[tuple(map(str, g)) for g in rnd] for rnd in schedule])
    members = [f"m{i:03d}" for i in range(count)]
    theirs: list[PastRound] = []
    rng = random.Random(1)
    for _ in range(best + 1):
        theirs.append(PastRound(tuple(tuple(g) for g in peers_round(members, size, theirs, rng))))
        if repeat_free_rounds([r.groups for r in theirs]) < len(theirs):
            break
    return ours, repeat_free_rounds([r.groups for r in theirs]), elapsed


def churn(pool: int, size: int, weeks: int, seed: int) -> tuple[tuple[int, int], tuple[int, int], float]:
    """Weekly rounds where about 15% of members skip each week and one newcomer arrives every other week."""
    rng = random.Random(seed)
    members = [f"c{i:03d}" for i in range(pool)]
    rosters = []
    for week in range(weeks):
        if week % 2:
            members.append(f"n{week:03d}")
        rosters.append([m for m in members if rng.random() > 0.15])

    def score(history: list[PastRound]) -> tuple[int, int]:
        seen: set[frozenset[str]] = set()
        repeats, first = 0, weeks
        for week, past in enumerate(history):
            pairs = pairs_of(past.groups)
            if pairs & seen and first == weeks:
                first = week
            repeats += len(pairs & seen)
            seen |= pairs
        return repeats, first

    ours: list[PastRound] = []
    started = time.perf_counter()
    for roster in rosters:
        ours.append(PastRound(plan_round(roster, size=size, history=ours, seed=seed).groups))
    elapsed = time.perf_counter() - started
    theirs: list[PastRound] = []
    prng = random.Random(seed)
    for roster in rosters:
        theirs.append(PastRound(tuple(tuple(g) for g in peers_round(roster, size, theirs, prng))))
    return score(ours), score(theirs), elapsed


def big_round(count: int, size: int) -> tuple[float, float, int]:
    rng = random.Random(5)
    members = [f"b{i:05d}" for i in range(count)]
    history = []
    for _ in range(3):
        shuffled = list(members)
        rng.shuffle(shuffled)
        history.append(PastRound(tuple(tuple(shuffled[i : i + size]) for i in range(0, count, size))))
    exclusions = [(rng.choice(members), rng.choice(members)) for _ in range(count // 50)]
    started = time.perf_counter()
    peers_round(members, size, history, random.Random(1))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    plan = plan_round(members, size=size, history=history, exclusions=exclusions, seed=1)
    ours = time.perf_counter() - started
    return ours, baseline, plan.repeated_pairs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per instance (default 10)")
    parser.add_argument("--big", type=int, default=10_000, help="members in the big round (default 10000)")
    parser.add_argument("--weeks", type=int, default=20, help="weeks of the churn scenarios (default 20)")
    args = parser.parse_args()

    print(f"1. Social golfer instances up to 40 players: repeat-free rounds (budget {args.budget:g} s each)")
    print(f"   {'instance':>9} {'players':>7} {'best known':>14} {'reached':>7} {'time':>7} {'peers':>5}")
    short = []
    for groups, size, best, sure in instances(40):
        ours, theirs, elapsed = run_instance(groups, size, best, args.budget)
        mark = "" if ours >= best else "  <- short"
        if ours < best:
            short.append(f"{groups}x{size} ({ours} of {best})")
        known = f"{best} ({sure})"
        print(
            f"   {f'{groups}x{size}':>9} {groups * size:>7} {known:>14} {ours:>7} {elapsed:>6.2f}s {theirs:>5}{mark}"
        )
    print(f"   short of the best known: {', '.join(short) or 'none'}")

    print(f"\n2. Rosters with churn over {args.weeks} weeks (repeated pairs; first week with a repeat)")
    print(f"   {'scenario':>18} {'optimizer':>16} {'peers':>16} {'time':>8}")
    for pool, size, seed in ((12, 2, 1), (30, 2, 2), (30, 3, 3), (60, 4, 4), (200, 2, 5)):
        (ours_r, ours_f), (theirs_r, theirs_f), elapsed = churn(pool, size, args.weeks, seed)
        label = f"{pool} in groups of {size}"
        print(
            f"   {label:>18} {f'{ours_r} (week {ours_f})':>16} {f'{theirs_r} (week {theirs_f})':>16} {elapsed:>7.2f}s"
        )

    print(f"\n3. One round of {args.big} members (3 past rounds, {args.big // 50} exclusions)")
    for size in (2, 4):
        ours, baseline, repeats = big_round(args.big, size)
        print(
            f"   groups of {size}: optimizer {ours:.2f}s ({repeats} repeated pairs), peers {baseline:.2f}s, "
            f"ratio {ours / baseline:.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
