"""The plan: what to buy, where it goes, what it costs and when it runs.

``Plan.model_dump_json()`` is the JSON written by ``rackplan plan --format
json``. Field names follow the plan contract (docs/formats.md, "Plan (JSON)");
fields marked *(added)* extend it. Money is rounded to cents and power, heat
and weight to 1e-6 at the rack and selection level; every total is the rounded
sum of the parts shown, so the numbers in a plan add up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_CONFIG = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=False)


class Delivery(BaseModel):
    """*(added)* Units of a selection that ship on one day."""

    model_config = _CONFIG

    date: dt.date
    units: int


class Selection(BaseModel):
    """The server model chosen for one workload and how many."""

    model_config = _CONFIG

    workload: str
    server: str
    """Server id from the catalog."""
    count: int
    """Servers (for a rack-scale system: systems, one rack position each)."""
    gpus: int
    """GPUs delivered: ``count * gpu_count`` (may exceed the demand by less than one server)."""
    gpus_requested: int | None = None
    """*(added)* GPUs the workload asked for (None when it asked for compute)."""
    arrival_date: dt.date
    """*(added)* When the last of the servers arrives (``start + lead_time_weeks`` without
    supply rules)."""
    server_usd: float
    """*(added)* Server price total before tariffs."""
    tariff_usd: float
    """*(added)* Tariff on those servers."""
    energy_usd_per_year: float
    """*(added)* Energy cost per year at the workload's utilization, PUE included."""
    it_power_kw: float
    """*(added)* Reserved power of these servers."""
    deliveries: list[Delivery] = Field(default_factory=list)
    """Units per ship day, by the supply rules (one entry without them)."""
    order_date: dt.date | None = None
    """*(added)* When the (first phase's) servers are ordered."""
    estimated: list[str] = Field(default_factory=list)
    """*(added)* The server's figures that rest on estimates (catalog field names, its GPU's
    as ``gpu.<field>``): see :attr:`Plan.estimates`."""
    as_of: str | None = None
    """*(added)* The server's ``as_of`` month in the catalog (None: undated)."""


class Placement(BaseModel):
    """Servers of one workload in one rack."""

    model_config = _CONFIG

    workload: str
    server: str
    count: int
    phase: int | None = None
    """*(added)* 1-based phase of a workload with ``phases`` (a rack holding servers of two
    phases has a placement for each); None without phases."""


class DevicePlacement(BaseModel):
    """Network devices of one fabric in one network rack."""

    model_config = _CONFIG

    device: str
    """Switch or appliance id from the catalog."""
    fabric: str
    """``compute:<workload>``, ``storage``, ``inband``, ``oob`` or ``appliances``."""
    count: int
    role: str = ""
    """*(added)* ``leaf``, ``spine``, ``core`` or ``appliance``."""


class Slot(BaseModel):
    """Where one unit sits in its rack (or a block of units the rack type reserves)."""

    model_config = _CONFIG

    u: int
    """Lowest unit it takes, counted from 1 at the bottom of the rack."""
    height: int
    """Units it takes (``u`` to ``u + height - 1``); slots of a rack never overlap."""
    device: str
    """Server, switch or appliance id from the catalog; ``reserved`` for units the rack type
    keeps for its own gear."""
    workload: str | None
    """The server's workload (None for network devices and reserved units)."""
    kind: Literal["server", "device", "reserved"] = "server"
    """*(added)* ``server``, ``device`` (switch or appliance) or ``reserved``."""
    fabric: str | None = None
    """*(added)* A network device's fabric (``compute:<workload>``, ``storage``, ...)."""
    role: str | None = None
    """*(added)* A network device's role (``leaf``, ``spine``, ``core``, ``appliance``)."""
    kw: float = 0.0
    """*(added)* Reserved power of the unit."""
    weight_kg: float = 0.0
    """*(added)* Weight of the unit."""
    label: str | None = None
    """*(added)* What reserved units are kept for."""
    phase: int | None = None
    """*(added)* 1-based phase of a server of a workload with ``phases``; None otherwise."""


