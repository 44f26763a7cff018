"""The README's commands stay true: CI runs its test command, and its set-up command exists."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shell_blocks(text: str) -> list[str]:
    blocks, inside, current = [], False, []
    for line in text.splitlines():
        if line.startswith("```sh"):
            inside, current = True, []
        elif line.startswith("```") and inside:
            inside = False
            blocks.append("\n".join(current).strip())
        elif inside:
            current.append(line)
    return blocks


def test_ci_runs_the_readme_test_command():
    blocks = shell_blocks((REPO / "README.md").read_text())
    setup, test = blocks[0], blocks[1]
    assert "pip install" in setup and "rackplan" in setup
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert test in ci_lines


def test_readme_run_command_plans_a_bundled_example():
    setup = shell_blocks((REPO / "README.md").read_text())[0]
    words = setup.split()
    assert "plan" in words
    example = words[words.index("plan") + 1]
    assert (REPO / example).is_file(), example


def test_readme_quotes_the_committed_startup_figures():
    """Every startup figure the README quotes is the one in benchmarks/results/startup.md."""
    import re

    rows = {m[1]: (m[2], m[3]) for m in re.finditer(
        r"^\| `([^`]+)` \| ([0-9.]+) \| ([0-9.]+) \|$",
        (REPO / "benchmarks" / "results" / "startup.md").read_text(), re.M)}
    readme = " ".join((REPO / "README.md").read_text().split())
    version_s, version_x = rows["rackplan --version"]
    help_s, _ = rows["rackplan --help"]
    plan_s, _ = rows["rackplan plan (warm cache)"]
    assert f"`rackplan --version` takes {version_s} s ({version_x}x" in readme
    assert f"`--help` {help_s} s" in readme
    quoted = re.findall(r"(?:enterprise-pod\.yaml` |since the faster start, )([0-9.]+) s", readme)
    assert len(quoted) == 2 and all(q == plan_s for q in quoted), (quoted, plan_s)


def test_readme_quotes_the_committed_packing_figures():
    """The README's packing figures are those of benchmarks/results/packing.md."""
    import re

    rows: dict[str, list[str]] = {}
    for line in (REPO / "benchmarks" / "results" / "packing.md").read_text().splitlines():
        if line.startswith("| ") and not line.startswith(("| measure", "|---")):
            cells = [c.strip().replace("**", "") for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[2:]

    def row(prefix: str) -> list[str]:
        return next(v for k, v in rows.items() if k.startswith(prefix))

    readme = " ".join((REPO / "README.md").read_text().split())
    quoted = [
        row("BPPLIB (")[0], row("BPPLIB (")[1], row("Falkenauer T")[0],
        row("BPPLIB: mean time")[0], row("Vector (")[0], row("Vector (")[1],
        row("Vector: worst class")[0],
    ]
    for value in quoted:
        assert value in readme, value
    seconds = re.search(r"100,000 random two-dimensional items \(default time limit\): "
                        r"([0-9.]+) s", (REPO / "benchmarks" / "results" / "packing.md").read_text())
    assert seconds and f"100,000 two-dimensional items in {seconds[1]} s" in readme


def test_readme_catalog_counts_and_price_sheet_figures_are_true():
    """The catalog section's counts are the bundled catalog's, and the two estimated_usd lines
    it quotes are what the plans print."""
    import re

    import rackplan
    from rackplan.render.report import estimated_text

    readme = " ".join((REPO / "README.md").read_text().split())
    catalog = rackplan.load_catalog()
    vendors = sorted({s.vendor for s in catalog.servers})
    assert (f"{len(catalog.servers)} servers and rack-scale systems from "
            f"{', '.join(vendors[:-1])} and {vendors[-1]}") in readme
    assert f"{len(catalog.gpus)} GPUs and {len(catalog.racks)} rack types" in readme
    pod = rackplan.load_scenario(REPO / "examples" / "enterprise-pod.yaml")
    for catalog_files in ((), (REPO / "examples" / "catalogs" / "price-sheet.yaml",)):
        plan = rackplan.plan(pod, rackplan.load_catalog(*catalog_files))
        head = re.match(r"(\$[0-9,]+ of \$[0-9,]+ capex \([0-9.]+%\))", estimated_text(plan))
        assert head is not None and f"`estimated_usd {head[1]} ...`" in readme, head
    sheet_plan = rackplan.plan(pod, rackplan.load_catalog(
        REPO / "examples" / "catalogs" / "price-sheet.yaml"))
    (sel,) = sheet_plan.selections
    assert sel.server == "supermicro-sys-821ge-tnhr-h200"
    assert f"quoted Supermicro servers at ${sel.server_usd / sel.count:,.0f} each" in readme
