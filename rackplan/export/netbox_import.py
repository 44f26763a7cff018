"""A NetBox device-type YAML as a rackplan catalog entry stub.

NetBox's devicetype-library carries a unit's height, weight, power ports and interfaces, but
not what planning needs most: GPUs, idle power, cooling, price, lead time, origin.
:func:`catalog_stub_from_netbox` turns one device-type file into a catalog file holding one
server or appliance entry, with every field NetBox does not carry set to ``null`` and marked
``# TODO``. A ``null`` fails validation, so the stub cannot slip into a plan unfinished; once
the TODO fields are filled in it loads like any catalog file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml

from .._yaml import read_yaml
from ..errors import InputError, Problem
from .netbox import INTERFACE_TYPES, slug

SERVER_TODO = ("gpu", "gpu_count", "scale_up_gpus", "power_idle_w", "cooling", "liquid_fraction",
               "price_usd", "lead_time_weeks", "origin")
"""Server fields NetBox does not carry."""

APPLIANCE_TODO = ("power_idle_w", "price_usd", "lead_time_weeks", "origin")
"""Appliance fields NetBox does not carry."""

KG_PER_UNIT = {"kg": 1.0, "g": 0.001, "lb": 0.45359237, "oz": 0.028349523125}
"""NetBox's weight units (``weight_unit``) in kg."""

_SERVER_FIELDS = ("id", "vendor", "model", "gpu", "gpu_count", "scale_up_gpus", "u_height",
                  "power_idle_w", "power_max_w", "cooling", "liquid_fraction", "weight_kg",
                  "price_usd", "lead_time_weeks", "origin")
_APPLIANCE_FIELDS = ("id", "vendor", "model", "u_height", "power_idle_w", "power_max_w",
                     "weight_kg", "price_usd", "lead_time_weeks", "origin")

_TODO = "# TODO: NetBox does not carry this"

_Fail = Callable[[str | None, str], InputError]

# NetBox interface type → (Gb/s, cage); InfiniBand types say nothing of the cage.
_PORT_OF: dict[str, tuple[float, str | None]] = {
    **{kind: (gbps, cage) for gbps, cage, kind in INTERFACE_TYPES},
    "1000base-tx": (1, "rj45"),
    "infiniband-edr": (100, None),
    "infiniband-hdr": (200, None),
    "infiniband-ndr": (400, None),
    "infiniband-xdr": (800, None),
}


@dataclass(frozen=True)
class NetboxStub:
    """A catalog file made from a NetBox device type."""

    text: str
    """The catalog file: YAML with comments, one entry."""
    entry_id: str
    """The entry's id (kebab case from manufacturer and model)."""
    missing: list[str] = field(default_factory=list)
    """Fields left as ``null`` placeholders, in file order: fill them in before use."""


@dataclass
class _PortGroup:
    gbps: float
    cage: str | None
    types: set[str]
    count: int = 0


