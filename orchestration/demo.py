"""The embedded demo: its forms dropped into the inbox as institutions would, the months its plans
span, and the figures `ogp demo` prints for the month the demo data names."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from orchestration.settings import DEMO_DATA_DIR, Settings


def demo_month_range() -> tuple[date, date]:
    """From the first month of the demo plans to the last (read from the demo catalogue)."""
    from ingestion.plan_catalogue import planned_month_range

    return planned_month_range(DEMO_DATA_DIR / "plan_catalogue" / "hitos.csv")


def seed_demo_inbox(settings: Settings) -> list[Path]:
    """Drop the demo progress-report forms into the inbox, as institutions would."""
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted((DEMO_DATA_DIR / "inbox").glob("*.csv")):
        target = settings.inbox_dir / source.name
        if not target.exists():
            shutil.copyfile(source, target)
        copied.append(target)
    return copied


def demo_summary_month() -> date | None:
    """The month the demo's summary shows, as the demo data names it (demo_data/demo.json)."""
    path = DEMO_DATA_DIR / "demo.json"
    if not path.exists():
        return None
    return date.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["summary_month"] + "-01")


def print_figures(settings: Settings, month: date | None = None) -> date | None:
    """Each plan's commitments in `month` (by default the latest month reported on): the
    methodology's figures."""
    from exports.queries import latest_reported_month, plan_figures
    from ingestion.connection import connect

    with connect(settings.warehouse_path, read_only=True) as con:
        month = month or latest_reported_month(con)
        figures = plan_figures(con, month) if month else []
    plans: dict[str, list[dict]] = {}
    for row in figures:
        plans.setdefault(row["action_plan_id"], []).append(row)
    for plan, rows in plans.items():
        print(f"\n{plan}, {month:%Y-%m} (the methodology's figures):")
        print("  " + "  ".join(f"C{i + 1} {row['progress_percent_rounded']}%" for i, row in enumerate(rows)))
    return month
