"""``rackplan plan``, ``size`` and ``compare``: plan a scenario, size a cluster, compare models."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from .._io import write_atomic
from ..errors import Diagnosis, InfeasibleError, Problem, ScenarioError, SearchLimitError
from ..loading import (
    MAX_PLAN_BYTES,
    catalog_for,
    check_scenario_references,
    did_you_mean,
    error_message,
    load_catalog,
    load_scenario,
)
from ..models import GPU, Catalog, RackType, Scenario, Server
from ..models.result import Plan
from ..models.scenario import WARNING_CODES
from ..planning import catalog_file_inputs, compare, plan, plan_as_recorded, replay_inputs
from ..planning.explain import explain as explain_choices
from ..planning.units import rounded
from ..render.report import explanation_table, render
from ..render.table import csv_text, json_text, md_table, table
from ._options import catalog_option, emit, format_option, output_option


def _objective_option(default: str) -> Callable[[Any], Any]:
    return click.option(
        "--objective",
        type=click.Choice(["capex", "tco", "time", "max_gpus", "max_fp8_pflops"]),
        default=None,
        help=f"What to minimize ({default}): capex; tco = capex + energy over the horizon; "
        "time = ready date first, then TCO. Or what to maximize: max_gpus or max_fp8_pflops "
        "of the workloads marked grow: true, then the least TCO.",
    )


_ARGV = "rackplan.argv"
"""Key of ``click.Context.meta`` holding the command line a command was given."""


class _Command(click.Command):
    """A command that keeps the arguments it was given, for ``Plan.inputs.options.argv``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGV] = [ctx.info_name or self.name or "", *_without_output(args)]
        return super().parse_args(ctx, args)


def _without_output(args: list[str]) -> list[str]:
    """``args`` without ``-o FILE`` / ``--output FILE``: where the plan is written does not
    change it, and the plan written to a file is the one printed."""
    out: list[str] = []
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
        elif arg == "--":
            return out + args[i:]
        elif arg in ("-o", "--output"):
            skip = True
        elif not arg.startswith(("--output=", "-o")):
            out.append(arg)
    return out


def _given_options(ctx: click.Context) -> dict[str, Any]:
    """The options given on the command line (not defaulted), by their long name; not
    ``--output``."""
    given = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    out: dict[str, Any] = {}
    for param in ctx.command.params:
        if (isinstance(param, click.Option) and param.name not in (None, "output")
                and ctx.get_parameter_source(param.name) in given):
            out[max(param.opts, key=len)] = _plain(ctx.params[param.name])
    return out


