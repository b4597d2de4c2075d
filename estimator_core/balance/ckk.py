"""Complete Karmarkar–Karp for three groups (Korf 1998): anytime, and exact when it ends.

Each free circuit starts as a partial split (its load, 0, 0) and the pinned base as one
more (its three totals, tied to their groups). A partial split only matters up to a
shift, so it is kept normalised as (a, b, 0) with a ≥ b ≥ 0, and its spread is a.
Differencing merges the two splits with the largest a; the heuristic merges them
crosswise (largest with smallest), the complete search tries every distinct way in turn,
depth first, heuristic way first. So the first path tried is plain differencing, and
later leaves only replace the incumbent (the best of the heuristics to begin with) when
they beat it; a node is cut when a bound on every split below it cannot.

The search is exact when it runs out of nodes (``proven_optimal``) and stops early when
the incumbent meets the global lower bound. Otherwise its budget ends it (the deadline
on the caller's clock, or a node count when there is none) and it returns the incumbent
with the global lower bound, unproven. It works on circuits, not counts, so it suits
panels of many distinct loads, where the count model of CP-SAT is weakest.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass

from estimator_core.balance.bounds import lower_bound
from estimator_core.balance.deadline import Deadline
from estimator_core.balance.heuristics import heuristic_counts
from estimator_core.balance.problem import (
    BalanceProblem,
    Counts,
    CountSolution,
    group_totals,
    totals_spread,
)

# Circuits one search may hold; each is a level of the (explicit) search stack.
CKK_MAX_CIRCUITS = 5000
# Nodes between two looks at the clock: well under a millisecond of search.
_CLOCK_EVERY = 64
# Nodes per second of budget when there is no clock: a conservative figure for this
# machine class, so the no-clock budget stays well inside the time limit.
CKK_NODES_PER_S = 100_000

# A partial split: (a, b, tick, origin). a ≥ b ≥ 0 are its normalised sums; the unique
# tick orders equal sums deterministically and keeps tuple comparison off ``origin``.
# origin is ("load", value), ("base",) or ("merge", left, right, order, perm): component
# k of a merge is left's component order[k] plus right's component perm[order[k]].
_Origin = tuple[object, ...]
_Part = tuple[int, int, int, _Origin]


@dataclass(frozen=True)
class CkkSolution:
    """The search's answer and how it ended: ``complete`` is True when nothing was left."""

    solution: CountSolution
    nodes: int
    complete: bool


# The six ways to add y's components to x's: component k of x gets y's perm[k].
# Crosswise first (x's largest with y's smallest): that is the differencing merge.
_PERMS = ((2, 1, 0), (2, 0, 1), (1, 2, 0), (1, 0, 2), (0, 2, 1), (0, 1, 2))


def _places(s0: int, s1: int, s2: int) -> tuple[int, int, int]:
    """Indices of three sums, largest first (the lower index first on ties)."""
    if s0 >= s1:
        if s1 >= s2:
            return (0, 1, 2)
        return (0, 2, 1) if s0 >= s2 else (2, 0, 1)
    if s0 >= s2:
        return (1, 0, 2)
    return (1, 2, 0) if s1 >= s2 else (2, 1, 0)


def _normalised(sums: list[int]) -> tuple[int, int, tuple[int, int, int]]:
    """(a, b) of a triple and which component of ``sums`` lands at each sorted place."""
    order = _places(sums[0], sums[1], sums[2])
    low = sums[order[2]]
    return sums[order[0]] - low, sums[order[1]] - low, order


def _merges(x: _Part, y: _Part, tick: int) -> list[_Part]:
    """Every distinct merge of two partial splits, the differencing one first."""
    xa, xb = x[0], x[1]
    ys = (y[0], y[1], 0)
    found: dict[tuple[int, int], _Part] = {}
    for perm in _PERMS:
        sums = (xa + ys[perm[0]], xb + ys[perm[1]], ys[perm[2]])
        order = _places(sums[0], sums[1], sums[2])
        low = sums[order[2]]
        key = (sums[order[0]] - low, sums[order[1]] - low)
        if key not in found:
            found[key] = (key[0], key[1], tick + len(found), ("merge", x[3], y[3], order, perm))
    first, *rest = found.values()
    rest.sort()
    return [first, *rest]


