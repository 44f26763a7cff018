"""Catalog models: GPUs, servers and rack types.

Field names carry their units. Every model forbids unknown keys, so a typo in
a YAML file is an error rather than a silently ignored value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def _check_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits and single "
            "hyphens (kebab case), e.g. 'dell-xe9680-h200'"
        )
    return value


def _check_country(value: str) -> str:
    if not _COUNTRY_RE.match(value):
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. 'MX')"
        )
    return value


_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _month_before(value: Any) -> Any:
    if isinstance(value, dt.date):
        raise ValueError(f"give a month as 'YYYY-MM' (e.g. '{value:%Y-%m}'), not a whole date")
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{value!r} is not a month: give it as 'YYYY-MM', e.g. '2026-11'")
    return value


def _check_month(value: str) -> str:
    match = _MONTH_RE.match(value)
    if not match or not 1990 <= int(match.group(1)) <= 2100:
        raise ValueError(f"{value!r} is not a month: give it as 'YYYY-MM', e.g. '2026-11'")
    return value


def is_month(value: Any) -> bool:
    """True for a valid ``YYYY-MM`` month (as :data:`Month` accepts it)."""
    try:
        return isinstance(value, str) and _check_month(value) == value
    except ValueError:
        return False


def month_index(value: str) -> int:
    """Months since year 0 of a ``YYYY-MM`` month, for differences."""
    return int(value[:4]) * 12 + int(value[5:7]) - 1


def month_start(value: str) -> dt.date:
    """The first day of a ``YYYY-MM`` month."""
    return dt.date(int(value[:4]), int(value[5:7]), 1)


def months_between(earlier: str, later: dt.date) -> int:
    """Whole months from the month ``earlier`` (``YYYY-MM``) to the month of ``later``."""
    return later.year * 12 + later.month - 1 - month_index(earlier)


Id = Annotated[str, AfterValidator(_check_id)]
"""A lowercase kebab-case identifier, unique across the whole catalog."""

Country = Annotated[str, AfterValidator(_check_country)]
"""An ISO 3166-1 alpha-2 country code such as ``TW`` or ``MX``."""

Month = Annotated[str, BeforeValidator(_month_before), AfterValidator(_check_month)]
"""A month as ``YYYY-MM`` (quoted or not in YAML; a whole date is refused)."""

FormFactor = Literal["eia-19", "orv3-21"]
"""Rack width standard: ``eia-19`` (EIA-310 19-inch, U of 44.45 mm) or ``orv3-21`` (OCP Open
Rack V3 21-inch, OU of 48 mm). A server goes only into a rack of its form factor."""

FORM_FACTORS: tuple[str, ...] = ("eia-19", "orv3-21")

Sources = Annotated[list[Annotated[str, Field(min_length=1)]], Field(default_factory=list)]

_MODEL_CONFIG = ConfigDict(
    extra="forbid",
    frozen=True,
    str_strip_whitespace=True,
    use_attribute_docstrings=False,
    allow_inf_nan=False,
)


class CatalogEntry(BaseModel):
    """Common base: an id and where its figures come from."""

    model_config = _MODEL_CONFIG

    id: Id
    """Lowercase kebab-case id, unique across the whole catalog (GPUs, servers and racks)."""
    sources: Sources
    """Where each figure comes from: ``"<fields>: <url>"`` or ``"<fields>: estimate: <reason>"``."""
    as_of: Month | None = None
    """*(added)* ``YYYY-MM``: the month the entry's figures were current (for figures of several
    dates, the oldest behind its price and lead time, the ones that age). A catalog file may give
    one ``as_of`` at its top for all its entries. None: undated."""

    @field_validator("sources")
    @classmethod
    def _source_heads_name_fields(cls, sources: list[str]) -> list[str]:
        fields = list(cls.model_fields)
        for line in sources:
            for name in sorted(source_line_fields(line) - set(fields)):
                close = difflib.get_close_matches(name, fields, n=2, cutoff=0.6)
                if close:  # a misspelt field: its figure would silently count as unsourced
                    shown = line if len(line) <= 60 else line[:57] + "..."
                    raise ValueError(
                        f"the source line {shown!r} names {name!r}, which is no field of this "
                        f"entry; did you mean {' or '.join(repr(c) for c in close)}? (a source "
                        "line starts with the fields it supports: '<field>, <field>: <source>')")
        return sources

    def figure_fields(self) -> list[str]:
        """The fields that are figures from elsewhere: numbers, ``origin`` and ``network`` (the
        ones a source line must name), in model order; defaults left unset are not figures."""
        out = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in ("origin", "network") and value is not None:
                out.append(name)
            elif (name in self.model_fields_set and isinstance(value, int | float)
                  and not isinstance(value, bool)):
                out.append(name)
        return out

    def estimated_fields(self) -> list[str]:
        """Figures (:meth:`figure_fields`) that rest on an estimate: named by a source line
        reading ``"<fields>: estimate: <reason>"``, or named by no source line at all."""
        sourced: set[str] = set()
        estimated: set[str] = set()
        for source in self.sources:
            names = source_line_fields(source)
            sourced |= names
            if names and source.partition(": ")[2].lstrip().lower().startswith("estimate"):
                estimated |= names
        return [f for f in self.figure_fields() if f in estimated or f not in sourced]


def source_line_fields(source: Any) -> set[str]:
    """Field names a source line is about (``'power_max_w, weight_kg: ...'``); empty when the
    line does not start with a list of names and a colon."""
    if not isinstance(source, str):
        return set()
    head, sep, _ = source.partition(": ")
    names = {n.strip() for n in head.split(",")}
    return names if sep and all(n.isidentifier() for n in names) else set()


class GPU(CatalogEntry):
    """An accelerator model."""

    vendor: str = Field(min_length=1)
    """Company that designs the GPU (NVIDIA, AMD, ...)."""
    name: str = Field(min_length=1)
    """Marketing name, e.g. ``H200 SXM``."""
    memory_gb: StrictFloat = Field(gt=0, le=10_000)
    """On-package memory in GB."""
    tdp_w: StrictFloat = Field(gt=0, le=20_000)
    """Thermal design power of one GPU in watts."""
    bf16_tflops: StrictFloat = Field(gt=0, le=1_000_000)
    """Dense BF16 tensor throughput in TFLOPS (no sparsity)."""
    fp8_tflops: StrictFloat = Field(gt=0, le=1_000_000)
    """Dense FP8 tensor throughput in TFLOPS (no sparsity)."""
    generation: Id | None = None
    """*(added)* Architecture generation, lowercase (``hopper``, ``blackwell``,
    ``blackwell-ultra``, ``rubin``, ``cdna3``, ``cdna4``, ``gaudi3``, ...): parts of one
    generation are priced alike."""
    form: Literal["sxm", "oam", "superchip", "pcie"] | None = None
    """*(added)* How the GPU is packaged: ``sxm`` / ``oam`` modules on a baseboard,
    ``superchip`` (with its CPU on one board, as in NVL72 trays) or a ``pcie`` card."""


FABRICS = ("compute", "storage", "inband", "oob")
"""The fabrics a scenario's ``network`` can size, in the order plans list them."""


