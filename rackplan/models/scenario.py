"""Scenario models: the site, its rack positions, and the workloads to place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from .catalog import Catalog, Country, Id

_MODEL_CONFIG = ConfigDict(
    extra="forbid",
    frozen=True,
    str_strip_whitespace=True,
    use_attribute_docstrings=False,
    allow_inf_nan=False,
)


WarningCode = Literal["electricity_price", "tariff_rate", "pue", "budget_below_one_server",
                      "no_scale_up_domain"]
"""Codes of the warnings on values that are valid but implausible (see
:mod:`rackplan.planning.guards`); a scenario silences them with ``accept_warnings``."""

WARNING_CODES: tuple[str, ...] = get_args(WarningCode)


FIRST_START = dt.date(1990, 1, 1)
LAST_START = dt.date(2199, 12, 31)
"""Order dates rackplan accepts; a plan is scheduled at most 100 years beyond."""


class RackPosition(BaseModel):
    """A group of identical rack positions available at the site."""

    model_config = _MODEL_CONFIG

    rack: Id
    """Rack type id (must exist in the catalog)."""
    count: StrictInt = Field(ge=1, le=1_000_000)
    """How many positions of this type the site has."""


class Site(BaseModel):
    """The facility: its power envelope, cooling, prices and rack positions."""

    model_config = _MODEL_CONFIG

    it_power_kw: StrictFloat = Field(gt=0, le=100_000_000)
    """Facility IT power envelope in kW (reserved server power must fit under it)."""
    pue: StrictFloat = Field(default=1.3, ge=1.0, le=5.0)
    """Power usage effectiveness: facility power / IT power."""
    electricity_usd_per_kwh: StrictFloat = Field(default=0.08, ge=0, le=10)
    """Electricity price in US dollars per kWh."""
    power_redundancy: Literal["N", "2N"] = "2N"
    """``N``: a rack may use ``power_kw * feeds``; ``2N``: ``power_kw * feeds / 2``."""
    power_allocation: StrictFloat = Field(default=1.0, gt=0, le=1.0)
    """Share of ``power_max_w`` reserved per server (1.0 = nameplate)."""
    install_racks_per_week: StrictFloat = Field(default=20, gt=0, le=100_000)
    """Racks the installation crews can bring up per week."""
    burn_in_weeks: StrictFloat = Field(default=2, ge=0, le=520)
    """Weeks of burn-in after a workload's last rack is installed."""
    tariffs: dict[Country, Annotated[StrictFloat, Field(ge=0, le=10)]] = Field(default_factory=dict)
    """Tariff rate by origin country, applied to server price (0.25 = 25%)."""
    rack_positions: list[RackPosition] = Field(min_length=1)
    """Rack positions available, by rack type."""
    voltage_v: StrictFloat = Field(default=415, ge=100, le=50_000)
    """Line-to-line voltage of the rack feeds, three-phase, for the amps per feed."""
    power_factor: StrictFloat = Field(default=0.95, gt=0, le=1)
    """Power factor of the load, for the amps per feed (kW / (sqrt(3) * V * PF))."""

    @model_validator(mode="after")
    def _unique_rack_types(self) -> Site:
        seen: set[str] = set()
        for position in self.rack_positions:
            if position.rack in seen:
                raise ValueError(
                    f"rack type {position.rack!r} is listed twice in rack_positions; "
                    "give one entry per rack type with the total count"
                )
            seen.add(position.rack)
        return self


class FabricOptics(BaseModel):
    """Modules and cables of one fabric; each omitted part is not counted (the plan warns)."""

    model_config = _MODEL_CONFIG

    switch: Id | None = None
    """Optic at every cabled switch port (a transceiver: one module per ``ports`` switch ports;
    an ``aoc`` / ``dac``: one cable per ``ports`` switch-to-switch links)."""
    node: Id | None = None
    """Optic at the server and appliance NIC ports (a transceiver: ``ceil(ports / module ports)``
    per unit; an ``aoc`` / ``dac``: one cable per node link, and no switch module at its leaf end)."""
    cable: Id | None = None
    """*(added)* Patch cable (kind ``cable``) between two transceivers or RJ45 ports, one per link."""


