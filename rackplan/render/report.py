"""Plan reports: a :class:`Plan` as a text report, Markdown, CSV (one row per placement) or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..models.result import DevicePlacement, Placement, Plan
from .table import csv_text, key_value_table, md_table, table

if TYPE_CHECKING:  # rendering needs the explanation's shape only, not the planner
    from ..planning.explain import Explanation

Section = tuple[str, Sequence[str], list[list[Any]]]


def _usd(v: float) -> str:
    return f"${v:,.0f}"


def summary(plan: Plan) -> list[tuple[str, Any]]:
    """The report's headline figures, as (field, value) pairs."""
    t = plan.totals
    b = plan.bounds
    head: list[tuple[str, Any]] = [("scenario", plan.scenario), ("objective", plan.objective)]
    if plan.most is not None:
        m = plan.most
        unit = "GPUs" if m.objective == "max_gpus" else "FP8 PFLOPS"
        amount = (lambda v: f"{v:,.0f}") if m.objective == "max_gpus" else (lambda v: f"{v:,.3f}")
        head.append(("most", f"{amount(m.value)} {unit} for {', '.join(m.workloads)} "
                     + ("(proven the most)" if m.gap == 0 else
                        f"(at most {amount(m.upper_bound)} proven possible, gap {m.gap:.3%})")))
    return head + [
        ("gpus", t.gpus),
        ("servers", t.servers),
        ("racks", _racks_text(t.racks, b.racks_lower_bound)),
        ("it_power_kw", t.it_power_kw),
        ("facility_power_kw", t.facility_power_kw),
        ("capex_usd", _usd(t.capex_usd)),
        ("opex_usd_per_year", _usd(t.opex_usd_per_year)),
        ("tco_usd", _usd(t.tco_usd)),
        ("usd_per_gpu_hour", f"${t.usd_per_gpu_hour:.4f}"),
        *([("estimated_usd", estimated_text(plan))] if plan.estimates is not None else []),
        ("order_date", plan.schedule.order_date.isoformat() if plan.schedule.order_date else "-"),
        ("ready_date", plan.schedule.ready_date.isoformat()),
        ("npv_usd", _usd(t.npv_usd)),
        ("objective_bound" if plan.most is None else "tco_bound", _bound_text(plan)),
    ]


ESTIMATES_SECTION = "Estimated figures (catalog entries used)"
"""Title of the section listing each catalog entry the plan uses and its estimated figures."""


def estimated_text(plan: Plan) -> str:
    """How many of the plan's dollars rest on estimated catalog figures, in words."""
    e = plan.estimates
    assert e is not None
    t = plan.totals

    def share(part: float, whole: float) -> str:
        return f"{part / whole:.1%}" if whole else "0.0%"

    return (f"{_usd(e.capex_usd)} of {_usd(t.capex_usd)} capex ({share(e.capex_usd, t.capex_usd)}) "
            f"and {_usd(e.energy_usd_per_year)} of {_usd(t.opex_usd_per_year)} energy a year "
            f"({share(e.energy_usd_per_year, t.opex_usd_per_year)}) rest on estimated catalog "
            "figures; a quote in a catalogs: price sheet replaces them")


def _racks_text(racks: int, lower: int) -> str:
    """Racks used and the packing bound, which bounds racks, not cost: the plan may use more
    racks than the fewest when fewer would cost more."""
    if racks <= lower:
        return f"{racks:,} (no packing of these servers fits fewer)"
    return f"{racks:,} (no packing of these servers fits fewer than {lower:,} racks)"


def _bound_text(plan: Plan) -> str:
    """The objective's proven lower bound and the gap, in words."""
    b = plan.bounds
    what = "capex" if plan.objective == "capex" else "TCO"
    among = (" giving as much" if plan.most is not None else
             " ready as early" if plan.objective == "time" else "")
    if b.gap <= 0:
        return f"{_usd(b.objective_lower_bound)} (gap {b.gap:.3%}: no plan{among} costs less)"
    above = b.objective_value - b.objective_lower_bound
    tail = f": this plan is at most {_usd(above)} above the best" if above > 0 else ""
    return (f"{_usd(b.objective_lower_bound)} (no plan{among} has a lower {what}; gap "
            f"{b.gap:.3%}{tail})")