class NetworkPort(BaseModel):
    """NIC ports of one kind on a server or appliance."""

    model_config = _MODEL_CONFIG

    ports: StrictInt = Field(ge=1, le=10_000)
    """Ports on one unit (for a rack-scale system: the whole system)."""
    gbps: StrictFloat = Field(gt=0, le=100_000)
    """Speed of one port in Gb/s."""
    cage: str | None = Field(default=None, min_length=1, max_length=40)
    """*(added)* Form factor of the port's cage (``osfp``, ``qsfp112``, ``rj45``, ...);
    when given, a module put in it must have this ``form_factor``."""
    rails: StrictInt | None = Field(default=None, ge=1, le=10_000)
    """*(added)* Compute ports: rails they form (default one per port). A rack-scale system of
    18 trays with 4 NICs each has ``ports: 72, rails: 4``: 18 nodes on each of 4 rails."""

    @model_validator(mode="after")
    def _whole_rails(self) -> NetworkPort:
        if self.rails is not None and self.ports % self.rails:
            raise ValueError(f"ports ({self.ports}) is not a multiple of rails ({self.rails})")
        return self


class NetworkPorts(BaseModel):
    """Ports per unit by fabric; a fabric left out has none."""

    model_config = _MODEL_CONFIG

    compute: NetworkPort | None = None
    """East-west (scale-out) GPU fabric: InfiniBand or RoCE, one port per rail."""
    storage: NetworkPort | None = None
    """Storage fabric."""
    inband: NetworkPort | None = None
    """In-band management / front-end Ethernet."""
    oob: NetworkPort | None = None
    """Out-of-band management (BMC)."""

    def port(self, fabric: str) -> NetworkPort | None:
        """The ports on ``fabric`` (one of :data:`FABRICS`), or None."""
        return getattr(self, fabric)  # type: ignore[no-any-return]