def _plain(value: Any) -> Any:
    """A parameter value as JSON has it (dates as YYYY-MM-DD, tuples as lists)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _with_command_line(result: Plan, user_catalogs: Sequence[str | Path]) -> Plan:
    """``result`` with the command line in its inputs, and the catalog files as loaded here."""
    if result.inputs is None:
        return result
    ctx = click.get_current_context()
    options = result.inputs.options.model_copy(update={
        "argv": ctx.meta.get(_ARGV), "cli_options": _given_options(ctx)})
    inputs = result.inputs.model_copy(update={
        "options": options, "catalogs": catalog_file_inputs(user_catalogs)})
    return result.model_copy(update={"inputs": inputs})


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


def _write_plan(result: Plan, catalog: Catalog, fmt: str, output: str | None,
                after: str = "") -> None:
    """Write the plan in ``fmt``; ``after`` is text appended to a text report."""
    data = PLAN_FORMATS[fmt].render(result, catalog)
    if isinstance(data, str):
        data += after
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
    _warn(result, fmt, output)


def _warn(result: Plan, fmt: str, output: str | None) -> None:
    """The plan's warnings on stderr, one ``warning:`` line each, unless the report that
    lists them (table, markdown) is on the terminal already."""
    if fmt in ("table", "markdown") and output in (None, "-") and _stdout_is_terminal():
        return
    for warning in result.warnings:
        click.echo(f"warning: {' '.join(warning.split())}", err=True)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _is_plan_file(path: str) -> bool:
    """A ``.json`` file holding an object with a plan's ``inputs``, ``selections`` and
    ``totals`` (a scenario may be written in JSON too). Only a look: errors are reported by
    whichever loader then reads the file."""
    if not path.lower().endswith(".json"):
        return False
    try:
        with open(path, "rb") as f:
            if f.read(64).lstrip()[:1] != b"{":
                return False
            f.seek(0)
            data = json.loads(f.read(MAX_PLAN_BYTES + 1))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and {"inputs", "selections", "totals"} <= data.keys()


def _scenario_and_catalog(path: str, catalog_files: tuple[str, ...]) -> tuple[Scenario, Catalog]:
    scenario = load_scenario(path)
    if catalog_files:
        return scenario, load_catalog(*scenario.catalog_paths(), *catalog_files)
    return scenario, catalog_for(scenario)


def _planned(fmt: str, output: str | None,
             make: Callable[[Callable[[str], None] | None], Plan],
             words: Callable[[str], str] | None = None) -> Plan:
    """``make(progress)``; when it raises InfeasibleError, with ``--format json`` the diagnosis
    goes to stdout as well. ``words`` rewrites the diagnosis's warnings (``size`` names its
    options where a scenario file has fields)."""
    try:
        with _status() as show:
            return make(show)
    except InfeasibleError as exc:
        if words is not None and exc.diagnosis.details.get("warnings"):
            exc.diagnosis.details["warnings"] = [words(w) for w in
                                                 exc.diagnosis.details["warnings"]]
        if fmt == "json":  # scripts get the diagnosis on stdout as well
            emit(json_text({"infeasible": True, "proven": exc.diagnosis.proven,
                            "search_limit": isinstance(exc, SearchLimitError),
                            "reasons": exc.diagnosis.reasons,
                            "details": exc.diagnosis.details}), output)
        raise


@contextmanager
def _status(numbered: bool = True, after_s: float = 0.0) -> Iterator[Callable[[str], None] | None]:
    """On a terminal, a status line on stderr for each step (each search of a maximizing
    objective, each plan of --explain), shown once ``after_s`` seconds have passed and cleared
    at the end; elsewhere None."""
    if not sys.stderr.isatty():
        yield None
        return
    count = 0
    start = time.monotonic()
    shown = False

    def show(text: str) -> None:
        nonlocal count, shown
        count += 1
        if time.monotonic() - start >= after_s:
            shown = True
            click.echo(f"\r\033[K{f'search {count}: ' if numbered else ''}{text}", err=True,
                       nl=False)
    try:
        yield show
    finally:
        if shown:
            click.echo("\r\033[K", err=True, nl=False)


def _scenario_options(*formats: str) -> Callable[[Any], Any]:
    """SCENARIO, --objective, --format (``formats``), -o and --catalog, shared by plan and
    compare."""
    def decorate(func: Any) -> Any:
        for option in reversed([click.argument("scenario_file", metavar="SCENARIO",
                                               type=click.Path(dir_okay=False)),
                                _objective_option("default: the scenario's"),
                                format_option(*formats), output_option, catalog_option]):
            func = option(func)
        return func
    return decorate


EXPLAIN_FORMATS = ("table", "markdown")
"""Formats ``--explain`` adds its section to."""


@click.command("plan", cls=_Command)
@_scenario_options(*PLAN_FORMATS)
@click.option("--explain", is_flag=True,
              help="After the report, why each workload got its model: every other model that "
                   "qualifies, forced on that workload alone, with what it would cost more or "
                   "why it has no plan (the limit it breaks); the models that do not qualify "
                   "and why; the binding site limits. Plans once per alternative model. With "
                   "--format table or markdown.")
def plan_command(scenario_file: str, objective: str | None, fmt: str, output: str | None,
                 catalog_files: tuple[str, ...], explain: bool) -> None:
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
    The JSON's "inputs" record what the plan was made from: the scenario with
    every default filled in, each catalog file with its SHA-256, the command
    line; given such a plan JSON as SCENARIO, plan plans those inputs again
    (after checking the files' SHA-256) and gives the same plan. The plan's
    warnings also go to stderr ("warning: ..."), unless the table or markdown
    report, which lists them, is on the terminal.
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
      rackplan plan examples/neocloud.yaml --explain
      rackplan plan plan.json                # plan a saved plan's inputs again
    """
    _check_output(fmt, output)
    if explain and fmt not in EXPLAIN_FORMATS:
        raise click.UsageError("--explain works with --format table or markdown")
    if _is_plan_file(scenario_file):
        if objective is not None or catalog_files or explain:
            raise click.UsageError(f"{scenario_file} is a plan: it is planned again with its "
                                   "recorded inputs, so --objective, --catalog and --explain do "
                                   "not apply (plan its scenario for those)")
        scenario, catalog, options = replay_inputs(scenario_file)
        result = _planned(fmt, output, lambda show: plan_as_recorded(scenario, catalog, options,
                                                                     progress=show))
        assert result.inputs is not None
        users = [f.path for f in result.inputs.catalogs if not f.bundled]
        _write_plan(_with_command_line(result, users), catalog, fmt, output)
        return
    scenario, catalog = _scenario_and_catalog(scenario_file, catalog_files)
    result = _planned(fmt, output, lambda show: plan(scenario, catalog, objective=objective,
                                                     progress=show))
    result = _with_command_line(result, [*scenario.catalog_paths(), *catalog_files])
    after = ""
    if explain:
        with _status(numbered=False, after_s=2.0) as show:
            why = explain_choices(scenario, catalog, objective=objective, base=result, progress=show)
        after = "\n" + explanation_table(why, markdown=fmt == "markdown")
    _write_plan(result, catalog, fmt, output, after)



