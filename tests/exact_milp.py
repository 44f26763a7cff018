"""An exact MILP of the planning problem, solved with HiGHS, written from DESIGN.md alone.

It shares no code with the planner: candidates, sizes, costs and the rack
model are derived here again from the catalog and scenario, and the packing is
an assignment of server counts to individual rack positions.

Variables: ``z[c]`` a workload uses candidate model ``c``; ``y[j]`` position
``j`` is used; ``q[c, j]`` servers of ``c`` in position ``j``; ``u[w, j]``
workload ``w`` has servers in ``j``. Constraints: one model per workload;
every server placed; per position and dimension (reserved kW, air kW,
liquid kW, U, kg) load <= capacity * y; a dedicated workload shares no
position; a rack-scale system is alone in its position; IT envelope; budget.
Objective: capex (servers x (1 + tariff) + racks used), or capex + energy x
years for TCO.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

INF = math.inf  # highspy.kHighsInf; highspy is imported where used, because highspy and
# OR-Tools ship conflicting HiGHS symbols and cannot be loaded in one process


@dataclass
class ExactResult:
    status: str  # "optimal", "infeasible", "limit"
    value: float
    choice: dict[str, str]
    seconds: float
    positions_used: dict[str, int] | None = None


def _candidates(scenario, catalog):  # type: ignore[no-untyped-def]
    site = scenario.site
    out = []
    for w in scenario.workloads:
        lst = []
        for s in catalog.servers:
            g = catalog.gpu(s.gpu)
            if w.allowed and s.id not in w.allowed and s.gpu not in w.allowed:
                continue
            if w.min_gpu_memory_gb and g.memory_gb < w.min_gpu_memory_gb:
                continue
            if w.min_scale_up_gpus and s.scale_up_gpus < w.min_scale_up_gpus:
                continue
            if w.gpus is not None:
                n = math.ceil(w.gpus / s.gpu_count)
            elif w.fp8_pflops is not None:
                n = max(1, math.ceil(w.fp8_pflops * 1000 / (s.gpu_count * g.fp8_tflops) - 1e-9))
            else:
                n = max(1, math.ceil(w.bf16_pflops * 1000 / (s.gpu_count * g.bf16_tflops) - 1e-9))
            kw = site.power_allocation * s.power_max_w / 1000
            size = np.array([kw, kw * (1 - s.liquid_fraction), kw * s.liquid_fraction,
                             s.u_height, s.weight_kg])
            capex = n * s.price_usd * (1 + site.tariffs.get(s.origin, 0.0))
            draw_kw = (s.power_idle_w + w.utilization * (s.power_max_w - s.power_idle_w)) / 1000
            energy = n * draw_kw * site.pue * 8760 * site.electricity_usd_per_kwh
            lst.append(dict(server=s, n=n, size=size, capex=capex, energy=energy, power=n * kw))
        out.append(lst)
    return out


@dataclass
class Model:
    """A MILP as plain lists: columns (cost, lo, hi, integer) and rows (lo, hi, idx, val)."""

    cols: list[tuple[float, float, float, bool]]
    rows: list[tuple[float, float, list[int], list[float]]]
    z: dict[tuple[int, int], int]
    y: list[int]
    positions: list[tuple[str, np.ndarray, float]]
    names: list[tuple[str, list[str]]]  # workload name, candidate server ids
    infeasible: bool = False


def build_model(scenario, catalog, objective: str | None = None) -> Model:  # type: ignore[no-untyped-def]
    objective = objective or scenario.objective
    years = scenario.horizon_years
    site = scenario.site
    cands = _candidates(scenario, catalog)
    positions = []
    for p in site.rack_positions:
        r = catalog.rack(p.rack)
        usable = r.power_kw * r.feeds / (2 if site.power_redundancy == "2N" else 1)
        cap = np.array([usable, r.air_cooling_kw, r.liquid_cooling_kw, r.u_height, r.max_load_kg])
        positions += [(r.id, cap, r.price_usd)] * p.count
    J = len(positions)
    cols: list[tuple[float, float, float, bool]] = []
    rows: list[tuple[float, float, list[int], list[float]]] = []
    names = [(w.name, [c["server"].id for c in lst]) for w, lst in zip(scenario.workloads, cands,
                                                                     strict=True)]
    if any(not lst for lst in cands):
        return Model(cols, rows, {}, [], positions, names, infeasible=True)

    def col(cost, lo, hi, integer):  # type: ignore[no-untyped-def]
        cols.append((float(cost), float(lo), float(hi), integer))
        return len(cols) - 1

    def row(lo, hi, idx, val):  # type: ignore[no-untyped-def]
        rows.append((float(lo), float(hi), list(idx), [float(v) for v in val]))

    z = {}
    q = {}
    for w, lst in enumerate(cands):
        for c, cand in enumerate(lst):
            cost = cand["capex"] + (cand["energy"] * years if objective != "capex" else 0.0)
            z[w, c] = col(cost, 0, 1, True)
    y = [col(price, 0, 1, True) for (_, _, price) in positions]
    u = {(w, j): col(0, 0, 1, True) for w in range(len(cands)) for j in range(J)}
    big_u = max(cap[3] for _, cap, _ in positions)
    for w, lst in enumerate(cands):
        row(1, 1, [z[w, c] for c in range(len(lst))], [1] * len(lst))
        for c, cand in enumerate(lst):
            s = cand["size"]
            for j, (_, cap, _) in enumerate(positions):
                fits = int(min((cap[d] + 1e-9 * cap[d]) // s[d] if s[d] > 0 else 10**6
                               for d in range(5)))
                if cand["server"].rack_scale:
                    fits = min(fits, 1)
                q[w, c, j] = col(0, 0, max(fits, 0), True)
                # q <= fits * z and q <= fits * u
                row(-INF, 0, [q[w, c, j], z[w, c]], [1, -fits])
                row(-INF, 0, [q[w, c, j], u[w, j]], [1, -fits])
            row(0, 0, [q[w, c, j] for j in range(J)] + [z[w, c]], [1] * J + [-cand["n"]])
    for j, (_, cap, _) in enumerate(positions):
        for d in range(5):
            idx, val = [], []
            for (w, c, jj), v in q.items():
                if jj == j and cands[w][c]["size"][d] > 0:
                    idx.append(v)
                    val.append(cands[w][c]["size"][d])
            idx.append(y[j])
            val.append(-cap[d])  # exact capacity: a (1 + 1e-9) factor here misled HiGHS presolve
            row(-INF, 0, idx, val)
        for w in range(len(cands)):
            row(-INF, 0, [u[w, j], y[j]], [1, -1])
        # dedicated: no other workload in a position the workload uses
        for w, wl in enumerate(scenario.workloads):
            if wl.placement == "dedicated":
                for w2 in range(len(cands)):
                    if w2 != w:
                        row(-INF, 1, [u[w, j], u[w2, j]], [1, 1])
        # rack-scale: alone in its position
        for (w, c, jj), v in q.items():
            if jj == j and cands[w][c]["server"].rack_scale:
                others = [v2 for (w2, c2, j2), v2 in q.items() if j2 == j and (w2, c2) != (w, c)]
                if others:
                    row(-INF, big_u, others + [v], [1] * len(others) + [big_u])
    # same-type positions used in order (symmetry)
    for j in range(1, J):
        if positions[j][0] == positions[j - 1][0]:
            row(0, INF, [y[j - 1], y[j]], [1, -1])
    row(-INF, site.it_power_kw * (1 + 1e-9), [z[k] for k in z],
        [cands[w][c]["power"] for (w, c) in z])
    if scenario.budget_usd is not None:
        row(-INF, scenario.budget_usd * (1 + 1e-9), [z[k] for k in z] + y,
            [cands[w][c]["capex"] for (w, c) in z] + [p for _, _, p in positions])
    return Model(cols, rows, z, y, positions, names)


def _result(model: Model, status: str, value: float, sol, seconds: float) -> ExactResult:  # type: ignore[no-untyped-def]
    if status != "optimal":
        return ExactResult(status, value, {}, seconds)
    choice = {model.names[w][0]: model.names[w][1][c] for (w, c), v in model.z.items() if sol[v] > 0.5}
    used: dict[str, int] = {}
    for j, (rid, _, _) in enumerate(model.positions):
        if sol[model.y[j]] > 0.5:
            used[rid] = used.get(rid, 0) + 1
    return ExactResult("optimal", value, choice, seconds, used)


def solve_highs(model: Model, time_limit_s: float = 60.0) -> ExactResult:
    import highspy

    if model.infeasible:
        return ExactResult("infeasible", math.inf, {}, 0.0)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", 1e-7)
    h.setOptionValue("threads", 1)
    empty_i, empty_v = np.array([], np.int32), np.array([])
    for j, (cost, lo, hi, integer) in enumerate(model.cols):
        h.addCol(cost, lo, hi, 0, empty_i, empty_v)
        if integer:
            h.changeColIntegrality(j, highspy.HighsVarType.kInteger)
    for lo, hi, idx, val in model.rows:
        h.addRow(lo, hi, len(idx), np.array(idx, np.int32), np.array(val, float))
    h.run()
    status = h.getModelStatus()
    seconds = h.getRunTime()
    if status == highspy.HighsModelStatus.kInfeasible:
        return ExactResult("infeasible", math.inf, {}, seconds)
    if status != highspy.HighsModelStatus.kOptimal:
        has = h.getInfo().primal_solution_status == 2
        return ExactResult("limit", h.getInfo().objective_function_value if has else math.inf, {},
                           seconds)
    return _result(model, "optimal", h.getInfo().objective_function_value,
                   h.getSolution().col_value, seconds)


def solve_cpsat(model: Model, time_limit_s: float = 60.0) -> ExactResult:
    """The same model in OR-Tools CP-SAT: row coefficients scaled by 1,000 and rounded (the
    data have at most three decimals), costs rounded to cents. Run it in a process that has
    not imported highspy."""
    from ortools.sat.python import cp_model

    if model.infeasible:
        return ExactResult("infeasible", math.inf, {}, 0.0)
    m = cp_model.CpModel()
    xs = [m.NewIntVar(int(math.ceil(lo)), int(min(hi, 10**9)), f"x{j}")
          for j, (_c, lo, hi, _i) in enumerate(model.cols)]
    for lo, hi, idx, val in model.rows:
        scale = 1 if all(float(v).is_integer() for v in val) else 1000
        coef = [round(v * scale) for v in val]
        expr = sum(c * xs[i] for c, i in zip(coef, idx, strict=True))
        if hi < INF:
            m.Add(expr <= math.floor(hi * scale + 1e-6))
        if lo > -INF:
            m.Add(expr >= math.ceil(lo * scale - 1e-6))
    m.Minimize(sum(round(c * 100) * xs[j] for j, (c, _lo, _hi, _i) in enumerate(model.cols) if c))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = 1
    status = solver.Solve(m)
    seconds = solver.WallTime()
    if status == cp_model.INFEASIBLE:
        return ExactResult("infeasible", math.inf, {}, seconds)
    if status == cp_model.OPTIMAL:
        sol = [solver.Value(x) for x in xs]
        return _result(model, "optimal", solver.ObjectiveValue() / 100, sol, seconds)
    if status == cp_model.FEASIBLE:
        return ExactResult("limit", solver.ObjectiveValue() / 100, {}, seconds)
    return ExactResult("limit", math.inf, {}, seconds)


def solve_exact(scenario, catalog, objective: str | None = None,  # type: ignore[no-untyped-def]
                time_limit_s: float = 60.0) -> ExactResult:
    return solve_highs(build_model(scenario, catalog, objective), time_limit_s)