def sections(plan: Plan) -> list[Section]:
    """The report's tables, in order."""
    out: list[Section] = []
    out.append(("Selections", ["workload", "server", "count", "gpus", "arrival", "server_usd",
                               "tariff_usd", "it_power_kw", "energy_usd_per_year"],
                [[s.workload, s.server, s.count, s.gpus, s.arrival_date.isoformat(),
                  round(s.server_usd), round(s.tariff_usd), s.it_power_kw,
                  round(s.energy_usd_per_year)] for s in plan.selections]))
    by_type: dict[tuple[str, str], list[float]] = {}
    for r in plan.racks:
        row = by_type.setdefault((r.rack, r.role), [0, 0, 0.0, 0.0, 0.0, 0, 0.0, 0.0])
        row[0] += 1
        row[1] += sum(p.count for p in r.placements)
        row[2] += r.power_kw
        row[3] += r.air_kw
        row[4] += r.liquid_kw
        row[5] += r.u_used
        row[6] = max([row[6], *(f.kw for f in r.feeds)])
        row[7] = max([row[7], *(f.amps for f in r.feeds)])
    out.append(("Racks by type", ["rack", "role", "racks", "units", "power_kw", "air_kw",
                                  "liquid_kw", "u_used", "feed_kw_max", "feed_amps_max"],
                [[k[0], k[1], int(v[0]), int(v[1]), round(v[2], 3), round(v[3], 3), round(v[4], 3),
                  int(v[5]), round(v[6], 3), round(v[7], 1)] for k, v in by_type.items()]))
    if plan.feed_loss is not None and plan.feed_loss.racks:
        loss = plan.feed_loss
        out.append(("Feed loss (power redundancy N)", ["racks_that_trip", "it_kw", "gpus", "racks"],
                    [[len(loss.racks), loss.it_kw, loss.gpus,
                      ", ".join(loss.racks[:8]) + (", ..." if len(loss.racks) > 8 else "")]]))
    if plan.fabrics:
        out.append(("Fabrics", ["fabric", "switch", "tiers", "units", "leaf", "spine", "core",
                                "node_leaf", "leaf_spine", "spine_core", "modules", "cables",
                                "link_gbps", "power_kw", "capex_usd"],
                    [[f"{f.name}:{f.workload}" if f.workload else f.name, f.switch, f.tiers,
                      f.scalable_units, f.leaf, f.spine, f.core, f.links.node_leaf,
                      f.links.leaf_spine, f.links.spine_core, sum(f.modules.values()), f.cables,
                      f.link_gbps, f.power_kw, round(f.capex_usd)] for f in plan.fabrics]))
    c = plan.costs
    cost_rows: list[list[Any]] = [["servers", round(c.servers_usd)], ["tariffs", round(c.tariffs_usd)],
                                  ["racks", round(c.racks_usd)]]
    if plan.fabrics:
        cost_rows += [["network (switches, appliances)", round(c.network_usd)],
                      ["optics and cables", round(c.optics_usd)]]
    cost_rows += [["capex", round(plan.totals.capex_usd)],
                  ["energy per year", round(plan.totals.opex_usd_per_year)],
                  ["tco", round(plan.totals.tco_usd)]]
    out.append(("Costs", ["item", "usd"], cost_rows))
    schedule_rows: list[list[Any]] = []
    for w in plan.schedule.workloads:
        phased = len(w.phases) > 1
        for p in w.phases or []:
            schedule_rows.append([w.workload, p.phase if phased else "-", p.gpus,
                                  p.order_date.isoformat(),
                                  p.need_by.isoformat() if p.need_by else "-",
                                  p.online_date.isoformat()])
        if not w.phases:
            schedule_rows.append([w.workload, "-", "-", "-", "-", w.online_date.isoformat()])
    out.append(("Schedule", ["workload", "phase", "gpus", "ordered", "need_by", "online"],
                schedule_rows + [["(all: ready)", "", "", "", "", plan.schedule.ready_date.isoformat()]]))
    if any(len(s.deliveries) > 1 for s in plan.selections):
        out.append(("Deliveries by month", ["month", "server", "units", "cumulative"],
                    _monthly_deliveries(plan)))
    if plan.cash_flow:
        out.append(("Cash flow by fiscal year", ["fiscal_year", "capex_usd", "energy_usd",
                                                 "cumulative_usd"], _fiscal_years(plan)))
    if plan.estimates is not None:
        out.append((ESTIMATES_SECTION,
                    ["entry", "kind", "bom_usd", "as_of", "estimated"],
                    [[e.id, e.kind, round(e.extended_usd), e.as_of, ", ".join(e.estimated) or "none"]
                     for e in plan.estimates.entries]))
    # only the limits the scenario sets (rackplan size leaves out its unlimited placeholders)
    out.append(("Limits", ["limit", "used", "available", "share", "binding"],
                [[lim.limit, lim.used, lim.available,
                  f"{lim.used / lim.available:.1%}" if lim.available else "-", lim.binding]
                 for lim in plan.limits]))
    return out