@click.command("size", cls=_Command)
@click.option("--gpus", type=click.IntRange(1, 100_000_000), default=None,
              help="GPUs to deliver (with --most: the least to deliver, default 1).")
@click.option("--most", is_flag=True,
              help="The most GPUs the limits allow (--budget, --it-power-kw), then the least "
                   "TCO; --objective max_fp8_pflops for the most dense FP8 compute instead. "
                   "The report says whether the figure is proven the most.")
@click.option("--budget", type=click.FloatRange(0, 1e13, min_open=True), default=None,
              metavar="USD", help="Cap on capex, US dollars (e.g. 5e7); a site limit in the "
                                  "report. Default: none.")
@click.option("--it-power-kw", type=click.FloatRange(0, 100_000_000, min_open=True), default=None,
              metavar="KW", help="IT power envelope, kW: the servers' reserved power must fit "
                                 "under it; a site limit in the report. Default: none.")
@click.option("--server", "server_id", default=None, metavar="ID",
              help="Server model id from the catalog ('rackplan catalog list --kind servers').")
@click.option("--gpu", "gpu_id", default=None, metavar="ID",
              help="GPU id: every server holding this GPU is a candidate; the planner picks "
                   "one.")
@click.option("--rack", "rack_ids", multiple=True, metavar="ID",
              help="Rack type id the servers may go in (repeatable); default: every rack type "
                   "in the catalog (under 2N, those with an even number of feeds). Positions "
                   "are unlimited.")
@click.option("--one-rack-type", is_flag=True,
              help="All racks of one rack type: each rack type (among --rack, or all) is "
                   "planned alone and the best plan by the objective kept. Default: the "
                   "planner may mix rack types.")
@click.option("--redundancy", type=click.Choice(["N", "2N"]), default="2N", show_default=True,
              help="N: a rack may draw all its feeds; 2N: half, so either side carries it.")
@click.option("--allocation", type=click.FloatRange(0, 1, min_open=True), default=1.0,
              show_default=True,
              help="Share of each server's nameplate power (power_max_w) reserved in its rack "
                   "and in the IT envelope; 1.0 = nameplate.")
@click.option("--utilization", type=click.FloatRange(0, 1, min_open=True), default=0.8,
              show_default=True,
              help="Average load, for energy: a server draws idle + utilization x (max - idle).")
@click.option("--pue", type=click.FloatRange(1, 5), default=1.3, show_default=True,
              help="Facility power / IT power, for energy cost and facility power (1.0 to 5.0).")
@click.option("--electricity", type=click.FloatRange(0, 10), default=0.08, show_default=True,
              help="Electricity price, USD per kWh, for energy cost.")
@click.option("--years", type=click.FloatRange(0, 50, min_open=True), default=4, show_default=True,
              help="Horizon, years: the energy counted in TCO and $/GPU-hour.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Order date; lead times count from it. Default: today (said on stderr); the "
                   "report shows the date it assumed.")
@click.option("--install-rate", type=click.FloatRange(0, 100_000, min_open=True), default=20,
              show_default=True,
              help="Racks per week the installation crews bring up; sets the installed and "
                   "ready dates.")
