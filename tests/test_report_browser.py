"""The HTML report in a real browser: headless Chromium (Debian's, at /usr/bin/chromium) opens
the report of examples/superpod-h100.yaml as a file:// URL at desktop and phone widths; no
console or page errors, no request leaves the file, every chart and rack elevation is drawn
(a box of non-zero size inside the page, with ink in it), nothing overflows sideways, and no
table clips what it holds (a table too wide for a phone scrolls in its frame).

CI installs Chromium (.ci/run); without it this test fails rather than skips."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rackplan
from rackplan.render.elevation import group_layouts
from rackplan.render.html import plan_html

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "superpod-h100.yaml"
CHARTS = ["#chart-capex", "#chart-power", "#chart-limits", "#chart-gantt", "#chart-cash-flow"]
VIEWPORTS = [(1280, 800), (390, 844)]
LAYOUTS = 8
"""Distinct rack layouts of the example's plan: one elevation each."""
FITS_ON_A_PHONE = ["costs"]
"""Sections whose table fits 390 px without scrolling sideways (words wrap, figures do not)."""

TABLES = """() => Array.from(document.querySelectorAll('table'), table => {
  const frame = table.parentElement;
  const cells = Array.from(table.querySelectorAll('th, td'));
  const clipped = cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent);
  const wide = frame.scrollWidth > frame.clientWidth + 1;
  frame.scrollLeft = frame.scrollWidth;  // the far end must come into view
  const box = frame.getBoundingClientRect();
  const hidden = cells.filter(c => {
    const r = c.getBoundingClientRect();
    return r.right > box.right + 1 && c.textContent.trim();
  }).map(c => c.textContent);
  frame.scrollLeft = 0;
  return {section: table.closest('section').id, overflow: getComputedStyle(frame).overflowX,
          wide, clipped, hidden, right: box.right};
})"""
"""Per table: cells whose text is cut, whether its frame scrolls, and cells still out of view
with the frame scrolled to its end."""


def _predict(kind: int, a: int, b: int, c: int) -> int:
    if kind == 1:
        return a
    if kind == 2:
        return b
    if kind == 3:
        return (a + b) // 2
    if kind == 4:
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        return a if pa <= pb and pa <= pc else b if pb <= pc else c
    return 0


