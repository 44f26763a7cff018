"""Why a scenario has no plan: which limit binds and by how much, in words and as data."""

from __future__ import annotations

import math

import numpy as np

from ..errors import Diagnosis
from ..kernels.search import (
    REJECT_BUDGET,
    REJECT_BUDGET_UNPROVEN,
    REJECT_GAVE_UP,
    REJECT_NO_FIT,
    REJECT_POSITIONS,
)
from ..kernels.status import Status
from ..models import Scenario, Workload
from ..tolerance import COST_REL
from .arrays import SiteArrays
from .build import racks_of
from .candidates import Candidate
from .search import SearchOutcome, search


def no_candidate_diagnosis(empty: list[Workload], rejected: dict[str, dict[str, str]]) -> Diagnosis:
    """The diagnosis when some workloads have no qualifying server model.

    ``rejected`` maps each workload name to every rejected server's reason.
    """
    reasons = []
    details: dict[str, object] = {"no_model_qualifies": {}}
    for w in empty:
        why = rejected[w.name]
        shown = [f"{sid}: {r}" for sid, r in why.items() if r != "not in allowed"]
        skipped = sum(1 for r in why.values() if r == "not in allowed")
        text = "; ".join(shown) if shown else "no catalog server is in its allowed list"
        if shown and skipped:
            text += f"; {skipped} other servers are not in its allowed list"
        reasons.append(f"workload {w.name!r}: no server model qualifies ({text})")
        details["no_model_qualifies"][w.name] = why  # type: ignore[index]
    return Diagnosis(reasons=reasons, details=details)


def _rejected(found: SearchOutcome) -> dict[str, int]:
    r = found.rejected
    return {"no_fit": int(r[REJECT_NO_FIT]), "positions": int(r[REJECT_POSITIONS]),
            "budget": int(r[REJECT_BUDGET]), "packer_gave_up": int(r[REJECT_GAVE_UP]),
            "budget_unproven": int(r[REJECT_BUDGET_UNPROVEN])}


