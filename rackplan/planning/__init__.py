"""The planner: from a scenario and a catalog to a costed, scheduled :class:`Plan`.

:func:`plan` is the orchestration; each step lives in its own module:

1. :mod:`.candidates`: for each workload, every catalog server that qualifies
   (``allowed``, ``min_gpu_memory_gb``, ``min_scale_up_gpus``, fits some rack
   type at the site), sized to the demand, with its separable cost (servers,
   tariffs and, for ``tco``/``time``, energy over the horizon), reserved power
   and arrival day.
2. :mod:`.search` (inputs laid out by :mod:`.arrays`):
   :func:`rackplan.kernels.search.search`, a branch and bound over one
   candidate per workload with the rack packer at every leaf.
3. :mod:`.build`: the chosen packing expanded into racks (surplus servers of
   "at least" patterns removed), costed, and scheduled by :mod:`.schedule`.
4. :mod:`.diagnose`: when there is no plan, which limit binds.

:mod:`.compare` plans once per server model. Units: power and heat in kW,
money in USD, time in days from ``start``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..errors import InfeasibleError, Problem, ScenarioError, SearchLimitError
from ..kernels.status import Status
from ..loading import catalog_for, check_scenario_references
from ..models import Catalog, Scenario, Server
from ..models.result import Plan
from .arrays import site_arrays
from .build import build_plan
from .candidates import Candidate, candidates_for
from .diagnose import diagnose, no_candidate_diagnosis, search_limit_diagnosis
from .search import search

__all__ = ["compare", "plan"]


def plan(scenario: Scenario, catalog: Catalog | None = None, *, objective: str | None = None,
         force_models: Mapping[str, str] | None = None) -> Plan:
    """Choose a server model per workload, pack racks, and cost and schedule the result.

    ``catalog`` defaults to the bundled catalog plus the scenario's
    ``catalogs:``. ``objective`` overrides the scenario's (``capex``, ``tco``,
    ``time``). ``force_models`` maps workload names to a server id that
    workload must use (what ``rackplan compare`` does). Raises
    :class:`InfeasibleError` with a diagnosis when no plan meets every limit,
    and :class:`ScenarioError` when the scenario names something the catalog lacks.

    Three outcomes, never blurred: a :class:`Plan`; :class:`InfeasibleError` when
    it is *proven* that no plan meets every limit (every reason in its
    diagnosis is proven); or :class:`SearchLimitError` (a subclass, with
    ``diagnosis.proven`` false) when the search used its budget of work without
    finding a plan and without a proof.
    """
    if catalog is None:
        catalog = catalog_for(scenario)
    else:
        check_scenario_references(scenario, catalog, None)
    objective = objective or scenario.objective
    if objective not in ("capex", "tco", "time"):
        raise ValueError(f"objective must be capex, tco or time, not {objective!r}")
    site = site_arrays(scenario, catalog)
    cands: list[list[Candidate]] = []
    rejected: dict[str, dict[str, str]] = {}
    for w in scenario.workloads:
        lst, why = candidates_for(w, scenario, catalog, site)
        forced = (force_models or {}).get(w.name)
        if forced is not None:
            if forced not in catalog or not isinstance(catalog.get(forced), Server):
                raise ScenarioError([Problem(None, f"workloads[{w.name}]", "server",
                                             f"unknown server id {forced!r}")])
            why = {k: v for k, v in why.items() if k == forced}
            for c in lst:
                if c.server.id != forced:
                    why.setdefault(c.server.id, "not the forced model")
            lst = [c for c in lst if c.server.id == forced]
            if not lst:
                why = {forced: why.get(forced, "not in the catalog")}
        cands.append(lst)
        rejected[w.name] = why
    empty = [w for w, lst in zip(scenario.workloads, cands, strict=True) if not lst]
    if empty:
        raise InfeasibleError(no_candidate_diagnosis(empty, rejected))
    budget = scenario.budget_usd if scenario.budget_usd is not None else math.inf
    envelope = scenario.site.it_power_kw
    found = search(scenario, objective, cands, site, budget=budget, envelope=envelope)
    if found.status == Status.GAVE_UP:
        raise SearchLimitError(search_limit_diagnosis(cands, found))
    if found.status == Status.INFEASIBLE:
        raise InfeasibleError(diagnose(scenario, cands, site, found))
    chosen = [cands[w][int(i)] for w, i in enumerate(found.picked)]
    return build_plan(scenario, objective, chosen, site, found)


# compare() calls plan(), so it is imported once plan exists
from .compare import compare  # noqa: E402
