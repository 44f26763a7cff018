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

Objectives ``max_gpus`` / ``max_fp8_pflops`` (DESIGN.md, "Most within limits"): a
``grow`` workload's candidate ``c`` gets an integer server count ``N[c]`` with
``n[c] * z[c] <= N[c] <= M[c] * z[c]`` (``n`` its servers for the minimum demand,
``M`` the most that fit in all positions together), its servers over the
positions sum to ``N[c]``, and the IT envelope, budget and TCO count ``N[c]`` times
the per-server figures. :func:`solve_most_highs` solves it lexicographically:
first the most GPUs (or dense FP8 PFLOPS) of the grow workloads, then, with that
fixed, the least TCO.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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
            lst.append(dict(server=s, n=n, size=size, capex=capex, energy=energy, power=n * kw,
                            kw=kw, capex_each=capex / n, energy_each=energy / n))
        out.append(lst)
    return out


MAXIMIZE = ("max_gpus", "max_fp8_pflops")


@dataclass
class Model:
    """A MILP as plain lists: columns (cost, lo, hi, integer) and rows (lo, hi, idx, val).

    Under ``max_gpus`` / ``max_fp8_pflops`` the column costs are the TCO (the second stage);
    ``value`` holds the first stage's objective, to maximize: (column, coefficient) pairs in
    whole units of 1 / ``value_scale`` GPUs or PFLOPS, so that the optimum is an integer and
    can be fixed exactly."""

    cols: list[tuple[float, float, float, bool]]
    rows: list[tuple[float, float, list[int], list[float]]]
    z: dict[tuple[int, int], int]
    y: list[int]
    positions: list[tuple[str, np.ndarray, float]]
    names: list[tuple[str, list[str]]]  # workload name, candidate server ids
    infeasible: bool = False
    n: dict[tuple[int, int], int] = field(default_factory=dict)  # grow candidates' N columns
    counts: dict[tuple[int, int], int] = field(default_factory=dict)  # fixed candidates' n
    value: list[tuple[int, int]] = field(default_factory=list)
    value_scale: int = 1
    objective: str = "tco"
    q: dict[tuple[int, int, int], int] = field(default_factory=dict)  # servers of (w, c) in j


def _value_coefficients(cands, catalog, objective: str) -> tuple[dict[int, int], int]:  # type: ignore[no-untyped-def]
    """Per server id, what one server gives as a whole number of 1/scale units (GPUs, or dense
    FP8 PFLOPS: the catalog's TFLOPS have at most a few decimals), and the scale."""
    servers = {c["server"].id: c["server"] for lst in cands for c in lst}
    if objective == "max_gpus":
        return {sid: int(s.gpu_count) for sid, s in servers.items()}, 1
    tflops = {sid: s.gpu_count * catalog.gpu(s.gpu).fp8_tflops for sid, s in servers.items()}
    for digits in range(5):
        scaled = {sid: v * 10**digits for sid, v in tflops.items()}
        if all(abs(v - round(v)) < 1e-6 for v in scaled.values()):
            return {sid: round(v) for sid, v in scaled.items()}, 1000 * 10**digits
    raise ValueError(f"FP8 TFLOPS with more than 4 decimals: {tflops}")


