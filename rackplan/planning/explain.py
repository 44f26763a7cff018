"""Why each workload got its model: what every other model would cost, or why it has no plan.

For each workload, every other model that qualifies is forced on that workload alone (the
other workloads keep their free choice, as in :mod:`.compare`) and planned: the result is
what it would cost more, or the diagnosis of why there is no plan (the limit it breaks).
Models that do not qualify keep the reason :func:`.candidates.candidates_for` gives. The
binding site limits of the plan are put in words. One plan per alternative model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import InfeasibleError
from ..loading import catalog_for
from ..models import Catalog, Scenario
from ..models.result import Limit, Plan
from . import plan
from .arrays import site_arrays
from .build import NOT_PROVEN_EARLIEST
from .candidates import candidates_for

NOT_ALLOWED = "not in allowed"
"""The rejection reason of a model the workload's ``allowed`` list leaves out."""


@dataclass(frozen=True)
class Rival:
    """Another model that qualifies for a workload, forced on it."""

    server: str
    feasible: bool
    """True when a plan exists with this model forced on the workload."""
    text: str
    """What it would change (``would cost $1,240,000 more (TCO +0.32%)``), or ``no plan:`` and
    the diagnosis (the limit it breaks)."""
    delta_usd: float | None = None
    """Its plan's capex (objective ``capex``) or TCO minus the chosen plan's; None without a
    plan."""


@dataclass(frozen=True)
class WorkloadExplanation:
    """Why one workload got its model."""

    workload: str
    chosen: str
    """The server id the plan chose."""
    rivals: tuple[Rival, ...]
    """Every other qualifying model: those with a plan first, best first; then those without."""
    rejected: tuple[tuple[str, str], ...]
    """Every model that does not qualify, with the reason: informative reasons first, then
    ``not in allowed``, each in catalog order."""


@dataclass(frozen=True)
class Explanation:
    """Why the plan chose its models, per workload, and which site limits bind."""

    objective: str
    chosen_value: str
    """The chosen plan's figure the alternatives are compared with (``TCO $391,651,808``)."""
    workloads: tuple[WorkloadExplanation, ...]
    binding: tuple[str, ...]
    """The plan's binding site limits (99% or more used), in words."""
    plans: int
    """Plans made to explain (one per rival)."""


def explain(scenario: Scenario, catalog: Catalog | None = None, *, objective: str | None = None,
            base: Plan | None = None,
            progress: Callable[[str], None] | None = None) -> Explanation:
    """Why each workload of ``scenario`` got its model in the plan ``base`` (planned here when
    None): each other qualifying model is forced on that workload alone and planned.

    ``progress``, when given, is called with a short text before each of those plans. Raises
    what :func:`rackplan.plan` raises when ``base`` is None and there is no plan.
    """
    if catalog is None:
        catalog = catalog_for(scenario)
    objective = objective or scenario.objective
    if base is None:
        base = plan(scenario, catalog, objective=objective)
    chosen = {s.workload: s.server for s in base.selections}
    site = site_arrays(scenario, catalog)
    todo: list[tuple[str, list[str], list[tuple[str, str]]]] = []
    for w in scenario.workloads:
        lst, why = candidates_for(w, scenario, catalog, site)
        rejected = ([(sid, r) for sid, r in why.items() if r != NOT_ALLOWED]
                    + [(sid, r) for sid, r in why.items() if r == NOT_ALLOWED])
        todo.append((w.name, [c.server.id for c in lst if c.server.id != chosen[w.name]], rejected))
    total = sum(len(rivals) for _, rivals, _ in todo)
    done = 0
    out = []
    for name, rival_ids, rejected in todo:
        ranked: list[tuple[tuple[int, float, float], Rival]] = []
        for sid in rival_ids:
            done += 1
            if progress is not None:
                progress(f"explain {done}/{total}: {name} on {sid}")
            try:
                alt = plan(scenario, catalog, objective=objective, force_models={name: sid})
            except InfeasibleError as exc:
                reasons = "; ".join(exc.diagnosis.reasons) or "no feasible plan"
                head = ("no plan" if exc.diagnosis.proven else
                        "no plan found (search limit, not a proof of infeasibility)")
                ranked.append(((1, 0.0, 0.0), Rival(sid, False, f"{head}: {reasons}")))
                continue
            text, first = _versus(base, alt, objective)
            delta = _value(alt, objective) - _value(base, objective)
            ranked.append(((0, first, delta), Rival(sid, True, text, round(delta, 2))))
        ranked.sort(key=lambda kr: kr[0])  # stable: ties keep catalog order
        out.append(WorkloadExplanation(name, chosen[name], tuple(r for _, r in ranked),
                                       tuple(rejected)))
    return Explanation(objective, _value_text(base, objective), tuple(out),
                       tuple(limit_words(lim) for lim in base.limits if lim.binding), total)


