"""The food-tour search: which eatery for which dish, in which order, every stop open through
its meal. Pure Python, no database: `tourism.tours.service` builds the `Problem`.

A tour is a sequence of stops; a stop is an eatery and the wanted dishes eaten there (one or
more, each dish at most once in the tour). The objective, compared as a tuple, larger first:

1. the number of wanted dishes covered,
2. the sum over covered dishes of the eatery's rating score (0..5, `Candidate.score`),
3. fewer minutes travelled (waiting and eating do not count: they are the same meals).

Exact search is dynamic programming over labels keyed by (dishes covered, last stop): a label
holds the clock, the score, the minutes travelled and the money spent; a label is dropped when
another with the same key is no worse in all four (earlier is never worse: one may wait for an
eatery to open). Every tour is an extension of its prefix, so the best label is the best tour.
"""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

SCORE_DIGITS = 9  # scores are compared rounded: sums in another order must tie


@dataclass(frozen=True)
class Candidate:
    """An eatery that may be a stop: the wanted dishes it serves (indexes into the problem's
    dishes) with their prices, its score, and its opening intervals in minutes from the start
    (sorted, not overlapping)."""

    key: int
    prices: dict[int, int]
    score: float
    intervals: tuple[tuple[float, float], ...]

    @property
    def dishes(self) -> int:
        return sum(1 << d for d in self.prices)


@dataclass(frozen=True)
class Problem:
    """`travel[i][j]`: minutes from point i to point j, where point 0 is the start, points
    1..n the candidates in order, and point n+1 the end when there is one."""

    dishes: int  # how many wanted dishes
    candidates: Sequence[Candidate]
    travel: Sequence[Sequence[float]]
    deadline: float  # minutes from the start: everything, the walk to the end included
    eat_minutes: float  # per dish eaten
    budget: int | None = None  # VND for the food
    has_end: bool = False


@dataclass(frozen=True)
class Stop:
    candidate: int  # index into problem.candidates
    dishes: tuple[int, ...]
    arrive: float
    start: float  # after waiting for the opening, when the eatery was closed at arrival
    leave: float
    closes: float  # the end of the opening interval the meal is in


@dataclass
class Tour:
    stops: list[Stop]
    covered: int
    score: float
    travel: float
    cost: int
    optimal: bool

    def key(self) -> tuple[int, float, float]:
        return objective(self.covered, self.score, self.travel)


def objective(covered: int, score: float, travel: float) -> tuple[int, float, float]:
    return (covered, round(score, SCORE_DIGITS), -round(travel, SCORE_DIGITS))


def meal(candidate: Candidate, arrive: float, minutes: float) -> tuple[float, float] | None:
    """(start, interval end) of the earliest meal of `minutes` from `arrive` that ends before
    its interval does; None if there is none."""
    for opens, closes in candidate.intervals:
        start = max(arrive, opens)
        if start + minutes <= closes:
            return start, closes
    return None


@dataclass(slots=True)
class _Label:
    clock: float
    score: float
    travel: float
    cost: int
    mask: int
    last: int  # point index: 0 start, i + 1 candidate i
    parent: "_Label | None" = None
    stop: Stop | None = None

    def dominates(self, other: "_Label") -> bool:
        """No worse in every way that matters later (money only under a budget: `cost` is 0
        when there is none)."""
        return (
            self.clock <= other.clock
            and self.score >= other.score
            and self.travel <= other.travel
            and self.cost <= other.cost
        )


def _subsets(bits: int) -> list[int]:
    """The non-empty subsets of `bits`."""
    found, sub = [], bits
    while sub:
        found.append(sub)
        sub = (sub - 1) & bits
    return found


def _indexes(bits: int) -> tuple[int, ...]:
    return tuple(i for i in range(bits.bit_length()) if bits >> i & 1)


