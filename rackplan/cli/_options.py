"""Options shared by several subcommands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .._io import write_atomic


def format_option(*choices: str) -> Callable[[Any], Any]:
    """``--format`` limited to ``choices``; the first is the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of standard output (atomically: a failure leaves "
    "any previous file intact; '-' is standard output).",
)

catalog_option = click.option(
    "--catalog",
    "catalog_files",
    multiple=True,
    type=click.Path(),
    metavar="FILE",
    help="Extra catalog YAML file merged over the bundled catalog (repeatable; "
    "same id overrides the fields it gives).",
)


def emit(text: str, output: str | None) -> None:
    """Print ``text`` (``output`` None or ``-``) or write it atomically to ``output``."""
    if output is None or output == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
