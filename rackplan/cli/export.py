"""``rackplan export``: a plan in other tools' formats."""

from __future__ import annotations

import click

from ..export import write_netbox
from ..loading import load_catalog, load_plan
from ._options import catalog_option


@click.group("export")
def export_group() -> None:
    """Export a plan to other tools' formats."""


@export_group.command("netbox")
@click.argument("plan_file", metavar="PLAN.json", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "directory", required=True, type=click.Path(), metavar="DIR",
              help="Folder for the NetBox files: new, empty, or the folder of an earlier export "
                   "(whose files this export does not write are removed; a folder holding other "
                   "files is refused). Each file is written atomically.")
@click.option("--site", default=None, metavar="NAME",
              help="NetBox site of the racks and devices (default: the plan's scenario name).")
@catalog_option
def netbox_command(plan_file: str, directory: str, site: str | None,
                   catalog_files: tuple[str, ...]) -> None:
    """Write a plan as NetBox import files into DIR.

    PLAN.json is the output of 'rackplan plan --format json'; give the same --catalog files
    the plan was made with, for the device details. DIR gets device types
    (device-types/<Manufacturer>/<model>.yaml, devicetype-library format), 19-inch rack types
    (rack-types/), manufacturers.csv, device-roles.csv, sites.csv, racks.csv (one row per
    rack), devices.csv (one row per placed unit; reserved units are not devices) and
    README.txt with the import order. Everything is imported with status planned.

    \b
    Example:
      rackplan plan examples/superpod-h100.yaml --format json -o plan.json
      rackplan export netbox plan.json -o netbox/ --site dc1
    """
    plan = load_plan(plan_file)
    catalog = load_catalog(*catalog_files)
    written = write_netbox(plan, catalog, directory, site, plan_file=plan_file)
    types = sum(1 for p in written if p.parent.parent.name == "device-types")
    devices = sum(1 for r in plan.racks for s in r.slots if s.kind != "reserved")
    click.echo(f"wrote {len(written)} files to {directory}: {types} device type"
               f"{'' if types == 1 else 's'}, "
               f"{len(plan.racks)} racks, {devices} devices; import order in README.txt")
