"""Flat numpy arrays for the kernels: the site's rack types, the candidates, the chosen servers.

Nothing here decides anything: it lays models and candidates out the way
:mod:`rackplan.kernels.search` takes them, plus the rack-cost lower bounds the
model search prunes with. Rack capacity has ``N_DIMS`` dimensions, in the order
of :mod:`rackplan.kernels.dims`: reserved power, air heat, liquid heat, rack
units, weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..kernels.dims import AIR, FORM_FACTOR_SIZE, LIQUID, N_DIMS, POWER, UNITS, WEIGHT
from ..kernels.patterns import max_fit, merge_items
from ..models import Catalog, RackType, Scenario
from ..tolerance import FIT_REL
from .candidates import Candidate


@dataclass(frozen=True)
class SiteArrays:
    """The site's rack types as arrays, one row per rack position entry."""

    racks: list[RackType]
    cap: np.ndarray
    """(T, N_DIMS) usable capacity per rack type."""
    price: np.ndarray
    """(T,) USD per rack."""
    count: np.ndarray
    """(T,) positions of each type."""
    form_factors: tuple[str, ...] = ()
    """The form factors of a site that mixes them, one capacity column each after the
    ``N_DIMS`` physical ones; empty when every rack type has the same form factor."""

    def size_of(self, size: tuple[float, ...], form_factor: str) -> tuple[float, ...]:
        """A server's physical ``size`` with its form-factor columns for this site."""
        return size + tuple(FORM_FACTOR_SIZE if f == form_factor else 0.0
                            for f in self.form_factors)

    @property
    def dims(self) -> int:
        """Columns of a size or capacity at this site."""
        return int(self.cap.shape[1])


def site_arrays(scenario: Scenario, catalog: Catalog) -> SiteArrays:
    """The scenario's rack positions as capacity, price and count arrays."""
    redundancy = scenario.site.power_redundancy
    racks = [catalog.rack(p.rack) for p in scenario.site.rack_positions]
    factors = sorted({r.form_factor for r in racks})
    form_factors = tuple(factors) if len(factors) > 1 else ()
    cap = np.zeros((len(racks), N_DIMS + len(form_factors)), dtype=np.float64)
    for t, r in enumerate(racks):
        cap[t, POWER] = r.usable_power_kw(redundancy)
        cap[t, AIR] = r.air_cooling_kw
        cap[t, LIQUID] = r.liquid_cooling_kw
        cap[t, UNITS] = r.usable_u
        cap[t, WEIGHT] = r.max_load_kg
        for i, f in enumerate(form_factors):
            cap[t, N_DIMS + i] = 1.0 if r.form_factor == f else 0.0
    price = np.array([r.price_usd for r in racks], dtype=np.float64)
    count = np.array([p.count for p in scenario.site.rack_positions], dtype=np.int64)
    return SiteArrays(racks, cap, price, count, form_factors)


