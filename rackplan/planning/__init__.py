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

:mod:`.compare` plans once per server model; :mod:`.explain` once per alternative
model of each workload. Every plan records what it was made from in ``Plan.inputs``
(:func:`plan_inputs`). Units: power and heat in kW, money in USD, time in days from ``start``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from .._version import __version__
from ..errors import (
    Diagnosis,
    InfeasibleError,
    InputError,
    Problem,
    RackplanError,
    ScenarioError,
    SearchLimitError,
)
from ..kernels.status import Status
from ..loading import (
    bundled_catalog_files,
    catalog_for,
    check_scenario_references,
    error_message,
    load_catalog,
    load_plan,
)
from ..models import Catalog, Scenario, Server, Workload
from ..models.result import CatalogFileInput, Plan, PlanInputs, PlanOptions
from ..tolerance import COST_REL
from .arrays import SiteArrays, site_arrays
from .build import build_plan, racks_of
from .candidates import Candidate, candidates_for
from .cashflow import capex_by_fiscal_year, fiscal_year_start
from .diagnose import diagnose, no_candidate_diagnosis, search_limit_diagnosis
from .guards import add_to_diagnosis
from .network import (
    MAX_ROUNDS,
    add_network_shares,
    excess_lower_bound,
    network_for,
    network_rack_type,
    network_racks_lower_bound,
)
from .search import SearchOutcome, search
from .supply import phase_servers, ship_days, staggered
from .timing import (
    candidate_bounds,
    drop_late_candidates,
    fiscal_overruns,
    has_need_by,
    late_diagnosis,
    lateness,
)

__all__ = ["catalog_file_inputs", "compare", "explain", "plan", "plan_inputs", "replay"]


def plan(scenario: Scenario, catalog: Catalog | None = None, *, objective: str | None = None,
         force_models: Mapping[str, str] | None = None,
         progress: Callable[[str], None] | None = None) -> Plan:
    """Choose a server model per workload, pack racks, and cost and schedule the result.

    ``catalog`` defaults to the bundled catalog plus the scenario's
    ``catalogs:``. ``objective`` overrides the scenario's (``capex``, ``tco``,
    ``time``, or ``max_gpus`` / ``max_fp8_pflops``: the most for the ``grow``
    workloads, then the least TCO, with ``Plan.most`` saying how close to
    proven; see :mod:`.most`). ``progress``, when given, is called with a short
    text before each search a maximizing objective runs. ``force_models`` maps
    workload names to a server id that workload must use (what ``rackplan compare`` does). Raises
    :class:`InfeasibleError` with a diagnosis when no plan meets every limit,
    and :class:`ScenarioError` when the scenario names something the catalog lacks.

    Three outcomes, never blurred: a :class:`Plan`; :class:`InfeasibleError` when
    it is *proven* that no plan meets every limit (every reason in its
    diagnosis is proven); or :class:`SearchLimitError` (a subclass, with
    ``diagnosis.proven`` false) when the search used its budget of work without
    finding a plan and without a proof.

    The plan's ``inputs`` say what it was made from (see :func:`plan_inputs`).
    """
    try:
        result = _plan(scenario, catalog, objective, force_models, progress)
    except InfeasibleError as exc:
        # an implausible input (a price in cents) may be why: say so beside the diagnosis
        add_to_diagnosis(exc.diagnosis, scenario,
                         catalog if catalog is not None else catalog_for(scenario))
        raise
    except ScenarioError as exc:
        # problems found while planning (an optic that does not fit its cage) name the file
        # the scenario came from, as those found on load do
        if scenario.source_file is None or all(p.file for p in exc.problems):
            raise
        raise ScenarioError([dataclasses.replace(p, file=p.file or scenario.source_file)
                             for p in exc.problems]) from None
    return result.model_copy(update={"inputs": plan_inputs(scenario, catalog, objective,
                                                            force_models)})