def _monthly_deliveries(plan: Plan) -> list[list[Any]]:
    """Units shipped per month and server model, with the model's running total."""
    months: dict[tuple[str, str], int] = {}
    for s in plan.selections:
        for d in s.deliveries:
            key = (d.date.strftime("%Y-%m"), s.server)
            months[key] = months.get(key, 0) + d.units
    rows: list[list[Any]] = []
    running: dict[str, int] = {}
    for (month, server), units in sorted(months.items()):
        running[server] = running.get(server, 0) + units
        rows.append([month, server, units, running[server]])
    return rows


def _fiscal_years(plan: Plan) -> list[list[Any]]:
    """``cash_flow`` summed by fiscal year."""
    years: dict[str, list[float]] = {}
    for c in plan.cash_flow:
        row = years.setdefault(c.period.split("-")[0], [0.0, 0.0, 0.0])
        row[0] += c.capex_usd
        row[1] += c.energy_usd
        row[2] = c.cumulative_usd
    return [[fy, round(v[0]), round(v[1]), round(v[2])] for fy, v in years.items()]


NO_LIMITS = "none: rack positions, IT power and budget are unlimited"
"""What the Limits section says when the plan has no site limit (``rackplan size``)."""


def plan_table(plan: Plan) -> str:
    """The text report: summary, then each section as an aligned table, then warnings."""
    parts = [key_value_table(summary(plan))]
    for title, headers, rows in sections(plan):
        if title == "Limits" and not rows:
            parts.append(f"Limits\n{NO_LIMITS}\n")
        else:
            parts.append(table(headers, rows, title=title))
    if plan.warnings:
        parts.append("Warnings\n" + "".join(f"- {w}\n" for w in plan.warnings))
    return "\n".join(parts)


def plan_markdown(plan: Plan) -> str:
    """The report as Markdown."""
    parts = [f"# Plan: {plan.scenario}\n", md_table(["field", "value"], summary(plan))]
    for title, headers, rows in sections(plan):
        if title == "Limits" and not rows:
            parts.append(f"## Limits\n\n{NO_LIMITS[0].upper()}{NO_LIMITS[1:]}.\n")
        else:
            parts.append(f"## {title}\n\n" + md_table(headers, rows))
    if plan.warnings:
        parts.append("## Warnings\n\n" + "".join(f"- {w}\n" for w in plan.warnings))
    return "\n".join(parts)


EXPLAIN_SHOWN_REJECTED = 10
"""Models that do not qualify listed per workload; the rest are counted."""