class FabricSpec(BaseModel):
    """How one fabric is built."""

    model_config = _MODEL_CONFIG

    switch: Id
    """Switch id from the catalog (every tier uses it)."""
    optics: FabricOptics = Field(default_factory=FabricOptics)
    """Modules and cables."""
    oversubscription: StrictFloat = Field(default=1.0, gt=0, le=64)
    """Leaf downlinks : uplinks (1.0 = non-blocking)."""
    spine_oversubscription: StrictFloat = Field(default=1.0, gt=0, le=64)
    """*(added)* Spine downlinks : uplinks in a three-tier tree (1.0 = non-blocking)."""
    nodes_per_su: StrictInt | None = Field(default=None, ge=1, le=100_000)
    """Compute fabric: servers per scalable unit (one leaf per rail per unit); default a leaf's
    downlinks. Ignored by the other fabrics."""


class NetworkAppliance(BaseModel):
    """Appliances placed in network racks and attached to the fabrics their ports name."""

    model_config = _MODEL_CONFIG

    appliance: Id
    """Appliance id from the catalog."""
    count: StrictInt = Field(ge=1, le=100_000)
    """How many."""
    workload: str | None = Field(default=None, min_length=1, max_length=200)
    """*(added)* Whose compute fabric their compute ports join; default the first workload
    with a compute fabric."""


class Network(BaseModel):
    """The cluster's fabrics; omitted: servers only."""

    model_config = _MODEL_CONFIG

    rack: Id
    """Rack type for network racks; must be in ``site.rack_positions``."""
    compute: FabricSpec | None = None
    """One compute fabric per workload whose servers have compute ports."""
    storage: FabricSpec | None = None
    """One storage fabric for every server and appliance with storage ports."""
    inband: FabricSpec | None = None
    """One in-band management fabric."""
    oob: FabricSpec | None = None
    """One out-of-band fabric: server BMCs, every switch, appliance and rack PDU."""
    appliances: list[NetworkAppliance] = Field(default_factory=list)
    """Appliances in the network racks (fabric managers, storage)."""

    def fabric(self, name: str) -> FabricSpec | None:
        """The spec of fabric ``name`` (compute, storage, inband, oob), or None."""
        return getattr(self, name)  # type: ignore[no-any-return]


class SupplyRule(BaseModel):
    """How the servers a rule matches ship: lead time, first ship date, queue and rate."""

    model_config = _MODEL_CONFIG

    match: str = Field(min_length=1, max_length=200)
    """A vendor name, server id or GPU id from the catalog; the most specific rule wins
    (server id, then GPU id, then vendor)."""
    lead_time_weeks: StrictFloat | None = Field(default=None, ge=0, le=520)
    """Replaces the catalog's lead time for the servers it matches."""
    available_from: dt.date | None = None
    """Nothing it matches ships before this date."""
    queue_units: StrictInt = Field(default=0, ge=0, le=100_000_000)
    """Units ahead of this order in the vendor's queue (shipped at ``units_per_week``)."""
    units_per_week: StrictFloat | None = Field(default=None, gt=0, le=100_000_000)
    """Shipping rate for this order and the queue ahead of it; omitted: everything ships on the
    base date."""


class Phase(BaseModel):
    """One stage of a workload: GPUs that come online together, on the workload's model."""

    model_config = _MODEL_CONFIG

    gpus: StrictInt = Field(ge=1, le=100_000_000)
    """GPUs this phase delivers (its servers are sized on their own: ``ceil(gpus / per server)``)."""
    need_by: dt.date | None = None
    """Online by this date, or the plan is infeasible."""
    order_date: dt.date | None = None
    """*(added)* When this phase is ordered; default the workload's ``order_date``."""


