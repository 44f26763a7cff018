"""NetBox export and import: device types against the devicetype-library's own JSON schema,
CSVs against the columns NetBox's bulk-import forms accept, the CLI and its errors."""

from __future__ import annotations

import csv
import decimal
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import rackplan
from rackplan.export import catalog_stub_from_netbox, netbox_files
from rackplan.export.netbox import (
    DEVICE_COLUMNS,
    DEVICE_ROLE_COLUMNS,
    INTERFACE_BY_SPEED,
    INTERFACE_TYPES,
    MANUFACTURER_COLUMNS,
    RACK_COLUMNS,
    SITE_COLUMNS,
    interface_type,
    slug,
)
from rackplan.export.netbox_import import APPLIANCE_TODO, SERVER_TODO
from rackplan.loading import catalog_for, check_catalog_file

ROOT = Path(__file__).parent.parent
NETBOX = Path(__file__).parent / "fixtures" / "netbox"
LIBRARY = NETBOX / "device-types"  # real devicetype-library files, see fixtures/netbox/SOURCE.md

# Columns NetBox's CSV bulk-import forms accept: Meta.fields of each form in
# https://github.com/netbox-community/netbox/blob/016a5335aeb1e9ab78bc41ca8f561f4fe97dd187/netbox/dcim/forms/bulk_import.py
# (RackImportForm, DeviceImportForm, ManufacturerImportForm, DeviceRoleImportForm, SiteImportForm),
# with the columns rackplan always fills (among them each form's required ones). Later NetBox
# versions add columns (rack_type, owner, ...) but keep these.
ACCEPTED = {
    "racks.csv": (("site", "location", "name", "facility_id", "tenant", "status", "role",
                   "form_factor", "serial", "asset_tag", "width", "u_height", "desc_units",
                   "outer_width", "outer_depth", "outer_unit", "mounting_depth", "airflow",
                   "weight", "max_weight", "weight_unit", "description", "comments", "tags"),
                  ("site", "name", "status", "width", "u_height")),
    "devices.csv": (("name", "role", "tenant", "manufacturer", "device_type", "platform",
                     "serial", "asset_tag", "status", "site", "location", "rack", "position",
                     "face", "latitude", "longitude", "parent", "device_bay", "airflow",
                     "virtual_chassis", "vc_position", "vc_priority", "cluster", "description",
                     "config_template", "comments", "tags"),
                    ("role", "manufacturer", "device_type", "status", "site")),
    "manufacturers.csv": (("name", "slug", "description", "tags"), ("name", "slug")),
    "device-roles.csv": (("name", "slug", "color", "vm_role", "config_template", "description",
                          "tags"), ("name", "slug", "color")),
    "sites.csv": (("name", "slug", "status", "region", "group", "tenant", "facility", "time_zone",
                   "description", "physical_address", "shipping_address", "latitude", "longitude",
                   "comments", "tags"), ("name", "slug", "status")),
}
# Choice values used, from netbox/dcim/choices.py (RackWidthChoices, RackStatusChoices,
# DeviceStatusChoices, SiteStatusChoices, DeviceFaceChoices, RackFormFactorChoices, WeightUnitChoices).
RACK_WIDTHS = {"10", "19", "21", "23"}
RACK_FORM_FACTORS = {"2-post-frame", "4-post-frame", "4-post-cabinet", "wall-frame",
                     "wall-frame-vertical", "wall-cabinet", "wall-cabinet-vertical"}


# --------------------------------------------------------------------------- schema

class _DecimalLoader(yaml.SafeLoader):
    """Floats as Decimal, as the library's own tests load definitions (tests/yaml_loader.py),
    so that ``multipleOf: 0.01`` is checked exactly."""


_DecimalLoader.add_constructor(
    "tag:yaml.org,2002:float",
    lambda loader, node: decimal.Decimal(f"{yaml.SafeLoader.construct_yaml_float(loader, node)}"))


