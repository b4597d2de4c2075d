"""Complete Karmarkar–Karp for three groups (Korf 1998): anytime, and exact when it ends.

Each free circuit starts as a partial split (its load, 0, 0) and the pinned base as one
more (its three totals, tied to their groups). A partial split only matters up to a
shift, so it is kept normalised as (a, b, 0) with a ≥ b ≥ 0, and its spread is a.
Differencing merges the two splits with the largest a; the heuristic merges them
crosswise (largest with smallest), the complete search tries every distinct way in turn,
depth first, heuristic way first. So the first leaf is the differencing answer, and each
later leaf can only improve the incumbent; a node is cut when a bound on every split
below it cannot beat the incumbent.

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
# Nodes between two looks at the clock (a look costs about as much as a node).
_CLOCK_EVERY = 256
# Nodes per second of budget when there is no clock: a conservative figure for this
# machine class, so the no-clock budget stays well inside the time limit.
CKK_NODES_PER_S = 100_000

# A partial split: (a, b, tick, origin). a ≥ b ≥ 0 are its normalised sums; the unique
# tick orders equal sums deterministically and keeps tuple comparison off ``origin``.
# origin is ("load", value), ("base",) or ("merge", left, right, from_left, from_right):
# component k of a merge is left's component from_left[k] plus right's from_right[k].
_Origin = tuple[object, ...]
_Part = tuple[int, int, int, _Origin]


@dataclass(frozen=True)
class CkkSolution:
    """The search's answer and how it ended: ``complete`` is True when nothing was left."""

    solution: CountSolution
    nodes: int
    complete: bool


def _normalised(sums: list[int]) -> tuple[int, int, tuple[int, int, int]]:
    """(a, b) of a triple and which component of ``sums`` lands at each sorted place."""
    order = sorted(range(3), key=lambda k: (-sums[k], k))
    low = sums[order[2]]
    return sums[order[0]] - low, sums[order[1]] - low, (order[0], order[1], order[2])


def _merges(x: _Part, y: _Part, tick: int) -> list[_Part]:
    """Every distinct merge of two partial splits, the differencing one first."""
    xs = (x[0], x[1], 0)
    ys = (y[0], y[1], 0)
    found: dict[tuple[int, int], _Part] = {}
    # Crosswise first (x's largest with y's smallest), then the rest.
    for perm in ((2, 1, 0), (2, 0, 1), (1, 2, 0), (1, 0, 2), (0, 2, 1), (0, 1, 2)):
        sums = [xs[k] + ys[perm[k]] for k in range(3)]
        a, b, order = _normalised(sums)
        if (a, b) in found:
            continue
        from_y = (perm[order[0]], perm[order[1]], perm[order[2]])
        found[a, b] = (a, b, tick + len(found), ("merge", x[3], y[3], order, from_y))
    first, *rest = found.values()
    rest.sort(key=lambda part: (part[0], part[1], part[2]))
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
            _, left, right, from_left, from_right = origin
            assert isinstance(left, tuple) and isinstance(right, tuple)
            assert isinstance(from_left, tuple) and isinstance(from_right, tuple)
            left_place = [0, 0, 0]
            right_place = [0, 0, 0]
            for k in range(3):
                left_place[from_left[k]] = place[k]
                right_place[from_right[k]] = place[k]
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


def _node_bound(top: _Part, total: int) -> int:
    """A lower bound on the spread of every split below a node (sums normalised).

    ``top`` is the partial split with the largest a, ``total`` the sum of all parts. The
    fullest group holds at least a third of the total and at least a; the emptiest at
    most a third and at most half of what the fullest leaves. And the group that gets
    top's 0 can gain at most what the other parts hold, while another holds a.
    """
    a, b = top[0], top[1]
    most = max(-(-total // 3), a)
    least = min(total // 3, (total - most) // 2)
    return max(most - least, a - (total - a - b), 0)


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
    base_sums = [problem.base[g] for g in base_groups]
    a0, b0, _ = _normalised(base_sums)
    parts: list[_Part] = [(a0, b0, 0, ("base",))]
    tick = 1
    for value, count in problem.loads:
        for _ in range(count):
            parts.append((value, 0, tick, ("load", value)))
            tick += 1
    parts.sort()
    total = sum(p[0] + p[1] for p in parts)
    best_last: _Part | None = None

    # Depth-first search with an explicit stack: each frame holds the two splits it
    # merged, its children, the next child to try and the child now in ``parts``.
    frames: list[tuple[_Part, _Part, list[_Part], list[int]]] = []
    nodes = 0
    stopped = False
    descend = True
    while True:
        if descend:
            nodes += 1
            if nodes % _CLOCK_EVERY == 0 and deadline.expired():
                stopped = True
                break
            if node_limit is not None and nodes > node_limit:
                stopped = True
                break
            top = parts[-1]
            if len(parts) == 1:
                if top[0] < best_spread:
                    best_spread, best_last = top[0], top
            elif _node_bound(top, total) < best_spread:
                x = parts.pop()
                y = parts.pop()
                total -= x[0] + x[1] + y[0] + y[1]
                frames.append((x, y, _merges(x, y, tick), [0, -1]))
                tick += 6
        descend = False
        if not frames or best_spread <= global_lb:
            break
        x, y, children, cursor = frames[-1]
        if cursor[1] >= 0:
            # Back from the child now placed: take it out again.
            child = children[cursor[1]]
            del parts[bisect_left(parts, child)]
            total -= child[0] + child[1]
        if cursor[0] < len(children):
            child = children[cursor[0]]
            cursor[1] = cursor[0]
            cursor[0] += 1
            insort(parts, child)
            total += child[0] + child[1]
            descend = True
        else:
            frames.pop()
            parts.append(y)
            parts.append(x)
            total += x[0] + x[1] + y[0] + y[1]

    complete = not stopped
    counts = incumbent if best_last is None else _counts_of(problem, best_last, base_groups)
    spread = totals_spread(group_totals(problem, counts))
    bound = spread if complete else global_lb
    solution = CountSolution(counts, spread, bound, spread <= bound, "ckk")
    return CkkSolution(solution, nodes, complete)