def explanation_table(explanation: Explanation, markdown: bool = False) -> str:
    """Why each workload got its model, as text tables (or Markdown): the chosen model, every
    other qualifying model with what it would cost or why it has no plan, the models that do
    not qualify (the first :data:`EXPLAIN_SHOWN_REJECTED`), then the binding site limits."""
    e = explanation
    if e.plans:
        intro = (f"Each other model that qualifies is forced on its workload alone (the other "
                 f"workloads keep their free choice) and planned: {e.plans} plan"
                 f"{'' if e.plans == 1 else 's'}, objective "
                 f"{e.objective}; the chosen plan: {e.chosen_value}.")
    else:
        intro = (f"No other model qualifies for any workload, so there was nothing to compare; "
                 f"objective {e.objective}; the plan: {e.chosen_value}.")
    parts = [f"## Explanation\n\n{intro}\n" if markdown else f"Explanation\n{intro}\n"]
    for w in e.workloads:
        rows: list[list[Any]] = [[w.chosen, "chosen"]]
        rows += [[r.server, r.text] for r in w.rivals]
        if not w.rivals:
            rows[0][1] = "chosen: the only model that qualifies"
        shown = w.rejected[:EXPLAIN_SHOWN_REJECTED]
        rows += [[sid, f"does not qualify: {reason}"] for sid, reason in shown]
        if len(w.rejected) > len(shown):
            rows.append([f"and {len(w.rejected) - len(shown)} more", "do not qualify"])
        title = f"Workload {w.workload}: {w.chosen}"
        parts.append(f"### {title}\n\n" + md_table(["model", "outcome"], rows) if markdown
                     else table(["model", "outcome"], rows, title=title))
    binding = list(e.binding) or ["none: the plan uses less than 99% of every site limit"]
    head = "### Binding site limits\n\n" if markdown else "Binding site limits\n"
    parts.append(head + "".join(f"- {b}\n" for b in binding))
    return "\n".join(parts)


PLACEMENT_COLUMNS = ["rack_id", "rack", "workload", "server", "count", "rack_power_kw",
                     "rack_air_kw", "rack_liquid_kw", "rack_u_used", "rack_weight_kg",
                     "installed_date", "arrival_date", "phase"]
"""Columns of ``--format csv``; a network rack's devices show the device id under ``server``
and ``network:<fabric>`` under ``workload``."""

BOM_COLUMNS = ["category", "item", "description", "quantity", "unit_usd", "extended_usd",
               "lead_time_weeks", "estimate"]
"""Columns of ``--format bom``."""


def _who(p: Placement | DevicePlacement) -> tuple[str, str]:
    if isinstance(p, DevicePlacement):
        return f"network:{p.fabric}", p.device
    return p.workload, p.server


def plan_csv(plan: Plan) -> str:
    """One CSV row per placement (servers of one workload, or devices of one fabric, in a rack)."""
    rows = [[r.id, r.rack, *_who(p), p.count, r.power_kw, r.air_kw, r.liquid_kw,
             r.u_used, r.weight_kg, r.installed_date.isoformat(),
             r.arrival_date.isoformat() if r.arrival_date else "",
             getattr(p, "phase", None) or ""]
            for r in plan.racks for p in r.placements]
    return csv_text(PLACEMENT_COLUMNS, rows)


def plan_bom(plan: Plan) -> str:
    """The bill of materials as CSV, one line per part; ``extended_usd`` sums to the capex."""
    rows = [[b.category, b.item, b.description, b.quantity, b.unit_usd, b.extended_usd,
             b.lead_time_weeks, "yes" if b.estimate else "no"] for b in plan.bom]
    return csv_text(BOM_COLUMNS, rows)


def render(plan: Plan, fmt: str) -> str:
    """The plan in ``fmt``: ``json``, ``csv``, ``bom`` (CSV), ``markdown``, or anything else for
    the text report."""
    if fmt == "json":
        return plan.model_dump_json(indent=2) + "\n"
    if fmt == "csv":
        return plan_csv(plan)
    if fmt == "bom":
        return plan_bom(plan)
    if fmt == "markdown":
        return plan_markdown(plan)
    return plan_table(plan)
