"""``rackplan draw``: a plan's rack elevations as one SVG file."""

from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path

import click

from ..errors import InputError
from ..loading import load_catalog, load_plan
from ..models.result import Plan
from ..render.elevation import DEFAULT_MAX_LAYOUTS, plan_svg, unknown_rack_types
from ._options import catalog_option, emit, output_option


@click.command("draw")
@click.argument("plan_file", metavar="PLAN.json", type=click.Path())
@output_option
@catalog_option
@click.option("--max-layouts", type=click.IntRange(1, 1_000_000), default=DEFAULT_MAX_LAYOUTS,
              show_default=True, metavar="N",
              help="Draw at most N distinct rack layouts (those holding the most racks); a note "
                   "counts the rest.")
def draw_command(plan_file: str, output: str | None, catalog_files: tuple[str, ...],
                 max_layouts: int) -> None:
    """Draw the rack elevations of PLAN.json (from 'rackplan plan --format json') as SVG.

    One elevation per distinct rack layout (same rack type, same slots), titled
    with how many racks share it and their ids, drawn to scale from unit 1 at
    the bottom: each unit a box with its model, workload (or fabric and role)
    and kW, coloured by workload. Beside it, the rack's power, cooling, units
    and weight against its rack type's limits, and what each feed carries. The
    plan does not hold the rack types' limits: they come from the bundled
    catalog and --catalog files; a rack type found in neither is drawn without
    its limit bars (with a warning on stderr). To draw a scenario (YAML) without
    writing its plan first, run 'rackplan plan SCENARIO.yaml --format svg'.

    \b
    Example:
      rackplan plan examples/superpod-h100.yaml --format json -o plan.json
      rackplan draw plan.json -o racks.svg
      rackplan draw plan.json --catalog my-racks.yaml --max-layouts 10 -o racks.svg
    """
    plan = _load(plan_file)
    catalog = load_catalog(*catalog_files)
    unknown = unknown_rack_types(plan, catalog)
    if unknown:
        noun = "rack type" if len(unknown) == 1 else "rack types"
        click.echo(f"warning: {noun} {', '.join(unknown)} not in the catalog: drawn without "
                   "limit bars (give the catalog file with --catalog FILE)", err=True)
    emit(plan_svg(plan, catalog, max_layouts=max_layouts), output)


def _load(plan_file: str) -> Plan:
    """The plan; a scenario given instead (a ``.yaml`` file that is not JSON) is told how to
    draw it."""
    try:
        return load_plan(plan_file)
    except InputError as exc:
        first = exc.problems[0]
        if Path(plan_file).suffix.lower() not in (".yaml", ".yml") or \
                not first.message.startswith("not JSON"):
            raise
        hint = (f"; to draw a scenario, run 'rackplan plan {shlex.quote(plan_file)} "
                "--format svg'")
        raise InputError([dataclasses.replace(first, message=first.message + hint),
                          *exc.problems[1:]]) from None
