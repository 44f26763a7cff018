"""Malformed catalog files: exit 2, one line naming file, entry and field, no traceback.

Each file under fixtures/bad_catalogs/ states on its first line the message
fragment it must produce (``# expect: ...``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import rackplan

FIXTURES = Path(__file__).parent / "fixtures"

BAD = sorted((FIXTURES / "bad_catalogs").glob("*.yaml"))


def expected(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: ")
    return first[len("# expect: "):]


def alias_bomb(levels: int) -> bytes:
    """Each level refers twice to the one before: 2**levels leaves if expanded."""
    lines = [b"l0: &l0 [1, 2]"]
    lines += [b"l%d: &l%d [*l%d, *l%d]" % (i, i, i - 1, i - 1) for i in range(1, levels)]
    return b"\n".join(lines) + b"\n"


def test_corpus_is_large_enough():
    assert len(BAD) >= 12


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
@pytest.mark.parametrize("command", [["catalog", "validate"], ["catalog", "list", "--catalog"]])
def test_cli_rejects_with_one_line(run, path, command):
    result = run(*command, str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {path}: ")
    assert expected(path) in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_library_raises_catalog_error(path):
    with pytest.raises(rackplan.CatalogError) as info:
        rackplan.load_catalog(path)
    assert isinstance(info.value, rackplan.RackplanError)
    assert info.value.file == str(path)
    assert expected(path) in str(info.value)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"servers:\n  - id: caf\xe9\n", "not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary content"),
        (alias_bomb(600),
         "aliases"),
        (b"servers: " + b"[" * 200 + b"]" * 200 + b"\n", "nesting deeper"),
    ],
    ids=["non-utf8", "binary", "alias-bomb", "deep-nesting"],
)
def test_hostile_bytes(run, write_yaml, content, fragment):
    path = write_yaml("hostile.yaml", content)
    result = run("catalog", "validate", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert fragment in result.stderr


def test_directory_and_missing_path(run, tmp_path):
    result = run("catalog", "validate", str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in result.stderr
    result = run("catalog", "validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "file not found" in result.stderr


def test_validate_all_lists_every_problem(run, write_yaml):
    path = write_yaml("two.yaml", {"racks": [{"id": "air-48u-40kw", "feeds": 0},
                                             {"id": "air-42u-15kw", "power_kw": -1}]})
    one = run("catalog", "validate", str(path))
    assert one.exit_code == 2 and len(one.stderr.splitlines()) == 2  # every problem, one a line
    every = run("catalog", "validate", "--all", str(path))
    assert every.exit_code == 2
    lines = every.stderr.splitlines()
    assert len(lines) == 2
    assert sum("racks[air-48u-40kw].feeds" in line for line in lines) == 1
    assert sum("racks[air-42u-15kw].power_kw" in line for line in lines) == 1


def test_validate_lists_file_and_entry_problems_together(run, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("servers:\n  - id: x1\n    vendor: a\n    pricee_usd: 5\n  - id: x1\n    vendor: b\n"
                    "bogus: []\n", encoding="utf-8")
    result = run("catalog", "validate", str(path))
    lines = result.stderr.splitlines()
    assert result.exit_code == 2
    assert any("bogus: unknown section" in ln for ln in lines)
    assert sum("duplicate id 'x1'" in ln for ln in lines) == 1
    assert any("pricee_usd: unknown field; did you mean 'price_usd'?" in ln for ln in lines)
    assert any("servers[x1].gpu: required field is missing" in ln for ln in lines)
