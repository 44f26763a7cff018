"""The catalog cache (rackplan/_catalog_cache.py): faster, never different."""

from __future__ import annotations

import shutil

import pytest

import rackplan
from rackplan import _catalog_cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("RACKPLAN_CACHE_DIR", str(folder))
    monkeypatch.delenv("RACKPLAN_NO_CACHE", raising=False)
    return folder


def _user_file(tmp_path, price):
    path = tmp_path / "prices.yaml"
    path.write_text(f"servers:\n  - id: dell-xe9680-h200\n    price_usd: {price}\n"
                    "    sources: ['price_usd: a quote']\n", encoding="utf-8")
    return path


def test_a_second_load_comes_from_the_cache_and_equals_the_first(cache, tmp_path):
    user = _user_file(tmp_path, 300000)
    first = rackplan.load_catalog(user)
    assert len(list(cache.glob("catalog-*.pickle"))) == 1
    second = rackplan.load_catalog(user)
    assert second == first and second.source_files == first.source_files
    assert second.server("dell-xe9680-h200").price_usd == 300000


def test_an_edited_file_is_read_again_even_in_the_same_clock_tick(cache, tmp_path):
    user = _user_file(tmp_path, 300000)
    rackplan.load_catalog(user)
    stat = user.stat()
    _user_file(tmp_path, 310000)  # same size, and the same modification time restored
    import os

    os.utime(user, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert rackplan.load_catalog(user).server("dell-xe9680-h200").price_usd == 310000


def test_a_corrupt_cache_file_falls_back_to_the_yaml(cache, tmp_path):
    rackplan.load_catalog()
    (entry,) = cache.glob("catalog-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert rackplan.load_catalog().server("dell-xe9680-h200").id == "dell-xe9680-h200"


def test_a_catalog_with_problems_is_never_cached(cache, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("racks:\n  - id: air-48u-40kw\n    feeds: 0\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(rackplan.CatalogError, match="feeds"):
            rackplan.load_catalog(bad)
    assert not cache.exists() or not list(cache.glob("catalog-*.pickle"))


def test_no_cache_and_an_unwritable_folder_both_still_load(tmp_path, monkeypatch):
    monkeypatch.setenv("RACKPLAN_NO_CACHE", "1")
    assert _catalog_cache.cache_dir() is None
    assert rackplan.load_catalog().gpus
    monkeypatch.delenv("RACKPLAN_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RACKPLAN_CACHE_DIR", str(blocker / "cache"))
    assert rackplan.load_catalog().gpus
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_change_in_the_validating_code_is_a_new_entry(cache, tmp_path, monkeypatch):
    rackplan.load_catalog()
    monkeypatch.setattr(_catalog_cache, "_code_stamp", lambda: "another version of the models")
    rackplan.load_catalog()
    assert len(list(cache.glob("catalog-*.pickle"))) == 2
