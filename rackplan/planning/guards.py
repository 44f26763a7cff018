"""Guard rails: warnings on values that are valid but probably not what was meant.

A price of 8 $/kWh, a tariff of 5 (500%) or a budget smaller than one server are all
accepted by the scenario's ranges, and each gives a plan (or a diagnosis) that looks
wrong for no visible reason. These checks name the value, say what was probably meant
and how to silence the warning: each has a stable code (:data:`WARNING_CODES`), and a
scenario lists the codes it means in ``accept_warnings``.

Pure functions: the scenario (with its catalog, or the chosen candidates) in, a list of
:class:`Guard` out, already without the codes the scenario accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..errors import Diagnosis
from ..models import Catalog, Scenario, Server, Workload
from ..models.scenario import WARNING_CODES
from .candidates import Candidate

__all__ = ["Guard", "WARNING_CODES", "add_to_diagnosis", "plan_guards", "scenario_guards"]

ELECTRICITY_MAX_USD_PER_KWH = 1.0
"""A price above this per kWh is probably in cents (the dearest grids are about 0.5 $/kWh)."""
TARIFF_MAX = 1.0
"""A tariff rate above this (100%) is probably a percentage."""
PUE_MAX = 2.0
"""A PUE above this is rare for a GPU site (typical 1.1 to 1.5)."""
SCALE_UP_HINT_GPUS = 8
"""The domain suggested to an unconstrained workload that got a server without one."""
SCALE_UP_ADVICE = f"set min_scale_up_gpus (e.g. {SCALE_UP_HINT_GPUS}) or allowed"
"""How a scenario file gives that workload a model constraint (``rackplan size`` says it its
own way: see :data:`SCENARIO_WORDS`)."""
NO_CONSTRAINT = "no model constraint (allowed, min_gpu_memory_gb, min_scale_up_gpus)"
SCENARIO_WORDS = {
    NO_CONSTRAINT: "no_constraint",
    "site.electricity_usd_per_kwh": "electricity",
    "site.tariffs": "tariffs",
    "site.pue": "pue",
    "budget_usd": "budget",
    SCALE_UP_ADVICE: "scale_up_advice",
}
"""The words of these warnings that name a scenario file's fields, each with a key a command
without a scenario file (``rackplan size``) maps to its own option names."""


class Guard(NamedTuple):
    """One warning: its stable code and the message (which ends with how to silence it)."""

    code: str
    message: str


def _guard(code: str, text: str) -> Guard:
    assert code in WARNING_CODES, code
    return Guard(code, f"{text} (silence: accept_warnings: [{code}])")


def _accepted(scenario: Scenario, guards: list[Guard]) -> list[Guard]:
    accepted = set(scenario.accept_warnings)
    return [g for g in guards if g.code not in accepted]


def scenario_guards(scenario: Scenario, catalog: Catalog | None = None) -> list[Guard]:
    """Warnings on the scenario's own values: electricity price, tariff rates, PUE and (with
    ``catalog``) a budget below the price of one server a workload may use."""
    s = scenario.site
    out: list[Guard] = []
    price = s.electricity_usd_per_kwh
    if price > ELECTRICITY_MAX_USD_PER_KWH:
        out.append(_guard("electricity_price",
                          f"site.electricity_usd_per_kwh is {price:g} (${price:g}/kWh): did you "
                          f"mean {price / 100:g} (the price in dollars, not cents)?"))
    for country, rate in sorted(s.tariffs.items()):
        if rate > TARIFF_MAX:
            out.append(_guard("tariff_rate",
                              f"site.tariffs {country}: {rate:g} means {rate * 100:g}%; did you "
                              f"mean {rate / 100:g} ({rate:g}%)?"))
    if s.pue > PUE_MAX:
        out.append(_guard("pue",
                          f"site.pue is {s.pue:g}: the facility would draw {s.pue:g} kW for each "
                          "kW of IT, where GPU sites run at about 1.1 to 1.5 (air-cooled "
                          "halls up to about 1.6); check the figure"))
    if catalog is not None and scenario.budget_usd is not None:
        out.extend(_budget_guards(scenario, catalog, scenario.budget_usd))
    return _accepted(scenario, out)


def _budget_guards(scenario: Scenario, catalog: Catalog, budget: float) -> list[Guard]:
    """The workload whose cheapest model costs the most, when even that is over ``budget``."""
    worst: tuple[float, Workload, Server] | None = None
    tariffs = scenario.site.tariffs
    for w in scenario.workloads:
        priced = [(s.price_usd * (1 + tariffs.get(s.origin, 0.0)), s.id, s)
                  for s in catalog.servers if _may_use(w, s, catalog)]
        if not priced:
            continue  # no model qualifies: the planner says so
        usd, _, server = min(priced)
        if worst is None or usd > worst[0]:
            worst = (usd, w, server)
    if worst is None or budget >= worst[0]:
        return []
    usd, w, server = worst
    tariff = " with tariff" if tariffs.get(server.origin, 0.0) > 0 else ""
    scaled = [f"${budget * f:,.0f}" for f in (1e3, 1e6) if budget * f >= usd]
    meant = (f"was it given in thousands or millions ({' or '.join(scaled)})?" if scaled
             else "was it given in thousands or millions?")
    return [_guard("budget_below_one_server",
                   f"budget_usd is ${budget:,.0f}, less than one server of any model workload "
                   f"{w.name!r} may use (the cheapest, {server.id}, is ${usd:,.0f}{tariff}): "
                   + meant)]


def _may_use(w: Workload, server: Server, catalog: Catalog) -> bool:
    """``allowed``, ``min_gpu_memory_gb`` and ``min_scale_up_gpus`` (not the rack fit)."""
    if w.allowed and server.id not in w.allowed and server.gpu not in w.allowed:
        return False
    if w.min_gpu_memory_gb is not None and catalog.gpu(server.gpu).memory_gb < w.min_gpu_memory_gb:
        return False
    return w.min_scale_up_gpus is None or server.scale_up_gpus >= w.min_scale_up_gpus


def plan_guards(scenario: Scenario, chosen: Sequence[Candidate]) -> list[Guard]:
    """Warnings on the planner's choices (``chosen``: one candidate per workload): an
    unconstrained workload that got a server whose GPUs have no scale-up link."""
    out = []
    for w, c in zip(scenario.workloads, chosen, strict=True):
        unconstrained = (w.allowed is None and w.min_scale_up_gpus is None
                         and w.min_gpu_memory_gb is None)
        if unconstrained and c.server.scale_up_gpus == 1:
            out.append(_guard("no_scale_up_domain",
                              f"workload {w.name!r} has {NO_CONSTRAINT} and got {c.server.id}, "
                              "whose GPUs have no scale-up link (scale_up_gpus 1); if it trains, "
                              f"{SCALE_UP_ADVICE}"))
    return _accepted(scenario, out)


def add_to_diagnosis(diagnosis: Diagnosis, scenario: Scenario, catalog: Catalog | None) -> None:
    """Put the scenario's warnings in ``diagnosis.details["warnings"]`` (a list of messages),
    when it has any: an infeasible scenario may be one with a price in cents."""
    messages = [g.message for g in scenario_guards(scenario, catalog)]
    if messages:
        known = diagnosis.details.get("warnings") or []
        diagnosis.details["warnings"] = [*known, *(m for m in messages if m not in known)]
