"""``rackplan sweep``: plan one scenario at many points (a grid, random samples or a
sensitivity study), one row per point; resumable, on local processes or a Dask cluster."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections import Counter
from typing import IO

import click

from .._entry import ctrl_c_unwinds
from ..errors import InputError, Problem
from ..sweep import (
    FORMATS,
    PreparedSweep,
    SweepRow,
    format_for,
    pareto,
    parse_pareto,
    prepare,
    read_rows,
    row_mismatch,
    rows_table,
    rows_text,
    sweep,
    tornado,
    tornado_table,
    write_rows,
)
from ..sweep.output import pyarrow_available
from ..sweep.runner import _dask, ctrl_c_held
from ._options import catalog_option, emit


@click.command("sweep")
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the rows to this file (.csv, .json or .parquet), atomically. The rows "
                   "done so far are saved while the sweep runs, and a new run with the same "
                   "sweep and output plans only the points missing from it.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "parquet"]),
              default=None,
              help="Output format (default: from the -o extension; a table without -o). "
                   "Parquet needs pyarrow (pip install 'rackplan[parquet]') and -o.")
@click.option("--workers", type=click.IntRange(1, 4096), default=None,
              help="Local worker processes (default: one per CPU, at most one per point; "
                   "1 plans in this process).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run the points on this Dask scheduler (e.g. tcp://10.0.0.5:8786) instead "
                   "of local processes; its workers need rackplan (this version) and Dask, no "
                   "files (pip install 'rackplan[dask]').")
@click.option("--fresh", is_flag=True,
              help="Ignore the rows already in the -o file and plan every point.")
@click.option("--pareto", "pareto_spec", metavar="COL:min|max,...", default=None,
              help="Keep only the efficient ok points on these row columns (plan figures such "
                   "as capex_usd, tco_usd, gpus, ready_date, or a varied path), in spec order.")
@click.option("--sensitivity", metavar="PCT", type=click.FloatRange(0, 100, min_open=True),
              default=None,
              help="Sensitivity mode: plan the base, and each varied path alone at -PCT% and "
                   "+PCT% of its base value (the listed values are ignored); the table is a "
                   "tornado sorted by swing.")
@catalog_option
@click.option("--save-every", metavar="SECONDS", type=click.FloatRange(min=0), default=5.0,
              show_default=True,
              help="How often the rows done so far are written to -o while the sweep runs "
                   "(0: after every chunk of points).")
def sweep_command(sweep_file: str, output: str | None, fmt: str | None, workers: int | None,
                  scheduler: str | None, fresh: bool, pareto_spec: str | None,
                  sensitivity: float | None, catalog_files: tuple[str, ...],
                  save_every: float) -> None:
    """Plan the base scenario of SWEEP at every point: one row per point, in spec order.

    SWEEP names a base scenario and the values to vary by dotted path
    (site.electricity_usd_per_kwh, workloads.NAME.gpus, site.tariffs.TW,
    site.rack_positions.0.count): lists, {range: [first, last], steps: N} or,
    with samples: N and seed, {uniform: [low, high]}. The grid is the
    cartesian product in the order written, the last path varying fastest.
    Each row holds the point's values, its status (ok, infeasible,
    search_limit or error, with the message), the plan's totals, ready_date,
    the binding limits and the gap. A point without a plan is a row, and the
    sweep goes on: the exit code is 0 whenever the sweep ran. See docs/sweep.md.

    \b
    Example:
      rackplan sweep examples/sweep-neocloud.yaml -o neocloud.csv
      rackplan sweep examples/sweep-pareto.yaml --pareto capex_usd:min,ready_date:min
      rackplan sweep examples/sweep-neocloud.yaml --sensitivity 20
      rackplan sweep examples/sweep-neocloud.yaml -o rows.parquet --scheduler tcp://10.0.0.5:8786
    """
    fmt = _output_format(fmt, output)
    if workers is not None and scheduler is not None:
        raise click.UsageError("give --workers (local processes) or --scheduler (Dask), not both")
    if pareto_spec is not None and sensitivity is not None:
        raise click.UsageError("--pareto and --sensitivity do not combine: a sensitivity sweep "
                               "moves one value at a time")
    if fmt == "parquet" and not pyarrow_available():
        raise InputError([Problem(output, None, None,
                                  "Parquet needs pyarrow: pip install 'rackplan[parquet]'")])
    if scheduler is not None:
        _dask()
    if output is not None and not os.path.isdir(os.path.dirname(output) or "."):
        # found now, not when the first rows are saved
        raise InputError([Problem(output, None, None,
                                  "cannot write output: No such file or directory")])
    prepared = prepare(sweep_file, sensitivity=sensitivity, catalog_files=catalog_files)
    criteria = None
    if pareto_spec is not None:
        try:
            criteria = parse_pareto(pareto_spec, prepared.paths)
            for column, _sense in criteria:  # a varied path must hold numbers or dates
                if column in prepared.paths:
                    i = prepared.paths.index(column)
                    for point in prepared.points:
                        v = point[i]
                        if v is not None and (isinstance(v, bool)
                                              or not isinstance(v, int | float | dt.date)):
                            raise ValueError(f"column {column!r} holds {v!r}, not a number or "
                                             "a date")
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--pareto'") from None

    resumable = output is not None and fmt in FORMATS
    done: list[SweepRow] = []
    if resumable and not fresh:
        assert output is not None
        done = _resumed(prepared, output, fmt)
    saver = _Saver(output, fmt, prepared.paths, done, save_every) if resumable else None
    stderr = sys.stderr
    bar = _Progress(len(prepared.points), len(done), stderr) if stderr.isatty() else None

    def on_rows(rows: list[SweepRow]) -> None:
        if saver is not None:
            saver.add(rows)

    # Ctrl-C while the points are planned unwinds (elsewhere the console script ends at once):
    # the workers are stopped and the rows done so far saved, then it is one line and exit 130
    with ctrl_c_unwinds():
        try:
            rows = sweep(prepared, workers=workers, scheduler=scheduler, done=done,
                         on_rows=on_rows, progress=bar)
        except BaseException:
            if saver is not None:
                saver.save()  # what is done is kept, for the next run to resume from
            raise
        finally:
            if bar is not None:
                bar.close()
    if bar is not None:
        bar.summary(rows, output if done else None)
    if saver is not None:
        saver.save()  # every row kept before anything below can fail

    if criteria is not None:
        rows = pareto(rows, criteria)
    with ctrl_c_held():  # a Ctrl-C while the output is written acts once it is whole
        _emit(prepared, rows, fmt, output, criteria, sweep_file)


def _counts(rows: list[SweepRow]) -> str:
    """``"759 ok, 241 infeasible"``: the statuses present, in a fixed order."""
    counts = Counter(r.status for r in rows)
    return ", ".join(f"{counts[s]:,} {s}" for s in ("ok", "infeasible", "search_limit", "error")
                     if counts[s])


def _output_format(fmt: str | None, output: str | None) -> str:
    if fmt is None:
        if output is None:
            return "table"
        implied = format_for(output)
        if implied is None:
            raise click.UsageError(f"cannot tell the format from {output!r}; name it .csv, .json "
                                   "or .parquet, or give --format")
        return implied
    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet writes a binary file: give -o FILE.parquet")
    return fmt


def _resumed(prepared: PreparedSweep, output: str, fmt: str) -> list[SweepRow]:
    """The rows an earlier run of this sweep left in ``output`` (none if there is no file)."""
    if not os.path.exists(output):
        return []
    again = "; rerun with --fresh to plan every point and overwrite it"
    try:
        rows = read_rows(output, prepared.paths, fmt)
    except ValueError as exc:
        raise InputError([Problem(output, None, None,
                                  f"is not this sweep's output ({exc}){again}")]) from None
    seen: set[int] = set()
    for row in rows:
        mismatch = row_mismatch(prepared, row)
        if mismatch is None and row.point in seen:
            mismatch = f"point {row.point} is there twice"
        if mismatch:
            raise InputError([Problem(output, None, None,
                                      f"belongs to another sweep ({mismatch}){again}")])
        seen.add(row.point)
    return rows


def _emit(prepared: PreparedSweep, rows: list[SweepRow], fmt: str, output: str | None,
          criteria: list[tuple[str, str]] | None, sweep_file: str) -> None:
    if fmt == "parquet":
        assert output is not None
        write_rows(rows, prepared.paths, output, "parquet")
        return
    if fmt in ("csv", "json"):
        if output is not None:
            write_rows(rows, prepared.paths, output, fmt)
        else:
            emit(rows_text(rows, prepared.paths, fmt), None)
        return
    if prepared.sensitivity is not None:
        assert prepared.spec.sensitivity is not None
        text = tornado_table(tornado(rows, prepared.objective), prepared.objective,
                             prepared.spec.sensitivity.percent)
    else:
        what = _counts(rows)
        if criteria is not None:
            on = ", ".join(f"{c} ({s})" for c, s in criteria)
            title = (f"Sweep {sweep_file}: Pareto frontier on {on}: {len(rows)} of "
                     f"{len(prepared.points)} points (objective "
                     f"{'varied' if 'objective' in prepared.paths else prepared.objective})")
        else:
            title = (f"Sweep {sweep_file}: {len(rows)} points ({what or 'none'}), objective "
                     f"{'varied' if 'objective' in prepared.paths else prepared.objective}")
        text = rows_table(rows, prepared.paths, title)
    emit(text, output)


class _Saver:
    """Writes the rows done so far to the output, sorted by point, at most every ``every`` s."""

    def __init__(self, output: str | None, fmt: str, paths: tuple[str, ...],
                 done: list[SweepRow], every: float) -> None:
        self.output = output
        self.fmt = fmt
        self.paths = paths
        self.rows = {r.point: r for r in done}
        self.every = every
        self.last = time.monotonic()
        self.dirty = False

    def add(self, rows: list[SweepRow]) -> None:
        for row in rows:
            self.rows[row.point] = row
        self.dirty = True
        if time.monotonic() - self.last >= self.every:
            self.save()

    def save(self) -> None:
        """Write the rows, whole: a Ctrl-C meanwhile acts once the file is written (a Ctrl-C
        that unwinds through a write could come just as its temporary file is made, before
        the write can remove it)."""
        if not self.dirty or self.output is None:
            return
        with ctrl_c_held():
            write_rows([self.rows[p] for p in sorted(self.rows)], self.paths, self.output,
                       self.fmt)
            self.last = time.monotonic()
            self.dirty = False


class _Progress:
    """A progress bar on a terminal: points done of all, points per second, time left."""

    WIDTH = 28

    def __init__(self, total: int, resumed: int, stream: IO[str]) -> None:
        self.total = total
        self.resumed = resumed
        self.stream = stream
        self.start = time.monotonic()
        self.drawn = 0.0
        self.count = 0
        self.shown = False
        self._draw(force=True)

    def __call__(self, done: int, todo: int) -> None:
        self.count = done
        self._draw(force=done == todo)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.drawn < 0.1:
            return
        self.drawn = now
        have = self.resumed + self.count
        elapsed = max(now - self.start, 1e-9)
        rate = self.count / elapsed
        filled = self.WIDTH * have // max(self.total, 1)
        left = self.total - have
        eta = f"  {_duration(left / rate)} left" if rate > 0 and left else ""
        self.stream.write(f"\rsweep [{'#' * filled}{'-' * (self.WIDTH - filled)}] "
                          f"{have:,}/{self.total:,} points  {rate:,.1f} points/s{eta}   ")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False

    def summary(self, rows: list[SweepRow], resumed_from: str | None) -> None:
        elapsed = time.monotonic() - self.start
        counts = _counts(rows)
        more = f"; {self.resumed:,} resumed from {resumed_from}" if resumed_from else ""
        self.stream.write(f"swept {self.count:,} points in {_duration(elapsed)} "
                          f"({self.count / max(elapsed, 1e-9):,.1f} points/s): {counts}{more}\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