class Feed(BaseModel):
    """One power feed of a rack: what it must carry."""

    model_config = _CONFIG

    feed: str
    """``A``, ``B``, ..."""
    kw: float
    """The most it must carry: under ``N`` its share (``power_kw / feeds``); under ``2N`` the
    whole rack (``power_kw / (feeds / 2)``, its side alone carrying the rack)."""
    amps: float
    """Line current at ``kw``: ``kw * 1000 / (sqrt(3) * voltage_v * power_factor)``."""
    normal_kw: float = 0.0
    """*(added)* Its share with every feed up: ``power_kw / feeds``."""
    rated_kw: float = 0.0
    """*(added)* The rack type's ``power_kw`` per feed."""
    rated_amps: float = 0.0
    """*(added)* The rating's line current at the site's voltage and power factor."""


FEED_LOSS_WARNING = "power redundancy N:"
"""How the plan's warning about ``feed_loss`` starts (the HTML report shows it as a box)."""


class FeedLoss(BaseModel):
    """*(added)* Under ``N`` redundancy: the racks that would trip if one of their feeds fails."""

    model_config = _CONFIG

    racks: list[str]
    """Rack ids whose other feeds cannot carry the rack (``power_kw / (feeds - 1)`` above a
    feed's ``power_kw``), or with a single feed."""
    it_kw: float
    """Their reserved power."""
    gpus: int
    """GPUs in them."""


class Rack(BaseModel):
    """One used rack position."""

    model_config = _CONFIG

    id: str
    """``r0001``, ``r0002``, … in installation order."""
    rack: str
    """Rack type id."""
    placements: list[Placement | DevicePlacement]
    """Servers (``workload``, ``server``, ``count``) or, in a network rack, devices
    (``device``, ``fabric``, ``count``)."""
    power_kw: float
    """Reserved power: ``power_allocation * power_max_w`` summed over its servers."""
    air_kw: float
    """Share of the reserved power rejected to air."""
    liquid_kw: float
    """Share of the reserved power rejected to liquid."""
    u_used: int
    weight_kg: float
    installed_date: dt.date
    """*(added)* When the rack is installed (before burn-in)."""
    arrival_date: dt.date | None = None
    """When the rack's last server (or device) arrives; racks install in this order."""
    role: Literal["servers", "network"] = "servers"
    """*(added)* ``network`` for a rack of switches and appliances."""
    slots: list[Slot] = Field(default_factory=list)
    """Each unit's position, from the bottom: reserved units, then the units heaviest first."""
    feeds: list[Feed] = Field(default_factory=list)
    """What each power feed must carry, at ``site.voltage_v`` and ``site.power_factor``."""

    def surviving_feed_kw(self) -> float | None:
        """What each other feed carries when one fails: ``power_kw / (feeds - 1)``; None for a
        rack with one feed (it goes dark)."""
        return self.power_kw / (len(self.feeds) - 1) if len(self.feeds) > 1 else None


class Totals(BaseModel):
    model_config = _CONFIG

    gpus: int
    servers: int
    racks: int
    it_power_kw: float
    """Sum of reserved power over all racks."""
    facility_power_kw: float
    """``it_power_kw * pue``."""
    capex_usd: float
    """``servers_usd + tariffs_usd + racks_usd + network_usd + optics_usd``."""
    opex_usd_per_year: float
    """Energy: draw x PUE x 8,760 h x price, summed over selections (servers at their
    workload's utilization) and the network."""
    tco_usd: float
    """``capex_usd + opex_usd_per_year * horizon_years``."""
    usd_per_gpu_hour: float
    """``tco_usd / (gpus * 8,760 * horizon_years)``."""
    npv_usd: float = 0.0
    """Capex and energy of ``cash_flow``, each day's discounted at ``discount_rate`` a year to
    ``start``: ``sum(flow_d / (1 + rate) ** (d / 365.25))``."""


class Costs(BaseModel):
    model_config = _CONFIG

    servers_usd: float
    tariffs_usd: float
    """On servers, switches and appliances, by their origin."""
    racks_usd: float
    """Rack positions used, network racks included."""
    network_usd: float = 0.0
    """Switches and appliances, before tariffs."""
    optics_usd: float = 0.0
    """Modules and cables."""
    network_energy_usd_per_year: float = 0.0
    """*(added)* Energy of switches, their modules and appliances (in ``opex_usd_per_year``)."""