class Server(CatalogEntry):
    """A server model (or a whole rack-scale system) holding GPUs."""

    vendor: str = Field(min_length=1)
    """Company that sells the system."""
    model: str = Field(min_length=1)
    """Vendor's model name, e.g. ``PowerEdge XE9680``."""
    gpu: Id
    """Id of the GPU it holds (must exist in the catalog)."""
    gpu_count: StrictInt = Field(ge=1, le=100_000)
    """GPUs in one unit."""
    scale_up_gpus: StrictInt = Field(ge=1, le=100_000)
    """GPUs in one NVLink / Infinity Fabric domain."""
    rack_scale: bool = False
    """True when one unit is a whole rack (e.g. NVL72) and fills one rack position."""
    u_height: StrictInt = Field(ge=1, le=100)
    """Rack units taken by one unit."""
    power_idle_w: StrictFloat = Field(ge=0, le=10_000_000)
    """Power drawn when idle, in watts."""
    power_max_w: StrictFloat = Field(gt=0, le=10_000_000)
    """Maximum (nameplate) power in watts."""
    cooling: Literal["air", "liquid"]
    """Primary cooling: ``air`` or ``liquid`` (direct liquid cooling)."""
    liquid_fraction: StrictFloat = Field(ge=0, le=1)
    """Share of the heat removed by liquid, 0 to 1 (0 for air-cooled)."""
    weight_kg: StrictFloat = Field(gt=0, le=100_000)
    """Weight of one unit in kg."""
    price_usd: StrictFloat = Field(ge=0, le=1e11)
    """Price of one unit in US dollars, before tariffs."""
    lead_time_weeks: StrictFloat = Field(ge=0, le=520)
    """Weeks from order to delivery."""
    origin: Country
    """ISO country of final assembly, used for tariffs."""
    network: NetworkPorts | None = None
    """NIC ports per unit by fabric; omitted: the server joins no fabric."""
    form_factor: FormFactor = "eia-19"
    """``eia-19`` or ``orv3-21``: the server goes only into racks of this form factor."""
    available: Month | None = None
    """*(added)* ``YYYY-MM``: first customer shipments (announced, for a system not yet
    shipping)."""

    def figure_fields(self) -> list[str]:
        """As :meth:`CatalogEntry.figure_fields`; an air server's ``liquid_fraction`` of 0
        follows from ``cooling: air`` and is no figure."""
        fields = super().figure_fields()
        return [f for f in fields if not (f == "liquid_fraction" and self.cooling == "air")]

    @model_validator(mode="after")
    def _consistent(self) -> Server:
        if self.power_idle_w > self.power_max_w:
            raise ValueError(
                f"power_idle_w ({self.power_idle_w:g}) is above power_max_w "
                f"({self.power_max_w:g}); idle power cannot exceed maximum power"
            )
        if self.scale_up_gpus > self.gpu_count and not self.rack_scale:
            # A multi-node NVLink domain is only modelled as a rack-scale unit.
            raise ValueError(
                f"scale_up_gpus ({self.scale_up_gpus}) is above gpu_count ({self.gpu_count}); "
                "a server's NVLink domain cannot be larger than the server unless rack_scale is true"
            )
        if self.cooling == "air" and self.liquid_fraction != 0:
            raise ValueError(
                f"liquid_fraction is {self.liquid_fraction:g} but cooling is 'air'; "
                "set cooling: liquid or liquid_fraction: 0"
            )
        if self.cooling == "liquid" and self.liquid_fraction == 0:
            raise ValueError(
                "cooling is 'liquid' but liquid_fraction is 0; give the share of heat "
                "removed by liquid (e.g. 0.8)"
            )
        return self