def catalog_stub_from_netbox(path: str | Path, kind: str = "server") -> NetboxStub:
    """Read the NetBox device-type YAML at ``path`` and return a catalog stub for a ``server``
    or an ``appliance``.

    Taken from NetBox: ``vendor`` (manufacturer), ``model``, ``u_height``, ``weight_kg`` (from
    ``weight`` and ``weight_unit``), ``power_max_w`` (the power ports' ``maximum_draw`` summed,
    when given) and ``network`` (interfaces of known speed: management-only ones as ``oob``,
    the fastest others as ``compute`` on a server or ``inband`` on an appliance). A file that
    is not YAML or not a device type (no manufacturer, model or whole ``u_height``, an unknown
    ``weight_unit``) raises :class:`~rackplan.InputError` naming the file and the field.
    """
    if kind not in ("server", "appliance"):
        raise ValueError(f"kind must be 'server' or 'appliance', got {kind!r}")
    name = str(path)
    doc = read_yaml(path, InputError)

    def fail(field_: str | None, message: str) -> InputError:
        return InputError([Problem(name, None, field_, message)])

    if not isinstance(doc, dict):
        raise fail(None, "not a NetBox device type: expected a mapping with manufacturer, "
                         f"model and u_height, got {type(doc).__name__}")
    texts = {}
    for key in ("manufacturer", "model"):
        value = doc.get(key)
        if value is None:
            raise fail(key, "missing: a NetBox device type needs manufacturer, model and u_height")
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
            raise fail(key, f"must be text, got {value!r}")
        texts[key] = str(value).strip()
    entry_id = slug(f"{texts['manufacturer']} {texts['model']}")
    if not entry_id:
        raise fail("model", "manufacturer and model have no letters or digits to make an id of")
    u_height = _u_height(doc.get("u_height"), fail)
    weight_kg = _weight_kg(doc, fail)
    power_w, power_note = _power_max_w(doc.get("power-ports"), fail)
    network, network_notes = _network(doc.get("interfaces"), kind, fail)

    known: dict[str, tuple[Any, str]] = {
        "id": (entry_id, ""), "vendor": (texts["manufacturer"], ""), "model": (texts["model"], ""),
        "u_height": (u_height, ""),
        "power_max_w": (power_w, power_note or "# TODO: the NetBox file gives no maximum_draw"),
        "weight_kg": (weight_kg, "" if weight_kg is not None else
                      "# TODO: the NetBox file gives no weight"),
    }
    order = _SERVER_FIELDS if kind == "server" else _APPLIANCE_FIELDS
    fields = [(f, *known.get(f, (None, _TODO))) for f in order]
    missing = [f for f, value, _ in fields if value is None]

    from_netbox = ["vendor", "model", "u_height"]
    from_netbox += ["weight_kg"] if weight_kg is not None else []
    from_netbox += ["power_max_w"] if power_w is not None else []
    from_netbox += ["network"] if network else []
    source = f"{', '.join(from_netbox)}: {_cited(path)}"

    section = "servers" if kind == "server" else "appliances"
    lines = [f"# A rackplan {kind} entry stub from the NetBox device type {PurePath(name).name}.",
             "# Fill in every field marked TODO, then check the file with",
             "# `rackplan catalog validate FILE`.",
             f"{section}:"]
    for i, (key, value, comment) in enumerate(fields):
        lead = "  - " if i == 0 else "    "
        lines.append(f"{lead}{key}: {_scalar(value)}" + (f"  {comment}" if comment else ""))
    part = doc.get("part_number")
    if isinstance(part, str | int) and not isinstance(part, bool) and str(part).strip():
        lines.append(f"    # NetBox part_number: {_one_line(str(part))}")
    if network:
        lines.append("    network:")
        lines += [f"      # {note}" for note in network_notes]
        for fabric, group in network.items():
            port: dict[str, Any] = {"ports": group.count, "gbps": group.gbps}
            if group.cage:
                port["cage"] = group.cage
            inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in port.items())
            lines.append(f"      {fabric}: {{{inner}}}")
    else:
        lines += [f"    # {note}" for note in network_notes]
    lines += ["    sources:", f"      - {_scalar(source)}"]
    return NetboxStub("\n".join(lines) + "\n", entry_id, missing)


def _u_height(value: Any, fail: _Fail) -> int:
    if value is None:
        raise fail("u_height", "missing: a NetBox device type needs manufacturer, model and u_height")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail("u_height", f"must be a number, got {value!r}")
    if value < 1 or not float(value).is_integer():
        raise fail("u_height", f"is {value:g}; a rackplan unit takes a whole number of rack "
                               "units, 1 or more")
    return int(value)


