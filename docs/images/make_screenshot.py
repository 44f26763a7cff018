"""Write docs/images/report.png: the top of the HTML report of examples/superpod-h100.yaml.

Run from anywhere with the project's environment (needs Playwright and a Chromium):

    .venv/bin/python docs/images/make_screenshot.py [--chromium /usr/bin/chromium]

The report is planned and rendered in-process, written to a temporary file and opened as a
file:// URL in headless Chromium at 1280 px wide; the PNG is the top 1280x1600 of the page.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import rackplan
from rackplan.render.html import plan_html

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EXAMPLE = REPO / "examples" / "superpod-h100.yaml"
OUT = HERE / "report.png"
WIDTH, HEIGHT = 1280, 1600
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable")
    parser.add_argument("-o", "--output", default=str(OUT), help="PNG to write")
    args = parser.parse_args()
    scenario = rackplan.load_scenario(EXAMPLE)
    catalog = rackplan.load_catalog(*scenario.catalog_paths())
    page_html = plan_html(rackplan.plan(scenario, catalog), catalog)
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(page_html, encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=ARGS)
            try:
                page = browser.new_page(viewport={"width": WIDTH, "height": 800})
                page.goto(page_file.as_uri())
                page.screenshot(path=args.output, full_page=True,
                                clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT})
            finally:
                browser.close()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
