"""Catalog models: GPUs, servers and rack types.

Field names carry their units. Every model forbids unknown keys, so a typo in
a YAML file is an error rather than a silently ignored value.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictInt,
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


Id = Annotated[str, AfterValidator(_check_id)]
"""A lowercase kebab-case identifier, unique across the whole catalog."""

Country = Annotated[str, AfterValidator(_check_country)]
"""An ISO 3166-1 alpha-2 country code such as ``TW`` or ``MX``."""

Sources = Annotated[list[Annotated[str, Field(min_length=1)]], Field(default_factory=list)]

_MODEL_CONFIG = ConfigDict(
    extra="forbid",
    frozen=True,
    str_strip_whitespace=True,
    use_attribute_docstrings=True,
    allow_inf_nan=False,
)


class CatalogEntry(BaseModel):
    """Common base: an id and where its figures come from."""

    model_config = _MODEL_CONFIG

    id: Id
    """Lowercase kebab-case id, unique across the whole catalog (GPUs, servers and racks)."""
    sources: Sources
    """Where each figure comes from: ``"<fields>: <url>"`` or ``"<fields>: estimate: <reason>"``."""


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

    @model_validator(mode="after")
    def _some_cooling(self) -> RackType:
        if self.air_cooling_kw == 0 and self.liquid_cooling_kw == 0:
            raise ValueError(
                "air_cooling_kw and liquid_cooling_kw are both 0; a rack must reject heat somehow"
            )
        return self

    def usable_power_kw(self, redundancy: str) -> float:
        """Power a rack may draw: all feeds under ``N``, half of them under ``2N``."""
        return self.power_kw * self.feeds / (2 if redundancy == "2N" else 1)


class Catalog(BaseModel):
    """GPUs, servers and rack types, with every cross-reference checked.

    ``source_files`` maps each id to the file its entry (or its last override)
    came from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    gpus: list[GPU] = Field(default_factory=list)
    """Accelerator models."""
    servers: list[Server] = Field(default_factory=list)
    """Server models and rack-scale systems."""
    racks: list[RackType] = Field(default_factory=list)
    """Rack types (one rack position's enclosure, power and cooling)."""
    source_files: dict[str, str] = Field(default_factory=dict)
    """Id → path of the file the entry came from (its last override, if overridden)."""

    _index: dict[str, GPU | Server | RackType] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> Catalog:
        index: dict[str, GPU | Server | RackType] = {}
        entries: list[GPU | Server | RackType] = [*self.gpus, *self.servers, *self.racks]
        for entry in entries:
            if entry.id in index:
                raise ValueError(f"duplicate id {entry.id!r}: ids must be unique across the catalog")
            index[entry.id] = entry
        for server in self.servers:
            if not isinstance(index.get(server.gpu), GPU):
                raise ValueError(f"server {server.id!r}: gpu {server.gpu!r} is not a GPU in the catalog")
        self._index = index
        return self

    def get(self, entry_id: str) -> GPU | Server | RackType:
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

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._index


class CatalogFile(BaseModel):
    """The shape of one catalog YAML file (every section optional); used for the JSON Schema."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    gpus: list[GPU] = Field(default_factory=list)
    """Accelerator models."""
    servers: list[Server] = Field(default_factory=list)
    """Server models and rack-scale systems."""
    racks: list[RackType] = Field(default_factory=list)
    """Rack types."""


SECTIONS: dict[str, type[CatalogEntry]] = {"gpus": GPU, "servers": Server, "racks": RackType}
"""Catalog file sections and the model of their entries."""