def _weight_kg(doc: dict[str, Any], fail: _Fail) -> float | None:
    unit = doc.get("weight_unit")
    weight = doc.get("weight")
    if unit is not None and unit not in KG_PER_UNIT:
        raise fail("weight_unit", f"{unit!r} is not one of {', '.join(KG_PER_UNIT)}")
    if weight is None:
        return None
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        raise fail("weight", f"must be a number above 0, got {weight!r}")
    if unit is None:
        raise fail("weight_unit", "missing: NetBox gives weight with its weight_unit "
                                  f"({', '.join(KG_PER_UNIT)})")
    return round(float(weight) * KG_PER_UNIT[unit], 3)


def _power_max_w(ports: Any, fail: _Fail) -> tuple[float | None, str]:
    if ports is None:
        return None, ""
    if not isinstance(ports, list):
        raise fail("power-ports", f"must be a list, got {type(ports).__name__}")
    draws = []
    for i, port in enumerate(ports):
        draw = port.get("maximum_draw") if isinstance(port, dict) else None
        if draw is None:
            continue
        if isinstance(draw, bool) or not isinstance(draw, int | float) or draw <= 0:
            raise fail(f"power-ports[{i}].maximum_draw", f"must be a number above 0, got {draw!r}")
        draws.append(float(draw))
    if not draws:
        return None, ""
    note = (f"# sum of the NetBox power ports' maximum_draw ({len(draws)} of {len(ports)} give "
            "one); redundant supplies count too: check against the vendor's figure")
    return sum(draws), note


def _network(interfaces: Any, kind: str, fail: _Fail) -> tuple[dict[str, _PortGroup], list[str]]:
    """Ports by fabric, and notes on the guesses and on what was left out."""
    if interfaces is None:
        return {}, []
    if not isinstance(interfaces, list):
        raise fail("interfaces", f"must be a list, got {type(interfaces).__name__}")
    mgmt: _PortGroup | None = None
    data: dict[tuple[float, str | None], _PortGroup] = {}
    skipped: dict[str, int] = {}
    for item in interfaces:
        kind_ = item.get("type") if isinstance(item, dict) else None
        port = _PORT_OF.get(kind_) if isinstance(kind_, str) else None
        if port is None:
            label = kind_ if isinstance(kind_, str) else "no type"
            skipped[label] = skipped.get(label, 0) + 1
            continue
        if isinstance(item, dict) and item.get("mgmt_only") is True:
            if mgmt is None:
                mgmt = _PortGroup(*port, types=set())
            if (mgmt.gbps, mgmt.cage) == port:
                mgmt.count += 1
                mgmt.types.add(str(kind_))
                continue
        group = data.setdefault(port, _PortGroup(*port, types=set()))
        group.count += 1
        group.types.add(str(kind_))
    out: dict[str, _PortGroup] = {}
    notes = []
    ranked = sorted(data.values(), key=lambda g: -g.gbps)
    if ranked:
        fabric = "compute" if kind == "server" else "inband"
        out[fabric] = ranked[0]
        notes.append(f"fabrics guessed: NetBox does not say which fabric a port serves; the "
                     f"fastest ports are taken as {fabric}, management-only ones as oob")
        for group in ranked[1:]:
            notes.append(f"also in the NetBox file: {group.count} x {group.gbps:g} Gb/s "
                         f"({', '.join(sorted(group.types))}); add them under a fabric if they join one")
    if mgmt is not None:
        out["oob"] = mgmt
        if not ranked:
            notes.append("management-only interfaces taken as oob")
    if skipped:
        notes.append("interfaces without a known speed left out: "
                     + ", ".join(f"{n} x {t}" for t, n in skipped.items()))
    return out, [_one_line(n) for n in notes]


def _cited(path: str | Path) -> str:
    """The file as a source, by the path it was read from (where it came from before that is
    for the user to add)."""
    return f"NetBox device type file {path}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _scalar(value: Any) -> str:
    """``value`` as a one-line YAML scalar."""
    if isinstance(value, str):
        text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000)
        text = text.removesuffix("\n...\n").rstrip("\n")
        return text if "\n" not in text else json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
