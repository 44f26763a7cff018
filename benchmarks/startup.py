"""Startup benchmark: how long the first commands take, beside a bare interpreter start.

    python benchmarks/startup.py [--repeat 15] [--out benchmarks/results]

Every command runs as a fresh process (what a user waits for), one after another in rounds so
that the machine's load falls on all of them alike; the figure is the median wall time of
--repeat rounds. The references run in the same rounds:

- ``python -c pass``: the interpreter alone;
- ``python -c "import click"``: the floor of any click command line (issue 15's yardstick:
  ``rackplan --version`` and ``--help`` within 3x of it).

``rackplan plan`` runs on examples/enterprise-pod.yaml with a warm Numba cache (the script plans
it once first). Its time is also broken down in one process, started as the console script
starts (the garbage collector off for the first second, no coverage.py import by Numba):
imports, catalog and scenario, the kernels' first load from the Numba cache, planning,
rendering. Writes startup.md.
"""

from __future__ import annotations

import argparse
import compileall
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
EXAMPLE = REPO / "examples" / "enterprise-pod.yaml"

BREAKDOWN = r"""
import time
t0 = time.perf_counter()
from rackplan._entry import COLLECTOR_OFF_S, _collector_off, _no_coverage_import
_collector_off(COLLECTOR_OFF_S)  # as the console script does
_no_coverage_import()
import click
from rackplan.cli import plan as _plan_cli  # what `rackplan plan` imports
t1 = time.perf_counter()
import rackplan
scenario = rackplan.load_scenario({example!r})  # the catalog from the cache, as the CLI does
catalog = rackplan.loading.catalog_for(scenario)
t2 = time.perf_counter()
from rackplan.kernels import schedule
schedule.whole_day(1.5)  # the first load from the Numba cache starts Numba's compiler context
t3 = time.perf_counter()
plan = rackplan.plan(scenario, catalog)
t4 = time.perf_counter()
from rackplan.render.report import render
render(plan, "table")
t5 = time.perf_counter()
print(f"{{t1 - t0}} {{t2 - t1}} {{t3 - t2}} {{t4 - t3}} {{t5 - t4}}")
"""


def commands(python: str, rackplan_cli: str) -> dict[str, list[str]]:
    return {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import click'": [python, "-c", "import click"],
        "rackplan --version": [rackplan_cli, "--version"],
        "rackplan --help": [rackplan_cli, "--help"],
        "rackplan catalog list": [rackplan_cli, "catalog", "list"],
        "rackplan plan (warm cache)": [rackplan_cli, "plan", str(EXAMPLE)],
    }


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    python = sys.executable
    rackplan_cli = str(Path(python).parent / "rackplan")
    cmds = commands(python, rackplan_cli)
    # the package's bytecode, as pip writes it at install (a checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module's source on every start)
    compileall.compile_dir(str(REPO / "rackplan"), quiet=1)
    wall(cmds["rackplan plan (warm cache)"])  # compile the kernels into the cache if needed
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.repeat):
        for name, cmd in cmds.items():
            times[name].append(wall(cmd))
    med = {name: statistics.median(v) for name, v in times.items()}
    parts = []
    for _ in range(args.repeat):
        out = subprocess.run([python, "-c", BREAKDOWN.format(example=str(EXAMPLE))], check=True,
                             capture_output=True, text=True).stdout.split()
        parts.append([float(x) for x in out])
    part = [statistics.median(p[i] for p in parts) for i in range(5)]
    click_s = med["python -c 'import click'"]

    lines = [
        "# Startup",
        "",
        f"Produced by `benchmarks/startup.py --repeat {args.repeat}` on the 2-core reference "
        f"machine, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}. Each command is a fresh process; the figure is the median "
        "wall time over the rounds, every command once per round.",
        "",
        "| command | median (s) | x `import click` |",
        "|---|---|---|",
    ]
    for name, v in med.items():
        lines.append(f"| `{name}` | {v:.3f} | {v / click_s:.2f} |")
    lines += [
        "",
        "Targets (issue 15): `rackplan --version` and `--help` within 3x of `python -c 'import "
        f"click'`: **{med['rackplan --version'] / click_s:.2f}x** and "
        f"**{med['rackplan --help'] / click_s:.2f}x**; `rackplan plan` on an example with a warm "
        f"cache under 0.5 s: **{med['rackplan plan (warm cache)']:.3f} s**.",
        "",
        "Where `rackplan plan` spends its time, in one process (median of the rounds):",
        "",
        "| part | s |",
        "|---|---|",
        f"| imports (click, pydantic models, NumPy, Numba, the planner) | {part[0]:.3f} |",
        f"| scenario (YAML, validation) and catalog (from its cache) | {part[1]:.3f} |",
        f"| Numba's compiler context, started by the first load from its cache | {part[2]:.3f} |",
        f"| planning (the kernels' loads from the cache, then the search) | {part[3]:.3f} |",
        f"| rendering the report | {part[4]:.3f} |",
        "",
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    from rackplan._io import write_atomic  # after REPO is on sys.path

    write_atomic(args.out / "startup.md", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