def _value_name(objective: str) -> str:
    return "capex" if objective == "capex" else "TCO"


def _value(p: Plan, objective: str) -> float:
    return p.totals.capex_usd if objective == "capex" else p.totals.tco_usd


def _value_text(p: Plan, objective: str) -> str:
    text = f"{_value_name(objective)} ${_value(p, objective):,.0f}"
    if objective == "time":
        return f"ready {p.schedule.ready_date.isoformat()}, {text}"
    if p.most is not None:
        return f"{_most_amount(p.most.objective, p.most.value)}, {text}"
    return text


def _most_amount(objective: str, value: float) -> str:
    return f"{value:,.0f} GPUs" if objective == "max_gpus" else f"{value:,.3f} FP8 PFLOPS"


def _versus(base: Plan, alt: Plan, objective: str) -> tuple[str, float]:
    """What ``alt`` changes against ``base`` in words, and what the objective ranks before
    cost: days later (``time``), or how much less it gives (``max_*``); 0 otherwise."""
    if objective == "time":
        days = (alt.schedule.ready_date - base.schedule.ready_date).days
        if days:
            side = "later" if days > 0 else "earlier"
            text = f"ready {abs(days)} days {side} ({alt.schedule.ready_date.isoformat()})"
            if any(w.startswith(NOT_PROVEN_EARLIEST) for w in alt.warnings):
                text += "; the earliest found with that model, not proven its earliest"
            return text, float(days)
    if base.most is not None and alt.most is not None:
        less = base.most.value - alt.most.value
        if abs(less) > 1e-9:
            unproven = ""
            if alt.most.gap > 0:  # the most found with that model, not proven its most
                unproven = (f"; not proven its most (it may give up to "
                            f"{alt.most.upper_bound:,.{0 if base.most.objective == 'max_gpus' else 3}f})")
            if base.most.objective == "max_gpus":
                side = "fewer" if less > 0 else "more"
                return f"gives {abs(less):,.0f} {side} GPUs{unproven}", less
            side = "less" if less > 0 else "more"
            return f"gives {abs(less):,.3f} FP8 PFLOPS {side}{unproven}", less
    name = _value_name(objective)
    old, new = _value(base, objective), _value(alt, objective)
    delta = new - old
    if abs(delta) < 0.5:
        return f"costs the same ({name} ${new:,.0f}): a tie", 0.0
    share = delta / old if old else 0.0
    side = "more" if delta > 0 else "less"
    text = f"would cost ${abs(delta):,.0f} {side} ({name} {share:+.2%})"
    if delta < 0:  # only possible within the plan's proven gap
        text += f", within the plan's gap of {base.bounds.gap:.3%}"
    if alt.bounds.gap > 0:  # the best found with that model, not proven its best
        text += f"; not proven its least (gap {alt.bounds.gap:.3%})"
    return text, 0.0


def limit_words(limit: Limit) -> str:
    """A site limit and how much of it the plan uses, in words."""
    share = f"{limit.used / limit.available:.1%}" if limit.available else "-"
    if limit.limit == "it_power_kw":
        return (f"IT power: {limit.used:,.1f} kW of {limit.available:,.1f} kW reserved ({share})")
    if limit.limit == "budget_usd":
        return f"budget: ${limit.used:,.0f} of ${limit.available:,.0f} spent ({share})"
    if limit.limit.startswith("positions:"):
        rack = limit.limit.split(":", 1)[1]
        return (f"positions of {rack}: {limit.used:,.0f} of {limit.available:,.0f} used "
                f"({share})")
    return f"{limit.limit}: {limit.used:,} of {limit.available:,} used ({share})"