def _schema(name: str) -> dict:
    return json.loads((NETBOX / "schema" / name).read_text(), parse_float=decimal.Decimal)


REGISTRY = Registry().with_resources(
    (s["$id"], Resource.from_contents(s))
    for s in map(_schema, sorted(p.name for p in (NETBOX / "schema").glob("*.json"))))
DEVICE_TYPE = Draft202012Validator(_schema("devicetype.json"), registry=REGISTRY)
RACK_TYPE = Draft202012Validator(_schema("racktype.json"), registry=REGISTRY)


def _problems(validator: Draft202012Validator, text: str) -> list[str]:
    doc = yaml.load(text, Loader=_DecimalLoader)  # a SafeLoader subclass
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(doc)]


def test_the_library_files_kept_as_fixtures_pass_the_schema():
    files = sorted(LIBRARY.rglob("*.yaml"))
    assert len(files) == 3
    for path in files:
        assert _problems(DEVICE_TYPE, path.read_text()) == [], path


def test_the_validator_catches_what_the_schema_forbids():
    base = (LIBRARY / "Nvidia" / "SN5600.yaml").read_text()
    assert _problems(DEVICE_TYPE, base + "part_numbr: x\n")  # unknown key
    assert _problems(DEVICE_TYPE, base.replace("weight: 23.5", "weight: 23.505"))  # multipleOf
    assert _problems(DEVICE_TYPE, base.replace("800gbase-x-osfp", "800g-bogus", 1))


def test_every_interface_type_rackplan_writes_is_in_the_schema():
    enum = set(_schema("generated_schema.json")["definitions"]["interface"]["properties"]["type"]
               ["enum"])
    assert {t for _, _, t in INTERFACE_TYPES} | set(INTERFACE_BY_SPEED.values()) <= enum
    assert interface_type(400, "osfp") == "400gbase-x-osfp"
    assert interface_type(800, "OSFP") == "800gbase-x-osfp"
    assert interface_type(400, "QSFP-DD") == "400gbase-x-qsfpdd"
    assert interface_type(100, None) == "100gbase-x-qsfp28"
    assert interface_type(1, "rj45") == "1000base-t"
    assert interface_type(200, "qsfp112") is None  # no such NetBox type: written as "other"
    assert interface_type(400, None) is None  # cage unknown: not guessed


# --------------------------------------------------------------------------- export

def _plan_json(tmp_path_factory: pytest.TempPathFactory, example: str) -> Path:
    scenario = rackplan.load_scenario(ROOT / "examples" / example)
    result = rackplan.plan(scenario, catalog_for(scenario))
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(result.model_dump_json())
    return path


@pytest.fixture(scope="module")
def superpod(tmp_path_factory) -> Path:
    """Network racks with switches and appliances, 19-inch racks."""
    return _plan_json(tmp_path_factory, "superpod-h100.yaml")


@pytest.fixture(scope="module")
def rubin(tmp_path_factory) -> Path:
    """ORv3 21-inch racks with reserved units."""
    return _plan_json(tmp_path_factory, "rubin-xe8812.yaml")


