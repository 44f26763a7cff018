"""``rackplan schema``: JSON Schema of the input files, for editors and validators."""

from __future__ import annotations

import click
from pydantic import BaseModel

from ..models import CatalogFile, Scenario
from ..models._docs import describe
from ..models.result import Plan
from ..render.table import json_text
from ._options import emit, output_option

_MODELS: dict[str, type[BaseModel]] = {"catalog": CatalogFile, "plan": Plan, "scenario": Scenario}


@click.command()
@click.argument("kind", type=click.Choice(sorted(_MODELS)))
@output_option
def schema(kind: str, output: str | None) -> None:
    """Print the JSON Schema of a catalog file, a scenario file, or a plan (JSON output).

    \b
    Point your editor's YAML language server at it, e.g. a first line
      # yaml-language-server: $schema=catalog.schema.json
    """
    describe(_MODELS[kind])  # field docstrings become the schema's descriptions
    document = _MODELS[kind].model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = f"rackplan {kind}" + ("" if kind == "plan" else " file")
    emit(json_text(document), output)