def plan_inputs(scenario: Scenario, catalog: Catalog | None = None, objective: str | None = None,
                force_models: Mapping[str, str] | None = None) -> PlanInputs:
    """What a plan of ``scenario`` on ``catalog`` is made from: the rackplan version, the
    scenario with every default filled in (the ``objective`` override applied, its
    ``catalogs:`` as full paths), each catalog file with the SHA-256 of its bytes, and the
    options.

    The catalog files are exact when ``catalog`` is None or the scenario's own
    (:func:`rackplan.loading.catalog_for`). For another catalog they are worked out from
    ``Catalog.source_files``: the bundled files, then the scenario's ``catalogs:`` and the other
    files entries came from, in the order their first entry appears; a file none of whose
    entries survived (every one overridden later, or an empty file) is then left out.
    """
    data = scenario.model_dump(mode="json")
    own = [str(p) for p in scenario.catalog_paths()]
    if catalog is None or catalog is scenario.cached_catalog:
        files, from_files = catalog_file_inputs(own), True
    else:
        used = list(dict.fromkeys(catalog.source_files.values()))
        bundled = {str(p) for p in bundled_catalog_files()}
        user = [f for f in own if f in used] + [f for f in used if f not in bundled and f not in own]
        with_bundled = any(f in bundled for f in used)
        files = catalog_file_inputs(user, include_bundled=with_bundled)
        own = [f for f in own if f in used]  # a file of the scenario's not in this catalog
        from_files = _read_from(catalog, user, with_bundled)
    data["catalogs"] = own
    if objective is not None:
        data["objective"] = objective
    return PlanInputs(
        rackplan_version=__version__, scenario=data, catalogs=files,
        options=PlanOptions(objective=objective, force_models=dict(force_models or {})),
        catalog_from_files=from_files)


def _read_from(catalog: Catalog, files: Sequence[str], with_bundled: bool) -> bool:
    """Whether ``catalog`` is what loading ``files`` gives (not built or changed in Python).

    Answered once per catalog object (a frozen model): a sweep, ``compare`` or ``--explain``
    plans many times on the same catalog and would otherwise load it again for each plan."""
    key = (id(catalog), tuple(files), with_bundled)
    known = _READ_FROM.get(key)
    if known is not None and known[0]() is catalog:
        return known[1]
    try:
        loaded = load_catalog(*files, include_bundled=with_bundled)
        same = all(getattr(loaded, name) == getattr(catalog, name)
                   for name in Catalog.model_fields)
    except (RackplanError, OSError):
        same = False
    _READ_FROM[key] = (weakref.ref(catalog), same)
    return same


_READ_FROM: dict[tuple[int, tuple[str, ...], bool], tuple[weakref.ref[Catalog], bool]] = {}
""":func:`_read_from`'s answers, by catalog object (checked through a weak reference, so a
new catalog at a reused address is looked at afresh)."""


def replay(source: Plan | str | Path, *, progress: Callable[[str], None] | None = None) -> Plan:
    """Plan again what ``source`` (a :class:`Plan` or the path of a plan JSON file) was made
    from: ``inputs.scenario`` on the catalog files of ``inputs.catalogs`` with
    ``inputs.options``, which gives the same plan when the files are unchanged.

    Raises :class:`~rackplan.InputError` when the plan records no inputs, when its catalog
    was built or changed in Python (``inputs.catalog_from_files`` false), or when a catalog
    file is missing or no longer has the recorded SHA-256.
    """
    scenario, catalog, options = replay_inputs(source)
    return plan_as_recorded(scenario, catalog, options, progress=progress)


def plan_as_recorded(scenario: Scenario, catalog: Catalog, options: PlanOptions, *,
                     progress: Callable[[str], None] | None = None) -> Plan:
    """:func:`plan` with the options a plan recorded (what :func:`replay_inputs` returns)."""
    return plan(scenario, catalog, objective=options.objective,
                force_models=options.force_models or None, progress=progress)


def replay_inputs(source: Plan | str | Path) -> tuple[Scenario, Catalog, PlanOptions]:
    """What :func:`replay` plans: the scenario, the catalog loaded from the recorded files
    (each checked against its SHA-256) and the options; raises as :func:`replay` does."""
    name = "the plan" if isinstance(source, Plan) else str(source)
    made = source if isinstance(source, Plan) else load_plan(source)

    def fail(message: str, field_: str | None = None) -> InputError:
        return InputError([Problem(name, None, field_, message)])

    inputs = made.inputs
    if inputs is None:
        raise fail("records no inputs (written before rackplan recorded them)", "inputs")
    if not inputs.catalog_from_files:
        raise fail("its catalog was built or changed in Python, not read from files: there is "
                   "nothing to plan again", "inputs.catalog_from_files")
    for i, f in enumerate(inputs.catalogs):
        digest = _sha256(f.path)
        if digest is None:
            raise fail(f"catalog file {f.path} cannot be read", f"inputs.catalogs[{i}]")
        if digest != f.sha256:
            raise fail(f"catalog file {f.path} has changed since the plan was made (its "
                       "SHA-256 differs)", f"inputs.catalogs[{i}]")
    try:
        scenario = Scenario.model_validate(inputs.scenario)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise fail(error_message(err, None),
                   "inputs.scenario." + ".".join(map(str, err["loc"]))) from None
    user = [f.path for f in inputs.catalogs if not f.bundled]
    catalog = load_catalog(*user, include_bundled=any(f.bundled for f in inputs.catalogs))
    return scenario, catalog, inputs.options


