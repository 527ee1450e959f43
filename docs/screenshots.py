"""`make screenshots`: the pictures of the publication in README.md, taken in Debian's Chromium from
the demo's snapshots (run `make demo` first). Not a test: it writes docs/images/."""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DEMO = json.loads((ROOT / "demo_data" / "demo.json").read_text(encoding="utf-8"))  # which pages (demo data)
MONTH, PAGES = DEMO["summary_month"], DEMO["pictures"]
SHOTS = [  # file, page (relative to the month's current version), viewport width, full page
    (f"sitio-inicio-{MONTH}.png", "index.html", 1280, False),
    (f"sitio-plan-{MONTH}.png", PAGES["plan"], 1280, False),
    (f"sitio-compromiso-{MONTH}.png", PAGES["commitment"], 1280, False),
    (f"sitio-compromiso-movil-{MONTH}.png", PAGES["commitment"], 390, False),
    (f"informe-{MONTH}.png", PAGES["report"], 1280, False),
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> int:
    snapshots = Path(os.environ.get("OGP_DATA_DIR", ROOT / "data")) / "snapshots"
    version = json.loads((snapshots / MONTH / "latest.json").read_text())["version"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(snapshots)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("OGP_CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"]
        )
        for name, page_path, width, full in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": 900 if width > 600 else 844})
            page.goto(f"http://127.0.0.1:{server.server_port}/{MONTH}/{version}/{page_path}")
            page.screenshot(path=str(ROOT / "docs" / "images" / name), full_page=full)
            print(ROOT / "docs" / "images" / name)
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