class RackType(CatalogEntry):
    """A rack *type*: enclosure plus the power and cooling provisioned at one position."""

    u_height: StrictInt = Field(ge=1, le=100)
    """Usable rack units."""
    power_kw: StrictFloat = Field(gt=0, le=10_000)
    """Power per feed in kW."""
    feeds: StrictInt = Field(ge=1, le=8)
    """Number of power feeds (2 for A/B)."""
    air_cooling_kw: StrictFloat = Field(ge=0, le=10_000)
    """Heat the position can reject to air, in kW."""
    liquid_cooling_kw: StrictFloat = Field(ge=0, le=10_000)
    """Heat the position can reject to liquid, in kW."""
    max_load_kg: StrictFloat = Field(gt=0, le=100_000)
    """Maximum equipment weight in kg."""
    price_usd: StrictFloat = Field(ge=0, le=1e10)
    """Cost of using one position: enclosure, PDUs, whips, containment share, install."""
    pdus: StrictInt | None = Field(default=None, ge=0, le=64)
    """*(added)* Metered rack PDUs, each with an out-of-band management port; default one per
    feed."""
    form_factor: FormFactor = "eia-19"
    """``eia-19`` or ``orv3-21``: only servers of this form factor go in."""
    reserved_u_bottom: StrictInt = Field(default=0, ge=0, le=100)
    """*(added)* Units at the bottom kept for the rack's own gear (horizontal PDUs, power
    shelves); servers are placed above them."""
    reserved_u_top: StrictInt = Field(default=0, ge=0, le=100)
    """*(added)* Units at the top kept for top-of-rack gear (management switch, patch
    panel); servers are placed below them."""

    @property
    def usable_u(self) -> int:
        """Units left for servers: ``u_height`` less the reserved units."""
        return self.u_height - self.reserved_u_bottom - self.reserved_u_top

    @property
    def pdu_count(self) -> int:
        """Rack PDUs (``pdus``, or one per feed)."""
        return self.feeds if self.pdus is None else self.pdus

    @model_validator(mode="after")
    def _some_cooling(self) -> RackType:
        if self.air_cooling_kw == 0 and self.liquid_cooling_kw == 0:
            raise ValueError(
                "air_cooling_kw and liquid_cooling_kw are both 0; a rack must reject heat somehow"
            )
        if self.usable_u < 1:
            raise ValueError(
                f"reserved_u_bottom ({self.reserved_u_bottom}) and reserved_u_top "
                f"({self.reserved_u_top}) leave no unit of the {self.u_height}U rack for servers"
            )
        return self

    def usable_power_kw(self, redundancy: str) -> float:
        """Power a rack may draw: all feeds under ``N``, half of them under ``2N``."""
        return self.power_kw * self.feeds / (2 if redundancy == "2N" else 1)


class Switch(CatalogEntry):
    """A network switch. Its power figures exclude pluggable optics (counted from ``optics``)."""

    vendor: str = Field(min_length=1)
    """Company that sells the switch."""
    model: str = Field(min_length=1)
    """Vendor's model name, e.g. ``Quantum-2 QM9700``."""
    fabric: Literal["infiniband", "ethernet"]
    """Link layer: ``infiniband`` or ``ethernet``."""
    ports: StrictInt = Field(ge=2, le=10_000)
    """Ports at ``port_gbps`` (a twin-port cage counts as two)."""
    port_gbps: StrictFloat = Field(gt=0, le=100_000)
    """Speed of one port in Gb/s."""
    uplink_ports: StrictInt | None = Field(default=None, ge=1, le=10_000)
    """*(added)* Separate uplink ports (e.g. 4 x 100G on a 48 x 1G management switch); when
    given, all ``ports`` face down and these face up."""
    uplink_gbps: StrictFloat | None = Field(default=None, gt=0, le=100_000)
    """*(added)* Speed of one uplink port in Gb/s (with ``uplink_ports``)."""
    cage: str | None = Field(default=None, min_length=1, max_length=40)
    """*(added)* Form factor of the port cages (``osfp``, ``qsfp112``, ``rj45``, ...)."""
    u_height: StrictInt = Field(ge=1, le=100)
    """Rack units taken."""
    power_typical_w: StrictFloat = Field(gt=0, le=1_000_000)
    """Typical power without optics, in watts (drives energy)."""
    power_max_w: StrictFloat = Field(gt=0, le=1_000_000)
    """Maximum power without optics, in watts (drives reserved rack power)."""
    weight_kg: StrictFloat = Field(gt=0, le=10_000)
    """Weight in kg."""
    price_usd: StrictFloat = Field(ge=0, le=1e9)
    """Price in US dollars, before tariffs."""
    lead_time_weeks: StrictFloat = Field(ge=0, le=520)
    """Weeks from order to delivery."""
    origin: Country
    """ISO country of final assembly, used for tariffs."""
    form_factor: FormFactor = "eia-19"
    """*(added)* ``eia-19`` or ``orv3-21``: the rack form factor it mounts in."""

    @model_validator(mode="after")
    def _consistent(self) -> Switch:
        if self.power_typical_w > self.power_max_w:
            raise ValueError(f"power_typical_w ({self.power_typical_w:g}) is above power_max_w "
                             f"({self.power_max_w:g})")
        if (self.uplink_ports is None) != (self.uplink_gbps is None):
            raise ValueError("give uplink_ports and uplink_gbps together (or neither)")
        return self


