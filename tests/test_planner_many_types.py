"""Many distinct server sizes: 60 shared workloads, each with its own server size, in one rack type.

Column generation prices rack patterns instead of listing them (there are far
too many), so nothing is truncated; the rounded packing is then tightened by
the vector packer per rack type. The plan must use no more racks than
``rackplan.pack_vectors`` needs for the same servers, and be within 1% of the
LP bound computed independently (tests/pattern_milp.py: column generation with
HiGHS as master and pricing solver).
"""

from __future__ import annotations

import numpy as np
import pytest

import rackplan

from .pattern_milp import Item, lp_bound_colgen, rack_caps
from .plan_check import check_plan
from .scenario_gen import many_types_scenario


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sixty_server_sizes_pack_like_the_vector_packer(seed):
    scenario, catalog = many_types_scenario(seed, types=60)
    plan = rackplan.plan(scenario, catalog)
    check_plan(plan, scenario, catalog)
    cap = np.array(rack_caps(scenario, catalog)[0].cap)
    items, sizes = [], []
    for sel in plan.selections:
        s = catalog.server(sel.server)
        kw = scenario.site.power_allocation * s.power_max_w / 1000
        size = (kw, kw * (1 - s.liquid_fraction), kw * s.liquid_fraction, float(s.u_height), s.weight_kg)
        items.append(Item(s.id, size, sel.count))
        sizes += [size] * sel.count
    dims = cap > 0
    packed = rackplan.pack_vectors(np.array(sizes)[:, dims], cap[dims], time_limit_s=1.0, seed=0)
    assert plan.totals.racks <= packed.n_bins
    # the LP's rack bound (its proven bound rounded up), settled by the reference
    lp = lp_bound_colgen(items, tuple(cap), time_limit_s=120)
    assert lp.converged, "the reference did not settle the LP rack bound"
    assert plan.totals.racks <= 1.01 * lp.racks_lower_bound
    assert plan.bounds.racks_lower_bound <= plan.totals.racks
