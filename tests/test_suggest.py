"""'Did you mean': an unknown id finds the ids it holds, that hold it or share its tokens, as
well as close spellings; and an id of another kind that fits better is named."""

from __future__ import annotations

import pytest

from rackplan import loading
from rackplan.loading import did_you_mean, suggest


@pytest.fixture(scope="module")
def ids(bundled):
    return {"gpus": [g.id for g in bundled.gpus], "servers": [s.id for s in bundled.servers],
            "racks": [r.id for r in bundled.racks]}


@pytest.mark.parametrize(
    ("word", "first", "also"),
    [
        ("b200-sxm", "b200", ["h200-sxm"]),  # holds the GPU id b200 (and is spelt like h200-sxm)
        ("gb200-nvl72", "gb200", []),  # holds gb200; h200-nvl is only spelt alike
        ("nvidia-b200", "b200", []),  # holds b200 after a vendor prefix
        ("rubin-cpx", "rubin", []),
        ("sxm-h100", "h100-sxm", []),  # the same tokens in another order
        ("mi300x-oam", "mi300x", []),
    ],
)
def test_a_gpu_id_held_in_what_was_typed_is_suggested(ids, word, first, also):
    close = suggest(word, ids["gpus"])
    assert close[0] == first, close
    assert set(close[1:]) == set(also), close


def test_a_spelling_alone_does_not_crowd_out_the_id_held():
    assert "h200-nvl" not in suggest("gb200-nvl72", ["h200-nvl", "gb200", "gb300"])
    assert "b200" not in suggest("gb200-nvl72", ["b200", "gb200"])  # b200 is inside a token


def test_ids_holding_every_token_of_the_word_come_last(ids):
    both = ids["gpus"] + ids["servers"]
    assert suggest("nvidia-b200", ids["servers"])[0] == "nvidia-dgx-b200"
    assert suggest("nvidia-b200", both) == ["b200", "nvidia-dgx-b200"]
    assert suggest("gb200-nvl72", both) == ["gb200", "nvidia-gb200-nvl72"]
    assert suggest("h100-dgx-nvidia", ids["servers"]) == ["nvidia-dgx-h100"]


def test_existing_good_suggestions_stay(ids):
    both = ids["gpus"] + ids["servers"]
    assert suggest("h100", both) == ["h100-sxm", "h100-pcie", "dell-r760xa-h100pcie",
                                     "dell-xe9680-h100", "nvidia-dgx-h100"]
    assert suggest("h200sxm", ids["gpus"]) == ["h200-sxm"]
    assert suggest("H200-SXM", ids["gpus"]) == ["h200-sxm"]  # the same id needs no company
    assert suggest("air-48u-40k", ids["racks"]) == ["air-48u-40kw"]
    assert suggest("gpus", ["gpu", "gpus", "scale_up_gpus"]) == ["gpus", "scale_up_gpus"]
    assert suggest("pricee_usd", ["price_usd", "weight_kg"]) == ["price_usd"]
    assert suggest("zzz", both) == [] and suggest("a100", ids["gpus"]) == []


def test_similarity():
    similarity = loading.similarity
    assert similarity("b200-sxm", "b200") == pytest.approx(0.9)
    assert similarity("gb200-nvl72", "gb200") > similarity("gb200-nvl72", "h200-nvl")
    assert similarity("h200-dgx-nvidia", "nvidia-dgx-h200") == 1.0  # the same tokens
    assert similarity("gb200-nvl72", "b200") < 0.8  # a part of a token is no token
    assert similarity("x", "x") == 1.0


def test_an_id_of_another_kind_that_fits_better_is_named(ids):
    server = {"a server: use --server": ids["servers"]}
    assert did_you_mean("gb200-nvl72", ids["gpus"], others=server) == (
        "; did you mean 'gb200'? ('nvidia-gb200-nvl72' is a server: use --server)")
    assert did_you_mean("nvidia-b200", ids["gpus"], others=server) == (
        "; did you mean 'b200'? ('nvidia-dgx-b200' is a server: use --server)")
    assert did_you_mean("nvidia-gb200-nvl", ids["gpus"], others=server) == (
        "; did you mean 'gb200'? ('nvidia-gb200-nvl72' is a server: use --server)")
    assert did_you_mean("nvidia-gb200-nvl72x", ["h100-sxm"], others=server) == (
        "; 'nvidia-gb200-nvl72' is a server: use --server; known: h100-sxm")
    # only when most of the word is that id, or it is nearly spelt so
    assert did_you_mean("nvl72", ids["gpus"], others=server) == ""
    assert did_you_mean("acme-g1", ["h100-sxm"], others={"a server": ["acme-x1"]}) == \
        "; known: h100-sxm"
    # a GPU id that fits as well or better: no word about servers
    assert did_you_mean("h100", ids["gpus"], others=server) == \
        "; did you mean 'h100-sxm' or 'h100-pcie'?"
    assert did_you_mean("b200-sxm", ids["gpus"], others=server) == \
        "; did you mean 'b200' or 'h200-sxm'?"
    short = ["b200", "gb200"]
    assert did_you_mean("gb200-nvl72", short, others=server) == (
        "; did you mean 'gb200'? ('nvidia-gb200-nvl72' is a server: use --server) "
        "(known: b200, gb200)")


@pytest.mark.parametrize(
    ("word", "hint"),
    [
        ("b200-sxm", "did you mean 'b200' or 'h200-sxm'?"),
        ("gb200-nvl72", "did you mean 'gb200'?"),
        ("nvidia-b200", "did you mean 'b200'?"),
    ],
)
def test_size_gpu_option_suggests_the_id_held(run, word, hint):
    result = run("size", "--gpus", "64", "--gpu", word)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --gpu: unknown id {word!r}; {hint}"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_scenario_id_of_another_kind_is_named(write_yaml):
    import rackplan

    doc = {"name": "t", "start": "2026-12-01",
           "site": {"it_power_kw": 1000,
                    "rack_positions": [{"rack": "nvidia-dgx-b200-rack", "count": 1}]},
           "workloads": [{"name": "w", "gpus": 8, "allowed": ["air-48u-40kw-rack"]}]}
    with pytest.raises(rackplan.ScenarioError) as info:
        rackplan.load_scenario(write_yaml("s.yaml", doc))
    messages = {p.field: p.message for p in info.value.problems}
    assert messages["rack_positions[0].rack"].startswith(
        "unknown rack type 'nvidia-dgx-b200-rack'; 'nvidia-dgx-b200' is a server; known: ")
    assert messages["allowed[0]"].endswith("; 'air-48u-40kw' is a rack type")
