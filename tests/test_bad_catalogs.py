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


def test_validate_misspelt_override_is_one_line_with_a_hint(run, write_yaml):
    path = write_yaml("prices.yaml", {
        "servers": [{"id": "dell-xe9680-h2000", "price_usd": 290000}],
        "gpus": [{"id": "h100sxm", "memory_gb": 80}]})
    result = run("catalog", "validate", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(
        f"error: {path}: servers[dell-xe9680-h2000].id: no server has id 'dell-xe9680-h2000' "
        "(did you mean 'dell-xe9680-h200'")
    assert lines[0].endswith("; a new server needs: vendor, model, gpu, gpu_count, scale_up_gpus, "
                             "u_height, power_idle_w, power_max_w, cooling, liquid_fraction, "
                             "weight_kg, lead_time_weeks, origin")
    assert lines[1] == (f"error: {path}: gpus[h100sxm].id: no GPU has id 'h100sxm' (did you mean "
                        "'h100-sxm'?); a new GPU needs: vendor, name, tdp_w, bf16_tflops, "
                        "fp8_tflops")


def test_validate_misspelt_override_keeps_its_other_problems(run, write_yaml):
    path = write_yaml("prices.yaml", {"servers": [
        {"id": "dell-xe9680-h2000", "price_usd": -5, "pricee_usd": 3}]})
    lines = run("catalog", "validate", str(path)).stderr.splitlines()
    assert len(lines) == 3, lines
    assert sum("no server has id 'dell-xe9680-h2000'" in ln for ln in lines) == 1
    assert sum(".pricee_usd: unknown field; did you mean 'price_usd'?" in ln for ln in lines) == 1
    assert sum(".price_usd: input should be greater" in ln for ln in lines) == 1


def test_validate_new_entry_not_close_to_any_id_lists_each_missing_field(run, write_yaml):
    path = write_yaml("mine.yaml", {"gpus": [{"id": "acme-q9", "memory_gb": 80}]})
    lines = run("catalog", "validate", str(path)).stderr.splitlines()
    assert len(lines) == 5 and all("required field is missing" in ln for ln in lines), lines


def test_validate_lists_every_files_problems(run, write_yaml, tmp_path):
    a = write_yaml("a.yaml", {"racks": [{"id": "air-48u-40kw", "feeds": 0}]})
    c = write_yaml("c.yaml", {"servers": [{"id": "dell-xe9680-h200", "price_usd": -1}]})
    bad = write_yaml("bad.yaml", "servers:\n  - id: x\n    price_usd: [1\n")
    missing = tmp_path / "nonexist.yaml"
    result = run("catalog", "validate", str(a), str(missing), str(bad), str(c))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 4, result.stderr
    assert lines[0].startswith(f"error: {a}: racks[air-48u-40kw].feeds: ")
    assert lines[1] == f"error: {missing}: file not found"
    assert lines[2].startswith(f"error: {bad}: invalid YAML: ")
    assert lines[3].startswith(f"error: {c}: servers[dell-xe9680-h200].price_usd: ")


def test_validate_names_a_relative_file_once(run, write_yaml, monkeypatch):
    path = write_yaml("bad.yaml", "servers:\n  - id: x\n    price_usd: [1\n")
    monkeypatch.chdir(path.parent)
    result = run("catalog", "validate", "./bad.yaml", "./nonexist.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: bad.yaml: invalid YAML: line 4, column 1: expected ',' or ']', but got "
        "'<stream end>'",
        "error: nonexist.yaml: file not found"]
