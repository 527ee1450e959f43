"""Each month's published versions and the pointer to the current one (`<month>/latest.json`),
written and read here only."""

from __future__ import annotations

import json
import os
from pathlib import Path

POINTER = "latest.json"


def latest_version(month_dir: Path) -> str | None:
    """The current version of a month (`v3`), or None when nothing was published for it."""
    pointer = month_dir / POINTER
    if pointer.exists():
        return json.loads(pointer.read_text(encoding="utf-8"))["version"]
    return None


def write_latest_version(month_dir: Path, version: str) -> None:
    """Point the month at `version`, atomically: a reader sees the old pointer or the new one."""
    tmp = month_dir / f"{POINTER}.tmp"
    tmp.write_text(json.dumps({"version": version}) + "\n", encoding="utf-8")
    os.replace(tmp, month_dir / POINTER)


def current_version_dir(snapshots_dir: Path, month: str) -> Path | None:
    """The folder of a month's current version (month as YYYY-MM)."""
    version = latest_version(snapshots_dir / month)
    return snapshots_dir / month / version if version else None


def published_months(snapshots_dir: Path) -> list[Path]:
    """The month folders with a published version, oldest first."""
    if not snapshots_dir.is_dir():
        return []
    return sorted(p for p in snapshots_dir.iterdir() if p.is_dir() and (p / POINTER).exists())


def versions(month_dir: Path) -> list[str]:
    """Every version published for a month, oldest first (v1, v2, ...)."""
    found = [p.name for p in month_dir.iterdir() if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit()]
    return sorted(found, key=lambda name: int(name[1:]))
