"""What a pair, a member in a group, or a group costs in one round: exclusions (hard), repeats weighted by how
recent they are, then the soft preferences (shared interests, different companies, time zones, and the caller's
own ``soft_pairs``). Members are indices 0..n-1 here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from bot.features.rounds.grouping.model import HARD, RECENCY, REPEAT, SOFT_CAP, PastRound, Person, Weights

__all__ = ["Costs"]


class Costs:
    """Pair costs between the members of one round, by index (0..n-1)."""

    def __init__(
        self,
        people: list[Person],
        history: Sequence[PastRound],
        exclusions: Iterable[tuple[str, str]],
        weights: Weights,
        now: datetime | None,
        soft_pairs: Mapping[tuple[str, str], float] | None = None,
    ) -> None:
        self.n = len(people)
        index = {p.id: i for i, p in enumerate(people)}
        self.index = index
        # pen[i][j]: exclusions and recency-weighted repeats; the sparse part of the cost.
        self.pen: list[dict[int, float]] = [{} for _ in people]
        pen = self.pen
        latest = now or max((r.when for r in history if r.when is not None), default=None)
        count = len(history)
        for position, past in enumerate(history):
            if past.when is not None and latest is not None:
                age_days = max(0.0, (latest - past.when).total_seconds() / 86400)
            else:
                age_days = 7.0 * (count - position)
            weight = REPEAT + RECENCY * 0.5 ** (age_days / max(weights.repeat_half_life_days, 1e-9))
            for group in past.groups:
                members = [index[m] for m in group if m in index]
                for x, a in enumerate(members):
                    pa = pen[a]
                    for b in members[x + 1 :]:
                        if a != b:
                            pa[b] = pa.get(b, 0.0) + weight
                            pen[b][a] = pen[b].get(a, 0.0) + weight
        self.excluded: list[set[int]] = [set() for _ in people]
        for a_id, b_id in exclusions:
            if a_id not in index or b_id not in index or index[a_id] == index[b_id]:
                continue
            a, b = index[a_id], index[b_id]
            if b not in self.excluded[a]:
                self.excluded[a].add(b)
                self.excluded[b].add(a)
                self.pen[a][b] = self.pen[a].get(b, 0.0) + HARD
                self.pen[b][a] = self.pen[b].get(a, 0.0) + HARD
        self.interests = [p.interests for p in people]
        self.company = [p.company.strip().casefold() for p in people]
        self.offset = [p.utc_offset for p in people]
        self.w_interest = weights.shared_interests if any(self.interests) else 0.0
        self.w_company = weights.different_companies if any(self.company) else 0.0
        self.w_zone = weights.timezone_overlap if any(o is not None for o in self.offset) else 0.0
        # The caller's own soft costs per pair (pairs to keep apart or bring together), clipped below a repeat.
        self.extra: list[dict[int, float]] = [{} for _ in people]
        for (a_id, b_id), value in (soft_pairs or {}).items():
            if a_id in index and b_id in index and a_id != b_id and value:
                a, b = index[a_id], index[b_id]
                clipped = max(-SOFT_CAP, min(SOFT_CAP, float(value)))
                self.extra[a][b] = self.extra[b][a] = clipped
        self.soft = bool(self.w_interest or self.w_company or self.w_zone or any(self.extra))

    def met(self, a: int, b: int) -> bool:
        """Whether ``a`` and ``b`` met in a past round."""
        cost = self.pen[a].get(b, 0.0)
        if b in self.excluded[a]:
            cost -= HARD
        return cost >= REPEAT / 2

    def pair(self, a: int, b: int) -> float:
        cost = self.pen[a].get(b, 0.0)
        if self.soft:
            cost += self.soft_pair(a, b)
        return cost

    def soft_pair(self, a: int, b: int) -> float:
        """The soft preferences' cost of grouping ``a`` with ``b`` (negative: they would rather meet)."""
        cost = self.extra[a].get(b, 0.0)
        if self.w_company and self.company[a] and self.company[a] == self.company[b]:
            cost += self.w_company
        if self.w_interest and self.interests[a] and not self.interests[a].isdisjoint(self.interests[b]):
            cost -= self.w_interest
        if self.w_zone:
            oa, ob = self.offset[a], self.offset[b]
            if oa is not None and ob is not None:
                gap = abs(oa - ob)
                gap = min(gap, 24 - gap)
                cost += self.w_zone * min(1.0, gap / 8)
        return cost

    def join(self, member: int, group: Iterable[int]) -> float:
        """The cost of adding ``member`` to ``group``."""
        pen = self.pen[member]
        if not self.soft:
            return sum(pen.get(other, 0.0) for other in group)
        return sum(pen.get(other, 0.0) + self.soft_pair(member, other) for other in group)

    def group(self, members: Sequence[int]) -> float:
        return sum(
            self.pair(a, members[x]) for i, a in enumerate(members) for x in range(i + 1, len(members))
        )
