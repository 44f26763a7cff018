"""A plan as NetBox import files: device types, rack types, racks and devices.

:func:`netbox_files` turns a :class:`~rackplan.Plan` and the catalog it was planned with into
the files NetBox imports (relative path → text); :func:`write_netbox` writes them into a folder,
each atomically:

- ``device-types/<Manufacturer>/<model-slug>.yaml``: one devicetype-library YAML per distinct
  server, switch and appliance model in the plan (Devices → Device Types → Import);
- ``rack-types/Generic/<rack-type-id>.yaml``: the plan's 19-inch rack types (the library's
  rack-type schema allows widths 10, 19, 20 and 23 only, so ORv3 21-inch types are left out;
  ``racks.csv`` does not need them);
- ``manufacturers.csv``, ``device-roles.csv``, ``sites.csv``, ``racks.csv``, ``devices.csv``:
  bulk CSV imports with only columns NetBox's import forms accept (see the ``*_COLUMNS``
  constants);
- ``README.txt``: what each file is and the order to import them in.

Only what the catalog knows is written: no part numbers, no airflow, no power-plug types. The
schema requires ``is_full_depth`` and a power port's ``type``: every unit is written full depth
(the conservative choice: nothing else fits behind it) with one power port of type ``other``
carrying the whole unit's draw.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .._io import write_atomic
from ..errors import InputError, Problem
from ..models.catalog import FABRICS, GPU, Appliance, Catalog, RackType, Server, Switch
from ..models.result import Plan, Rack, Slot

STATUS = "planned"
"""NetBox status of every exported site, rack and device."""

RACK_FORM_FACTOR = "4-post-cabinet"
"""NetBox rack form factor of every exported rack and rack type."""

RACK_WIDTH_IN = {"eia-19": 19, "orv3-21": 21}
"""NetBox rack width (inches) of each rackplan form factor."""

LIBRARY_RACK_WIDTHS = (10, 19, 20, 23)
"""Widths the devicetype-library rack-type schema allows (``schema/racktype.json``)."""

RACK_TYPE_MANUFACTURER = "Generic"
"""Manufacturer of exported rack types (a rackplan rack type is a position, not a product)."""

MANUFACTURER_COLUMNS = ("name", "slug", "description")
DEVICE_ROLE_COLUMNS = ("name", "slug", "color", "description")
SITE_COLUMNS = ("name", "slug", "status", "description")
RACK_COLUMNS = ("site", "name", "status", "form_factor", "width", "u_height", "max_weight",
                "weight_unit", "description", "comments")
DEVICE_COLUMNS = ("name", "role", "manufacturer", "device_type", "status", "site", "rack",
                  "position", "face", "description", "comments")

ROLES: dict[str, tuple[str, str, str]] = {
    "server": ("GPU server", "gpu-server", "4caf50"),
    "switch": ("Network switch", "network-switch", "2196f3"),
    "appliance": ("Appliance", "appliance", "9e9e9e"),
}
"""Device role (name, slug, colour) of each kind of unit; devices.csv names the role by name."""

INTERFACE_TYPES: tuple[tuple[float, str, str], ...] = (
    (1, "rj45", "1000base-t"),
    (1, "sfp", "1000base-x-sfp"),
    (2.5, "rj45", "2.5gbase-t"),
    (5, "rj45", "5gbase-t"),
    (10, "rj45", "10gbase-t"),
    (10, "sfp+", "10gbase-x-sfpp"),
    (25, "sfp28", "25gbase-x-sfp28"),
    (40, "qsfp+", "40gbase-x-qsfpp"),
    (50, "sfp56", "50gbase-x-sfp56"),
    (100, "qsfp28", "100gbase-x-qsfp28"),
    (100, "qsfp-dd", "100gbase-x-qsfpdd"),
    (200, "qsfp56", "200gbase-x-qsfp56"),
    (200, "qsfp-dd", "200gbase-x-qsfpdd"),
    (400, "osfp", "400gbase-x-osfp"),
    (400, "qsfp112", "400gbase-x-qsfp112"),
    (400, "qsfp-dd", "400gbase-x-qsfpdd"),
    (800, "osfp", "800gbase-x-osfp"),
    (800, "qsfp-dd", "800gbase-x-qsfpdd"),
)
"""(Gb/s, cage, NetBox interface type) of the ports rackplan maps; a port's cage is matched
case- and punctuation-blind (``QSFP-DD`` is ``qsfp-dd``). Others are written as ``other``."""

INTERFACE_BY_SPEED: dict[float, str] = {1: "1000base-t", 25: "25gbase-x-sfp28",
                                        40: "40gbase-x-qsfpp", 100: "100gbase-x-qsfp28"}
"""The type of a port whose cage the catalog does not give, only at speeds where one cage is
the rule (a 1G port is a BMC's RJ45, a 100G NIC port a QSFP28)."""


def _cage_key(cage: str | None) -> str | None:
    if cage is None:
        return None
    return re.sub(r"[^a-z0-9+]", "", cage.lower()).replace("+", "p")


_TYPE_OF = {(gbps, _cage_key(cage)): kind for gbps, cage, kind in INTERFACE_TYPES}


def interface_type(gbps: float, cage: str | None) -> str | None:
    """The NetBox interface type of a port of ``gbps`` in ``cage`` (``osfp``, ``qsfp112``,
    ``rj45``, ...), or None when no type matches."""
    key = _cage_key(cage)
    found = _TYPE_OF.get((gbps, key))
    if found is None and key is None:
        found = INTERFACE_BY_SPEED.get(gbps)
    return found


def slug(text: str) -> str:
    """Lowercase letters and digits joined by single hyphens (``PowerEdge XE9680`` →
    ``poweredge-xe9680``); empty when ``text`` has neither."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _path_part(name: str) -> str:
    """A folder name for ``name``: no separators, no leading dots."""
    return re.sub(r"[^A-Za-z0-9 ._+-]+", "-", name).strip(" .") or "unknown"


@dataclass(frozen=True)
class _DeviceType:
    """One catalog model as a NetBox device type."""

    entry: Server | Switch | Appliance
    kind: str
    """``server``, ``switch`` or ``appliance``."""
    manufacturer: str
    model: str
    """NetBox model name, unique per manufacturer (devices.csv names the device type by it)."""
    slug: str
    path: str
    """``device-types/<Manufacturer>/<file>.yaml``."""


def netbox_files(plan: Plan, catalog: Catalog, site: str | None = None, *,
                 plan_file: str | None = None) -> dict[str, str]:
    """The NetBox import files of ``plan``: relative path → text, README.txt first.

    ``catalog`` must hold every server, switch, appliance and rack type the plan uses (the
    catalog it was planned with); ``site`` names the NetBox site (default: the scenario name).
    A unit or rack type missing from the catalog raises :class:`~rackplan.InputError` (naming
    ``plan_file`` when given).
    """
    site_name = (plan.scenario if site is None else site).strip()
    if not site_name or len(site_name) > 100:
        raise InputError([Problem(None, None, "site", f"site name {site_name!r} must have 1 to "
                                  "100 characters (NetBox's limit)")])
    types, rack_types = _resolve(plan, catalog, plan_file)
    reserved_w = _reserved_w(plan)

    files: dict[str, str] = {}
    library_racks = [rt for rt in rack_types.values()
                     if RACK_WIDTH_IN[rt.form_factor] in LIBRARY_RACK_WIDTHS]
    files["README.txt"] = _readme(plan, site_name, types, rack_types, library_racks)
    for dt in types.values():
        files[dt.path] = _yaml(_device_type(dt, catalog, reserved_w[dt.entry.id]))
    for rt in library_racks:
        files[f"rack-types/{RACK_TYPE_MANUFACTURER}/{rt.id}.yaml"] = _yaml(_rack_type(rt))

    manufacturers = sorted({dt.manufacturer for dt in types.values()}
                           | ({RACK_TYPE_MANUFACTURER} if library_racks else set()))
    files["manufacturers.csv"] = _csv(MANUFACTURER_COLUMNS, [
        {"name": m, "slug": slug(m) or "manufacturer", "description": "exported by rackplan"}
        for m in manufacturers])
    kinds = sorted({dt.kind for dt in types.values()}, key=list(ROLES).index)
    files["device-roles.csv"] = _csv(DEVICE_ROLE_COLUMNS, [
        {"name": ROLES[k][0], "slug": ROLES[k][1], "color": ROLES[k][2],
         "description": "exported by rackplan"} for k in kinds])
    files["sites.csv"] = _csv(SITE_COLUMNS, [
        {"name": site_name, "slug": slug(site_name) or "site", "status": STATUS,
         "description": f"rackplan plan of scenario {plan.scenario}"[:200]}])
    files["racks.csv"] = _csv(RACK_COLUMNS, [_rack_row(r, rack_types[r.rack], site_name)
                                             for r in plan.racks])
    files["devices.csv"] = _csv(DEVICE_COLUMNS, [
        _device_row(r, s, types[s.device], site_name)
        for r in plan.racks for s in r.slots if s.kind != "reserved"])
    return files


def write_netbox(plan: Plan, catalog: Catalog, directory: str | Path, site: str | None = None,
                 *, plan_file: str | None = None) -> list[Path]:
    """Write :func:`netbox_files` into ``directory`` (created if missing), each file atomically;
    return the paths written.

    Everything is computed before the first write, so bad input leaves the folder untouched.
    The folder must be empty, missing, or hold an earlier export (its ``MANIFEST_FILE`` lists
    what it wrote): the files of that export which this one does not write are removed, so no
    stale device type is imported with the new ones. A ``directory`` that exists as a file, a
    folder holding other files, or a folder that cannot be written, raises
    :class:`~rackplan.InputError`.
    """
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise InputError([Problem(str(directory), None, None,
                                  "exists and is not a folder; give a folder for the NetBox files")])
    files = netbox_files(plan, catalog, site, plan_file=plan_file)
    stale = _earlier_export(target, set(files))
    for path in stale:
        path.unlink(missing_ok=True)
    files[MANIFEST_FILE] = "".join(f"{rel}\n" for rel in sorted([*files, MANIFEST_FILE]))
    written = []
    for rel, text in files.items():
        path = target / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError([Problem(str(path.parent), None, None,
                                      f"cannot create folder: {exc.strerror or exc}")]) from None
        write_atomic(path, text)
        written.append(path)
    return written


MANIFEST_FILE = ".rackplan-export"
"""Lists the files an export wrote, one relative path per line (itself included)."""


def _earlier_export(target: Path, new: set[str]) -> list[Path]:
    """The files of an earlier export in ``target`` that the new one does not write; refuses a
    folder holding files no export of rackplan wrote."""
    if not target.is_dir():
        return []
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if not p.is_dir()}
    if not present:
        return []
    manifest = target / MANIFEST_FILE
    listed = set()
    if manifest.is_file():
        listed = {line.strip() for line in manifest.read_text(encoding="utf-8").splitlines()
                  if line.strip()}
    foreign = sorted(present - listed)
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise InputError([Problem(str(target), None, None,
                                  f"holds files no rackplan export wrote ({shown}); give an empty "
                                  "or new folder, or the folder of an earlier export")])
    return [target / rel for rel in sorted(listed - new - {MANIFEST_FILE}) if (target / rel).is_file()]


# --------------------------------------------------------------------------- resolving the plan

def _resolve(plan: Plan, catalog: Catalog, plan_file: str | None
             ) -> tuple[dict[str, _DeviceType], dict[str, RackType]]:
    """Device types by catalog id (in order of first use) and rack types by id."""
    problems: list[Problem] = []
    entries: dict[str, tuple[Server | Switch | Appliance, str]] = {}
    rack_types: dict[str, RackType] = {}
    hint = "; pass the catalog files the plan was made with (--catalog FILE)"
    for i, rack in enumerate(plan.racks):
        if rack.rack not in rack_types:
            try:
                rack_types[rack.rack] = catalog.rack(rack.rack)
            except KeyError:
                problems.append(Problem(plan_file, f"racks[{i}]", "rack",
                                        f"{rack.rack!r} is not a rack type in the catalog{hint}"))
        for j, slot in enumerate(rack.slots):
            if slot.kind == "reserved" or slot.device in entries:
                continue
            found = _entry(catalog, slot)
            if found is None:
                what = "server" if slot.kind == "server" else "switch or appliance"
                problems.append(Problem(plan_file, f"racks[{i}].slots[{j}]", "device",
                                        f"{slot.device!r} is not a {what} in the catalog{hint}"))
                continue
            entries[slot.device] = found
    if problems:
        raise InputError(problems)
    return _name_device_types(entries, catalog), rack_types


def _entry(catalog: Catalog, slot: Slot) -> tuple[Server | Switch | Appliance, str] | None:
    entry = catalog.get(slot.device) if slot.device in catalog else None
    if slot.kind == "server":
        return (entry, "server") if isinstance(entry, Server) else None
    if isinstance(entry, Switch):
        return entry, "switch"
    if isinstance(entry, Appliance):
        return entry, "appliance"
    return None


def _name_device_types(entries: dict[str, tuple[Server | Switch | Appliance, str]],
                       catalog: Catalog) -> dict[str, _DeviceType]:
    """NetBox names: (manufacturer, model), slug and file unique, made so with the catalog id.

    A model name shared by several catalog entries (e.g. ``PowerEdge XE9680`` with H100, H200
    or MI300X) gets the catalog id whichever of them the plan uses, so exports of different
    plans into one NetBox name the same entry the same way."""
    counts: dict[tuple[str, str], int] = {}
    models: list[Server | Switch | Appliance] = [*catalog.servers, *catalog.switches,
                                                 *catalog.appliances]
    for entry in models:
        key = (entry.vendor[:100], entry.model[:100])
        counts[key] = counts.get(key, 0) + 1
    used_paths: set[str] = set()
    out = {}
    for entry_id, (entry, kind) in entries.items():
        manufacturer = entry.vendor[:100]
        model = entry.model[:100]
        if counts[(manufacturer, model)] > 1:
            suffix = f" ({entry_id})"
            model = model[:100 - len(suffix)] + suffix
        model_slug = slug(model) or entry_id
        folder = f"device-types/{_path_part(manufacturer)}"
        if f"{folder}/{model_slug}.yaml" in used_paths:
            model_slug = f"{model_slug}-{entry_id}"
        path = f"{folder}/{model_slug}.yaml"
        used_paths.add(path)
        full_slug = f"{slug(manufacturer) or 'manufacturer'}-{model_slug}"[:100].strip("-")
        out[entry_id] = _DeviceType(entry, kind, manufacturer, model, full_slug, path)
    return out


def _reserved_w(plan: Plan) -> dict[str, float]:
    """The most power the plan reserves for one unit of each model, in W."""
    out: dict[str, float] = {}
    for rack in plan.racks:
        for s in rack.slots:
            if s.kind != "reserved":
                out[s.device] = max(out.get(s.device, 0.0), s.kw * 1000)
    return out


# --------------------------------------------------------------------------- device and rack types

def _device_type(dt: _DeviceType, catalog: Catalog, reserved_w: float) -> dict[str, Any]:
    entry = dt.entry
    out: dict[str, Any] = {
        "manufacturer": dt.manufacturer,
        "model": dt.model,
        "slug": dt.slug,
        "u_height": entry.u_height,
        "is_full_depth": True,
        "weight": round(entry.weight_kg, 2),
        "weight_unit": "kg",
    }
    description = _description(entry, catalog)
    if description:
        out["description"] = description[:200]
    out["comments"] = "\n".join([f"Exported by rackplan from catalog entry {entry.id}.",
                                 *(["Sources (rackplan catalog):"] if entry.sources else []),
                                 *(f"- {s}" for s in entry.sources)])
    out["power-ports"] = [_power_port(entry, reserved_w)]
    interfaces = _interfaces(entry)
    if interfaces:
        out["interfaces"] = interfaces
    return out


def _description(entry: Server | Switch | Appliance, catalog: Catalog) -> str:
    if isinstance(entry, Server):
        gpu = catalog.get(entry.gpu) if entry.gpu in catalog else None
        name = gpu.name if isinstance(gpu, GPU) else entry.gpu
        return f"{entry.gpu_count} x {name}" + (", rack-scale system" if entry.rack_scale else "")
    if isinstance(entry, Switch):
        text = f"{entry.ports} x {entry.port_gbps:g}G {entry.fabric} switch"
        if entry.uplink_ports:
            text += f", {entry.uplink_ports} x {entry.uplink_gbps:g}G uplinks"
        return text
    return ""


def _power_port(entry: Server | Switch | Appliance, reserved_w: float) -> dict[str, Any]:
    # A switch's reservation includes its optics, which power_max_w leaves out; NetBox refuses
    # an allocated draw above the maximum, so the maximum is the larger of the two.
    maximum = max(1, round(entry.power_max_w), round(reserved_w))
    port: dict[str, Any] = {"name": "power", "type": "other", "maximum_draw": maximum}
    allocated = round(reserved_w)
    if allocated >= 1:
        port["allocated_draw"] = allocated
    optics = " with its optics" if isinstance(entry, Switch) else ""
    port["description"] = (f"Whole unit{optics}: maximum is the larger of the catalog's "
                           "power_max_w and the plan's reservation, allocated the plan's "
                           "reservation; supplies and plug type not in the catalog")
    return port


def _interfaces(entry: Server | Switch | Appliance) -> list[dict[str, Any]]:
    groups: list[tuple[str, int, float, str | None, bool]] = []  # prefix, count, gbps, cage, mgmt
    if isinstance(entry, Switch):
        groups.append(("port", entry.ports, entry.port_gbps, entry.cage, False))
        if entry.uplink_ports and entry.uplink_gbps:
            groups.append(("uplink", entry.uplink_ports, entry.uplink_gbps, None, False))
    elif entry.network is not None:
        for fabric in FABRICS:
            port = entry.network.port(fabric)
            if port is not None:
                groups.append((fabric, port.ports, port.gbps, port.cage, fabric == "oob"))
    out = []
    for prefix, count, gbps, cage, mgmt in groups:
        kind = interface_type(gbps, cage)
        for i in range(1, count + 1):
            item: dict[str, Any] = {"name": f"{prefix}{i}", "type": kind or "other"}
            if mgmt:
                item["mgmt_only"] = True
            if kind is None:
                item["description"] = (f"{gbps:g} Gb/s, {cage or 'cage not given'}: "
                                       "no NetBox interface type matches")
            out.append(item)
    return out


def _rack_type(rt: RackType) -> dict[str, Any]:
    return {
        "manufacturer": RACK_TYPE_MANUFACTURER,
        "model": rt.id,
        "slug": f"{slug(RACK_TYPE_MANUFACTURER)}-{rt.id}",
        "description": f"rackplan rack type {rt.id}"[:200],
        "form_factor": RACK_FORM_FACTOR,
        "width": RACK_WIDTH_IN[rt.form_factor],
        "u_height": rt.u_height,
        "starting_unit": 1,
        "max_weight": int(rt.max_load_kg),
        "weight_unit": "kg",
        "comments": _rack_type_text(rt),
    }


def _rack_type_text(rt: RackType) -> str:
    text = (f"rackplan rack type {rt.id}: {rt.feeds} feeds x {rt.power_kw:g} kW, cooling "
            f"{rt.air_cooling_kw:g} kW air + {rt.liquid_cooling_kw:g} kW liquid, max load "
            f"{rt.max_load_kg:g} kg")
    if rt.reserved_u_bottom or rt.reserved_u_top:
        text += (f", {rt.reserved_u_bottom} U reserved at the bottom and {rt.reserved_u_top} U "
                 "at the top")
    if rt.form_factor == "orv3-21":
        text += "; ORv3: positions are 48 mm OU"
    return text + "."


# --------------------------------------------------------------------------- CSV rows

def _rack_row(rack: Rack, rt: RackType, site: str) -> dict[str, Any]:
    role = "GPU servers" if rack.role == "servers" else "network"
    return {
        "site": site,
        "name": rack.id,
        "status": STATUS,
        "form_factor": RACK_FORM_FACTOR,
        "width": RACK_WIDTH_IN[rt.form_factor],
        "u_height": rt.u_height,
        "max_weight": int(rt.max_load_kg),
        "weight_unit": "kg",
        "description": f"rackplan {role} rack, rack type {rt.id}"[:200],
        "comments": (f"{_rack_type_text(rt)} Planned: {rack.power_kw:g} kW reserved "
                     f"({rack.air_kw:g} kW air, {rack.liquid_kw:g} kW liquid), {rack.u_used} U "
                     f"used, {rack.weight_kg:g} kg; installed {rack.installed_date.isoformat()}."),
    }


def device_name(rack: Rack, slot: Slot) -> str:
    """A device's NetBox name: rack id and lowest unit, e.g. ``r0001-u07``."""
    return f"{rack.id}-u{slot.u:02d}"


def _device_row(rack: Rack, slot: Slot, dt: _DeviceType, site: str) -> dict[str, Any]:
    if slot.kind == "server":
        comment = f"workload {slot.workload}" if slot.workload else "server"
    else:
        comment = ", ".join(x for x in (f"fabric {slot.fabric}" if slot.fabric else "",
                                        f"role {slot.role}" if slot.role else "") if x)
    return {
        "name": device_name(rack, slot),
        "role": ROLES[dt.kind][0],
        "manufacturer": dt.manufacturer,
        "device_type": dt.model,
        "status": STATUS,
        "site": site,
        "rack": rack.id,
        "position": slot.u,
        "face": "front",
        "description": f"rackplan {dt.entry.id}"[:200],
        "comments": f"{comment}; {slot.kw:g} kW reserved".lstrip("; "),
    }


# --------------------------------------------------------------------------- text

class _Dumper(yaml.SafeDumper):
    """The devicetype-library layout: block style, list items indented under their key,
    multi-line strings as literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value,
                                   style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def _yaml(data: dict[str, Any]) -> str:
    return "---\n" + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                               default_flow_style=False, width=4096)


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _readme(plan: Plan, site: str, types: dict[str, _DeviceType], rack_types: dict[str, RackType],
            library_racks: list[RackType]) -> str:
    kinds = sorted({dt.kind for dt in types.values()}, key=list(ROLES).index)
    roles = "\n".join(f"  - {ROLES[k][0]} (slug {ROLES[k][1]})" for k in kinds) or "  (none)"
    left_out = [rt.id for rt in rack_types.values() if rt not in library_racks]
    devices = sum(1 for r in plan.racks for s in r.slots if s.kind != "reserved")
    lines = [
        f"NetBox import files for the rackplan plan of scenario {plan.scenario}",
        f"(site {site}: {len(plan.racks)} racks, {devices} devices, {len(types)} device types).",
        "",
        "Files",
        "  manufacturers.csv     manufacturers (Devices > Manufacturers > Import, CSV)",
        "  device-types/         one device type per model, devicetype-library YAML",
        "                        (Devices > Device Types > Import, one file at a time)",
        "  rack-types/           19-inch rack types, devicetype-library YAML (optional:",
        "                        racks.csv does not refer to them)",
        "  device-roles.csv      device roles (Devices > Device Roles > Import, CSV)",
        "  sites.csv             the site (Organization > Sites > Import, CSV)",
        "  racks.csv             one rack per plan rack (Racks > Racks > Import, CSV)",
        "  devices.csv           one device per placed unit, reserved units left out",
        "                        (Devices > Devices > Import, CSV)",
        "",
        "Import order",
        "  1. manufacturers.csv",
        "  2. device-types/ (and rack-types/ if wanted)",
        "  3. device-roles.csv",
        "  4. sites.csv",
        "  5. racks.csv",
        "  6. devices.csv",
        "",
        "Device roles used (they must exist before devices.csv; device-roles.csv creates them):",
        roles,
        "",
        "Notes",
        "  - Everything is imported with status planned; devices are named <rack>-u<position>",
        "    and face the front.",
        "  - Device types carry what the rackplan catalog knows: height, weight, one power port",
        "    for the whole unit (type other: the plug is not in the catalog) and the NIC ports",
        "    (interfaces named <fabric><n>; oob ports are management-only). Part numbers and",
        "    airflow are left out; every unit is marked full depth.",
        "  - The column sets are NetBox 4.x's (devices.csv has role, not the 3.x device_role).",
    ]
    if left_out:
        lines += ["  - Rack types not written to rack-types/ (the devicetype-library rack-type",
                  f"    schema has no 21-inch width): {', '.join(left_out)}. racks.csv still",
                  "    gives those racks width 21; their units are 48 mm ORv3 OU, which NetBox",
                  "    counts as U."]
    return "\n".join(lines) + "\n"
