"""Renderers: text for people and files, never printed here.

:mod:`.table` holds the generic helpers (aligned tables, Markdown tables, CSV,
JSON); :mod:`.report` renders a :class:`~rackplan.Plan` with them.
"""

from .report import plan_csv, plan_markdown, plan_table, render
from .table import csv_text, format_value, json_text, key_value_table, md_table, table

__all__ = [
    "csv_text",
    "format_value",
    "json_text",
    "key_value_table",
    "md_table",
    "plan_csv",
    "plan_markdown",
    "plan_table",
    "render",
    "table",
]
