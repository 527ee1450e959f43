"""The great-expectations Data Docs: one site for every suite, holding each suite's latest
validation, readable offline.

GX rebuilds a site's index from its context's stores, so the site is built from a file-backed
context (`<data dir>/gx/`, its stores) whose validation results are pruned to the latest per
suite; validations are serialised by a file lock (checks of one run validate in parallel
processes). GX's pages load Bootstrap, jQuery, Vega and Font Awesome from CDNs; the site serves the
copies vendored in `data_docs_assets/` instead (`assets.json` says which address each replaces)."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SITE_NAME = "ogp"
ASSETS = Path(__file__).resolve().parent / "data_docs_assets"
VENDOR_URL_PATH = "static/vendor"  # inside the site
# GX's pages show their logo from GX's web-assets bucket, with the context's id in the query (a
# request to another host on every view); the same image ships in the site's static/images.
GX_WEB_ASSET = re.compile(
    r'"https://great-expectations-web-assets\.[^"/]+/(?:[^"?]*/)?([\w.-]+\.(?:png|svg|gif))(?:\?[^"]*)?"'
)
# Subresource integrity and CORS mode on a vendored file: on `file://` (the path the CLI prints)
# Chromium refuses a CORS request, so jQuery's plugins (popper, bootstrap) never load and the
# suites tab and "show more" do nothing. The files are the project's own copies: the attributes go.
CROSS_ORIGIN_ATTRIBUTES = re.compile(r'\s(?:integrity|crossorigin)="[^"]*"')


def replacements() -> dict[str, str]:
    """CDN address -> the vendored file's path inside the site."""
    declared = json.loads((ASSETS / "assets.json").read_text())
    return {
        url: f"{VENDOR_URL_PATH}/{entry['package'].replace('/', '__')}@{entry['version']}/{file}"
        for entry in declared["packages"]
        for url, file in entry["serves"].items()
    }


@contextmanager
def site_context(docs_dir: Path) -> Iterator[Any]:
    """A great-expectations context whose Data Docs site `ogp` is `docs_dir`, its stores in
    `docs_dir`'s sibling `gx/`, held alone (a lock beside them) while the caller validates."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    root = docs_dir.parent
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "gx.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        context = gx.get_context(mode="file", project_root_dir=str(root))
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        sites = {
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
            }
        }
        if context.variables.data_docs_sites != sites:
            context.variables.data_docs_sites = sites
            context.variables.save()
        yield context


def forget_earlier_validations(context: Any, suite_name: str, *, keep_run: str | None) -> None:
    """Only a suite's latest run stays in the site: the suite's results of other runs leave the
    store, and the index build removes their pages (a large landing validated batch by batch keeps
    each of its run's pages)."""
    store = context.validation_results_store
    for key in store.list_keys():
        if key.expectation_suite_identifier.name == suite_name and (
            keep_run is None or key.run_id.run_name != keep_run
        ):
            store.remove_key(key)


def serve_assets_locally(docs_dir: Path) -> None:
    """Copy the vendored assets into the site and point every page at them instead of the CDNs."""
    notice, copied = ASSETS / "vendor" / "NOTICE.md", docs_dir / VENDOR_URL_PATH / "NOTICE.md"
    if not copied.exists() or copied.read_bytes() != notice.read_bytes():  # once per site and vendored set
        shutil.copytree(ASSETS / "vendor", docs_dir / VENDOR_URL_PATH, dirs_exist_ok=True)
    addresses = replacements()
    for page in docs_dir.rglob("*.html"):
        html = original = page.read_text(encoding="utf-8")
        up = "../" * (len(page.relative_to(docs_dir).parts) - 1)
        for url, local in addresses.items():
            html = html.replace(f'"{url}"', f'"{up}{local}"')
        html = GX_WEB_ASSET.sub(lambda m, up=up: f'"{up}static/images/{m.group(1)}"', html)
        html = CROSS_ORIGIN_ATTRIBUTES.sub("", html)
        if html != original:
            page.write_text(html, encoding="utf-8")