class FabricLinks(BaseModel):
    model_config = _CONFIG

    node_leaf: int
    """Server and appliance ports cabled to leaves."""
    leaf_spine: int
    spine_core: int
    uplink: int = 0
    """*(added)* Out-of-band leaves' uplinks into the in-band fabric."""


class Fabric(BaseModel):
    """One sized fabric: its switches by tier, links, modules, power and price."""

    model_config = _CONFIG

    name: str
    """``compute``, ``storage``, ``inband`` or ``oob``."""
    workload: str | None
    """The workload of a compute fabric (None for the shared fabrics)."""
    switch: str
    tiers: int
    servers: int
    scalable_units: int
    """Compute: units of ``nodes_per_su`` servers (one leaf per rail each); otherwise leaves."""
    leaf: int
    spine: int
    core: int
    links: FabricLinks
    modules: dict[str, int]
    """``switch`` and ``node`` modules; *(added)* ``appliance`` and ``uplink``."""
    power_kw: float
    """Reserved power of its switches with their modules."""
    capex_usd: float
    """Switches with tariffs, modules and cables."""
    pods: int = 0
    """*(added)* Pods of a three-tier tree."""
    link_gbps: float = 0.0
    """*(added)* Slowest node link: the lower of its two ends."""
    cables: int = 0
    """*(added)* Active, direct-attach and patch cables."""
    oversubscription: float = 1.0
    """*(added)* Leaf downlinks : uplinks."""


class BomLine(BaseModel):
    """One line of the bill of materials; ``extended_usd`` over all lines is the capex."""

    model_config = _CONFIG

    category: str
    """``servers``, ``switches``, ``optics``, ``cables``, ``appliances``, ``racks`` or ``tariffs``."""
    item: str
    """Catalog id (for tariffs: the origin country)."""
    description: str
    quantity: int
    unit_usd: float
    extended_usd: float
    lead_time_weeks: float | None
    """None when the catalog gives none."""
    estimate: bool
    """True when the catalog's price is an estimate (or unsourced); false on a tariff line,
    which has no catalog price (the tariffs resting on estimates are in
    ``estimates.capex_usd``)."""


class PhaseOnline(BaseModel):
    """*(added)* When one phase of a workload is ordered and comes online."""

    model_config = _CONFIG

    phase: int
    """1-based."""
    gpus: int
    """GPUs it delivers (its servers times GPUs per server)."""
    servers: int
    order_date: dt.date
    """When it is ordered (later than asked when a fiscal budget moved it)."""
    need_by: dt.date | None
    online_date: dt.date
    """Last rack holding its servers installed, plus burn-in."""


class WorkloadOnline(BaseModel):
    model_config = _CONFIG

    workload: str
    online_date: dt.date
    """Last rack holding the workload installed, plus burn-in."""
    need_by: dt.date | None = None
    """*(added)* The workload's own ``need_by``."""
    phases: list[PhaseOnline] = Field(default_factory=list)
    """Per phase online dates (one entry for a workload without phases)."""


class Schedule(BaseModel):
    model_config = _CONFIG

    ready_date: dt.date
    """When every workload is online."""
    workloads: list[WorkloadOnline]
    order_date: dt.date | None = None
    """*(added)* The scenario's ``start``: the order date the plan assumed."""


class CashFlow(BaseModel):
    """Capex and energy of one fiscal quarter."""

    model_config = _CONFIG

    period: str
    """``FY2028-Q1``: fiscal year (named by the calendar year it ends in) and quarter."""
    capex_usd: float
    """Servers at delivery, racks at installation, network devices at arrival."""
    energy_usd: float
    """Each phase's energy from its online date for ``horizon_years``."""
    cumulative_usd: float
    """Capex and energy of this and every earlier period."""