def catalog_file_inputs(user_files: Sequence[str | Path], *,
                        include_bundled: bool = True) -> list[CatalogFileInput]:
    """The catalog files ``load_catalog(*user_files)`` reads, in load order, each with the
    SHA-256 of its bytes; user files by their absolute path, so the plan names them wherever it
    is read."""
    bundled = [str(p) for p in bundled_catalog_files()] if include_bundled else []
    users = [str(Path(f).absolute()) for f in user_files]
    return ([CatalogFileInput(path=f, sha256=_sha256(f), bundled=True) for f in bundled]
            + [CatalogFileInput(path=f, sha256=_sha256(f), bundled=False) for f in users])


_HASHES: dict[tuple[str, int, int], str] = {}
"""SHA-256 by (path, modification time, size): each catalog file is read and hashed once per
version, however many plans a process makes."""


def _sha256(path: str) -> str | None:
    try:
        st = os.stat(path)
        key = (os.path.abspath(path), st.st_mtime_ns, st.st_size)
        digest = _HASHES.get(key)
        if digest is None:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            _HASHES[key] = digest
        return digest
    except (OSError, ValueError):
        return None


def _plan(scenario: Scenario, catalog: Catalog | None, objective: str | None,
          force_models: Mapping[str, str] | None,
          progress: Callable[[str], None] | None = None) -> Plan:
    if catalog is None:
        catalog = catalog_for(scenario)
    else:
        check_scenario_references(scenario, catalog, scenario.source_file)
    objective = objective or scenario.objective
    if objective in MAXIMIZE:
        from .most import plan_most  # most plans by calling _plan_least
        return plan_most(scenario, catalog, objective, force_models, progress)
    if objective not in ("capex", "tco", "time"):
        raise ValueError("objective must be capex, tco, time, max_gpus or max_fp8_pflops, "
                         f"not {objective!r}")
    return _plan_least(scenario, catalog, objective, force_models, None)


MAXIMIZE = ("max_gpus", "max_fp8_pflops")
"""Objectives that maximize what the ``grow`` workloads get (see :mod:`.most`)."""


def candidate_lists(scenario: Scenario, catalog: Catalog, site: SiteArrays,
                    force_models: Mapping[str, str] | None,
                    floors: Mapping[str, tuple[str, float]] | None
                    ) -> tuple[list[list[Candidate]], dict[str, dict[str, str]]]:
    """Each workload's candidates (sized to its demand and its floor, if any), and each
    rejected server's reason per workload."""
    cands: list[list[Candidate]] = []
    rejected: dict[str, dict[str, str]] = {}
    for w in scenario.workloads:
        lst, why = candidates_for(w, scenario, catalog, site, (floors or {}).get(w.name))
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
    return cands, rejected


def _plan_least(scenario: Scenario, catalog: Catalog, objective: str,
                force_models: Mapping[str, str] | None,
                floors: Mapping[str, tuple[str, float]] | None) -> Plan:
    """The plan of least ``objective`` (capex, tco or time); ``floors`` sizes workloads to at
    least that much as well (see :func:`.candidates.candidates_for`)."""
    site = site_arrays(scenario, catalog)
    cands, rejected = candidate_lists(scenario, catalog, site, force_models, floors)
    if scenario.network is not None:
        cands = add_network_shares(scenario, catalog, cands, rejected)
    if has_need_by(scenario):
        cands, late = drop_late_candidates(scenario, cands, site, rejected)
        if late:
            raise InfeasibleError(late_diagnosis(late, scenario.start))
    empty = [w for w, lst in zip(scenario.workloads, cands, strict=True) if not lst]
    if empty:
        raise InfeasibleError(no_candidate_diagnosis(empty, rejected))
    budget = scenario.budget_usd if scenario.budget_usd is not None else math.inf
    envelope = scenario.site.it_power_kw
    if scenario.network is not None:
        _check_network_positions(scenario, catalog, site)
    first: Choice | None = None
    tried: list[str] = []
    for round_ in range(LATE_ROUNDS):
        try:
            choice = _choose(scenario, catalog, objective, cands, site, budget=budget,
                             envelope=envelope)
        except InfeasibleError as exc:
            if first is None or not exc.diagnosis.proven:
                raise
            # a search restricted to other models proves nothing about the whole problem
            raise SearchLimitError(_late_search_limit(tried, exc.diagnosis.reasons)) from None
        if first is None:
            first = choice
        else:  # restricted searches only find plans: the first search's bounds still hold
            choice = choice._replace(found=choice.found._replace(
                lower=min(choice.found.lower, first.found.lower),
                ready_day_lower=min(choice.found.ready_day_lower, first.found.ready_day_lower)))
        choice = _time_bounds(scenario, objective, cands, site, choice)
        plan = _fit_fiscal_budgets(scenario, objective, catalog, choice)
        missed = lateness(plan)
        if not missed:
            return plan
        names = ", ".join(f"{w}: {choice.chosen[scenario.workloads.index(_wl(scenario, w))].server.id}"
                          for w in dict.fromkeys(x[0] for x in missed))
        tried.append(f"({names}) " + "; ".join(f"{w} phase {p} is {d} days late for {n}"
                                               for w, p, d, n in missed))
        if round_ + 1 == LATE_ROUNDS:
            break
        # try again without the late workloads' models (a heuristic restriction)
        for w_name in dict.fromkeys(x[0] for x in missed):
            k = scenario.workloads.index(_wl(scenario, w_name))
            cands[k] = [c for c in cands[k] if c.server.id != choice.chosen[k].server.id]
            if not cands[k]:
                raise SearchLimitError(_late_search_limit(tried, []))
    raise SearchLimitError(_late_search_limit(tried, []))


