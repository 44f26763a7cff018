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

import dataclasses
import math
from collections.abc import Mapping

from ..errors import Diagnosis, InfeasibleError, Problem, ScenarioError, SearchLimitError
from ..kernels.status import Status
from ..loading import catalog_for, check_scenario_references
from ..models import Catalog, Scenario, Server
from ..models.result import Plan
from ..tolerance import COST_REL
from .arrays import SiteArrays, site_arrays
from .build import build_plan, racks_of
from .candidates import Candidate, candidates_for
from .diagnose import diagnose, no_candidate_diagnosis, search_limit_diagnosis
from .network import (
    MAX_ROUNDS,
    add_network_shares,
    excess_lower_bound,
    network_for,
    network_rack_type,
    network_racks_lower_bound,
)
from .search import SearchOutcome, search

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
    try:
        return _plan(scenario, catalog, objective, force_models)
    except ScenarioError as exc:
        # problems found while planning (an optic that does not fit its cage) name the file
        # the scenario came from, as those found on load do
        if scenario.source_file is None or all(p.file for p in exc.problems):
            raise
        raise ScenarioError([dataclasses.replace(p, file=p.file or scenario.source_file)
                             for p in exc.problems]) from None


def _plan(scenario: Scenario, catalog: Catalog | None, objective: str | None,
          force_models: Mapping[str, str] | None) -> Plan:
    if catalog is None:
        catalog = catalog_for(scenario)
    else:
        check_scenario_references(scenario, catalog, scenario.source_file)
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
    if scenario.network is not None:
        cands = add_network_shares(scenario, catalog, cands, rejected)
    empty = [w for w, lst in zip(scenario.workloads, cands, strict=True) if not lst]
    if empty:
        raise InfeasibleError(no_candidate_diagnosis(empty, rejected))
    budget = scenario.budget_usd if scenario.budget_usd is not None else math.inf
    envelope = scenario.site.it_power_kw
    if scenario.network is not None:
        _check_network_positions(scenario, catalog, site)
    found = search(scenario, objective, cands, site, budget=budget, envelope=envelope)
    if found.status == Status.GAVE_UP:
        raise SearchLimitError(search_limit_diagnosis(cands, found))
    if found.status == Status.INFEASIBLE:
        raise InfeasibleError(diagnose(scenario, cands, site, found))
    chosen = [cands[w][int(i)] for w, i in enumerate(found.picked)]
    if scenario.network is None:
        return build_plan(scenario, objective, chosen, site, found)
    return _plan_with_network(scenario, catalog, objective, cands, site, found,
                              budget=budget, envelope=envelope)


def _check_network_positions(scenario: Scenario, catalog: Catalog, site: SiteArrays) -> None:
    """Proven infeasible when the appliances alone need more network racks than the site has."""
    assert scenario.network is not None
    need = network_racks_lower_bound(scenario, catalog, site)
    t = network_rack_type(scenario, site)
    have = int(site.count[t])
    if need > have:
        raise InfeasibleError(Diagnosis(
            [f"network positions ({site.racks[t].id}): the appliances alone need at least {need} "
             f"network racks, the site has {have}"],
            {"network_positions": {"rack": site.racks[t].id, "need_at_least": need, "have": have}},
            proven=True))


def _plan_with_network(scenario: Scenario, catalog: Catalog, objective: str,
                       cands: list[list[Candidate]], site: SiteArrays, found: SearchOutcome, *,
                       budget: float, envelope: float) -> Plan:
    """Size the network of the search's choice; when its racks, power or price do not fit what
    the search left, search again with them taken out (see :mod:`.network`).

    The first search counted a lower bound of every choice's network and no network racks,
    so its bound holds for the plan; the later ones are restrictions and only find plans.
    """
    first = found
    lower = first.lower + excess_lower_bound(scenario, catalog, cands, site, objective)
    t_net = network_rack_type(scenario, site)
    cut_kw = cut_usd = 0.0
    cut_racks = 0
    tried: list[str] = []
    for _ in range(MAX_ROUNDS):
        chosen = [cands[w][int(i)] for w, i in enumerate(found.picked)]
        types, _counts = racks_of(found.packing, chosen)
        netplan = network_for(scenario, catalog, chosen, site, types)
        server_racks = int((types == t_net).sum())
        server_kw = sum(c.reserved_kw * c.count for c in chosen)
        capex = (sum(c.capex_usd for c in chosen) + float(site.price[types].sum())
                 + netplan.capex_usd)
        short = []
        if server_racks + netplan.racks > site.count[t_net]:
            short.append(f"{server_racks + netplan.racks} positions of {site.racks[t_net].id} "
                         f"({netplan.racks} for the network) against {int(site.count[t_net])}")
        if server_kw + netplan.design.reserved_kw > envelope * (1 + COST_REL):
            short.append(f"{server_kw + netplan.design.reserved_kw:,.1f} kW with the network "
                         f"against {envelope:,.1f} kW")
        if capex > budget * (1 + COST_REL):
            short.append(f"${capex:,.0f} with the network against ${budget:,.0f}")
        if not short:
            left = SiteArrays(site.racks, site.cap, site.price, site.count.copy())
            left.count[t_net] -= netplan.racks
            return build_plan(scenario, objective, chosen, left,
                              found._replace(lower=lower,
                                             ready_day_lower=first.ready_day_lower), catalog)
        names = ", ".join(f"{w.name}: {c.server.id}" for w, c in zip(scenario.workloads, chosen,
                                                                       strict=True))
        tried.append(f"({names}) needs " + "; ".join(short))
        # search again with what this choice's network needs beyond its lower bound taken out
        cut_racks = max(cut_racks, netplan.racks)
        cut_kw = max(cut_kw, netplan.design.reserved_kw - sum(c.network_kw for c in chosen))
        cut_usd = max(cut_usd, netplan.capex_usd - sum(c.network_usd for c in chosen))
        left = SiteArrays(site.racks, site.cap, site.price, site.count.copy())
        left.count[t_net] = max(int(left.count[t_net]) - cut_racks, 0)
        found = search(scenario, objective, cands, left, budget=budget - cut_usd,
                       envelope=envelope - cut_kw)
        if found.status not in (Status.OK, Status.LIMIT):
            break
    raise SearchLimitError(Diagnosis(
        ["no plan found (search limit, not a proof of infeasibility): the network of the best "
         "choices of models did not fit what the servers left: " + " | ".join(tried)
         + "; add network positions or power, relax the budget, or use a smaller fabric"],
        {"network_rounds": len(tried), "network_short": tried}, proven=False))


# compare() calls plan(), so it is imported once plan exists
from .compare import compare  # noqa: E402