@click.option("--need-by", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Online by this date (installed and burnt in), or no plan (exit 1, with how "
                   "many days late).")
@click.option("--accept-warning", "accept_warnings", multiple=True, metavar="CODE",
              type=click.Choice(list(WARNING_CODES)),
              help="Silence the warning on an implausible value with this code (repeatable; "
                   "the warning names its code), as a scenario's accept_warnings does.")
@click.option("--units-per-week", type=click.FloatRange(0, 100_000_000, min_open=True), default=None,
              help="Units per week the vendor ships, after the lead time (default: all at once "
                   "after the lead time).")
@click.option("--queue-units", type=click.IntRange(0, 100_000_000), default=0, show_default=True,
              help="Units ahead of this order in the vendor's queue, shipped at "
                   "--units-per-week before yours.")
@_objective_option("default: tco; with --most, max_gpus")
@format_option("table", "json", "csv", "markdown")
@output_option
@catalog_option
def size_command(gpus: int | None, most: bool, budget: float | None, it_power_kw: float | None,
                 server_id: str | None, gpu_id: str | None, rack_ids: tuple[str, ...],
                 one_rack_type: bool, redundancy: str, allocation: float, utilization: float,
                 pue: float, electricity: float, years: float, start: dt.datetime | None,
                 install_rate: float, need_by: dt.datetime | None, units_per_week: float | None,
                 accept_warnings: tuple[str, ...], queue_units: int, objective: str | None,
                 fmt: str, output: str | None, catalog_files: tuple[str, ...]) -> None:
    """Quick sizing with no scenario file: GPUs of one server model (or GPU) in racks.

    Rack positions are unlimited and, unless --it-power-kw or --budget is
    given, so are power and money: the Limits table lists only those two
    when given. The planner picks the rack types (among --rack, or all) that
    minimize the objective (default tco); --one-rack-type keeps all racks of
    one type. --units-per-week and --queue-units make a supply rule for the
    chosen server (or GPU): units ship at that rate after the lead time,
    behind the queue. The plan's warnings also go to stderr, unless the
    report, which lists them, is on the terminal.

    --most asks the other way round: the most GPUs within --budget and/or
    --it-power-kw (and --need-by, if given), on --server, --gpu or any model.
    The figure is exact when the report says "proven the most"; otherwise it
    gives the proven upper bound and the gap.

    \b
    Example:
      rackplan size --gpus 1024 --server dell-xe9680-h200 --rack air-48u-40kw
      rackplan size --gpus 10000 --gpu gb200 --format json
      rackplan size --gpus 4096 --gpu h200-sxm --one-rack-type --start 2026-12-01
      rackplan size --gpus 20000 --server dell-xe9680-h200 --start 2026-12-01
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
        # no envelope and unlimited positions: placeholders the Limits table leaves out
        "site": {"it_power_kw": it_power_kw or 100_000_000, "pue": pue,
                 "electricity_usd_per_kwh": electricity,
                 "power_redundancy": redundancy, "power_allocation": allocation,
                 "install_racks_per_week": install_rate,
                 "rack_positions": [{"rack": r, "count": 1_000_000} for r in racks]},
        "workloads": [workload],
    }
    if budget is not None:
        data["budget_usd"] = budget
    if accept_warnings:
        data["accept_warnings"] = list(accept_warnings)
    if units_per_week is not None:
        if wanted is None:
            raise click.UsageError("--units-per-week needs --server or --gpu (the units it ships)")
        data["supply"] = [{"match": wanted, "units_per_week": units_per_week,
                           "queue_units": queue_units}]
    scenario = _validated(data, catalog)
    try:
        if one_rack_type:
            alone = [_validated({**data, "site": {**data["site"], "rack_positions": [p]}},
                                catalog) for p in data["site"]["rack_positions"]]
            result = _planned(fmt, output, lambda show: _best_of(alone, catalog, objective, show),
                              _for_size)
        else:
            result = _planned(fmt, output, lambda show: plan(scenario, catalog,
                                                             objective=objective, progress=show),
                              _for_size)
    except InfeasibleError:
        if start is None and need_by is not None:  # "N days late" counts from it
            _say_order_date(scenario)
        raise
    result = _with_command_line(result, catalog_files)
    # only the limits the user set: rack positions are unlimited here, and so is IT power
    # unless --it-power-kw is given
    real = [lim for lim in result.limits
            if lim.limit == "budget_usd" or (lim.limit == "it_power_kw" and it_power_kw)]
    if start is None:  # after planning: an error stays one line
        _say_order_date(scenario)
    warnings = [_for_size(w) for w in result.warnings]
    _write_plan(result.model_copy(update={"limits": real, "warnings": warnings}), catalog, fmt,
                output)


_SILENCE = re.compile(r"\(silence: accept_warnings: \[([a-z_]+)\]\)")
"""The end of a guard warning, as a scenario file would silence it."""

_SIZE_WORDS = {"electricity": "--electricity", "pue": "--pue", "budget": "--budget",
               "scale_up_advice": "give --server or --gpu",
               "no_constraint": "no model constraint (--server or --gpu)"}
"""How ``size`` says what a guard warning says in a scenario file's words
(:data:`rackplan.planning.guards.SCENARIO_WORDS`): its options."""


def _for_size(warning: str) -> str:
    """A guard warning in ``size``'s words: its options, and --accept-warning to silence it."""
    from ..planning.guards import SCENARIO_WORDS

    for words, key in SCENARIO_WORDS.items():
        if key in _SIZE_WORDS:
            warning = warning.replace(words, _SIZE_WORDS[key])
    return _SILENCE.sub(r"(silence: --accept-warning \1)", warning)


def _say_order_date(scenario: Scenario) -> None:
    click.echo(f"order date: {scenario.start.isoformat()} (today; set --start YYYY-MM-DD)",
               err=True)


def _best_of(scenarios: list[Scenario], catalog: Catalog, objective: str | None,
             show: Callable[[str], None] | None) -> Plan:
    """The best plan by the objective over ``scenarios`` (each one rack type alone), with the
    bounds of the choice over all of them: the least objective bound of those whose plans tie
    on the objective's first criterion (ready date for ``time``, the value for ``max_*``)."""
    plans: list[Plan] = []
    failed: list[tuple[str, InfeasibleError]] = []
    for i, one in enumerate(scenarios, 1):
        rack = one.site.rack_positions[0].rack
        if show is not None:
            show(f"rack type {i}/{len(scenarios)}: {rack}")
        try:
            plans.append(plan(one, catalog, objective=objective, progress=show))
        except InfeasibleError as exc:
            failed.append((rack, exc))
    if not plans:
        proven = all(exc.diagnosis.proven for _, exc in failed)
        diagnosis = Diagnosis(
            [f"with only {rack}: " + "; ".join(exc.diagnosis.reasons) for rack, exc in failed],
            {"by_rack_type": {rack: exc.diagnosis.details for rack, exc in failed}}, proven)
        raise InfeasibleError(diagnosis) if proven else SearchLimitError(diagnosis)
    used = objective or scenarios[0].objective

    def first(p: Plan) -> float:  # what the objective ranks before cost
        if p.most is not None:
            return -p.most.value
        return float(p.schedule.ready_date.toordinal()) if used == "time" else 0.0

    def cost(p: Plan) -> float:
        return p.totals.capex_usd if used == "capex" else p.totals.tco_usd

    def servers(p: Plan) -> list[tuple[str, int]]:
        return sorted((s.server, s.count) for s in p.selections)

    # equal on the objective: the one in fewer racks
    best = min(plans, key=lambda p: (first(p), cost(p), p.totals.racks))
    ties = [p for p in plans if first(p) == first(best)]
    bounds = best.bounds
    lower = min(p.bounds.objective_lower_bound for p in ties)
    value = bounds.objective_value
    # the same servers in another of the rack types: no packing of them beats the least bound
    racks_lower = min(p.bounds.racks_lower_bound for p in plans if servers(p) == servers(best))
    update: dict[str, Any] = {"bounds": bounds.model_copy(update={
        "racks_lower_bound": racks_lower,
        "objective_lower_bound": lower,
        "gap": rounded((value - lower) / value if value > 0 else 0.0)})}
    if best.most is not None:
        upper = max(p.most.upper_bound for p in plans if p.most is not None)
        update["most"] = best.most.model_copy(update={
            "upper_bound": upper,
            "gap": rounded((upper - best.most.value) / upper if upper > 0 else 0.0)})
    unproven = [rack for rack, exc in failed if not exc.diagnosis.proven]
    if unproven:
        update["warnings"] = best.warnings + [
            f"--one-rack-type: the search stopped without a plan and without a proof for "
            f"{', '.join(unproven)}; the bounds cover the other rack types only"]
    return best.model_copy(update=update)


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
    ids = [e.id for e in sections[kind]]
    # an id of another kind typed here: say which option takes it
    flags: dict[type, tuple[str, str]] = {Server: ("a server", "--server"), GPU: ("a GPU", "--gpu"),
                                          RackType: ("a rack type", "--rack")}
    others = None if entry is not None else {
        f"{flags[k][0]}: use {flags[k][1]}": [e.id for e in v]
        for k, v in sections.items() if k is not kind}
    # the closest ids when some are close, else every id (an option is where people explore)
    hint = did_you_mean(id_, ids, others=others) or f"; known: {', '.join(ids)}"
    raise ScenarioError([Problem(None, None, option, f"{message}{hint}")])


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