LATE_ROUNDS = 4
"""Searches without a late plan's models before the planner gives up on the need-by dates."""


def _wl(scenario: Scenario, name: str) -> Workload:
    return next(w for w in scenario.workloads if w.name == name)


def _late_search_limit(tried: list[str], more: list[str]) -> Diagnosis:
    return Diagnosis(
        ["the best plans found miss their need_by dates: " + " | ".join(tried)
         + ("; without those models: " + "; ".join(more) if more else "")
         + "; move need_by later, add supply or installation capacity, or allow other models"],
        {"late_rounds": tried}, proven=False)


class Choice(NamedTuple):
    """What the plan is built from: one candidate per workload, the positions left for its
    server racks, and the search outcome that packed them."""

    chosen: list[Candidate]
    site: SiteArrays
    found: SearchOutcome


def _choose(scenario: Scenario, catalog: Catalog, objective: str, cands: list[list[Candidate]],
            site: SiteArrays, *, budget: float, envelope: float) -> Choice:
    found = search(scenario, objective, cands, site, budget=budget, envelope=envelope)
    if found.status == Status.GAVE_UP:
        raise SearchLimitError(search_limit_diagnosis(cands, found))
    if found.status == Status.INFEASIBLE:
        raise InfeasibleError(diagnose(scenario, cands, site, found))
    chosen = [cands[w][int(i)] for w, i in enumerate(found.picked)]
    if scenario.network is None:
        return Choice(chosen, site, found)
    return _choose_with_network(scenario, catalog, objective, cands, site, found,
                                budget=budget, envelope=envelope)


def _time_bounds(scenario: Scenario, objective: str, cands: list[list[Candidate]],
                 site: SiteArrays, choice: Choice) -> Choice:
    """With staggered shipping, the search's ready-day figures rank choices but bound nothing:
    objective ``time`` takes its proven bounds from each candidate's earliest online day and
    separable cost instead."""
    if objective != "time" or not staggered(scenario):
        return choice
    ready = max(min(max(b.online for b in candidate_bounds(scenario, w, c, site)) for c in lst)
                for w, lst in enumerate(cands))
    years = scenario.horizon_years
    least = sum(min(c.search_capex_usd + c.search_energy_usd_per_year * years for c in lst)
                for lst in cands)
    found = choice.found
    return choice._replace(found=found._replace(
        lower=min(found.lower, least), ready_day_lower=min(found.ready_day_lower, ready)))