def _counts_of(problem: BalanceProblem, last: _Part, base_groups: tuple[int, int, int]) -> Counts:
    """Which group each circuit of the final split landed in, as counts per load.

    The base's components are its groups in ``base_groups`` order, so the final split's
    components are mapped to groups through wherever the base's parts ended up.
    """
    # Walk the merge tree: where each component of each partial split finally went.
    loads: list[tuple[int, int]] = []  # (value, final component)
    base_final: tuple[int, int, int] = (0, 1, 2)
    stack: list[tuple[_Origin, tuple[int, int, int]]] = [(last[3], (0, 1, 2))]
    while stack:
        origin, place = stack.pop()
        kind = origin[0]
        if kind == "load":
            value = origin[1]
            assert isinstance(value, int)
            loads.append((value, place[0]))
        elif kind == "base":
            base_final = place
        else:
            _, left, right, order, perm = origin
            assert isinstance(left, tuple) and isinstance(right, tuple)
            assert isinstance(order, tuple) and isinstance(perm, tuple)
            # Sorted place k holds left's component order[k] plus right's perm[order[k]].
            left_place = [0, 0, 0]
            right_place = [0, 0, 0]
            for k in range(3):
                left_place[order[k]] = place[k]
                right_place[perm[order[k]]] = place[k]
            stack.append((left, (left_place[0], left_place[1], left_place[2])))
            stack.append((right, (right_place[0], right_place[1], right_place[2])))
    # base component k is group base_groups[k] and ended in final component base_final[k].
    group_of_final = [0, 0, 0]
    for k in range(3):
        group_of_final[base_final[k]] = base_groups[k]
    split: dict[int, list[int]] = {v: [0, 0, 0] for v, _ in problem.loads}
    for value, final in loads:
        split[value][group_of_final[final]] += 1
    return {v: (s[0], s[1], s[2]) for v, s in split.items()}