class Optic(CatalogEntry):
    """A pluggable module, an active or direct-attach cable, or a passive patch cable."""

    kind: Literal["transceiver", "aoc", "dac", "cable"]
    """``transceiver`` (one module per cage, needs a ``cable`` between two), ``aoc`` / ``dac``
    (a cable with its ends built in: no modules), ``cable`` *(added)*: a passive fiber or copper
    patch cord between two transceivers or RJ45 ports."""
    gbps: StrictFloat = Field(gt=0, le=100_000)
    """Total speed of the module or cable in Gb/s (a twin-port 2 x 400G module: 800)."""
    ports: StrictInt = Field(default=1, ge=1, le=16)
    """Switch or NIC ports one module or cable serves (twin-port OSFP = 2)."""
    reach_m: StrictFloat = Field(gt=0, le=100_000)
    """Longest link in metres."""
    power_w: StrictFloat = Field(ge=0, le=1_000)
    """Power of one module (0 for a passive cable)."""
    price_usd: StrictFloat = Field(ge=0, le=1e7)
    """Price of one module or cable in US dollars."""
    form_factor: str | None = Field(default=None, min_length=1, max_length=40)
    """*(added)* The cage it plugs into (``osfp``, ``qsfp112``, ...); checked against the
    switch's or NIC's ``cage`` when both are given."""
    description: str | None = Field(default=None, min_length=1, max_length=200)
    """*(added)* What it is, for the bill of materials."""
    lead_time_weeks: StrictFloat | None = Field(default=None, ge=0, le=520)
    """*(added)* Weeks from order to delivery, when known."""

    @property
    def port_gbps(self) -> float:
        """Speed per port served."""
        return self.gbps / self.ports


class Appliance(CatalogEntry):
    """A device without GPUs: storage, management, fabric managers. Air-cooled."""

    vendor: str = Field(min_length=1)
    """Company that sells the appliance."""
    model: str = Field(min_length=1)
    """Vendor's model name."""
    u_height: StrictInt = Field(ge=1, le=100)
    """Rack units taken."""
    power_idle_w: StrictFloat = Field(ge=0, le=1_000_000)
    """Power drawn when idle, in watts."""
    power_max_w: StrictFloat = Field(gt=0, le=1_000_000)
    """Maximum power in watts."""
    weight_kg: StrictFloat = Field(gt=0, le=10_000)
    """Weight in kg."""
    price_usd: StrictFloat = Field(ge=0, le=1e9)
    """Price in US dollars, before tariffs."""
    lead_time_weeks: StrictFloat = Field(ge=0, le=520)
    """Weeks from order to delivery."""
    origin: Country
    """ISO country of final assembly, used for tariffs."""
    network: NetworkPorts | None = None
    """NIC ports by fabric."""
    form_factor: FormFactor = "eia-19"
    """*(added)* ``eia-19`` or ``orv3-21``: the rack form factor it mounts in."""

    @model_validator(mode="after")
    def _consistent(self) -> Appliance:
        if self.power_idle_w > self.power_max_w:
            raise ValueError(f"power_idle_w ({self.power_idle_w:g}) is above power_max_w "
                             f"({self.power_max_w:g})")
        return self


Entry = GPU | Server | RackType | Switch | Optic | Appliance