class Most(BaseModel):
    """*(added)* What objective ``max_gpus`` or ``max_fp8_pflops`` found: the most the limits
    allow, proven, or how far from proven."""

    model_config = _CONFIG

    objective: str
    """``max_gpus`` or ``max_fp8_pflops``."""
    value: float
    """GPUs (or dense FP8 PFLOPS) of the ``grow`` workloads in this plan."""
    upper_bound: float
    """Proven: no plan meeting every limit gives the ``grow`` workloads more."""
    gap: float
    """``(upper_bound - value) / upper_bound``; 0 means proven the most."""
    workloads: list[str]
    """The ``grow`` workloads."""
    probes: int
    """Plans searched, each for the least TCO at a floor on the grow workloads."""
    unproven: int
    """Of those, the searches that stopped at their limits without a plan or a proof."""


class Bounds(BaseModel):
    model_config = _CONFIG

    racks_lower_bound: int
    """No packing of the selected servers uses fewer racks."""
    objective_lower_bound: float
    """No plan meeting every limit has a lower objective (TCO for ``time``: among plans
    ready on the same date)."""
    gap: float
    """``(objective_value - objective_lower_bound) / objective_value``; 0 means proven optimal."""
    objective_value: float = 0.0
    """*(added)* The plan's objective: capex or TCO (TCO for ``time``)."""


class Limit(BaseModel):
    """*(added)* How much of a site limit the plan uses."""

    model_config = _CONFIG

    limit: str
    """``it_power_kw``, ``budget_usd`` or ``positions:<rack type>``."""
    used: float
    available: float
    binding: bool
    """True when the plan uses 99% or more of it."""


class CatalogFileInput(BaseModel):
    """*(added)* One catalog file a plan was made with."""

    model_config = _CONFIG

    path: str
    """The file as it was loaded: a bundled file by its full path, a user file as given (a
    scenario's ``catalogs:`` resolved against the scenario's folder)."""
    sha256: str | None
    """SHA-256 of the file's bytes, in hex (None when it could not be read when planning)."""
    bundled: bool
    """True for a file of the bundled catalog."""


class PlanOptions(BaseModel):
    """*(added)* The arguments, besides the scenario and the catalog files, the plan was made
    with."""

    model_config = _CONFIG

    objective: str | None = None
    """The objective given in place of the scenario's (``rackplan.plan(objective=...)``,
    ``--objective``); None: the scenario's own. ``inputs.scenario.objective`` is the one used."""
    force_models: dict[str, str] = Field(default_factory=dict)
    """Workload name -> the server id forced on it (``rackplan.plan(force_models=...)``)."""
    argv: list[str] | None = None
    """The command line after ``rackplan``, as given but without ``-o``/``--output`` (where
    the plan is written does not change it): ``["plan", "neocloud.yaml", "--objective",
    "time"]``; None when planned from Python."""
    cli_options: dict[str, Any] = Field(default_factory=dict)
    """The options given on the command line (not defaulted), by option name, ``--output``
    left out: ``{"--objective": "time"}``; empty when planned from Python."""


class PlanInputs(BaseModel):
    """*(added)* What a plan was made from: planning ``scenario`` again with the same catalog
    files (and ``options.force_models``) gives the same plan."""

    model_config = _CONFIG

    rackplan_version: str
    """Version of rackplan that made the plan."""
    scenario: dict[str, Any]
    """The scenario as planned, every default filled in (``Scenario.model_dump(mode="json")``):
    ``start`` is the order date the plan assumed, ``objective`` the one used (an override
    applied) and ``catalogs`` the scenario's own catalog files resolved to full paths."""
    catalogs: list[CatalogFileInput]
    """Every catalog file loaded, in load order: the bundled files, then the user's (a
    scenario's ``catalogs:``, then ``--catalog``)."""
    options: PlanOptions = Field(default_factory=PlanOptions)
    """The arguments that changed the plan."""
    catalog_from_files: bool = True
    """*(added)* False when the catalog planned on was built or changed in Python
    (``rackplan.plan(scenario, catalog)`` with a catalog its files do not give): ``catalogs``
    then names the files its entries came from, but planning them again gives another plan
    (``rackplan.replay`` refuses)."""