def _rows(text: str, name: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    accepted, required = ACCEPTED[name]
    assert reader.fieldnames is not None and set(reader.fieldnames) <= set(accepted), name
    assert set(required) <= set(reader.fieldnames), name
    rows = list(reader)
    for row in rows:
        assert all(row[c] for c in required), (name, row)
    return rows


@pytest.mark.parametrize("example", ["superpod", "rubin"])
def test_export_matches_the_plan_and_netbox(run, tmp_path, request, example):
    plan_path = request.getfixturevalue(example)
    plan = rackplan.load_plan(plan_path)
    out = tmp_path / "netbox"
    result = run("export", "netbox", str(plan_path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {len(list(out.rglob('*.*')))} files to ")

    # device types: schema-valid, one per distinct model, named as devices.csv names them
    device_types = {}
    for path in sorted((out / "device-types").rglob("*.yaml")):
        text = path.read_text()
        assert text.endswith("\n") and _problems(DEVICE_TYPE, text) == [], path
        doc = yaml.safe_load(text)
        assert doc["slug"].startswith(slug(doc["manufacturer"]) + "-")
        assert path.name == doc["slug"][len(slug(doc["manufacturer"])) + 1:] + ".yaml"
        for port in doc["power-ports"]:
            assert 1 <= port.get("allocated_draw", 1) <= port["maximum_draw"]
        device_types[(doc["manufacturer"], doc["model"])] = doc
    used = {s.device for r in plan.racks for s in r.slots if s.kind != "reserved"}
    assert len(device_types) == len(used)
    for path in (out / "rack-types").rglob("*.yaml") if (out / "rack-types").exists() else []:
        assert _problems(RACK_TYPE, path.read_text()) == [], path

    files = {p.name: p.read_text() for p in out.glob("*.csv")}
    assert set(files) == set(ACCEPTED)
    for name, columns in [("racks.csv", RACK_COLUMNS), ("devices.csv", DEVICE_COLUMNS),
                          ("manufacturers.csv", MANUFACTURER_COLUMNS),
                          ("device-roles.csv", DEVICE_ROLE_COLUMNS), ("sites.csv", SITE_COLUMNS)]:
        assert tuple(next(csv.reader(io.StringIO(files[name])))) == columns
    racks = _rows(files["racks.csv"], "racks.csv")
    devices = _rows(files["devices.csv"], "devices.csv")
    manufacturers = {r["name"] for r in _rows(files["manufacturers.csv"], "manufacturers.csv")}
    roles = {r["name"] for r in _rows(files["device-roles.csv"], "device-roles.csv")}
    sites = {r["name"] for r in _rows(files["sites.csv"], "sites.csv")}
    assert sites == {plan.scenario}

    # racks: one row per rack, widths from the form factor
    assert [r["name"] for r in racks] == [r.id for r in plan.racks]
    catalog = rackplan.load_catalog()
    for row, rack in zip(racks, plan.racks, strict=True):
        rt = catalog.rack(rack.rack)
        assert row["width"] == {"eia-19": "19", "orv3-21": "21"}[rt.form_factor]
        assert row["width"] in RACK_WIDTHS and row["form_factor"] in RACK_FORM_FACTORS
        assert int(row["u_height"]) == rt.u_height and row["site"] in sites
        assert row["status"] == "planned" and row["weight_unit"] == "kg"
    if example == "rubin":
        assert {r["width"] for r in racks} == {"21"}
        assert not (out / "rack-types").exists()  # the library schema has no 21-inch width
        assert "orv3-dlc-300kw" in (out / "README.txt").read_text()

    # devices: one per non-reserved slot, at its rack and position, no two overlapping
    slots = [(r.id, s) for r in plan.racks for s in r.slots if s.kind != "reserved"]
    assert len(devices) == len(slots)
    assert len({d["name"] for d in devices}) == len(devices)
    heights = {r["name"]: int(r["u_height"]) for r in racks}
    taken: dict[str, set[int]] = {}
    for row, (rack_id, slot) in zip(devices, slots, strict=True):
        assert (row["rack"], int(row["position"])) == (rack_id, slot.u)
        assert row["face"] == "front" and row["status"] == "planned" and row["site"] in sites
        assert row["role"] in roles and row["manufacturer"] in manufacturers
        doc = device_types[(row["manufacturer"], row["device_type"])]
        units = set(range(slot.u, slot.u + doc["u_height"]))
        assert not units & taken.setdefault(rack_id, set()), row["name"]
        assert max(units) <= heights[rack_id]
        taken[rack_id] |= units

    readme = (out / "README.txt").read_text()
    order = [readme.index(f) for f in ("1. manufacturers.csv", "2. device-types/", "4. sites.csv",
                                       "5. racks.csv", "6. devices.csv")]
    assert order == sorted(order)
    for name in roles:
        assert name in readme


def test_superpod_device_types_carry_ports_power_and_roles(superpod):
    plan = rackplan.load_plan(superpod)
    files = netbox_files(plan, rackplan.load_catalog(), site="dc1")
    dgx = yaml.safe_load(files["device-types/NVIDIA/dgx-h100.yaml"])
    assert (dgx["u_height"], dgx["weight"], dgx["weight_unit"]) == (8, 130.45, "kg")
    assert dgx["power-ports"][0]["maximum_draw"] == 10200
    kinds = [i["type"] for i in dgx["interfaces"]]
    assert kinds.count("400gbase-x-osfp") == 8 and kinds.count("400gbase-x-qsfp112") == 2
    assert kinds.count("100gbase-x-qsfp28") == 2
    assert [i for i in dgx["interfaces"] if i.get("mgmt_only")] == [
        {"name": "oob1", "type": "1000base-t", "mgmt_only": True}]
    assert "nvidia-dgx-h100" in dgx["comments"]
    qm = yaml.safe_load(files["device-types/NVIDIA/quantum-2-qm9700.yaml"])
    assert [i["type"] for i in qm["interfaces"]] == ["400gbase-x-osfp"] * 64
    # a switch's reservation includes its optics: the plan's figure, and the maximum is raised
    # to it (NetBox refuses an allocated draw above the maximum)
    reserved = max(s.kw for r in plan.racks for s in r.slots if s.device == "nvidia-qm9700")
    assert reserved * 1000 > 1100
    assert qm["power-ports"][0]["allocated_draw"] == qm["power-ports"][0]["maximum_draw"] == round(
        reserved * 1000)
    roles = {r["name"]: r["slug"] for r in csv.DictReader(io.StringIO(files["device-roles.csv"]))}
    assert roles == {"GPU server": "gpu-server", "Network switch": "network-switch",
                     "Appliance": "appliance"}
    devices = list(csv.DictReader(io.StringIO(files["devices.csv"])))
    assert {d["site"] for d in devices} == {"dc1"}
    assert {d["role"] for d in devices if d["device_type"] == "Quantum-2 QM9700"} == {
        "Network switch"}
    assert any("fabric compute:training" in d["comments"] for d in devices)
    assert devices[0]["name"] == "r0001-u01"


# --------------------------------------------------------------------------- export errors

def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.stdout
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
    return result.stderr


def test_export_errors_are_one_line_exit_2(run, tmp_path, superpod):
    missing = tmp_path / "nope.json"
    assert "file not found" in _one_line_error(run("export", "netbox", str(missing), "-o",
                                                   str(tmp_path / "out")))
    a_file = tmp_path / "taken"
    a_file.write_text("keep")
    assert "not a folder" in _one_line_error(run("export", "netbox", str(superpod), "-o",
                                                 str(a_file)))
    assert a_file.read_text() == "keep"
    # a plan made with a catalog that is not given: nothing written
    data = json.loads(superpod.read_text())
    data["racks"][0]["slots"][0]["device"] = "acme-gpu-box"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    out = tmp_path / "never"
    message = _one_line_error(run("export", "netbox", str(other), "-o", str(out)))
    assert "'acme-gpu-box'" in message and "--catalog" in message and str(other) in message
    assert not out.exists()
    assert "Missing option '-o'" in _one_line_error(run("export", "netbox", str(superpod)))


# --------------------------------------------------------------------------- import-netbox

FILLED_SERVER = {"gpu": "h100-sxm", "gpu_count": "8", "scale_up_gpus": "8", "power_idle_w": "2500",
                 "power_max_w": "10200", "cooling": "air", "liquid_fraction": "0",
                 "price_usd": "300000", "lead_time_weeks": "20", "origin": "CN"}
FILLED_APPLIANCE = {"power_idle_w": "300", "price_usd": "20000", "lead_time_weeks": "12",
                    "origin": "IL"}


def _fill(text: str, values: dict[str, str]) -> str:
    """The stub with its ``null`` placeholders replaced, as a person would."""
    for name, value in values.items():
        text, n = re.subn(rf"^(\s*(?:- )?{name}): null\b.*$", rf"\1: {value}", text, flags=re.M)
        assert n == 1, name
    return text


def test_import_netbox_server_round_trip(run, tmp_path):
    out = tmp_path / "sr680a.yaml"
    result = run("catalog", "import-netbox", str(LIBRARY / "Lenovo" / "ThinkSystem-SR680a-v3.yaml"),
                 "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    missing = [*SERVER_TODO[:4], "power_max_w", *SERVER_TODO[4:]]  # NetBox gives no draw here
    assert result.stderr == (f"add {', '.join(missing)} before use; "
                             f"`rackplan catalog validate {out}` checks them\n")
    text = out.read_text()
    assert text.count("# TODO: NetBox does not carry this") == len(SERVER_TODO)
    assert "device-types/Lenovo/ThinkSystem-SR680a-v3.yaml" in text and "7DHE" in text
    assert check_catalog_file(out) == 1  # well-formed on its own...
    with pytest.raises(rackplan.CatalogError) as caught:  # ...but the placeholders do not validate
        rackplan.load_catalog(out)
    assert {p.field for p in caught.value.problems} == set(missing)
    assert run("catalog", "validate", str(out)).exit_code == 2

    out.write_text(_fill(text, FILLED_SERVER))
    assert run("catalog", "validate", str(out)).exit_code == 0
    server = rackplan.load_catalog(out).server("lenovo-thinksystem-sr680a-v3")
    assert (server.vendor, server.model, server.u_height, server.weight_kg) == (
        "Lenovo", "ThinkSystem SR680a V3", 8, 102.9)
    assert server.network is not None and server.network.oob is not None
    assert (server.network.oob.ports, server.network.oob.gbps, server.network.oob.cage) == (
        1, 1, "rj45")
    assert server.sources[0].startswith("vendor, model, u_height, weight_kg, network: "
                                        "NetBox device type file ")
    assert server.sources[0].endswith("ThinkSystem-SR680a-v3.yaml")


@pytest.mark.parametrize(("file", "power", "inband"), [
    ("Nvidia/Q3400-RA.yaml", 7000, (145, 800, None)),  # 8 x 875 W; 144 XDR ports + fnm1
    ("Nvidia/SN5600.yaml", None, (64, 800, "osfp")),
])
def test_import_netbox_appliance(tmp_path, file, power, inband):
    stub = catalog_stub_from_netbox(LIBRARY / file, "appliance")
    expected = [*APPLIANCE_TODO[:1], *([] if power else ["power_max_w"]), *APPLIANCE_TODO[1:]]
    assert stub.missing == expected
    out = tmp_path / "stub.yaml"
    out.write_text(_fill(stub.text, {**FILLED_APPLIANCE, **({} if power else
                                                            {"power_max_w": "1500"})}))
    # alone: the bundled catalog has a switch with the SN5600's id
    entry = rackplan.load_catalog(out, include_bundled=False).appliance(stub.entry_id)
    assert entry.power_max_w == (power or 1500)
    assert entry.network is not None and entry.network.inband is not None
    port = entry.network.inband
    assert (port.ports, port.gbps, port.cage) == inband
    assert entry.network.oob is not None and entry.network.oob.ports == 1


def test_export_then_import_keeps_what_netbox_carries(superpod, tmp_path):
    files = netbox_files(rackplan.load_plan(superpod), rackplan.load_catalog())
    path = tmp_path / "device-types" / "NVIDIA" / "dgx-h100.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(files["device-types/NVIDIA/dgx-h100.yaml"])
    stub = catalog_stub_from_netbox(path)
    assert stub.missing == list(SERVER_TODO)
    out = tmp_path / "dgx.yaml"
    out.write_text(_fill(stub.text, {k: v for k, v in FILLED_SERVER.items() if k != "power_max_w"}))
    server = rackplan.load_catalog(out).server("nvidia-dgx-h100")
    original = rackplan.load_catalog().server("nvidia-dgx-h100")
    assert (server.u_height, server.weight_kg, server.power_max_w) == (
        original.u_height, original.weight_kg, original.power_max_w)
    assert server.network is not None and original.network is not None
    assert server.network.compute == original.network.compute
    assert server.network.oob == original.network.oob


@pytest.mark.parametrize(("content", "field"), [
    ("manufacturer: [unclosed\n", "invalid YAML"),
    ("- just\n- a list\n", "not a NetBox device type"),
    ("model: X\nu_height: 1\n", "manufacturer"),
    ("manufacturer: A\nmodel: X\n", "u_height"),
    ("manufacturer: A\nmodel: X\nu_height: 0.5\n", "u_height"),
    ("manufacturer: A\nmodel: X\nu_height: 2\nweight: 3\nweight_unit: stone\n", "weight_unit"),
    ("manufacturer: A\nmodel: X\nu_height: 2\nweight: 3\n", "weight_unit"),
    ("manufacturer: A\nmodel: X\nu_height: 2\npower-ports:\n  - {name: p, maximum_draw: -5}\n",
     "power-ports[0].maximum_draw"),
])
def test_import_netbox_bad_input_is_one_line_naming_file_and_field(run, tmp_path, content, field):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    message = _one_line_error(run("catalog", "import-netbox", str(path)))
    assert str(path) in message and field in message


def test_import_netbox_missing_file_and_bad_kind(run, tmp_path):
    assert "file not found" in _one_line_error(run("catalog", "import-netbox",
                                                   str(tmp_path / "no.yaml")))
    _one_line_error(run("catalog", "import-netbox", str(LIBRARY / "Nvidia" / "SN5600.yaml"),
                        "--as", "switch"))


def test_exporting_again_into_a_folder_removes_the_earlier_exports_stale_files(
        superpod, rubin, tmp_path, run):
    out = tmp_path / "netbox"
    assert run("export", "netbox", str(superpod), "-o", str(out)).exit_code == 0
    assert (out / "device-types" / "NVIDIA").is_dir()
    assert run("export", "netbox", str(rubin), "-o", str(out)).exit_code == 0
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert not any("NVIDIA" in p or "qm9700" in p for p in left), left
    listed = (out / ".rackplan-export").read_text().split()
    assert sorted(listed) == left


def test_a_folder_with_other_files_is_refused_and_left_alone(superpod, tmp_path, run):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = run("export", "netbox", str(superpod), "-o", str(out))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "holds files no rackplan export wrote (notes.txt)" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_model_name_several_catalog_entries_share_is_named_the_same_in_every_export():
    # the catalog has PowerEdge XE9680 with H100, H200 and MI300X: a plan using one of them
    # still names it by its catalog id, as a plan using two would
    catalog = rackplan.load_catalog()
    scenario = rackplan.load_scenario(Path(__file__).parent.parent / "examples" / "enterprise-pod.yaml")
    plan = rackplan.plan(scenario, catalog)
    files = netbox_files(plan, catalog, site="dc1")
    (server,) = {s.server for s in plan.selections}
    model = catalog.server(server).model
    shared = [s for s in catalog.servers if s.model == model and s.vendor == catalog.server(server).vendor]
    types = [yaml.safe_load(t) for p, t in files.items() if p.startswith("device-types/")]
    (dt,) = [t for t in types if server in t["comments"]]
    assert (dt["model"] == f"{model} ({server})") == (len(shared) > 1)
