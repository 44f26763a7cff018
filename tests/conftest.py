"""Shared fixtures: the bundled catalog, a YAML writer and a CLI runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import rackplan
from rackplan.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def bundled() -> rackplan.Catalog:
    return rackplan.load_catalog()


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write a Python object (or raw text) as a YAML file under tmp_path; return its path."""

    def write(name: str, content: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str | bytes):
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False))
        return path

    return write


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run():
    """Run the CLI in-process, stdout and stderr apart."""

    def invoke(*args: str) -> Run:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke
