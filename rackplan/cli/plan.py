"""``rackplan plan``, ``size`` and ``compare``: plan a scenario, size a cluster, compare models."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from pydantic import ValidationError

from .._io import write_atomic
from ..errors import InfeasibleError, Problem, ScenarioError, SearchLimitError
from ..loading import (
    catalog_for,
    check_scenario_references,
    error_message,
    load_catalog,
    load_scenario,
)
from ..models import GPU, Catalog, RackType, Scenario, Server
from ..models.result import Plan
from ..planning import compare, plan
from ..render.report import render
from ..render.table import csv_text, json_text, md_table, table
from ._options import catalog_option, emit, format_option, output_option

_OBJECTIVE = click.option(
    "--objective",
    type=click.Choice(["capex", "tco", "time", "max_gpus", "max_fp8_pflops"]),
    default=None,
    help="What to minimize (default: the scenario's): capex; tco = capex + energy over "
    "horizon_years; time = ready date first, then TCO. Or what to maximize: max_gpus or "
    "max_fp8_pflops of the workloads marked grow: true, then the least TCO.",
)


@dataclass(frozen=True)
class _Format:
    """How ``plan`` writes one ``--format``: text (stdout or -o) or bytes (-o only)."""

    render: Callable[[Plan, Catalog], str | bytes]
    binary: bool = False
    """Bytes that must go to a file: ``-o`` is required."""


def _text(fmt: str) -> _Format:
    return _Format(lambda result, catalog: render(result, fmt))


PLAN_FORMATS: dict[str, _Format] = {
    "table": _text("table"),
    "json": _text("json"),
    "csv": _text("csv"),
    "markdown": _text("markdown"),
    "bom": _text("bom"),
    "svg": _Format(lambda result, catalog: _svg(result, catalog)),
    "html": _Format(lambda result, catalog: _html(result, catalog)),
    "xlsx": _Format(lambda result, catalog: _xlsx(result), binary=True),
}
"""``rackplan plan --format`` choices, the first the default (a binary one needs only its entry
here, with ``binary=True``)."""


# The drawing, report and workbook libraries (Jinja2, openpyxl) load only when asked for.
def _svg(result: Plan, catalog: Catalog) -> str:
    from ..render.elevation import plan_svg
    return plan_svg(result, catalog)


def _html(result: Plan, catalog: Catalog) -> str:
    from ..render.html import plan_html
    return plan_html(result, catalog)


def _xlsx(result: Plan) -> bytes:
    from ..render.xlsx import plan_xlsx
    return plan_xlsx(result)


def _check_output(fmt: str, output: str | None) -> None:
    """Before planning: a binary format needs -o (``-o -`` sends it to a pipe, not a terminal)."""
    if PLAN_FORMATS[fmt].binary and (
            output is None or (output == "-" and sys.stdout.isatty())):
        raise click.UsageError(f"--format {fmt} writes a binary file: give -o FILE")


def _write_plan(result: Plan, catalog: Catalog, fmt: str, output: str | None) -> None:
    data = PLAN_FORMATS[fmt].render(result, catalog)
    if isinstance(data, bytes):
        if output is None:  # _check_output stops this before planning
            raise click.UsageError(f"--format {fmt} writes a binary file: give -o FILE")
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            write_atomic(output, data)
    else:
        emit(data, output)


def _scenario_and_catalog(path: str, catalog_files: tuple[str, ...]) -> tuple[Scenario, Catalog]:
    scenario = load_scenario(path)
    if catalog_files:
        return scenario, load_catalog(*scenario.catalog_paths(), *catalog_files)
    return scenario, catalog_for(scenario)


def _plan_or_diagnosis(scenario: Scenario, catalog: Catalog, objective: str | None, fmt: str,
                       output: str | None, **kw: Any) -> None:
    show = _progress()
    try:
        try:
            result = plan(scenario, catalog, objective=objective, progress=show, **kw)
        finally:
            if show is not None:  # clear the status line
                click.echo("\r\033[K", err=True, nl=False)
    except InfeasibleError as exc:
        if fmt == "json":  # scripts get the diagnosis on stdout as well
            emit(json_text({"infeasible": True, "proven": exc.diagnosis.proven,
                            "search_limit": isinstance(exc, SearchLimitError),
                            "reasons": exc.diagnosis.reasons,
                            "details": exc.diagnosis.details}), output)
        raise
    _write_plan(result, catalog, fmt, output)


def _progress() -> Callable[[str], None] | None:
    """On a terminal, a status line on stderr for each search of a maximizing objective."""
    if not sys.stderr.isatty():
        return None
    count = 0

    def show(text: str) -> None:
        nonlocal count
        count += 1
        click.echo(f"\r\033[Ksearch {count}: {text}", err=True, nl=False)
    return show


def _scenario_options(*formats: str) -> Callable[[Any], Any]:
    """SCENARIO, --objective, --format (``formats``), -o and --catalog, shared by plan and
    compare."""
    def decorate(func: Any) -> Any:
        for option in reversed([click.argument("scenario_file", metavar="SCENARIO",
                                               type=click.Path(dir_okay=False)),
                                _OBJECTIVE, format_option(*formats), output_option,
                                catalog_option]):
            func = option(func)
        return func
    return decorate


@click.command("plan")
@_scenario_options(*PLAN_FORMATS)
def plan_command(scenario_file: str, objective: str | None, fmt: str, output: str | None,
                 catalog_files: tuple[str, ...]) -> None:
    """Plan SCENARIO: choose servers, pack racks, cost and schedule.

    The table shows the summary, selections, racks by type, the fabrics (when
    the scenario has a network), costs, schedule and how much of each site
    limit is used. JSON is the full plan (the library's Plan.model_dump_json(),
    with fabrics and bom); CSV has one row per rack placement; bom is the bill
    of materials as CSV, one line per part, whose extended_usd sums to capex;
    svg draws the rack elevations (as 'rackplan draw'); html is the whole report
    as one self-contained page (charts, schedule, elevations, BOM; nothing
    fetched from the network); xlsx is an Excel workbook (summary, selections,
    racks, feeds, slots, schedule, BOM; totals as formulas) and needs -o.
    An infeasible scenario exits 1 with the binding limits on stderr (and, with
    --format json, the diagnosis as JSON on stdout). Exit 1 also when the search
    stops without a plan and without a proof: the message then starts "no plan
    found (search limit, ...)" and the JSON has "proven": false.

    \b
    Example:
      rackplan plan examples/enterprise-pod.yaml
      rackplan plan examples/neocloud.yaml --objective time --format json -o plan.json
      rackplan plan examples/superpod-h100.yaml --format bom -o bom.csv
      rackplan plan examples/superpod-h100.yaml --format html -o plan.html
      rackplan plan examples/superpod-h100.yaml --format xlsx -o plan.xlsx
    """
    _check_output(fmt, output)
    scenario, catalog = _scenario_and_catalog(scenario_file, catalog_files)
    _plan_or_diagnosis(scenario, catalog, objective, fmt, output)


@click.command("size")
@click.option("--gpus", type=click.IntRange(1, 100_000_000), default=None,
              help="GPUs to deliver (with --most: the least to deliver, default 1).")
@click.option("--most", is_flag=True,
              help="The most GPUs the limits allow (--budget, --it-power-kw), then the least "
                   "TCO; --objective max_fp8_pflops for the most dense FP8 compute instead. "
                   "The report says whether the figure is proven the most.")
@click.option("--budget", type=click.FloatRange(0, 1e13, min_open=True), default=None,
              metavar="USD", help="Cap on capex in US dollars (e.g. 5e7).")
@click.option("--it-power-kw", type=click.FloatRange(0, 100_000_000, min_open=True), default=None,
              metavar="KW", help="IT power envelope in kW (default: none).")
@click.option("--server", "server_id", default=None, metavar="ID", help="Server model id.")
@click.option("--gpu", "gpu_id", default=None, metavar="ID",
              help="GPU id: every server with this GPU is a candidate.")
@click.option("--rack", "rack_ids", multiple=True, metavar="ID",
              help="Rack type id (repeatable); default: every rack type in the catalog.")
@click.option("--redundancy", type=click.Choice(["N", "2N"]), default="2N", show_default=True,
              help="Power redundancy of the rack feeds.")
@click.option("--allocation", type=click.FloatRange(0, 1, min_open=True), default=1.0,
              show_default=True, help="Share of nameplate power reserved per server.")
@click.option("--utilization", type=click.FloatRange(0, 1, min_open=True), default=0.8,
              show_default=True, help="Average load, for energy.")
@click.option("--pue", type=click.FloatRange(1, 5), default=1.3, show_default=True)
@click.option("--electricity", type=click.FloatRange(0, 10), default=0.08, show_default=True,
              help="Electricity price, USD per kWh.")
@click.option("--years", type=click.FloatRange(0, 50, min_open=True), default=4, show_default=True,
              help="Horizon for TCO and $/GPU-hour.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Order date YYYY-MM-DD (default: today); the report shows the date it assumed.")
@click.option("--install-rate", type=click.FloatRange(0, 100_000, min_open=True), default=20,
              show_default=True, help="Racks the installation crews bring up per week.")
@click.option("--need-by", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Online by this date YYYY-MM-DD, or no plan (exit 1, with how many days late).")
@click.option("--units-per-week", type=click.FloatRange(0, 100_000_000, min_open=True), default=None,
              help="The vendor ships this many units a week (default: all at once after the lead "
                   "time).")
@click.option("--queue-units", type=click.IntRange(0, 100_000_000), default=0, show_default=True,
              help="Units ahead of this order in the vendor's queue (shipped at --units-per-week).")
@_OBJECTIVE
@format_option("table", "json", "csv", "markdown")
@output_option
@catalog_option
def size_command(gpus: int | None, most: bool, budget: float | None, it_power_kw: float | None,
                 server_id: str | None, gpu_id: str | None, rack_ids: tuple[str, ...],
                 redundancy: str, allocation: float, utilization: float, pue: float,
                 electricity: float, years: float, start: dt.datetime | None,
                 install_rate: float, need_by: dt.datetime | None, units_per_week: float | None,
                 queue_units: int, objective: str | None, fmt: str, output: str | None,
                 catalog_files: tuple[str, ...]) -> None:
    """Quick sizing with no scenario file: GPUs of one server model (or GPU) in racks.

    Rack positions are unlimited and, unless --it-power-kw or --budget is
    given, so are power and money; the planner picks the rack type (among
    --rack, or all) that minimizes the objective (default tco).
    --units-per-week and --queue-units make a supply rule for the chosen
    server (or GPU): units ship at that rate after the lead time, behind the
    queue.

    --most asks the other way round: the most GPUs within --budget and/or
    --it-power-kw (and --need-by, if given), on --server, --gpu or any model.
    The figure is exact when the report says "proven the most"; otherwise it
    gives the proven upper bound and the gap.

    \b
    Example:
      rackplan size --gpus 1024 --server dell-xe9680-h200 --rack air-48u-40kw
      rackplan size --gpus 10000 --gpu gb200 --format json
      rackplan size --gpus 20000 --server dell-xe9680-h200 --start 2026-12-01 \
          --queue-units 5200 --units-per-week 100 --need-by 2028-12-31
      rackplan size --most --budget 5e7 --it-power-kw 2000 --gpu h200-sxm
    """
    if most:
        objective = objective or "max_gpus"
        if objective not in ("max_gpus", "max_fp8_pflops"):
            raise click.UsageError(f"--most maximizes: use --objective max_gpus or max_fp8_pflops, "
                                   f"not {objective}")
        if budget is None and it_power_kw is None:
            raise click.UsageError("--most needs a limit to stop at: --budget and/or --it-power-kw")
        if server_id is not None and gpu_id is not None:
            raise click.UsageError("give at most one of --server or --gpu")
    else:
        if objective in ("max_gpus", "max_fp8_pflops"):
            raise click.UsageError(f"--objective {objective} needs --most (the most within "
                                   "--budget / --it-power-kw)")
        if gpus is None:
            raise click.UsageError("give --gpus (or --most for the most the limits allow)")
        if (server_id is None) == (gpu_id is None):
            raise click.UsageError("give exactly one of --server or --gpu")
    if queue_units and units_per_week is None:
        raise click.UsageError("--queue-units needs --units-per-week (the rate the queue ships at)")
    catalog = load_catalog(*catalog_files)
    wanted = server_id or gpu_id
    if wanted is not None:
        option, kind = ("--server", Server) if server_id else ("--gpu", GPU)
        _check_id(catalog, option, wanted, kind)
    for rack_id in rack_ids:
        _check_id(catalog, "--rack", rack_id, RackType, noun="rack type")
    racks = list(rack_ids) or [r.id for r in catalog.racks if redundancy == "N" or r.feeds % 2 == 0]
    workload: dict[str, Any] = {"name": "cluster", "gpus": gpus or 1, "utilization": utilization}
    if wanted is not None:
        workload["allowed"] = [wanted]
    if most:
        workload["grow"] = True
    if need_by is not None:
        workload["need_by"] = need_by.date().isoformat()
    data: dict[str, Any] = {
        "name": (f"size-most-{wanted or 'any'}" if most else f"size-{gpus}-{wanted}"),
        "start": (start.date() if start else dt.date.today()).isoformat(),
        "objective": objective or "tco",
        "horizon_years": years,
        "site": {"it_power_kw": it_power_kw or 100_000_000, "pue": pue,
                 "electricity_usd_per_kwh": electricity,
                 "power_redundancy": redundancy, "power_allocation": allocation,
                 "install_racks_per_week": install_rate,
                 "rack_positions": [{"rack": r, "count": 1_000_000} for r in racks]},
        "workloads": [workload],
    }
    if budget is not None:
        data["budget_usd"] = budget
    if units_per_week is not None:
        if wanted is None:
            raise click.UsageError("--units-per-week needs --server or --gpu (the units it ships)")
        data["supply"] = [{"match": wanted, "units_per_week": units_per_week,
                           "queue_units": queue_units}]
    scenario = _validated(data, catalog)
    _plan_or_diagnosis(scenario, catalog, objective, fmt, output)


def _check_id(catalog: Catalog, option: str, id_: str, kind: type, noun: str = "id") -> None:
    """An option naming no catalog entry, or one of the wrong kind, is bad input for that option."""
    entry = catalog.get(id_) if id_ in catalog else None
    if isinstance(entry, kind):
        return
    if entry is None:
        message = f"unknown {noun} {id_!r}"
    else:
        message = f"{id_!r} is a {type(entry).__name__}, not a {kind.__name__}"
    sections: dict[type, list[GPU] | list[Server] | list[RackType]] = {
        Server: catalog.servers, GPU: catalog.gpus, RackType: catalog.racks}
    known = ", ".join(e.id for e in sections[kind])
    raise ScenarioError([Problem(None, None, option, f"{message}; known: {known}")])


_SIZE_OPTIONS = {
    "start": "--start", "horizon_years": "--years", "site.pue": "--pue",
    "site.electricity_usd_per_kwh": "--electricity", "site.power_allocation": "--allocation",
    "workloads.0.gpus": "--gpus", "workloads.0.utilization": "--utilization",
    "site.install_racks_per_week": "--install-rate", "workloads.0.need_by": "--need-by",
    "supply.0.units_per_week": "--units-per-week", "supply.0.queue_units": "--queue-units",
    "budget_usd": "--budget", "site.it_power_kw": "--it-power-kw",
}
"""Scenario fields ``size`` fills from its options, so an error names the option."""


def _validated(data: dict[str, Any], catalog: Catalog) -> Scenario:
    """The scenario ``size`` builds from its options, validated like a file."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(map(str, err["loc"]))
        raise ScenarioError([Problem(None, None, _SIZE_OPTIONS.get(where, where),
                                     error_message(err, None))]) from None
    check_scenario_references(scenario, catalog, None)
    return scenario