class _Search:
    """The labels, the best tour found so far (the incumbent), and what bounds the rest.

    A label is dropped when even its best conceivable completion cannot beat the incumbent:
    every dish still coverable, each at its best candidate's score, and at least the shortest
    leg still needed (to the nearest server of a missing dish from here, and into the hardest
    one to reach from anywhere). A greedy tour is the first incumbent.
    """

    def __init__(self, problem: Problem, *, beam: int | None, give_up_at: float) -> None:
        self.problem = p = problem
        self.beam = beam
        self.give_up_at = give_up_at
        self.timed_out = False
        self.labels: dict[tuple[int, int], list[_Label]] = {}
        self.masks = [c.dishes for c in p.candidates]
        self.coverable = 0
        for mask in self.masks:
            self.coverable |= mask
        self.best_score = [0.0] * p.dishes
        for c in p.candidates:
            for d in c.prices:
                self.best_score[d] = max(self.best_score[d], c.score)
        points = len(p.travel)
        servers = [[i + 1 for i, m in enumerate(self.masks) if m >> d & 1] for d in range(p.dishes)]
        # the shortest leg from each point to a server of each dish, and into one from anywhere
        self.nearest = [
            [
                min((p.travel[i][v] for v in servers[d] if v != i), default=math.inf)
                for d in range(p.dishes)
            ]
            for i in range(points)
        ]
        self.into = [
            min(
                (p.travel[i][v] for v in servers[d] for i in range(points) if i != v),
                default=math.inf,
            )
            for d in range(p.dishes)
        ]
        self.subsets = {}  # open dishes -> [(subset, its dishes)]
        self.best: _Label = _Label(clock=0.0, score=0.0, travel=0.0, cost=0, mask=0, last=0)
        self.best_key = _key(self.best)

    def bound(self, label: _Label) -> tuple[int, float, float]:
        """The best key any completion of `label` could reach."""
        missing = self.coverable & ~label.mask
        if not missing:
            return _key(label)
        dishes = _indexes(missing)
        score = label.score + sum(self.best_score[d] for d in dishes)
        first_leg = min(self.nearest[label.last][d] for d in dishes)
        hardest = max(self.into[d] for d in dishes)
        return objective(
            label.mask.bit_count() + len(dishes), score, label.travel + max(first_leg, hardest)
        )

    def promising(self, label: _Label) -> bool:
        return self.bound(label) > self.best_key

    def offer(self, label: _Label) -> None:
        """A feasible tour: the incumbent when it is better."""
        key = _key(label)
        if key > self.best_key:
            self.best, self.best_key = label, key

    def add(self, label: _Label) -> None:
        bucket = self.labels.setdefault((label.mask, label.last), [])
        for kept in bucket:
            if kept.dominates(label):
                return
        bucket[:] = [kept for kept in bucket if not label.dominates(kept)]
        bucket.append(label)
        if self.beam is not None and len(bucket) > self.beam:
            # beyond exact search: keep the most promising (score, then fewer minutes)
            bucket.sort(key=lambda x: (-x.score, x.travel, x.clock))
            del bucket[self.beam :]

    def ends_in_time(self, label: _Label) -> bool:
        p = self.problem
        if not p.has_end:
            return True
        return label.clock + p.travel[label.last][len(p.candidates) + 1] <= p.deadline

    def _ways(self, open_dishes: int) -> list[tuple[int, tuple[int, ...]]]:
        ways = self.subsets.get(open_dishes)
        if ways is None:
            ways = self.subsets[open_dishes] = [(s, _indexes(s)) for s in _subsets(open_dishes)]
        return ways

    def successors(self, label: _Label) -> list[_Label]:
        """Every feasible next stop after `label`."""
        p = self.problem
        found: list[_Label] = []
        row = p.travel[label.last]
        for index, candidate in enumerate(p.candidates):
            point = index + 1
            open_dishes = self.masks[index] & ~label.mask
            if not open_dishes or point == label.last:  # one stop per visit
                continue
            travel = row[point]
            arrive = label.clock + travel
            if arrive >= p.deadline:
                continue
            for eaten, dishes in self._ways(open_dishes):
                cost = label.cost
                if p.budget is not None:
                    cost += sum(candidate.prices[d] for d in dishes)
                    if cost > p.budget:
                        continue
                minutes = p.eat_minutes * len(dishes)
                slot = meal(candidate, arrive, minutes)
                if slot is None or slot[0] + minutes > p.deadline:
                    continue
                start, closes = slot
                nxt = _Label(
                    clock=start + minutes,
                    score=label.score + candidate.score * len(dishes),
                    travel=label.travel + travel,
                    cost=cost,
                    mask=label.mask | eaten,
                    last=point,
                    parent=label,
                    stop=Stop(index, dishes, arrive, start, start + minutes, closes),
                )
                if self.ends_in_time(nxt):
                    found.append(nxt)
        return found

    def greedy(self) -> None:
        """A first incumbent: always the next stop that adds most (dishes, score, then the
        shortest leg)."""
        label = self.best
        while True:
            options = self.successors(label)
            if not options:
                return
            label = max(
                options,
                key=lambda x: (x.mask.bit_count(), round(x.score, SCORE_DIGITS), -x.travel),
            )
            self.offer(label)

    def run(self) -> _Label:
        start = self.best  # the empty tour, also when even the end cannot be reached in time
        self.greedy()
        self.add(start)
        # Masks only grow: by popcount, every label is final before it is extended.
        masks = sorted(range(1 << self.problem.dishes), key=lambda m: (m.bit_count(), m))
        for mask in masks:
            for last in range(len(self.problem.candidates) + 1):
                for label in self.labels.get((mask, last), ()):
                    if time.perf_counter() > self.give_up_at:
                        self.timed_out = True
                        return self.best
                    if not self.promising(label):
                        continue
                    for nxt in self.successors(label):
                        self.offer(nxt)
                        if self.promising(nxt):
                            self.add(nxt)
        return self.best


def _key(label: _Label) -> tuple[int, float, float]:
    return objective(label.mask.bit_count(), label.score, label.travel)


def solve(problem: Problem, *, exact_up_to: int = 6, budget_ms: float = 300, beam: int = 8) -> Tour:
    """The best tour. Exact (and `optimal`) for up to `exact_up_to` dishes when it finishes
    within `budget_ms`; otherwise the best found, keeping `beam` labels per key."""
    exact = problem.dishes <= exact_up_to
    search = _Search(
        problem,
        beam=None if exact else beam,
        give_up_at=time.perf_counter() + budget_ms / 1000,
    )
    best = search.run()
    stops: list[Stop] = []
    label: _Label | None = best
    while label is not None and label.stop is not None:
        stops.append(label.stop)
        label = label.parent
    stops.reverse()
    return Tour(
        stops=stops,
        covered=best.mask.bit_count(),
        score=best.score,
        travel=best.travel,
        cost=best.cost,
        optimal=exact and not search.timed_out,
    )


def straight_minutes(metres: float, *, detour: float, kmh: float) -> float:
    return metres * detour / (kmh * 1000 / 60)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle metres (mean Earth radius): the estimate's distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))
