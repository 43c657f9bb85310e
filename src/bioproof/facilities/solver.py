"""The schedule solver (OR-Tools CP-SAT), free of Django so the benchmark can drive it directly.

Time is in whole hours from the planning origin. Each task (a work package) runs on exactly one
of its candidate equipment (the center's equipment of its class) for ``duration`` hours, not
before its release, after all its predecessors end; a task that needs an assisting staff member
also takes exactly one of its qualified staff for its whole duration. An equipment and a staff
member do one thing at a time (an equipment stays held for its buffer hours after a task),
and nothing overlaps an equipment's existing bookings or blackouts (fixed intervals) or a staff
member's existing assignments.

Objective: minimize total lateness ``Σ max(0, end_i − due_i)`` (hours). The solver reports its
best objective, the proven lower bound, and the gap ``(objective − bound) / max(objective, 1)``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Task:
    key: Any
    duration: int
    release: int
    due: int
    equipment: tuple[int, ...]
    staff: tuple[int, ...] = ()
    needs_staff: bool = False
    predecessors: tuple[Any, ...] = ()


@dataclass
class Assignment:
    key: Any
    equipment: int
    staff: int | None
    start: int
    end: int
    lateness: int


@dataclass
class Solution:
    status: str
    objective: float
    bound: float
    wall_seconds: float
    assignments: list[Assignment] = field(default_factory=list)

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / max(self.objective, 1.0))

    @property
    def feasible(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


def _fit(spans: list[tuple[int, int]], t: int, length: int) -> int:
    """The earliest start ≥ t of a free gap of ``length`` among sorted busy ``spans``."""
    for a, b in spans:
        if b <= t:
            continue
        if a >= t + length:
            break
        t = max(t, b)
    return t


def greedy(
    tasks: list[Task],
    busy_equipment: dict[int, list[tuple[int, int]]],
    busy_staff: dict[int, list[tuple[int, int]]],
    buffers: dict[int, int],
) -> dict[Any, tuple[int, int | None, int]]:
    """A list schedule (earliest start by precedence, then due time; each task on the resource
    pair that ends it first): the solver's hint, so it starts from a good feasible plan."""
    eq_busy = {k: sorted(v) for k, v in busy_equipment.items()}
    st_busy = {k: sorted(v) for k, v in busy_staff.items()}
    done: dict[Any, tuple[int, int | None, int]] = {}
    durations = {t.key: t.duration for t in tasks}
    pending = {t.key: t for t in tasks}
    known = set(pending)
    while pending:
        ready = [
            t for t in pending.values() if all(p in done or p not in known for p in t.predecessors)
        ]
        if not ready:  # a cycle: leave the rest to the solver
            break

        def est(t: Task) -> int:
            ends = [done[p][0] + durations[p] for p in t.predecessors if p in done]
            return max([t.release, *ends])

        task = min(ready, key=lambda t: (est(t), t.due))
        t0 = est(task)
        best: tuple[int, int, int | None] | None = None
        for eq in task.equipment:
            held = task.duration + buffers.get(eq, 0)
            for st in task.staff if task.needs_staff else (None,):
                t = t0
                for _ in range(1000):
                    t = _fit(eq_busy.get(eq, []), t, held)
                    t2 = t if st is None else _fit(st_busy.get(st, []), t, task.duration)
                    if t2 == t:
                        break
                    t = t2
                if best is None or t < best[0]:
                    best = (t, eq, st)
        if best is None:
            break
        t, eq, st = best
        eq_busy.setdefault(eq, []).append((t, t + task.duration + buffers.get(eq, 0)))
        eq_busy[eq].sort()
        if st is not None:
            st_busy.setdefault(st, []).append((t, t + task.duration))
            st_busy[st].sort()
        done[task.key] = (t, st, eq)
        del pending[task.key]
    return done