def _fit_fiscal_budgets(scenario: Scenario, objective: str, catalog: Catalog,
                        choice: Choice) -> Plan:
    """The plan; when a fiscal year's capex is over its budget, phases are ordered later (each
    as far as it must to leave that year, never so far that a need_by is missed), latest
    phases first, until every year fits or no phase can move."""
    def build(delays: list[tuple[int, ...]] | None) -> Plan:
        return build_plan(scenario, objective, choice.chosen, choice.site, choice.found, catalog,
                          delays)

    plan = build(None)
    over = fiscal_overruns(scenario, capex_by_fiscal_year(plan))
    if not over:
        return plan
    delays = [[0] * len(w.phases or [None]) for w in scenario.workloads]
    moved: list[str] = []
    for _ in range(FISCAL_ROUNDS):
        fy = over[0][0]
        year_end = (fiscal_year_start(fy + 1, scenario.fiscal_year_start_month) - scenario.start).days
        better = None
        for k in reversed(range(len(scenario.workloads))):
            for p in reversed(range(len(delays[k]))):
                step = _delay_out_of(scenario, choice.chosen, delays, k, p, year_end)
                if step <= 0:
                    continue
                trial = [list(d) for d in delays]
                trial[k][p] += step
                candidate = build([tuple(d) for d in trial])
                if lateness(candidate):
                    continue
                left = fiscal_overruns(scenario, capex_by_fiscal_year(candidate))
                if not any(y == fy for y, _u, _c in left) or _over(left, fy) < _over(over, fy):
                    better = (trial, candidate, left, k, p, step)
                    break
            if better:
                break
        if better is None:
            break
        trial, plan, over, k, p, step = better  # type: ignore[misc]
        delays = trial
        moved.append(f"{scenario.workloads[k].name!r} phase {p + 1} ordered {step} days later")
        if not over:
            return plan.model_copy(update={"warnings": plan.warnings + [
                "to fit budget_by_fiscal_year: " + "; ".join(moved)]})
    fy, used, cap = over[0]
    raise SearchLimitError(Diagnosis(
        [f"fiscal year FY{fy} capex is ${used:,.0f} against its budget of ${cap:,.0f} "
         f"(over by ${used - cap:,.0f})"
         + (" after " + "; ".join(moved) if moved else "")
         + "; no phase can be ordered later without missing its need_by; raise that year's "
         "budget, move need_by dates later or split the workload into more phases"],
        {"fiscal_over": [{"fiscal_year": y, "capex_usd": round(u, 2), "budget_usd": c,
                          "over_usd": round(u - c, 2)} for y, u, c in over]}, proven=False))


FISCAL_ROUNDS = 40
"""Order-date moves tried to fit the fiscal budgets."""


def _over(over: list[tuple[int, float, float]], fy: int) -> float:
    return next((u - c for y, u, c in over if y == fy), 0.0)


def _delay_out_of(scenario: Scenario, chosen: list[Candidate], delays: list[list[int]], k: int,
                  p: int, year_end: int) -> int:
    """Fewest days to order phase ``p`` of workload ``k`` later so that none of its units ships
    before ``year_end`` (0 when none does already; -1 when no delay of up to 20 years does)."""
    def first_ship(extra: int) -> int:
        trial = [tuple(d) for d in delays]
        trial[k] = tuple(d + (extra if i == p else 0) for i, d in enumerate(delays[k]))
        ships = ship_days(scenario, [c.server for c in chosen], [c.count for c in chosen], trial)[k]
        c = chosen[k]
        counts = phase_servers(scenario.workloads[k], c.server, c.count)
        lo = sum(counts[:p])
        return int(ships[lo:lo + counts[p]].min())

    if first_ship(0) >= year_end:
        return 0
    lo, hi = 1, 20 * 366
    if first_ship(hi) < year_end:
        return -1
    while lo < hi:
        mid = (lo + hi) // 2
        if first_ship(mid) >= year_end:
            hi = mid
        else:
            lo = mid + 1
    return lo


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


def _choose_with_network(scenario: Scenario, catalog: Catalog, objective: str,
                         cands: list[list[Candidate]], site: SiteArrays, found: SearchOutcome, *,
                         budget: float, envelope: float) -> Choice:
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
            left = dataclasses.replace(site, count=site.count.copy())
            left.count[t_net] -= netplan.racks
            return Choice(chosen, left, found._replace(lower=lower,
                                                       ready_day_lower=first.ready_day_lower))
        names = ", ".join(f"{w.name}: {c.server.id}" for w, c in zip(scenario.workloads, chosen,
                                                                       strict=True))
        tried.append(f"({names}) needs " + "; ".join(short))
        # search again with what this choice's network needs beyond its lower bound taken out
        cut_racks = max(cut_racks, netplan.racks)
        cut_kw = max(cut_kw, netplan.design.reserved_kw - sum(c.network_kw for c in chosen))
        cut_usd = max(cut_usd, netplan.capex_usd - sum(c.network_usd for c in chosen))
        left = dataclasses.replace(site, count=site.count.copy())
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


# compare() and explain() call plan(), so they are imported once plan exists
from .compare import compare  # noqa: E402
from .explain import explain  # noqa: E402