def _usd(v: float | None) -> int | None:
    return None if v is None else round(v)


_COMPARE_COLUMNS = ["server", "forced_on", "servers", "racks", "gpus", "it_power_mw", "capex_usd",
                    "tco_usd", "usd_per_gpu_hour", "ready_date", "note"]


@click.command("compare")
@_scenario_options("table", "json", "csv", "markdown")
def compare_command(scenario_file: str, objective: str | None, fmt: str, output: str | None,
                    catalog_files: tuple[str, ...]) -> None:
    """Side-by-side alternatives for SCENARIO: one row per candidate server model.

    The first row is the optimizer's own plan ("(optimized)"). Each other row
    forces one server model on every workload it qualifies for (column
    forced_on; the other workloads keep the optimizer's choice). Models that
    qualify for no workload are left out; alternatives that cannot meet the
    site's limits are listed last with the reason. Feasible rows are sorted by
    the objective.
    """
    scenario, catalog = _scenario_and_catalog(scenario_file, catalog_files)
    rows = compare(scenario, catalog, objective=objective)
    if fmt == "json":
        emit(json_text([r.model_dump(mode="json") for r in rows]), output)
        return
    every = len(scenario.workloads)
    cells = [[r.server or "(optimized)",
              ("all" if len(r.forced_on) == every else ", ".join(r.forced_on)) if r.server else "-",
              r.servers, r.racks, r.gpus, r.it_power_mw, _usd(r.capex_usd), _usd(r.tco_usd),
              None if r.usd_per_gpu_hour is None else round(r.usd_per_gpu_hour, 4),
              r.ready_date.isoformat() if r.ready_date else None, r.reason or ""] for r in rows]
    if fmt == "csv":
        emit(csv_text(_COMPARE_COLUMNS, cells), output)
    elif fmt == "markdown":
        emit(f"# Compare: {scenario.name}\n\n" + md_table(_COMPARE_COLUMNS, cells), output)
    else:
        emit(table(_COMPARE_COLUMNS, cells, title=f"Compare: {scenario.name} "
                   f"(objective {objective or scenario.objective})"), output)