def item_arrays(scenario: Scenario, chosen: list[Candidate]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kernel item arrays of the chosen servers (one per workload), shared workloads with
    interchangeable servers pooled.

    Returns ``(group, n, S, nm, exclusive, rack_scale)``: ``group`` (W,) the
    pool of each workload, ``n`` (W,) servers per workload, and per pool the
    size ``S``, server count ``nm``, exclusive and rack-scale flags.
    """
    S = np.array([c.size for c in chosen], np.float64)
    n = np.array([c.count for c in chosen], np.int64)
    rack_scale = np.array([c.server.rack_scale for c in chosen], np.bool_)
    exclusive = np.array([w.placement == "dedicated" for w in scenario.workloads], np.bool_) | rack_scale
    lead = np.array([c.arrival_day for c in chosen], np.float64)
    group, Sm, nm, exm, rsm, _lead = merge_items(S, n, exclusive, rack_scale, lead)
    return group, n, Sm, nm, exm, rsm


def rack_bounds(c: Candidate, exclusive: bool, site: SiteArrays) -> tuple[float, np.ndarray]:
    """Rack-cost lower bounds of one candidate: exclusive racks, or per dimension if shared."""
    size = np.array(c.size)
    fits = np.all(size[None, :] <= site.cap * (1 + FIT_REL), axis=1)
    if exclusive:
        # racks may be of several types, so the bound is the count at the lowest price per
        # server, fractional: whole racks of the single cheapest type can cost more than a mix
        per_server = math.inf
        for t in np.flatnonzero(fits):
            per_rack = 1 if c.server.rack_scale else max_fit(site.cap[t], size, c.count)
            if per_rack >= 1:
                per_server = min(per_server, float(site.price[t]) / per_rack)
        return c.count * per_server, np.zeros(site.dims)
    shared = np.zeros(site.dims)
    for d in range(site.dims):
        if size[d] <= 0:
            continue
        ok = fits & (site.cap[:, d] > 0)
        if ok.any():
            # per unit of capacity, counting the overfill a fit allows
            unit = site.price[ok] / (site.cap[ok, d] * (1 + FIT_REL))
            shared[d] = c.count * size[d] * float(unit.min())
    return 0.0, shared


def _separable(c: Candidate, objective: str, years: float) -> float:
    """The part of the objective a candidate adds on its own, racks aside."""
    if objective == "capex":
        return c.search_capex_usd
    return c.search_capex_usd + c.search_energy_usd_per_year * years


class SearchArrays(NamedTuple):
    """The model search's candidates as flat arrays, each workload's best first.

    Workload ``w``'s candidates are rows ``cand_start[w]:cand_start[w+1]``; the
    other fields are the arguments of :func:`rackplan.kernels.search.search` of
    the same name.
    """

    cand_start: np.ndarray
    """(W + 1,)"""
    cand_index: np.ndarray
    """(C,) each row's index in its workload's candidate list."""
    S: np.ndarray
    n: np.ndarray
    sep: np.ndarray
    capex: np.ndarray
    power: np.ndarray
    lead: np.ndarray
    rack_scale: np.ndarray
    excl_lb: np.ndarray
    shared_lb: np.ndarray
    dedicated: np.ndarray
    """(W,)"""


def search_arrays(scenario: Scenario, objective: str, cands: list[list[Candidate]],
                  site: SiteArrays) -> SearchArrays:
    """Every workload's candidates, ordered best first for ``objective``, as kernel arrays."""
    years = scenario.horizon_years
    order_lists = []
    for lst in cands:
        # the search takes each workload's candidates best first; the index keeps ties stable
        if objective == "time":
            order = sorted(range(len(lst)), key=lambda i: (lst[i].arrival_day,
                                                           _separable(lst[i], objective, years), i))
        else:
            order = sorted(range(len(lst)), key=lambda i: (_separable(lst[i], objective, years), i))
        order_lists.append(order)
    flat = [(w, i) for w, order in enumerate(order_lists) for i in order]
    start = np.zeros(len(cands) + 1, np.int64)
    start[1:] = np.cumsum([len(lst) for lst in cands])
    C = len(flat)
    S = np.zeros((C, site.dims))
    n = np.zeros(C, np.int64)
    sep = np.zeros(C)
    capex = np.zeros(C)
    power = np.zeros(C)
    lead = np.zeros(C)
    rack_scale = np.zeros(C, np.bool_)
    excl_lb = np.zeros(C)
    shared_lb = np.zeros((C, site.dims))
    dedicated = np.array([w.placement == "dedicated" for w in scenario.workloads], np.bool_)
    for j, (w, i) in enumerate(flat):
        c = cands[w][i]
        S[j] = c.size
        n[j] = c.count
        sep[j] = _separable(c, objective, years)
        capex[j] = c.search_capex_usd
        power[j] = c.search_power_kw
        lead[j] = c.arrival_day
        rack_scale[j] = c.server.rack_scale
        excl_lb[j], shared_lb[j] = rack_bounds(c, bool(dedicated[w] or c.server.rack_scale), site)
    cand_index = np.array([i for _w, i in flat], np.int64)
    return SearchArrays(start, cand_index, S, n, sep, capex, power, lead, rack_scale, excl_lb,
                        shared_lb, dedicated)