def solve(
    tasks: list[Task],
    *,
    horizon: int,
    busy_equipment: dict[int, list[tuple[int, int]]] | None = None,
    busy_staff: dict[int, list[tuple[int, int]]] | None = None,
    buffers: dict[int, int] | None = None,
    time_limit: float = 8.0,
    workers: int = 2,
    seed: int = 0,
) -> Solution:
    """Propose start times and resources for ``tasks`` (see the module doc)."""
    started = time.perf_counter()
    model = cp_model.CpModel()
    by_key = {t.key: t for t in tasks}
    starts, ends, lates = {}, {}, []
    eq_intervals: dict[int, list[Any]] = defaultdict(list)
    staff_intervals: dict[int, list[Any]] = defaultdict(list)
    eq_choice: dict[Any, list[tuple[int, Any]]] = {}
    staff_choice: dict[Any, list[tuple[int, Any]]] = {}
    late_horizon = horizon * 2
    main_intervals: list[tuple[Task, Any]] = []
    for t in tasks:
        s = model.new_int_var(t.release, late_horizon, f"s{t.key}")
        e = model.new_int_var(t.release + t.duration, late_horizon + t.duration, f"e{t.key}")
        model.add(e == s + t.duration)
        starts[t.key], ends[t.key] = s, e
        choices = []
        for eq in t.equipment:
            lit = model.new_bool_var(f"x{t.key}_{eq}")
            held = t.duration + (buffers or {}).get(eq, 0)  # the equipment's buffer after use
            eq_intervals[eq].append(
                model.new_optional_fixed_size_interval_var(s, held, lit, f"i{t.key}_{eq}")
            )
            choices.append((eq, lit))
        model.add_exactly_one(lit for _, lit in choices)
        eq_choice[t.key] = choices
        if t.needs_staff:
            schoices = []
            for st in t.staff:
                lit = model.new_bool_var(f"y{t.key}_{st}")
                staff_intervals[st].append(
                    model.new_optional_interval_var(s, t.duration, e, lit, f"j{t.key}_{st}")
                )
                schoices.append((st, lit))
            model.add_exactly_one(lit for _, lit in schoices)
            staff_choice[t.key] = schoices
        late = model.new_int_var(0, late_horizon + t.duration, f"l{t.key}")
        model.add(late >= e - t.due)  # minimized: late = max(0, end − due)
        lates.append(late)
        main_intervals.append((t, model.new_interval_var(s, t.duration, e, f"m{t.key}")))
    for t in tasks:
        for p in t.predecessors:
            if p in by_key:
                model.add(starts[t.key] >= ends[p])
    for eq, spans in (busy_equipment or {}).items():
        for a, b in spans:
            if b > a:
                eq_intervals[eq].append(model.new_fixed_size_interval_var(a, b - a, f"b{eq}_{a}"))
    for st, spans in (busy_staff or {}).items():
        for a, b in spans:
            if b > a:
                staff_intervals[st].append(
                    model.new_fixed_size_interval_var(a, b - a, f"c{st}_{a}")
                )
    for intervals in list(eq_intervals.values()) + list(staff_intervals.values()):
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    # redundant: tasks sharing the same candidate pool use at most as many as the pool holds
    pools: dict[tuple[int, ...], list[Any]] = defaultdict(list)
    for t, interval in main_intervals:
        pools[tuple(sorted(t.equipment))].append(interval)
    for pool, intervals in pools.items():
        if len(intervals) > len(pool):
            model.add_cumulative(intervals, [1] * len(intervals), len(pool))
    model.minimize(sum(lates))
    hint = greedy(tasks, busy_equipment or {}, busy_staff or {}, buffers or {})
    for t in tasks:
        if t.key not in hint:
            continue
        start, st, eq = hint[t.key]
        model.add_hint(starts[t.key], start)
        for e_, lit in eq_choice[t.key]:
            model.add_hint(lit, e_ == eq)
        for s_, lit in staff_choice.get(t.key, []):
            model.add_hint(lit, s_ == st)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.linearization_level = 2
    code = solver.solve(model)
    status = solver.status_name(code)
    out = Solution(status, 0.0, 0.0, time.perf_counter() - started)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return out
    out.objective = solver.objective_value
    out.bound = solver.best_objective_bound
    for t in tasks:
        eq = next(e for e, lit in eq_choice[t.key] if solver.boolean_value(lit))
        st = None
        if t.key in staff_choice:
            st = next(s for s, lit in staff_choice[t.key] if solver.boolean_value(lit))
        start = solver.value(starts[t.key])
        end = start + t.duration
        out.assignments.append(Assignment(t.key, eq, st, start, end, max(0, end - t.due)))
    out.wall_seconds = time.perf_counter() - started
    return out
