"""The ``rackplan`` command line: a thin layer that parses, calls the library and renders.

Exit codes: 0 success, 1 infeasible (with the diagnosis), 2 bad input or usage,
3 internal error (a bug: please report it). Errors are one line on stderr,
never a traceback (set RACKPLAN_DEBUG=1 to see one for internal errors).
"""

from __future__ import annotations

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


class _Group(click.Group):
    """Turns every error into one line on stderr and the contract's exit codes."""

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


from . import catalog as _catalog  # noqa: E402  (registers subcommands)
from . import draw as _draw  # noqa: E402
from . import export as _export  # noqa: E402
from . import plan as _plan  # noqa: E402
from . import schema as _schema  # noqa: E402

cli.add_command(_catalog.catalog)
cli.add_command(_plan.plan_command)
cli.add_command(_plan.size_command)
cli.add_command(_plan.compare_command)
cli.add_command(_schema.schema)
cli.add_command(_draw.draw_command)
cli.add_command(_export.export_group)
from . import sweep as _sweep  # noqa: E402,F401  (registers rackplan sweep)