class Workload(BaseModel):
    """A demand for GPUs or compute, served by one server model."""

    model_config = _MODEL_CONFIG

    name: str = Field(min_length=1, max_length=200)
    """Unique name of the workload."""
    gpus: StrictInt | None = Field(default=None, ge=1, le=100_000_000)
    """GPUs to deliver (give exactly one of gpus, fp8_pflops, bf16_pflops)."""
    fp8_pflops: StrictFloat | None = Field(default=None, gt=0, le=1e9)
    """Dense FP8 compute to deliver in PFLOPS."""
    bf16_pflops: StrictFloat | None = Field(default=None, gt=0, le=1e9)
    """Dense BF16 compute to deliver in PFLOPS."""
    allowed: list[Id] | None = Field(default=None, min_length=1)
    """GPU ids or server ids the workload may use; default (omitted) any."""
    min_gpu_memory_gb: StrictFloat | None = Field(default=None, gt=0, le=1_000_000)
    """Minimum memory per GPU in GB."""
    min_scale_up_gpus: StrictInt | None = Field(default=None, ge=1, le=100_000)
    """Minimum NVLink / Infinity Fabric domain size in GPUs."""
    utilization: StrictFloat = Field(default=0.8, gt=0, le=1)
    """Average load between 0 (exclusive) and 1; drives energy."""
    placement: Literal["shared", "dedicated"] = "shared"
    """``dedicated``: no other workload in its racks."""
    network: bool = True
    """With a scenario ``network``: false keeps this workload off every fabric."""
    order_date: dt.date | None = None
    """When the workload's servers are ordered; default the scenario's ``start``."""
    need_by: dt.date | None = None
    """Online (every phase) by this date, or the plan is infeasible."""
    phases: list[Phase] | None = Field(default=None, min_length=1, max_length=1000)
    """Stages that come online one after another on the same server model; ``gpus`` may be
    omitted (it is then the phases' sum) or must equal their sum."""
    grow: bool = False
    """With objective ``max_gpus`` or ``max_fp8_pflops``: take as many servers as the limits
    allow (the demand is then a minimum; with phases, the growth joins the last phase)."""

    @model_validator(mode="before")
    @classmethod
    def _gpus_from_phases(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("phases") and all(
                k not in data for k in ("gpus", "fp8_pflops", "bf16_pflops")):
            phases = data["phases"]
            if isinstance(phases, list) and all(
                    isinstance(p, dict) and type(p.get("gpus")) is int for p in phases):
                data = {**data, "gpus": sum(p["gpus"] for p in phases)}
        return data

    @model_validator(mode="after")
    def _one_demand(self) -> Workload:
        if self.phases is not None:
            if self.gpus is None:
                raise ValueError("a workload with phases gives its demand in GPUs (phases[*].gpus)")
            total = sum(p.gpus for p in self.phases)
            if total != self.gpus:
                raise ValueError(f"gpus is {self.gpus} but the phases add up to {total}; "
                                 "omit gpus or make them equal")
        given = [k for k in ("gpus", "fp8_pflops", "bf16_pflops") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of gpus, fp8_pflops or bf16_pflops"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Scenario(BaseModel):
    """A site and the workloads to plan on it."""

    model_config = _MODEL_CONFIG

    name: str = Field(min_length=1, max_length=200)
    """Scenario name, repeated in the plan."""
    start: dt.date
    """Order date (YYYY-MM-DD); lead times count from it."""
    objective: Literal["capex", "tco", "time", "max_gpus", "max_fp8_pflops"] = "tco"
    """What to minimize: ``capex``, ``tco``, or ``time`` (ready date first, then TCO); or what to
    maximize: ``max_gpus`` or ``max_fp8_pflops`` of the ``grow`` workloads (then the least TCO)."""
    horizon_years: StrictFloat = Field(default=4, gt=0, le=50)
    """Years of operation counted in TCO and $/GPU-hour."""
    budget_usd: StrictFloat | None = Field(default=None, gt=0, le=1e13)
    """Optional cap on capex in US dollars."""
    catalogs: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """Extra catalog files, relative to this scenario file."""
    site: Site
    """The facility."""
    workloads: list[Workload] = Field(min_length=1)
    """What to place; each is served by one server model."""
    network: Network | None = None
    """Fabrics, network racks and appliances; omitted: servers only."""
    supply: list[SupplyRule] = Field(default_factory=list, max_length=10_000)
    """Shipping rules by vendor name, server id or GPU id (the most specific wins); servers no
    rule matches all ship at order date + their catalog lead time."""
    fiscal_year_start_month: StrictInt = Field(default=1, ge=1, le=12)
    """First month of the fiscal year; a fiscal year is named by the calendar year it ends in."""
    budget_by_fiscal_year: dict[int, Annotated[StrictFloat, Field(ge=0, le=1e13)]] = Field(
        default_factory=dict)
    """Cap on capex per fiscal year (counted at delivery and installation); years not listed
    are not capped."""
    discount_rate: StrictFloat = Field(default=0.0, ge=0, le=1)
    """Yearly rate for ``totals.npv_usd`` (0 = undiscounted)."""
    accept_warnings: list[WarningCode] = Field(default_factory=list, max_length=100)
    """Warnings on implausible values not to give, by code (``electricity_price``,
    ``tariff_rate``, ``pue``, ``budget_below_one_server``, ``no_scale_up_domain``): the value
    is meant."""

    _base_dir: Path | None = PrivateAttr(default=None)
    _source_file: str | None = PrivateAttr(default=None)
    _catalog: Catalog | None = PrivateAttr(default=None)
    """The catalog the scenario was checked against when loaded (bundled + ``catalogs:``)."""

    @field_validator("start")
    @classmethod
    def _plausible_start(cls, value: dt.date) -> dt.date:
        if not FIRST_START <= value <= LAST_START:
            raise ValueError(f"must be between {FIRST_START} and {LAST_START} (got {value})")
        return value

    @model_validator(mode="after")
    def _unique_workloads(self) -> Scenario:
        seen: set[str] = set()
        for workload in self.workloads:
            if workload.name in seen:
                raise ValueError(f"workload name {workload.name!r} is used twice; names must be unique")
            seen.add(workload.name)
        for year in self.budget_by_fiscal_year:
            if not FIRST_START.year <= year <= LAST_START.year + 200:
                raise ValueError(f"budget_by_fiscal_year: {year} is not a plausible fiscal year")
        if self.network is not None:
            for i, a in enumerate(self.network.appliances):
                if a.workload is not None and a.workload not in seen:
                    raise ValueError(f"network.appliances[{i}].workload: no workload named "
                                     f"{a.workload!r}")
        return self

    @property
    def base_dir(self) -> Path | None:
        """Folder the scenario was loaded from (``catalogs:`` are relative to it)."""
        return self._base_dir

    def set_base_dir(self, folder: Path) -> None:
        """Record the folder the scenario was loaded from."""
        self._base_dir = folder

    @property
    def source_file(self) -> str | None:
        """The file the scenario was loaded from, as the user gave it (None if built in Python)."""
        return self._source_file

    def set_source_file(self, path: str) -> None:
        """Record the file the scenario was loaded from, for errors found while planning."""
        self._source_file = path

    @property
    def cached_catalog(self) -> Catalog | None:
        """The catalog kept by :meth:`cache_catalog`, or None.

        :func:`rackplan.loading.catalog_for` is the way to get a scenario's catalog.
        """
        return self._catalog

    def cache_catalog(self, catalog: Catalog) -> None:
        """Keep ``catalog`` (bundled + ``catalogs:``) so it is loaded once per scenario."""
        self._catalog = catalog

    def catalog_paths(self) -> list[Path]:
        """The scenario's extra catalog files, resolved against its folder."""
        base = self._base_dir or Path.cwd()
        return [base / p for p in self.catalogs]