def build_model(scenario, catalog, objective: str | None = None) -> Model:  # type: ignore[no-untyped-def]
    objective = objective or scenario.objective
    maximize = objective in MAXIMIZE
    years = scenario.horizon_years
    site = scenario.site
    cands = _candidates(scenario, catalog)
    positions = []
    form_factor: list[str] = []  # of each position: a server goes only into its own
    for p in site.rack_positions:
        r = catalog.rack(p.rack)
        usable = r.power_kw * r.feeds / (2 if site.power_redundancy == "2N" else 1)
        cap = np.array([usable, r.air_cooling_kw, r.liquid_cooling_kw,
                        r.u_height - r.reserved_u_bottom - r.reserved_u_top, r.max_load_kg])
        positions += [(r.id, cap, r.price_usd)] * p.count
        form_factor += [r.form_factor] * p.count
    J = len(positions)
    cols: list[tuple[float, float, float, bool]] = []
    rows: list[tuple[float, float, list[int], list[float]]] = []
    names = [(w.name, [c["server"].id for c in lst]) for w, lst in zip(scenario.workloads, cands,
                                                                     strict=True)]
    if any(not lst for lst in cands):
        return Model(cols, rows, {}, [], positions, names, infeasible=True, objective=objective)
    grow = {w for w, wl in enumerate(scenario.workloads) if maximize and wl.grow}
    if maximize and not grow:
        raise ValueError(f"objective {objective} needs a workload with grow: true")

    def col(cost, lo, hi, integer):  # type: ignore[no-untyped-def]
        cols.append((float(cost), float(lo), float(hi), integer))
        return len(cols) - 1

    def row(lo, hi, idx, val):  # type: ignore[no-untyped-def]
        rows.append((float(lo), float(hi), list(idx), [float(v) for v in val]))

    def fits_in(cand, cap, ff) -> int:  # type: ignore[no-untyped-def]
        if cand["server"].form_factor != ff:
            return 0
        s = cand["size"]
        fits = int(min((cap[d] + 1e-9 * cap[d]) // s[d] if s[d] > 0 else 10**6 for d in range(5)))
        return max(min(fits, 1) if cand["server"].rack_scale else fits, 0)

    z = {}
    q = {}
    n = {}  # grow candidates: server count N[c]
    for w, lst in enumerate(cands):
        for c, cand in enumerate(lst):
            if w in grow:  # costs on N[c], per server
                z[w, c] = col(0, 0, 1, True)
                most = sum(fits_in(cand, cap, ff)
                           for (_, cap, _), ff in zip(positions, form_factor, strict=True))
                n[w, c] = col(cand["capex_each"] + cand["energy_each"] * years, 0, most, True)
                # n * z <= N <= M * z
                row(0, INF, [n[w, c], z[w, c]], [1, -cand["n"]])
                row(-INF, 0, [n[w, c], z[w, c]], [1, -most])
            else:
                cost = cand["capex"] + (cand["energy"] * years if objective != "capex" else 0.0)
                z[w, c] = col(cost, 0, 1, True)
    y = [col(price, 0, 1, True) for (_, _, price) in positions]
    u = {(w, j): col(0, 0, 1, True) for w in range(len(cands)) for j in range(J)}
    big_u = max(cap[3] for _, cap, _ in positions)
    for w, lst in enumerate(cands):
        row(1, 1, [z[w, c] for c in range(len(lst))], [1] * len(lst))
        for c, cand in enumerate(lst):
            for j, (_, cap, _) in enumerate(positions):
                fits = fits_in(cand, cap, form_factor[j])
                q[w, c, j] = col(0, 0, fits, True)
                # q <= fits * z and q <= fits * u
                row(-INF, 0, [q[w, c, j], z[w, c]], [1, -fits])
                row(-INF, 0, [q[w, c, j], u[w, j]], [1, -fits])
            if (w, c) in n:  # every server placed: sum_j q = N (grow) or n * z
                row(0, 0, [q[w, c, j] for j in range(J)] + [n[w, c]], [1] * J + [-1])
            else:
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

    # site limits: a fixed candidate's totals on z, a grow candidate's per-server figures on N
    def per(key_total: str, key_each: str) -> tuple[list[int], list[float]]:
        idx, val = [], []
        for (w, c), v in z.items():
            if (w, c) in n:
                idx.append(n[w, c])
                val.append(cands[w][c][key_each])
            else:
                idx.append(v)
                val.append(cands[w][c][key_total])
        return idx, val

    idx, val = per("power", "kw")
    row(-INF, site.it_power_kw * (1 + 1e-9), idx, val)
    if scenario.budget_usd is not None:
        idx, val = per("capex", "capex_each")
        row(-INF, scenario.budget_usd * (1 + 1e-9), idx + y, val + [p for _, _, p in positions])
    model = Model(cols, rows, z, y, positions, names, n=n, objective=objective, q=q,
                  counts={(w, c): cands[w][c]["n"] for (w, c) in z if (w, c) not in n})
    if maximize:
        per_server, model.value_scale = _value_coefficients(cands, catalog, objective)
        model.value = [(v, per_server[cands[w][c]["server"].id]) for (w, c), v in n.items()]
    return model


def _result(model: Model, status: str, value: float, sol, seconds: float) -> ExactResult:  # type: ignore[no-untyped-def]
    if status != "optimal":
        return ExactResult(status, value, {}, seconds)
    choice = {model.names[w][0]: model.names[w][1][c] for (w, c), v in model.z.items() if sol[v] > 0.5}
    used: dict[str, int] = {}
    for j, (rid, _, _) in enumerate(model.positions):
        if sol[model.y[j]] > 0.5:
            used[rid] = used.get(rid, 0) + 1
    return ExactResult("optimal", value, choice, seconds, used)


def _highs(model: Model, time_limit_s: float, rel_gap: float = 1e-7):  # type: ignore[no-untyped-def]
    """The model loaded into a fresh HiGHS instance (1 thread, quiet)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", rel_gap)
    h.setOptionValue("threads", 1)
    empty_i, empty_v = np.array([], np.int32), np.array([])
    for j, (cost, lo, hi, integer) in enumerate(model.cols):
        h.addCol(cost, lo, hi, 0, empty_i, empty_v)
        if integer:
            h.changeColIntegrality(j, highspy.HighsVarType.kInteger)
    for lo, hi, idx, val in model.rows:
        h.addRow(lo, hi, len(idx), np.array(idx, np.int32), np.array(val, float))
    return h


def solve_highs(model: Model, time_limit_s: float = 60.0) -> ExactResult:
    import highspy

    if model.infeasible:
        return ExactResult("infeasible", math.inf, {}, 0.0)
    h = _highs(model, time_limit_s)
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


@dataclass
class MostResult:
    """The lexicographic optimum of a ``max_gpus`` / ``max_fp8_pflops`` model.

    ``status`` is "optimal" only when both stages are proven; "infeasible" when even the
    minimum demand is; "limit" when a stage stopped at the time limit (``value_status`` says
    whether the first stage, the maximum itself, was proven)."""

    status: str  # "optimal", "infeasible", "limit"
    value_status: str  # the first stage alone
    value: float  # GPUs or dense FP8 PFLOPS of the grow workloads (nan unless value_status optimal)
    tco_usd: float  # least TCO among plans giving ``value`` (nan unless status optimal)
    seconds: float
    counts: dict[str, tuple[str, int]] = field(default_factory=dict)  # workload: (server, count)
    positions_used: dict[str, int] = field(default_factory=dict)
    racks: list[tuple[str, dict[str, int]]] = field(default_factory=list)  # type, {workload: n}


def solve_most_highs(model: Model, time_limit_s: float = 60.0) -> MostResult:
    """Stage 1: the most of the grow workloads (proven: the objective is a whole number of
    1/``value_scale`` units, so a gap under one unit is no gap). Stage 2: that fixed (at least
    the optimum less half a unit, i.e. exactly it), the least TCO. Each stage gets
    ``time_limit_s``; a stage stopped by it proves nothing and is reported as "limit"."""
    import highspy

    nan = math.nan
    if model.infeasible:
        return MostResult("infeasible", "infeasible", nan, nan, 0.0)
    if not model.value:
        raise ValueError(f"not a max_gpus / max_fp8_pflops model (objective {model.objective})")
    optimal, infeasible = highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible
    h = _highs(model, time_limit_s, rel_gap=0.0)
    h.setOptionValue("mip_abs_gap", 0.5)
    for j in range(len(model.cols)):
        h.changeColCost(j, 0.0)
    for j, coef in model.value:
        h.changeColCost(j, -float(coef))
    h.run()
    seconds = h.getRunTime()
    status = h.getModelStatus()
    if status == infeasible:
        return MostResult("infeasible", "infeasible", nan, nan, seconds)
    if status != optimal:
        return MostResult("limit", "limit", nan, nan, seconds)
    sol = h.getSolution().col_value
    best = sum(coef * round(sol[j]) for j, coef in model.value)
    assert abs(best + h.getInfo().objective_function_value) < 1e-3 * max(1, best), (
        "stage 1: rounded solution differs from HiGHS's objective")
    value = best / model.value_scale

    h2 = _highs(model, time_limit_s)
    idx = [j for j, _ in model.value]
    h2.addRow(best - 0.5, INF, len(idx), np.array(idx, np.int32),
              np.array([c for _, c in model.value], float))
    h2.run()
    seconds += h2.getRunTime()
    status = h2.getModelStatus()
    if status != optimal:  # infeasible here would contradict stage 1: report it as unproven
        return MostResult("limit", "optimal", value, nan, seconds)
    sol = h2.getSolution().col_value
    got = sum(coef * round(sol[j]) for j, coef in model.value)
    assert got == best, f"stage 2 gives {got}, not the stage-1 optimum {best}"
    res = _result(model, "optimal", 0.0, sol, seconds)
    counts: dict[str, tuple[str, int]] = {}
    cands = [lst for _, lst in model.names]
    for (w, c), v in model.z.items():
        if sol[v] > 0.5:
            k = round(sol[model.n[w, c]]) if (w, c) in model.n else model.counts[w, c]
            counts[model.names[w][0]] = (cands[w][c], k)
    racks: list[tuple[str, dict[str, int]]] = []
    for j, (rid, _, _) in enumerate(model.positions):
        here = {model.names[w][0]: round(sol[v]) for (w, c, jj), v in model.q.items()
                if jj == j and round(sol[v]) > 0}
        if here:
            racks.append((rid, here))
    return MostResult("optimal", "optimal", value, h2.getInfo().objective_function_value, seconds,
                      counts, res.positions_used or {}, racks)


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


def solve_most(scenario, catalog, objective: str | None = None,  # type: ignore[no-untyped-def]
               time_limit_s: float = 60.0) -> MostResult:
    return solve_most_highs(build_model(scenario, catalog, objective), time_limit_s)
