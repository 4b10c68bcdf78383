"""The round-by-round planner: a greedy that places the most constrained members first, then a tabu search that
swaps members between groups of the round to remove repeated pairs (after Dotú & Van Hentenryck, "Scheduling
social golfers locally"), a polish for the soft preferences, and the repair that keeps exclusions. Big rosters
stay near-linear: the greedy looks at a bounded sample of groups, the search at a bounded sample of swaps."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from bot.features.rounds.grouping.costs import Costs
from bot.features.rounds.grouping.model import HARD, REPEAT

__all__ = ["Round", "repair"]


class Round:
    """A round under construction: groups of member indices with fixed capacities."""

    def __init__(self, costs: Costs, sizes: list[int], rng: random.Random) -> None:
        self.costs = costs
        self.sizes = sizes
        self.rng = rng
        self.groups: list[list[int]] = [[] for _ in sizes]
        self.where = [-1] * costs.n

    def greedy(self) -> None:
        """Place the most constrained members first, each in the cheapest of a bounded sample of groups."""
        costs, rng = self.costs, self.rng
        order = list(range(costs.n))
        rng.shuffle(order)
        order.sort(key=lambda i: -len(costs.pen[i]))
        open_groups = list(range(len(self.sizes)))
        position = {g: i for i, g in enumerate(open_groups)}
        random_ = rng.random
        for member in order:
            count = len(open_groups)
            if count <= 64:
                # Small rosters: every open group, the emptiest first among equals, so the most constrained
                # members start apart.
                best, best_key = open_groups[0], (math.inf, 0)
                for g in open_groups:
                    key = (costs.join(member, self.groups[g]), len(self.groups[g]))
                    if key < best_key:
                        best, best_key = g, key
                best_cost = best_key[0]
            else:
                # Big rosters: random open groups, the first free of any cost wins (with soft preferences,
                # the best of a few).
                best, best_cost = -1, math.inf
                pen = costs.pen[member]
                for _ in range(8 if costs.soft else 24):
                    g = open_groups[int(random_() * count)]
                    if not pen and not costs.soft:
                        best, best_cost = g, 0.0  # nobody to avoid: any group will do
                        break
                    cost = costs.join(member, self.groups[g])
                    if cost < best_cost:
                        best, best_cost = g, cost
                        if cost <= 0 and not costs.soft:
                            break
                if best_cost >= HARD:
                    # An exclusion in every sampled group: look at them all before giving in.
                    for g in open_groups:
                        cost = costs.join(member, self.groups[g])
                        if cost < best_cost:
                            best, best_cost = g, cost
            self.groups[best].append(member)
            self.where[member] = best
            if len(self.groups[best]) == self.sizes[best]:
                last = open_groups.pop()
                if last != best:
                    slot = position[best]
                    open_groups[slot] = last
                    position[last] = slot
                del position[best]

    def member_cost(self, member: int) -> float:
        group = self.groups[self.where[member]]
        if not self.costs.soft:
            return self.costs.join(member, group)  # a member is never in their own sparse costs
        return self.costs.join(member, (o for o in group if o != member))

    def swap_delta(self, a: int, b: int) -> float:
        costs = self.costs
        ga, gb = self.groups[self.where[a]], self.groups[self.where[b]]
        before = costs.join(a, (o for o in ga if o != a)) + costs.join(b, (o for o in gb if o != b))
        after = costs.join(a, (o for o in gb if o != b)) + costs.join(b, (o for o in ga if o != a))
        return after - before

    def swap(self, a: int, b: int) -> None:
        ga, gb = self.where[a], self.where[b]
        self.groups[ga][self.groups[ga].index(a)] = b
        self.groups[gb][self.groups[gb].index(b)] = a
        self.where[a], self.where[b] = gb, ga

    def total(self) -> float:
        return sum(self.costs.group(g) for g in self.groups)

    def tabu(self, iterations: int) -> None:
        """Remove repeated pairs (and exclusions) by swapping members between groups; a swap that moved a
        member out of a group is tabu for a few iterations, unless it beats the best round seen."""
        costs, rng = self.costs, self.rng
        n = costs.n
        if len(self.groups) < 2:
            return
        current = self.total()
        best_cost, best_groups = current, [list(g) for g in self.groups]
        tabu_until: dict[tuple[int, int], int] = {}
        stale = 0
        # Members in a repeated pair or an exclusion; only swaps touch the groups, so only those are re-checked.
        watch = {m for m in range(n) if costs.pen[m] and self.member_cost(m) >= REPEAT / 2}
        for it in range(iterations):
            conflicted = sorted(m for m in watch if self.member_cost(m) >= REPEAT / 2)
            watch = set(conflicted)
            if not conflicted:
                break
            if len(conflicted) > 12:
                conflicted = rng.sample(conflicted, 12)
            if n <= 300:
                partners: Sequence[int] = range(n)
            else:
                partners = [rng.randrange(n) for _ in range(300)]
            best_move, best_delta = None, math.inf
            # What each partner pays where it is, computed once per iteration; then a swap's delta costs one
            # look at the conflicted member's group: after - before, where a and b trade places.
            own = {b: self.member_cost(b) for b in partners}
            for a in conflicted:
                ga = self.where[a]
                group_a = self.groups[ga]
                cost_a = [costs.join(a, g) for g in self.groups]
                cost_a[ga] = self.member_cost(a)
                for b in partners:
                    gb = self.where[b]
                    if gb == ga:
                        continue
                    ab = costs.pair(a, b)
                    delta = (cost_a[gb] - ab) + (costs.join(b, group_a) - ab) - cost_a[ga] - own[b]
                    is_tabu = tabu_until.get((a, gb), -1) >= it or tabu_until.get((b, ga), -1) >= it
                    if is_tabu and current + delta >= best_cost - 1e-9:
                        continue
                    if delta < best_delta - 1e-9 or (abs(delta - best_delta) <= 1e-9 and rng.random() < 0.5):
                        best_move, best_delta = (a, b), delta
            if best_move is None:
                break
            a, b = best_move
            ga, gb = self.where[a], self.where[b]
            self.swap(a, b)
            watch.update(self.groups[ga])
            watch.update(self.groups[gb])
            current += best_delta
            tabu_until[(a, ga)] = it + rng.randint(4, 12)
            tabu_until[(b, gb)] = it + rng.randint(4, 12)
            if current < best_cost - 1e-9:
                best_cost, best_groups, stale = current, [list(g) for g in self.groups], 0
            else:
                stale += 1
                if stale > 150:
                    break
        self._restore(best_groups)

    def polish(self, tries: int) -> None:
        """Soft preferences: random swaps kept only when they make the round strictly better."""
        costs, rng = self.costs, self.rng
        if not costs.soft or len(self.groups) < 2:
            return
        n = costs.n
        for _ in range(tries):
            a, b = rng.randrange(n), rng.randrange(n)
            if self.where[a] != self.where[b] and self.swap_delta(a, b) < -1e-9:
                self.swap(a, b)

    def _restore(self, groups: list[list[int]]) -> None:
        self.groups = groups
        for g, members in enumerate(groups):
            for m in members:
                self.where[m] = g


def repair(costs: Costs, groups: list[list[int]], size: int) -> tuple[list[list[int]], list[int]]:
    """Take out whoever is grouped with someone they must never meet, put them back where nobody excludes them
    (groups up to size + 1), and say who could not be placed. Groups of one join another group or sit out."""
    out: list[int] = []
    for group in groups:
        if not any(costs.excluded[m] for m in group):
            continue
        while True:
            bad = [m for m in group if costs.excluded[m] & set(group)]
            if not bad:
                break
            worst = max(bad, key=lambda m: (len(costs.excluded[m] & set(group)), -m))
            group.remove(worst)
            out.append(worst)
    groups = [g for g in groups if g]
    for single in [g for g in groups if len(g) == 1]:
        groups.remove(single)
        out.extend(single)
    unplaced = []
    for member in sorted(out):
        options = [g for g in groups if len(g) < size + 1 and not costs.excluded[member] & set(g)]
        if options:
            target = min(options, key=lambda g: (costs.join(member, g), len(g)))
            target.append(member)
        else:
            unplaced.append(member)
    if len(unplaced) >= 2:
        # Two or more left over and not excluding each other: a group of their own beats sitting out.
        leftover: list[int] = []
        for member in list(unplaced):
            if not costs.excluded[member] & set(leftover):
                leftover.append(member)
        if len(leftover) >= 2:
            groups.append(leftover)
            unplaced = [m for m in unplaced if m not in leftover]
    return groups, unplaced
