"""Side-by-side alternatives: the optimized plan, then one plan per server model forced."""

from __future__ import annotations

from ..errors import InfeasibleError
from ..loading import catalog_for
from ..models import Catalog, Scenario
from ..models.result import Alternative
from . import plan
from .arrays import site_arrays
from .candidates import candidates_for
from .units import rounded


def compare(scenario: Scenario, catalog: Catalog | None = None, *,
            objective: str | None = None) -> list[Alternative]:
    """The optimized plan, then one alternative per server model, forced where it qualifies.

    Each alternative forces one server model on every workload it qualifies
    for (``forced_on``); the other workloads keep the optimizer's choice.
    Models that qualify for no workload get no row. An alternative that cannot
    meet the site's limits gets ``feasible=False`` and the diagnosis. Feasible
    rows are sorted by the objective.
    """
    if catalog is None:
        catalog = catalog_for(scenario)
    objective = objective or scenario.objective
    site = site_arrays(scenario, catalog)

    def row(server_id: str | None, force: dict[str, str] | None) -> Alternative:
        forced_on = list(force) if force else []
        try:
            p = plan(scenario, catalog, objective=objective, force_models=force)
        except InfeasibleError as exc:
            return Alternative(server=server_id, forced_on=forced_on, feasible=False,
                               reason=str(exc))
        t = p.totals
        return Alternative(server=server_id, forced_on=forced_on, feasible=True,
                           servers=t.servers, racks=t.racks, gpus=t.gpus,
                           most=p.most.value if p.most else None,
                           it_power_mw=rounded(t.it_power_kw / 1000), capex_usd=t.capex_usd,
                           tco_usd=t.tco_usd, usd_per_gpu_hour=t.usd_per_gpu_hour,
                           ready_date=p.schedule.ready_date)

    rows = [row(None, None)]
    eligible: dict[str, list[str]] = {}
    for w in scenario.workloads:
        lst, _why = candidates_for(w, scenario, catalog, site)
        for c in lst:
            eligible.setdefault(c.server.id, []).append(w.name)
    alternatives = [row(s.id, {name: s.id for name in eligible[s.id]})
                    for s in catalog.servers if s.id in eligible]

    def key(a: Alternative) -> tuple[int, float, float, str]:
        if not a.feasible:
            return (1, 0.0, 0.0, a.server or "")
        if objective == "capex":
            return (0, 0.0, a.capex_usd or 0.0, a.server or "")
        if a.most is not None:  # max_gpus / max_fp8_pflops: the most first, then TCO
            return (0, -a.most, a.tco_usd or 0.0, a.server or "")
        first = float(a.ready_date.toordinal()) if objective == "time" and a.ready_date else 0.0
        return (0, first, a.tco_usd or 0.0, a.server or "")

    return rows + sorted(alternatives, key=key)
