"""The ``rackplan`` command line: a thin layer that parses, calls the library and renders.

Exit codes: 0 success, 1 infeasible (with the diagnosis), 2 bad input or usage,
3 internal error (a bug: please report it). Errors are one line on stderr,
never a traceback (set RACKPLAN_DEBUG=1 to see one for internal errors).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from .._version import __version__
from ..errors import InfeasibleError, InputError, RackplanError

EXIT_OK = 0
EXIT_INFEASIBLE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


class _Interrupted(Exception):
    """Ctrl-C inside a command (raised past click, which would print a blank line)."""


COMMANDS: dict[str, tuple[str, str, str]] = {
    "catalog": ("catalog", "catalog", "Browse and check the hardware catalog (GPUs, servers, rack types)."),
    "compare": ("plan", "compare_command",
                "Side-by-side alternatives for SCENARIO: one row per candidate server model."),
    "draw": ("draw", "draw_command", "Draw a saved plan's rack elevations as SVG."),
    "export": ("export", "export_group", "Export a saved plan to other tools (NetBox)."),
    "plan": ("plan", "plan_command", "Plan SCENARIO: choose servers, pack racks, cost and schedule."),
    "schema": ("schema", "schema", "Print the JSON Schema of a catalog file, a scenario file, or a plan."),
    "size": ("plan", "size_command", "Quick sizing with no scenario file: GPUs of one server model or GPU."),
    "sweep": ("sweep", "sweep_command",
              "Plan a scenario over a grid or a sample of values, one row per point."),
}
"""Each subcommand: the module of this package that defines it, its name there, and the line
``rackplan --help`` shows. A subcommand's module (and what it imports: pydantic, NumPy, Numba)
loads only when that subcommand runs, so ``--version`` and ``--help`` start at once."""


class _Group(click.Group):
    """Turns every error into one line on stderr and the contract's exit codes; loads each
    subcommand's module only when it is used (see ``COMMANDS``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        module, attr, _help = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module}.{attr} is not a click command")
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # the summary lines come from COMMANDS, so listing them imports nothing
        rows = [(name, COMMANDS[name][2] if name in COMMANDS else
                 self.commands[name].get_short_help_str(formatter.width))
                for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def main(self, args: Any = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        code = self._run(args, prog_name, complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Any, prog_name: str | None, complete_var: str | None,
             **extra: Any) -> int:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            return rv if isinstance(rv, int) else EXIT_OK
        except click.ClickException as exc:
            message = " ".join(exc.format_message().split())
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            click.echo(f"error: {message}{hint}", err=True)
            return EXIT_BAD_INPUT if isinstance(exc, click.UsageError) else exc.exit_code
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except (_Interrupted, click.exceptions.Abort, KeyboardInterrupt):
            click.echo("interrupted", err=True)
            return 130
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            return EXIT_BAD_INPUT
        except InfeasibleError as exc:  # one line: the reasons joined by '; '
            # an implausible value (a budget in thousands) may be why: its warning comes first
            for warning in exc.diagnosis.details.get("warnings") or []:
                click.echo(f"warning: {warning}", err=True)
            click.echo(f"error: {exc}", err=True)
            return EXIT_INFEASIBLE
        except RackplanError as exc:
            click.echo(f"error: {exc}", err=True)
            return EXIT_BAD_INPUT
        except Exception as exc:
            if os.environ.get("RACKPLAN_DEBUG"):
                raise
            text = " ".join(f"{type(exc).__name__}: {exc}".split())
            click.echo(
                f"internal error: {text} (a bug in rackplan; rerun with RACKPLAN_DEBUG=1 "
                "for a traceback and please report it)",
                err=True,
            )
            return EXIT_INTERNAL


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="rackplan")
def cli() -> None:
    """rackplan: plan GPU clusters — choose servers, pack racks, cost and schedule.

    \b
    Exit codes: 0 success, 1 infeasible, 2 bad input or usage, 3 internal error.
    """


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="rackplan")