class Catalog(BaseModel):
    """GPUs, servers and rack types, with every cross-reference checked.

    ``source_files`` maps each id to the file its entry (or its last override)
    came from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=False)

    gpus: list[GPU] = Field(default_factory=list)
    """Accelerator models."""
    servers: list[Server] = Field(default_factory=list)
    """Server models and rack-scale systems."""
    racks: list[RackType] = Field(default_factory=list)
    """Rack types (one rack position's enclosure, power and cooling)."""
    switches: list[Switch] = Field(default_factory=list)
    """Network switches."""
    optics: list[Optic] = Field(default_factory=list)
    """Transceivers, active and direct-attach cables, patch cables."""
    appliances: list[Appliance] = Field(default_factory=list)
    """Devices without GPUs: storage, management, fabric managers."""
    source_files: dict[str, str] = Field(default_factory=dict)
    """Id → path of the file the entry came from (its last override, if overridden)."""

    _index: dict[str, Entry] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> Catalog:
        index: dict[str, Entry] = {}
        entries: list[Entry] = [*self.gpus, *self.servers, *self.racks, *self.switches,
                                *self.optics, *self.appliances]
        for entry in entries:
            if entry.id in index:
                raise ValueError(f"duplicate id {entry.id!r}: ids must be unique across the catalog")
            index[entry.id] = entry
        for server in self.servers:
            if not isinstance(index.get(server.gpu), GPU):
                raise ValueError(f"server {server.id!r}: gpu {server.gpu!r} is not a GPU in the catalog")
        self._index = index
        return self

    def get(self, entry_id: str) -> Entry:
        """Return the entry with this id, or raise ``KeyError``."""
        return self._index[entry_id]

    def gpu(self, gpu_id: str) -> GPU:
        """Return the GPU with this id, or raise ``KeyError``."""
        entry = self._index[gpu_id]
        if not isinstance(entry, GPU):
            raise KeyError(gpu_id)
        return entry

    def server(self, server_id: str) -> Server:
        """Return the server with this id, or raise ``KeyError``."""
        entry = self._index[server_id]
        if not isinstance(entry, Server):
            raise KeyError(server_id)
        return entry

    def rack(self, rack_id: str) -> RackType:
        """Return the rack type with this id, or raise ``KeyError``."""
        entry = self._index[rack_id]
        if not isinstance(entry, RackType):
            raise KeyError(rack_id)
        return entry

    def switch(self, switch_id: str) -> Switch:
        """Return the switch with this id, or raise ``KeyError``."""
        entry = self._index[switch_id]
        if not isinstance(entry, Switch):
            raise KeyError(switch_id)
        return entry

    def optic(self, optic_id: str) -> Optic:
        """Return the optic (module or cable) with this id, or raise ``KeyError``."""
        entry = self._index[optic_id]
        if not isinstance(entry, Optic):
            raise KeyError(optic_id)
        return entry

    def appliance(self, appliance_id: str) -> Appliance:
        """Return the appliance with this id, or raise ``KeyError``."""
        entry = self._index[appliance_id]
        if not isinstance(entry, Appliance):
            raise KeyError(appliance_id)
        return entry

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._index


class CatalogFile(BaseModel):
    """The shape of one catalog YAML file (every section optional); used for the JSON Schema."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=False)

    as_of: Month | None = None
    """*(added)* ``YYYY-MM`` for every entry of the file that gives no ``as_of`` of its own (a
    price sheet: the month of the quote)."""

    gpus: list[GPU] = Field(default_factory=list)
    """Accelerator models."""
    servers: list[Server] = Field(default_factory=list)
    """Server models and rack-scale systems."""
    racks: list[RackType] = Field(default_factory=list)
    """Rack types."""
    switches: list[Switch] = Field(default_factory=list)
    """Network switches."""
    optics: list[Optic] = Field(default_factory=list)
    """Transceivers, active and direct-attach cables, patch cables."""
    appliances: list[Appliance] = Field(default_factory=list)
    """Devices without GPUs: storage, management, fabric managers."""


SECTIONS: dict[str, type[CatalogEntry]] = {"gpus": GPU, "servers": Server, "racks": RackType,
                                           "switches": Switch, "optics": Optic,
                                           "appliances": Appliance}
"""Catalog file sections and the model of their entries."""
