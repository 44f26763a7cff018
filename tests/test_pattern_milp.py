"""The pattern-MILP reference (tests/pattern_milp.py) against the assignment MILP and brute force.

The reference is what the planner is measured against, so it is checked on its own:
its optimum equals the assignment MILP's (tests/exact_milp.py) on small generated
scenarios; its maximal-pattern enumeration equals a brute force; the finish-time
identity behind the ``time`` model holds; its pattern MILP (cost and time) equals a
brute force over rack multisets; its pruning over model choices loses nothing.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from rackplan.models import Scenario

from .exact_milp import _candidates, solve_exact
from .pattern_milp import (
    Item,
    RackCap,
    _limits,
    _volume_bound,
    days,
    fits,
    items_for,
    last_finish,
    last_finish_grouped,
    lp_bound_colgen,
    maximal_patterns,
    rack_caps,
    rack_patterns,
    solve_patterns,
    solve_reference,
)
from .scenario_gen import many_types_scenario, random_scenario, tight_site_scenario, varied_scenario


def _compare_with_assignment(cases) -> int:  # type: ignore[no-untyped-def]
    compared = 0
    for label, scenario, catalog in cases:
        for objective in ("capex", "tco"):
            exact = solve_exact(scenario, catalog, objective, time_limit_s=60)
            ref = solve_reference(scenario, catalog, objective, time_limit_s=60)
            if "optimal" in (exact.status, ref.status) and "infeasible" in (exact.status, ref.status):
                raise AssertionError(f"{label} {objective}: assignment {exact.status}, "
                                     f"pattern {ref.status}")
            if exact.status == ref.status == "infeasible":
                continue
            if exact.status != "optimal" or ref.status != "optimal":
                continue
            assert ref.value == pytest.approx(exact.value, rel=1e-7), (
                f"{label} {objective}: pattern {ref.value} ({ref.choice}) vs assignment "
                f"{exact.value} ({exact.choice})")
            compared += 1
    return compared


@pytest.mark.slow
def test_equals_the_assignment_milp_on_small_scenarios(bundled):
    cases = [(f"random_scenario({s})", *random_scenario(s, base=bundled)) for s in range(15)]
    compared = _compare_with_assignment(cases)
    assert compared >= 10, f"only {compared} optima compared"


@pytest.mark.slow
def test_equals_the_assignment_milp_on_varied_scenarios(bundled):
    # rack-scale systems in liquid racks, FLOPS demands, memory floors, power allocation
    cases = [(f"varied_scenario({s})", *varied_scenario(s, bundled)) for s in range(20)]
    compared = _compare_with_assignment(cases)
    assert compared >= 10, f"only {compared} optima compared"


# --------------------------------------------------------------------------- patterns


def _brute_patterns(items, cap, by_arrival: bool = False) -> set[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """Maximal valid patterns by the definition: every count vector checked (by_arrival:
    maximal among the items arriving no later than the pattern's last item)."""
    lim = _limits(cap)

    def valid(v) -> bool:  # type: ignore[no-untyped-def]
        load = [sum(c * it.size[d] for c, it in zip(v, items, strict=True)) for d in range(5)]
        if not all(ld <= li for ld, li in zip(load, lim, strict=True)):
            return False
        used = [i for i, c in enumerate(v) if c]
        if any(items[i].rack_scale and v[i] > 1 for i in used):
            return False
        return not (len(used) > 1 and any(items[i].alone or items[i].rack_scale for i in used))

    out = set()
    for v in itertools.product(*[range(it.n + 1) for it in items]):
        if not any(v) or not valid(v):
            continue
        last = max(it.arrival for c, it in zip(v, items, strict=True) if c)
        if any(v[i] < it.n and valid(v[:i] + (v[i] + 1,) + v[i + 1:])
               and (not by_arrival or it.arrival <= last) for i, it in enumerate(items)):
            continue
        out.add(v)
    return out


def _random_items(rng, k: int, cap, special: bool) -> list[Item]:  # type: ignore[no-untyped-def]
    items = []
    for i in range(k):
        per = rng.uniform(1.2, 6.0)
        size = [cap[0] / per, 0.0, 0.0, float(rng.integers(1, 16)), float(rng.uniform(50, 500))]
        if rng.random() < 0.5:  # a liquid-cooled share
            f = float(rng.uniform(0.2, 0.9))
            size[1], size[2] = size[0] * (1 - f), size[0] * f
        else:
            size[1] = size[0]
        alone = bool(special and rng.random() < 0.25)
        scale = bool(special and not alone and rng.random() < 0.15)
        items.append(Item(f"i{i}", tuple(size), int(rng.integers(1, 5)), alone, scale))
    return items


def test_maximal_patterns_equal_brute_force():
    rng = np.random.default_rng(7)
    checked = 0
    for case in range(300):
        cap = (float(rng.uniform(10, 60)), float(rng.uniform(10, 60)), float(rng.uniform(0, 40)),
               48.0, float(rng.uniform(300, 1500)))
        items = _random_items(rng, int(rng.integers(1, 5)), cap, special=case % 2 == 1)
        got = rack_patterns(items, cap)
        assert len(got) == len(set(got)), f"case {case}: duplicate patterns"
        assert set(got) == _brute_patterns(items, cap), f"case {case}: {items} {cap}"
        timed = [Item(it.key, it.size, it.n, it.alone, it.rack_scale, int(rng.choice([0, 7, 14])))
                 for it in items]
        got = rack_patterns(timed, cap, by_arrival=True)
        assert len(got) == len(set(got)), f"case {case}: duplicate patterns"
        assert set(got) == _brute_patterns(timed, cap, by_arrival=True), f"case {case}: {timed}"
        plain = [Item(it.key, it.size, it.n) for it in items]
        assert set(maximal_patterns([it.size for it in plain], [it.n for it in plain], cap)) \
            == _brute_patterns(plain, cap), f"case {case}"
        checked += bool(got)
    assert checked > 200


def test_capacities_are_compared_with_a_relative_tolerance():
    # 0.1 * 3 == 0.30000000000000004 > 0.3: three still fit
    assert maximal_patterns([(0.1, 0.1, 0.0, 1.0, 1.0)], [5], (0.3, 0.3, 0.0, 48.0, 1500.0)) == [(3,)]
    assert fits((0.0,) * 5, (0.3 * (1 + 2e-9), 0, 0, 1, 1), _limits((0.3, 1, 0, 48, 1500))) is False


def test_the_enumeration_cap_gives_too_many_patterns_not_a_truncated_answer():
    items = [Item(f"i{i}", (1.0, 1.0, 0.0, 1.0, 10.0), 40) for i in range(3)]
    racks = [RackCap("r", (10.0, 10.0, 0.0, 48.0, 1500.0), 1000.0, 100)]  # 66 patterns
    assert solve_patterns(items, racks, max_patterns=50).status == "too_many_patterns"
    assert solve_patterns(items, racks).status == "optimal"
    scenario, catalog = random_scenario(0)
    assert solve_reference(scenario, catalog, max_patterns=1).status == "limit"
    assert solve_reference(scenario, catalog).status == "optimal"


# --------------------------------------------------------------------------- schedule


def test_last_finish_identity():
    rng = np.random.default_rng(3)
    for _ in range(2000):
        n = int(rng.integers(1, 25))
        arrivals = [int(a) for a in rng.choice([0, 14, 28, 35, 63, 70, 140], n)]
        per_rack = float(rng.choice([7 / 20, 7 / 0.5, 3.5, 7 / 3, 7 / 1000]))
        assert last_finish_grouped(arrivals, per_rack) == pytest.approx(
            last_finish(arrivals, per_rack), abs=1e-9)
    assert last_finish([0, 0, 10], 7.0) == 21.0  # 0->7->14, then max(14, 10) + 7
    assert days(2) == 14 and days(1.5) == 11 and days(0.1) == 1 and days(0) == 0


# --------------------------------------------------------------------------- pattern MILP


def _valid_patterns(items, cap) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """Every valid pattern, maximal or not (brute force)."""
    lim = _limits(cap)
    out = []
    for v in itertools.product(*[range(it.n + 1) for it in items]):
        used = [i for i, c in enumerate(v) if c]
        if not used:
            continue
        if len(used) > 1 and any(items[i].alone or items[i].rack_scale for i in used):
            continue
        if any(items[i].rack_scale and v[i] > 1 for i in used):
            continue
        load = [sum(c * it.size[d] for c, it in zip(v, items, strict=True)) for d in range(5)]
        if all(ld <= li for ld, li in zip(load, lim, strict=True)):
            out.append(v)
    return out


def _brute_solve(items, racks, per_rack, budget):  # type: ignore[no-untyped-def]
    """(ready, rack cost) lexicographically least (ready 0 without per_rack), or None."""
    kinds = [(t, v) for t, r in enumerate(racks) for v in _valid_patterns(items, r.cap)]
    best = None
    total = sum(r.count for r in racks)
    for m in range(1, total + 1):
        for combo in itertools.combinations_with_replacement(range(len(kinds)), m):
            per_type = [0] * len(racks)
            for j in combo:
                per_type[kinds[j][0]] += 1
            if any(c > r.count for c, r in zip(per_type, racks, strict=True)):
                continue
            if any(sum(kinds[j][1][i] for j in combo) < it.n for i, it in enumerate(items)):
                continue
            cost = sum(racks[kinds[j][0]].price for j in combo)
            if cost > budget:
                continue
            ready = 0
            if per_rack is not None:
                arrivals = [max(items[i].arrival for i, c in enumerate(kinds[j][1]) if c)
                            for j in combo]
                ready = math.ceil(last_finish(arrivals, per_rack) - 1e-9)
            if best is None or (ready, cost) < (best[0], best[1] - 1e-6):
                best = (ready, cost)
    return best


def test_pattern_milp_equals_brute_force_for_cost_and_ready_day():
    rng = np.random.default_rng(11)
    solved = infeasible = 0
    for case in range(60):
        cap = (30.0, 30.0, 10.0, 48.0, 1000.0)
        items = _random_items(rng, int(rng.integers(1, 4)), cap, special=True)
        items = [Item(it.key, it.size, min(it.n, 3), it.alone, it.rack_scale,
                      int(rng.choice([14, 28, 70]))) for it in items]
        racks = []
        for t in range(int(rng.integers(1, 3))):
            f = float(rng.uniform(0.6, 1.4))
            racks.append(RackCap(f"r{t}", tuple(c * f for c in cap), float(rng.uniform(1, 10)),
                                 int(rng.integers(1, 4))))
        budget = math.inf if rng.random() < 0.6 else float(rng.uniform(5, 25))
        per_rack = float(rng.choice([7 / 20, 3.5, 14.0]))
        for pr in (None, per_rack):
            want = _brute_solve(items, racks, pr, budget)
            got = solve_patterns(items, racks, rack_budget=budget, per_rack=pr)
            if want is None:
                assert got.status == "infeasible", f"case {case}: {got}"
                infeasible += 1
                continue
            assert got.status == "optimal", f"case {case}: {got.status}"
            assert got.value == pytest.approx(want[1], abs=1e-6), f"case {case} {pr}"
            if pr is not None:
                assert got.ready == want[0], f"case {case}"
            solved += 1
    assert solved >= 40 and infeasible >= 5, (solved, infeasible)


def _combination_optimum(scenario, catalog, objective):  # type: ignore[no-untyped-def]
    """Every combination solved on its own, no pruning: (ready, value) or None."""
    cands = _candidates(scenario, catalog)
    racks = rack_caps(scenario, catalog)
    site = scenario.site
    budget = scenario.budget_usd * (1 + 1e-9) if scenario.budget_usd is not None else math.inf
    per_rack = 7.0 / site.install_racks_per_week if objective == "time" else None
    best = None
    for pick in itertools.product(*[range(len(lst)) for lst in cands]):
        chosen = [cands[w][c] for w, c in enumerate(pick)]
        if sum(c["power"] for c in chosen) > site.it_power_kw * (1 + 1e-9):
            continue
        capex = sum(c["capex"] for c in chosen)
        sep = capex + (sum(c["energy"] for c in chosen) * scenario.horizon_years
                       if objective != "capex" else 0.0)
        items = items_for(scenario, chosen)
        res = solve_patterns(items, racks, rack_budget=budget - capex, per_rack=per_rack)
        assert res.status in ("optimal", "infeasible"), res.status
        if res.status == "optimal":
            # the bound used for pruning is a bound
            assert _volume_bound(items, racks) <= res.value * (1 + 1e-9) + 1e-6, pick
            key = (res.ready + days(site.burn_in_weeks) if per_rack else 0, sep + res.value)
            if best is None or key[0] < best[0] or (key[0] == best[0] and key[1] < best[1]):
                best = key
    return best


@pytest.mark.slow
def test_pruning_over_model_choices_loses_nothing(bundled):
    cases = [tight_site_scenario(s, max_racks=60)[:2] for s in range(6)]
    cases += [random_scenario(s, base=bundled) for s in range(6)]
    compared = 0
    for i, (scenario, catalog) in enumerate(cases):
        for objective in ("capex", "tco", "time"):
            want = _combination_optimum(scenario, catalog, objective)
            got = solve_reference(scenario, catalog, objective)
            if want is None:
                assert got.status == "infeasible", f"case {i} {objective}"
                continue
            assert got.status == "optimal", f"case {i} {objective}"
            assert got.value == pytest.approx(want[1], rel=1e-9), f"case {i} {objective}"
            if objective == "time":
                assert got.ready_day == want[0], f"case {i}"
            compared += 1
    assert compared >= 20


def test_time_reference_on_a_small_scenario(bundled):
    # the first generated scenario from seed 4 on that has a plan (which seeds do depends on
    # the bundled catalog the generator draws from)
    for seed in range(4, 40):
        scenario, catalog = random_scenario(seed, base=bundled)
        data = scenario.model_dump(mode="json", exclude_none=True)
        data["site"]["install_racks_per_week"] = 0.5
        data["site"]["burn_in_weeks"] = 1.5
        scenario = Scenario.model_validate(data)
        want = _combination_optimum(scenario, catalog, "time")
        if want is not None:
            break
    assert want is not None
    got = solve_reference(scenario, catalog, "time")
    assert got.status == "optimal"
    assert (got.ready_day, got.value) == (want[0], pytest.approx(want[1], rel=1e-9))
    # fewer racks arriving last is what the ready day rewards: 14 days per rack here
    assert got.ready_day >= 14 + days(1.5)


def test_column_generation_lp_equals_the_full_pattern_lp():
    import highspy

    rng = np.random.default_rng(5)
    for case in range(15):
        cap = (40.0, 40.0, 0.0, 48.0, 1500.0)
        items = [Item(f"i{i}", (s := 40.0 / rng.uniform(3, 12), s, 0.0, float(rng.integers(2, 11)),
                                float(rng.uniform(40, 250))), int(rng.integers(1, 7)))
                 for i in range(int(rng.integers(2, 6)))]
        pats = rack_patterns(items, cap)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        for it in items:
            h.addRow(float(it.n), highspy.kHighsInf, 0, np.array([], np.int32), np.array([]))
        for p in pats:
            idx = [i for i, c in enumerate(p) if c]
            h.addCol(1.0, 0.0, highspy.kHighsInf, len(idx), np.array(idx, np.int32),
                     np.array([float(p[i]) for i in idx]))
        h.run()
        lp = h.getInfo().objective_function_value
        got = lp_bound_colgen(items, cap, exact_lp=True)
        assert got.lp_exact and got.lp == pytest.approx(lp, rel=1e-7), f"case {case}"
        quick = lp_bound_colgen(items, cap)
        assert quick.converged and quick.racks_lower_bound == math.ceil(lp - 1e-6), f"case {case}"
        assert quick.lp <= lp * (1 + 1e-9)


# --------------------------------------------------------------------------- generators


def test_tight_site_scenarios():
    seen = set()
    for seed in range(8):
        scenario, catalog, info = tight_site_scenario(seed, max_racks=120)
        assert info["reference_status_unlimited"] == "optimal"
        total = info["optimum_racks_unlimited"]
        assert 1 <= total <= 120
        positions = {p.rack: p.count for p in scenario.site.rack_positions}
        assert positions == info["positions"]
        assert total <= sum(positions.values()) <= total + len(catalog.racks)
        assert 3 <= len(scenario.workloads) <= 6
        assert all(1 <= len(w.allowed or []) <= 2 for w in scenario.workloads)
        seen.add(info["split"])
        if info["split"] == "optimum":  # the unlimited optimum fits: same value
            ref = solve_reference(scenario, catalog)
            assert ref.status == "optimal"
            assert ref.value == pytest.approx(info["optimum_value_unlimited"], rel=1e-9)
    assert seen == {"optimum", "random"}
    again = tight_site_scenario(3, max_racks=120)
    assert again[2]["positions"] == tight_site_scenario(3, max_racks=120)[2]["positions"]


def test_many_types_scenario():
    scenario, catalog = many_types_scenario(0)
    assert len(scenario.workloads) == 60 and len(catalog.racks) == 1
    sizes = {(s.power_max_w, s.u_height, s.weight_kg) for s in catalog.servers}
    assert len(sizes) == 60
    assert all(w.placement == "shared" for w in scenario.workloads)