def diagnose(scenario: Scenario, cands: list[list[Candidate]], site: SiteArrays,
             found: SearchOutcome) -> Diagnosis:
    """Why a scenario the search *proved* infeasible has no plan.

    Each limit is tested with the others relaxed, and a reason is given only
    when it is proven: IT power by arithmetic; positions when the search with
    unlimited power and budget proves that no packing fits; budget when the
    proven lower bound on capex exceeds it. When no limit binds alone, the
    reason says they bind together (proven by ``found`` itself).
    """
    reasons: list[str] = []
    details: dict[str, object] = {}
    envelope = scenario.site.it_power_kw
    min_power = sum(min(c.search_power_kw for c in lst) for lst in cands)
    if min_power > envelope * (1 + COST_REL):
        short = min_power - envelope
        what = "models" if scenario.network is None else "models (servers and their network)"
        reasons.append(f"IT power short by {short:,.1f} kW: the least power any choice of {what} "
                       f"reserves is {min_power:,.1f} kW, the envelope is {envelope:,.1f} kW")
        details["it_power_short_kw"] = round(short, 6)
        details["it_power_needed_kw"] = round(min_power, 6)
        details["it_power_kw"] = envelope
    relaxed = search(scenario, "capex", cands, site, budget=math.inf, envelope=math.inf)
    if relaxed.status == Status.INFEASIBLE:
        # proven: no choice of models packs into the positions. How many more would a plan use?
        # Every rack type gets a copy with unlimited positions, each rack of it priced above what
        # any plan can cost otherwise, so the cheapest plan uses as few extra racks as possible.
        T = len(site.racks)
        most_servers = sum(max(c.count for c in lst) for lst in cands)
        penalty = 1.0 + sum(max(c.search_capex_usd for c in lst) for lst in cands) \
            + float(site.price.max()) * most_servers
        over = SiteArrays(site.racks + site.racks, np.vstack([site.cap, site.cap]),
                          np.concatenate([site.price, site.price + penalty]),
                          np.concatenate([site.count, np.full(T, max(most_servers, 1), np.int64)]),
                          site.form_factors)
        spill = search(scenario, "capex", cands, over, budget=math.inf, envelope=math.inf)
        short_types = {}
        if spill.status in (Status.OK, Status.LIMIT):
            chosen = [cands[w][int(i)] for w, i in enumerate(spill.picked)]
            types, _counts = racks_of(spill.packing, chosen)
            used = np.bincount(types, minlength=2 * T)
            # any plan with fewer extra racks costs less than this many penalties: the proven
            # bound rules them all out when it reaches it
            fewest = spill.lower >= int(used[T:].sum()) * penalty * (1 - 1e-12)
            for t in range(T):
                extra = int(used[T + t])
                if extra > 0:
                    rack = site.racks[t]
                    kind = "liquid" if rack.liquid_cooling_kw > 0 else "air"
                    have = int(site.count[t])
                    why = ""
                    if site.form_factors:  # the site mixes form factors: say who must go here
                        only = sorted({c.server.id for c in chosen
                                       if c.server.form_factor == rack.form_factor})
                        kind += f" {rack.form_factor}"
                        if only:
                            why = (f"; {', '.join(only)} {'is' if len(only) == 1 else 'are'} "
                                   f"{rack.form_factor} and go{'es' if len(only) == 1 else ''} only "
                                   f"into {rack.form_factor} racks")
                    if fewest:
                        reasons.append(f"{kind} positions ({rack.id}): need {have + extra}, "
                                       f"have {have}{why}")
                    else:
                        reasons.append(f"{kind} positions ({rack.id}): have {have}; a plan was found "
                                       f"with {have + extra} (fewer may do){why}")
                    short_types[rack.id] = {"need": have + extra, "have": have, "fewest": fewest}
        if not short_types:
            reasons.append("rack positions: no choice of models packs into the site's positions")
        details["positions"] = short_types
    elif relaxed.status in (Status.OK, Status.LIMIT) and scenario.budget_usd is not None:
        budget = scenario.budget_usd
        if relaxed.lower > budget * (1 + COST_REL):
            if relaxed.value <= relaxed.lower * (1 + COST_REL):
                reasons.append(f"budget short by ${relaxed.value - budget:,.0f}: the cheapest plan "
                               f"costs ${relaxed.value:,.0f}, the budget is ${budget:,.0f}")
            else:
                reasons.append(f"budget short by at least ${relaxed.lower - budget:,.0f}: every plan "
                               f"costs at least ${relaxed.lower:,.0f}, the budget is ${budget:,.0f}")
            details["budget_short_usd"] = round(relaxed.lower - budget, 2)
            details["cheapest_capex_usd"] = round(relaxed.lower, 2)
    if not reasons:
        reasons.append("no choice of server models meets the IT envelope, the rack positions and "
                       "the budget together")
    details["rejected_combinations"] = _rejected(found)
    return Diagnosis(reasons=reasons, details=details, proven=True)


def search_limit_diagnosis(cands: list[list[Candidate]], found: SearchOutcome) -> Diagnosis:
    """What the search tried before it stopped without a plan and without a proof."""
    rejected = _rejected(found)
    choices = math.prod(len(lst) for lst in cands)
    tried = f"{found.leaves:,} of {choices:,} model choices packed"
    stuck = []
    if rejected["packer_gave_up"]:
        stuck.append(f"{rejected['packer_gave_up']:,} packings found no fit within their work "
                     "limit and could not prove there is none")
    if rejected["budget_unproven"]:
        stuck.append(f"{rejected['budget_unproven']:,} packings came out over budget without a proof "
                     "that a cheaper one does not exist")
    text = f"no plan found and none ruled out ({tried}"
    text += "; " + "; ".join(stuck) + ")" if stuck else ")"
    text += ("; the positions, IT envelope and budget are tight together: add a rack position or "
             "two, relax the budget, or narrow the models with allowed")
    return Diagnosis(reasons=[text], details={"search_limit_reached": True, "leaves": found.leaves,
                                              "rejected_combinations": rejected}, proven=False)