def _node_bound(top: _Part, total: int, sum_a: int) -> int:
    """A lower bound on the spread of every split below a node (sums normalised).

    ``top`` is the partial split with the largest a, ``total`` the sum of all parts'
    sums and ``sum_a`` of their a's. The fullest group holds at least a third of the
    total and at least a; the emptiest at most a third and at most half of what the
    fullest leaves. And another part (x, y, 0) can narrow the gap between the groups
    holding top's a and top's 0 by at most its own x.
    """
    a = top[0]
    most = max(-(-total // 3), a)
    least = min(total // 3, (total - most) // 2)
    return max(most - least, a - (sum_a - a), 0)


class _Search:
    """The search state: the partial splits (sorted), their sums, the incumbent, the budget."""

    def __init__(
        self,
        parts: list[_Part],
        best_spread: int,
        global_lb: int,
        deadline: Deadline,
        node_limit: int | None,
    ) -> None:
        self.parts = sorted(parts)
        self.total = sum(p[0] + p[1] for p in parts)
        self.sum_a = sum(p[0] for p in parts)
        self.tick = len(parts)
        self.best_spread = best_spread
        self.best_last: _Part | None = None
        self.global_lb = global_lb
        self.deadline = deadline
        self.node_limit = node_limit
        self.nodes = 0

    def _place(self, part: _Part, sign: int) -> None:
        if sign > 0:
            insort(self.parts, part)
        else:
            del self.parts[bisect_left(self.parts, part)]
        self.total += sign * (part[0] + part[1])
        self.sum_a += sign * part[0]

    def _finish(self, x: _Part, y: _Part) -> None:
        """The best last merge of two splits, kept if it beats the incumbent."""
        xa, xb, ya, yb = x[0], x[1], y[0], y[1]
        # The spread of each merge; only an improvement is built as a part.
        spreads = (
            max(xa, xb + yb, ya) - min(xb + yb, ya),
            max(xa, xb + ya, yb) - min(xb + ya, yb),
            max(xa + yb, xb, ya) - min(xb, ya),
            max(xa + yb, xb + ya) - min(xa + yb, xb + ya, 0),
            max(xa + ya, xb, yb) - min(xb, yb),
            max(xa + ya, xb + yb) - min(xb + yb, 0),
        )
        if min(spreads) < self.best_spread:
            best = min(_merges(x, y, self.tick))
            self.tick += 6
            self.best_spread, self.best_last = best[0], best

    def run(self) -> bool:
        """Depth first from the current parts; False when the budget ended it."""
        parts = self.parts
        # Each frame: the two splits it merged, its children, the next child to try and
        # the child now in ``parts`` (-1: none yet).
        frames: list[tuple[_Part, _Part, list[_Part], list[int]]] = []
        descend = True
        while True:
            if descend:
                self.nodes += 1
                if self.nodes % _CLOCK_EVERY == 0 and self.deadline.expired():
                    return False
                if self.node_limit is not None and self.nodes > self.node_limit:
                    return False
                if len(parts) == 2:
                    # The last merge: its children are complete splits, judged here.
                    self._finish(parts[1], parts[0])
                elif len(parts) == 1:
                    if parts[0][0] < self.best_spread:
                        self.best_spread, self.best_last = parts[0][0], parts[0]
                elif _node_bound(parts[-1], self.total, self.sum_a) < self.best_spread:
                    x = parts.pop()
                    y = parts.pop()
                    self.total -= x[0] + x[1] + y[0] + y[1]
                    self.sum_a -= x[0] + y[0]
                    # Children that cannot beat the incumbent are never placed (the node
                    # bound, inlined: this is the innermost loop).
                    above = parts[-1]
                    best, total, sum_a = self.best_spread, self.total, self.sum_a
                    children = []
                    for child in _merges(x, y, self.tick):
                        a = max(child[0], above[0])
                        t = total + child[0] + child[1]
                        most = max(-(-t // 3), a)
                        if (
                            most - min(t // 3, (t - most) // 2) < best
                            and a + a - sum_a - child[0] < best
                        ):
                            children.append(child)
                    frames.append((x, y, children, [0, -1]))
                    self.tick += 6
            descend = False
            if not frames or self.best_spread <= self.global_lb:
                return True
            x, y, children, cursor = frames[-1]
            if cursor[1] >= 0:
                # Back from the child now placed: take it out again.
                self._place(children[cursor[1]], -1)
            if cursor[0] < len(children):
                child = children[cursor[0]]
                cursor[1] = cursor[0]
                cursor[0] += 1
                self._place(child, +1)
                descend = True
            else:
                frames.pop()
                parts.append(y)
                parts.append(x)
                self.total += x[0] + x[1] + y[0] + y[1]
                self.sum_a += x[0] + y[0]


def solve_ckk(
    problem: BalanceProblem,
    deadline: Deadline,
    *,
    start: Counts | None = None,
    node_limit: int | None = None,
) -> CkkSolution:
    """Complete differencing search, anytime; see the module docstring.

    Stops after ``node_limit`` nodes (if given) or when ``deadline`` expires, whichever
    comes first; the answer is never worse than ``start`` (default: the heuristics).
    """
    incumbent = dict(start) if start is not None else heuristic_counts(problem)
    best_spread = totals_spread(group_totals(problem, incumbent))
    global_lb = lower_bound(problem)
    if best_spread <= global_lb or problem.free_count > CKK_MAX_CIRCUITS:
        done = best_spread <= global_lb
        bound = best_spread if done else global_lb
        solution = CountSolution(incumbent, best_spread, bound, done, "ckk")
        return CkkSolution(solution, 0, done)

    # Data: the base as one partial split (largest first, its groups remembered) and one
    # split per free circuit.
    g0, g1, g2 = sorted(range(3), key=lambda g: (-problem.base[g], g))
    base_groups = (g0, g1, g2)
    a0, b0, _ = _normalised([problem.base[g] for g in base_groups])
    parts: list[_Part] = [(a0, b0, 0, ("base",))]
    for value, count in problem.loads:
        for _ in range(count):
            parts.append((value, 0, len(parts), ("load", value)))
    search = _Search(parts, best_spread, global_lb, deadline, node_limit)

    complete = search.run()
    counts = incumbent
    if search.best_last is not None:
        counts = _counts_of(problem, search.best_last, base_groups)
    spread = totals_spread(group_totals(problem, counts))
    complete = complete or spread <= global_lb
    bound = spread if complete else global_lb
    solution = CountSolution(counts, spread, bound, spread <= bound, "ckk")
    return CkkSolution(solution, search.nodes, complete)
