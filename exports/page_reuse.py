"""Pages a publication takes from the one before instead of rendering them again.

Rendering is most of a month's snapshot at every member's scale, and most of that is pages whose
content did not change: a commitment of a plan that ended, or that had no report this month, shows
the same body under a header that names the new month, and so does an institution whose plans
ended; a brief changes only when the search index ranks its peers differently. Each commitment and
institution page's body (its `main` block) and each brief is keyed
by everything it is rendered from: the values the template reads, the language, and the code,
templates and labels that render them (`code_fingerprint`). When the latest publication of this
month, or of the newest month before it, holds the page under the same key, the text is taken from
that file, once its SHA-256 is what that version's state recorded, and the header around it is
rendered for this month. Either way the bytes are the same (tests/test_page_reuse.py).

The keys and where each body sits in its file are kept per month beside the snapshots
(`OGP_DATA_DIR/page_reuse/<month>.json`, the newest few months), never in a published folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from exports.formatting import LABELS_SEED

# The newest months whose keys are kept (a backfill keeps the month it just wrote as well).
MONTHS_KEPT = 2
# What renders a page, beside this project's own files: their output is part of the bytes.
RENDERING_LIBRARIES = ("jinja2", "markupsafe", "babel")
_ROOT = Path(__file__).resolve().parents[1]
_PACKAGES = ("exports", "similarity")
# A published version's folder name (exports/snapshot.py): a state naming another is not followed.
VERSION = re.compile(r"v[0-9]+")


def rendering_files() -> list[Path]:
    """The project's files a page is rendered from: the exports and similarity packages (code,
    templates, label catalogues) and the seed of OGP's labels in Spanish, which the formatter reads."""
    files = [
        path
        for package in _PACKAGES
        for path in (_ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    return sorted([*files, LABELS_SEED])


@cache
def code_fingerprint() -> str:
    """A hash of the files that render pages (`rendering_files`) and of the libraries' versions: a
    change to any of them renders every page again."""
    digest = hashlib.sha256()
    for path in rendering_files():
        digest.update(path.relative_to(_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    for library in RENDERING_LIBRARIES:
        digest.update(f"{library}=={version(library)}".encode())
    return digest.hexdigest()


def page_key(*inputs: object) -> str:
    """The key of a page rendered from `inputs` (plain values, named tuples and dataclasses, whose
    `repr` shows every field): equal keys, equal text."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for value in inputs:
        digest.update(repr(value).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()


class PageReuse:
    """One build's pages: what the publication before holds under each key, and what this build
    records for the next one (page -> key, and where the reusable text sits in the file)."""

    def __init__(self, state_dir: Path | None, snapshots_dir: Path, month_key: str) -> None:
        self.state_dir = state_dir
        self.recorded: dict[str, tuple[str, int, int]] = {}
        self.reused = self.rendered = 0
        self._before: dict[str, list] = {}
        self._held: dict[str, tuple[str, str]] = {}
        self._folder: Path | None = None
        for path in sorted(state_dir.glob("*.json"), reverse=True) if state_dir and state_dir.is_dir() else []:
            if path.stem > month_key:
                continue
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
                version_name, pages = state["version"], state["pages"]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a state cut short or from another layout: that month's pages are rendered
            if not (isinstance(version_name, str) and VERSION.fullmatch(version_name)):
                continue  # names no version folder of that month
            folder = snapshots_dir / path.stem / version_name
            if isinstance(pages, dict) and folder.is_dir():
                self._before, self._folder = pages, folder
                break

    def taken(self, page: str, key: str) -> str | None:
        """The text the publication before holds for `page` under `key`: None when it holds none,
        holds it under another key, or its file is not the one it published."""
        before = self._before.get(page)
        if self._folder is None or not isinstance(before, list) or len(before) != 4 or before[0] != key:
            return None
        try:
            data = (self._folder / page).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != before[1]:
            return None
        return data.decode("utf-8")[before[2] : before[3]]

    def holds(self, page: str, key: str) -> bool:
        """Whether the publication before holds `page` under `key`; its text is then kept for the
        render that follows (`around_block`)."""
        text = self.taken(page, key)
        if text is not None:
            self._held[page] = (key, text)
        return text is not None

    def whole(self, page: str, key: str, render: Callable[[], str]) -> str:
        """A page taken whole from the publication before, or rendered."""
        text = self.taken(page, key)
        if text is None:
            text = render()
            self.rendered += 1
        else:
            self.reused += 1
        self.recorded[page] = (key, 0, len(text))
        return text

    def around_block(self, template: Any, values: dict, block: str, page: str, key: str) -> str:
        """`template` rendered with `values` (Jinja's own steps: `Template.render` is
        `concat(root_render_func(new_context(values)))`), its `block` taken from the publication
        before when it holds it under `key` and rendered in its place otherwise."""
        held = self._held.pop(page, None)
        taken = held[1] if held and held[0] == key else self.taken(page, key)
        marker = f"\x00{secrets.token_hex(16)}\x00"  # no text from the data can hold it
        context = template.new_context(values)
        original, *others = context.blocks[block]
        rendered: list[str] = []

        def body(block_context: Any) -> Iterator[str]:
            if taken is None:
                rendered.append(template.environment.concat(original(block_context)))
            yield marker

        context.blocks[block] = [body, *others]
        around = template.environment.concat(template.root_render_func(context))
        text = taken if taken is not None else rendered[0]
        if taken is None:
            self.rendered += 1
        else:
            self.reused += 1
        start = around.index(marker)
        self.recorded[page] = (key, start, start + len(text))
        return around[:start] + text + around[start + len(marker) :]

    def save(self, month_key: str, version: str, files: dict[str, str]) -> None:
        """What this build recorded, for the version it published (or found identical), by file."""
        if self.state_dir is None:
            return
        pages = {
            page: [key, files[page], start, end] for page, (key, start, end) in self.recorded.items() if page in files
        }
        self.state_dir.mkdir(parents=True, exist_ok=True)
        partial = self.state_dir / f".{month_key}.json.tmp"
        partial.write_text(json.dumps({"version": version, "pages": pages}), encoding="utf-8")
        os.replace(partial, self.state_dir / f"{month_key}.json")
        states = sorted(self.state_dir.glob("*.json"))
        for path in states[:-MONTHS_KEPT]:
            if path.stem != month_key:
                path.unlink(missing_ok=True)