class EntryEstimates(BaseModel):
    """*(added)* One catalog entry a plan uses, and which of its figures rest on estimates."""

    model_config = _CONFIG

    id: str
    """Catalog id."""
    kind: Literal["server", "rack", "switch", "optic", "appliance"]
    """Catalog section of the entry (``rack``: a rack type)."""
    estimated: list[str]
    """Its figures that rest on estimates (a source line ``"<field>: estimate: ..."``, or no
    source line): catalog field names, e.g. ``["power_max_w", "price_usd"]``."""
    as_of: str | None
    """The entry's ``as_of`` month (None: undated)."""
    extended_usd: float
    """Its BOM line's ``extended_usd``, estimated or not (tariffs not included)."""


class Estimates(BaseModel):
    """*(added)* How much of a plan rests on estimated catalog figures rather than published ones
    or your own quotes."""

    model_config = _CONFIG

    capex_usd: float
    """Capex resting on estimates: the BOM lines whose ``price_usd`` is an estimate, and the
    tariffs on parts whose price or origin is one. At most ``totals.capex_usd``."""
    energy_usd_per_year: float
    """Energy cost per year resting on estimated power figures: servers whose
    ``power_idle_w`` or ``power_max_w`` is one, and the network's energy when a switch's
    ``power_typical_w``, an optic's ``power_w`` or an appliance's power is. At most
    ``totals.opex_usd_per_year``."""
    entries: list[EntryEstimates]
    """Every catalog entry the plan uses: its servers (per selection also in
    ``selections[].estimated``), rack types, switches, optics and appliances, in BOM order."""


class Plan(BaseModel):
    """A costed, scheduled rack plan for a scenario."""

    model_config = _CONFIG

    scenario: str
    objective: str
    selections: list[Selection]
    racks: list[Rack]
    totals: Totals
    costs: Costs
    schedule: Schedule
    bounds: Bounds
    limits: list[Limit] = Field(default_factory=list)
    """*(added)* Site limits and how much of each the plan uses."""
    warnings: list[str] = Field(default_factory=list)
    fabrics: list[Fabric] = Field(default_factory=list)
    """The sized fabrics (empty without a scenario ``network``)."""
    bom: list[BomLine] = Field(default_factory=list)
    """The bill of materials: one line per part; ``extended_usd`` sums to ``capex_usd``."""
    most: Most | None = None
    """*(added)* Objective ``max_gpus`` / ``max_fp8_pflops``: the maximized figure, its proven upper bound
    and gap (``bounds`` are then the TCO's, among plans giving as much). None otherwise."""
    feed_loss: FeedLoss | None = None
    """*(added)* Under ``N`` redundancy, the racks that would trip if one feed fails (None under
    ``2N``, where either side carries every rack)."""
    cash_flow: list[CashFlow] = Field(default_factory=list)
    """By fiscal quarter, every quarter from the first payment to the last day of energy;
    capex sums to ``capex_usd`` and energy to ``tco_usd - capex_usd``."""
    inputs: PlanInputs | None = None
    """*(added)* What the plan was made from (version, scenario as planned, catalog files with
    their SHA-256, options); None in plans written before rackplan recorded it."""
    estimates: Estimates | None = None
    """*(added)* Which of the plan's figures and dollars rest on estimated catalog figures;
    None in plans written before rackplan recorded it."""


class Alternative(BaseModel):
    """One row of ``rackplan compare``: the plan with one server model forced where it qualifies."""

    model_config = _CONFIG

    server: str | None
    """The forced server id; None for the optimizer's own choice."""
    forced_on: list[str] = Field(default_factory=list)
    """Workloads the model is forced on (those it qualifies for); the others are optimized."""
    feasible: bool
    reason: str | None = None
    """Why there is no plan with this model (not eligible, or the diagnosis)."""
    servers: int | None = None
    racks: int | None = None
    gpus: int | None = None
    """*(added)* GPUs of the plan."""
    most: float | None = None
    """*(added)* Objective ``max_gpus`` / ``max_fp8_pflops``: the plan's ``most.value``, which
    the rows are ranked by."""
    it_power_mw: float | None = None
    capex_usd: float | None = None
    tco_usd: float | None = None
    usd_per_gpu_hour: float | None = None
    ready_date: dt.date | None = None
