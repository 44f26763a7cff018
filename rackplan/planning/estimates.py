"""Which of a plan's figures rest on estimates, and which are old.

The catalog marks each figure's source: ``"<fields>: estimate: <reason>"`` or a public document
(see :meth:`~rackplan.models.catalog.CatalogEntry.estimated_fields`). A plan reports, per
selection and per catalog entry it uses, the figures that are estimates, and how many of its
dollars rest on them: the BOM lines priced by an estimate and their tariffs (capex), and the
energy of servers and network gear whose power is an estimate. A quote given in a ``catalogs:``
price sheet replaces the estimate and leaves these sums.

A chosen entry whose ``as_of`` month is more than :data:`STALE_MONTHS` before the order date
gets a warning: prices and lead times move within a year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..models import Scenario
from ..models.catalog import GPU, CatalogEntry, Server, month_start, months_between
from ..models.result import BomLine, EntryEstimates, Estimates, Selection
from .network import tariff
from .units import rounded

STALE_MONTHS = 12
"""A chosen entry's figures older than this many whole months at the order date are warned of."""

STALE_WARNING = "catalog figures more than 12 months old"
"""How a staleness warning starts (for scripts that look for it)."""

_KINDS = {"servers": "server", "racks": "rack", "switches": "switch", "optics": "optic",
          "cables": "optic", "appliances": "appliance"}
ENERGY_FIELDS = {"server": {"power_idle_w", "power_max_w"}, "switch": {"power_typical_w"},
                 "optic": {"power_w"}, "appliance": {"power_idle_w", "power_max_w"}, "rack": set()}
"""The fields a part's energy is computed from (a switch's maximum power only sizes the rack
power it reserves)."""


def tariff_estimated(estimated: list[str] | set[str]) -> bool:
    """A tariff rests on an estimate when the price it taxes or the origin it is charged by
    does."""
    return bool({"price_usd", "origin"} & set(estimated))


def server_estimates(server: Server, gpu: GPU | None) -> list[str]:
    """The server's estimated figures, and its GPU's as ``gpu.<field>``."""
    out = server.estimated_fields()
    if gpu is not None:
        out += [f"gpu.{f}" for f in gpu.estimated_fields()]
    return out


def plan_estimates(scenario: Scenario, used: Mapping[str, CatalogEntry],
                   selections: list[Selection], bom: list[BomLine],
                   network_energy_usd_per_year: float) -> Estimates:
    """The plan's ``estimates``: per entry used (``used``: the plan's catalog entries by id),
    and the dollars resting on estimates."""
    entries: list[EntryEstimates] = []
    capex = 0.0
    network_power_estimated = False
    for line in bom:
        if line.category == "tariffs" or line.item not in used:
            continue
        entry = used[line.item]
        estimated = entry.estimated_fields()
        entries.append(EntryEstimates(id=entry.id, kind=_KINDS[line.category],  # type: ignore[arg-type]
                                      estimated=estimated, as_of=entry.as_of,
                                      extended_usd=line.extended_usd))
        if "price_usd" in estimated:
            capex += line.extended_usd
        origin = getattr(entry, "origin", None)
        if line.category in ("switches", "appliances") and origin and tariff_estimated(estimated):
            capex += rounded(line.extended_usd * tariff(scenario, origin), 2)  # servers': below
        if line.category != "servers":  # rack types have no energy fields
            network_power_estimated |= bool(ENERGY_FIELDS[_KINDS[line.category]] & set(estimated))
    energy = 0.0
    for sel in selections:
        server_fields = set(used[sel.server].estimated_fields())
        if tariff_estimated(server_fields):
            capex += sel.tariff_usd
        if ENERGY_FIELDS["server"] & server_fields:
            energy += sel.energy_usd_per_year
    if network_power_estimated:
        energy += network_energy_usd_per_year
    return Estimates(capex_usd=rounded(capex, 2), energy_usd_per_year=rounded(energy, 2),
                     entries=entries)


def stale_warnings(scenario: Scenario, used: Mapping[str, CatalogEntry],
                   orders: Mapping[str, dt.date], bom: list[BomLine]) -> list[str]:
    """One warning per chosen entry whose figures are more than :data:`STALE_MONTHS` older than
    the date it is ordered: ``orders`` maps a server id to the last date any of its units is
    ordered (a later phase's); the rest count from the scenario's start."""
    out = []
    for line in bom:
        if line.category == "tariffs" or line.item not in used:
            continue
        entry = used[line.item]
        if entry.as_of is None:
            continue
        day = orders.get(entry.id, scenario.start)
        age = months_between(entry.as_of, day)
        if age > STALE_MONTHS:
            what = ("price and lead time are" if getattr(entry, "lead_time_weeks", None) is not None
                    else "price is")
            out.append(f"{STALE_WARNING}: {entry.id}'s {what} as of {entry.as_of}, {age} "
                       f"months before the order date {day}; get a current quote and give it in "
                       "a catalogs: price sheet")
    return out


UNDATED_WARNING = "undated catalog figures"
"""How the warning on entries without ``as_of`` starts."""

NOT_YET_SHIPPING = "ships before its first shipments"
"""What the warning on a delivery before a system's ``available`` month says."""


def undated_warning(used: Mapping[str, CatalogEntry], bom: list[BomLine]) -> list[str]:
    """One warning naming the servers the plan uses that have no ``as_of`` (rack types and
    network gear of a site's own making often have none; a server's price and lead time are
    what a quote dates)."""
    ids = [line.item for line in bom
           if line.category == "servers" and line.item in used and used[line.item].as_of is None]
    if not ids:
        return []
    verb = "has" if len(ids) == 1 else "have"
    return [f"{UNDATED_WARNING}: {', '.join(ids)} {verb} no as_of (an override that changes a "
            "price or lead time without one leaves the entry undated), so the age of those "
            "figures is unknown; give as_of at the top of your price sheet"]


def availability_warnings(selections: list[Selection], used: Mapping[str, CatalogEntry]
                          ) -> list[str]:
    """A warning per selection delivered, by its lead time and supply rules, before the month
    its server first ships (``available``): the plan does not hold deliveries back."""
    out = []
    for sel in selections:
        server = used.get(sel.server)
        available = getattr(server, "available", None)
        if not available or not sel.deliveries:
            continue
        first = min(d.date for d in sel.deliveries)
        if first < month_start(available):
            out.append(f"workload {sel.workload!r}: {sel.server} {NOT_YET_SHIPPING} "
                       f"(available {available}): its first units arrive on {first} by its lead "
                       "time; the plan does not hold them back, so add a supply rule with "
                       "available_from for a system not yet shipping")
    return out