def decode_png(data: bytes) -> tuple[int, int, np.ndarray]:
    """Width, height and the RGB pixels (height x width x 3) of an 8-bit, non-interlaced RGB or
    RGBA PNG (what Chromium writes): zlib and struct, with numpy for speed."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            header = data[pos + 8:pos + 8 + length]
        elif kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].copy()
        if kind == 1:  # sub: a running sum along each channel, modulo 256
            line = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:  # up
            line = line + prev
        elif kind == 3:  # average: each byte needs the one decoded left of it
            cur, up = line.tolist(), prev.tolist()
            for i in range(stride):
                cur[i] = (cur[i] + ((cur[i - bpp] if i >= bpp else 0) + up[i]) // 2) & 0xFF
            line = np.array(cur, dtype=np.uint8)
        elif kind == 4:  # Paeth, inlined: the bulk of the time
            cur, up = line.tolist(), prev.tolist()
            for i in range(bpp):
                cur[i] = (cur[i] + up[i]) & 0xFF
            for i in range(bpp, stride):
                a, b, c = cur[i - bpp], up[i], up[i - bpp]
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            line = np.array(cur, dtype=np.uint8)
        out[y] = line
        prev = line
    return width, height, out.reshape(height, width, bpp)[:, :, :3]


def encode_png(width: int, rows: list[bytes], filters: list[int]) -> bytes:
    """An RGB PNG of ``rows``, each row filtered with its filter type (for the decoder's test)."""
    raw, prev = b"", bytes(width * 3)
    for row, kind in zip(rows, filters, strict=True):
        out = bytes((row[i] - _predict(kind, row[i - 3] if i >= 3 else 0, prev[i],
                                       prev[i - 3] if i >= 3 else 0)) & 0xFF
                    for i in range(len(row)))
        raw += bytes([kind]) + out
        prev = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def ink(png: bytes) -> float:
    """Share of pixels that differ clearly from the most common colour (the background)."""
    _, _, pixels = decode_png(png)
    flat = pixels.reshape(-1, 3).astype(np.int32)
    packed = flat[:, 0] << 16 | flat[:, 1] << 8 | flat[:, 2]
    colors, counts = np.unique(packed, return_counts=True)
    top = int(colors[np.argmax(counts)])
    background = np.array([top >> 16, top >> 8 & 0xFF, top & 0xFF])
    return float(np.mean(np.abs(flat - background).max(axis=1) > 40))


def test_decode_png_with_every_filter():
    rows = [bytes([10, 20, 30, 200, 100, 0, 1, 2, 3]), bytes([50, 60, 70, 255, 0, 255, 9, 9, 9]),
            bytes([0, 0, 0, 128, 128, 128, 255, 255, 255]), bytes([7, 8, 9, 250, 1, 2, 3, 4, 5]),
            bytes([90, 80, 70, 60, 50, 40, 30, 20, 10])]
    width, height, pixels = decode_png(encode_png(3, rows, [0, 1, 2, 3, 4]))
    assert (width, height) == (3, 5)
    assert pixels.tolist() == [[list(r[k:k + 3]) for k in range(0, 9, 3)] for r in rows]
    white = encode_png(4, [bytes([255] * 12)] * 3 + [bytes([0, 0, 0] + [255] * 9)], [4, 3, 2, 1])
    assert ink(white) == pytest.approx(1 / 16)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    scenario = rackplan.load_scenario(EXAMPLE)
    catalog = rackplan.load_catalog(*scenario.catalog_paths())
    path = tmp_path_factory.mktemp("report") / "plan.html"
    plan = rackplan.plan(scenario, catalog)
    assert len(group_layouts(plan)) == LAYOUTS
    path.write_text(plan_html(plan, catalog), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; "
                    ".ci/run does) to run the report's browser test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Opened:
    """A page with everything it tried that it should not have."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    """Requests for anything but a file:// URL (aborted)."""
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Console errors and warnings, and uncaught page errors."""


@contextmanager
def opened(browser, url: str, width: int, height: int) -> Iterator[Opened]:
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        seen = Opened(page)

        def route(r) -> None:
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                seen.blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page.on("console", lambda m: seen.errors.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: seen.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: seen.failed.append(r.url))
        page.goto(url, wait_until="load")
        yield seen
    finally:
        context.close()


def test_the_guard_sees_network_requests(browser, tmp_path):
    """The checks below are not vacuous: a page fetching from the network is caught."""
    page = tmp_path / "fetching.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://example.invalid/a.png">'
                    '<script>undefinedFunction()</script></body></html>')
    with opened(browser, page.as_uri(), 800, 600) as seen:
        pass
    assert seen.blocked == ["http://example.invalid/a.png"]
    assert seen.failed == ["http://example.invalid/a.png"]
    assert any("undefinedFunction" in e for e in seen.errors)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=["desktop", "phone"])
def test_report_renders_in_chromium(browser, report, tmp_path, width, height):
    with opened(browser, report.as_uri(), width, height) as seen:
        page = seen.page
        shot = page.screenshot(full_page=True, path=str(tmp_path / f"report-{width}.png"))
        page_w, page_h = struct.unpack(">II", shot[16:24])  # IHDR: the whole page was taken
        assert page_w == width and page_h > height
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"the page is {overflow}px wide at {width}px: horizontal overflow"
        tables = page.evaluate(TABLES)
        assert len(tables) >= 6
        for t in tables:
            assert t["clipped"] == [] and t["hidden"] == [], t
            assert t["overflow"] == "auto" and t["right"] <= width, t
            if width < 640 and t["section"] in FITS_ON_A_PHONE:
                assert not t["wide"], f"the {t['section']} table scrolls sideways at {width}px"

        targets = [(page.locator(sel), True) for sel in CHARTS]
        for selector, look in (("svg.elevation", True), ("svg.rack-limits", False)):
            drawings = page.locator(selector)
            assert drawings.count() == LAYOUTS
            targets += [(drawings.nth(k), look) for k in range(drawings.count())]
        for target, look in targets:
            assert target.count() == 1
            box = target.bounding_box()
            name = target.evaluate("e => e.id")
            assert box is not None and box["width"] > 50 and box["height"] > 30, (name, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (name, box)
            if look:  # the limits beside each elevation: placed, not inspected (time)
                share = ink(target.screenshot())
                assert share > 0.01, f"{name} looks blank at {width}px ({share:.2%} ink)"
    assert seen.errors == [] and seen.blocked == [] and seen.failed == []
