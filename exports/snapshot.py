"""The monthly progress snapshot: an open-data package (Frictionless Data Package) with CSV,
Parquet and JSON of each table, a SHA-256 manifest and the report, written from the warehouse's
marts for one reporting month.

A snapshot is a record. It is built in a temporary folder and renamed into place; re-running a
month with the same inputs finds the identical version and writes nothing; different inputs make
a new version beside the old one (`<month>/v1`, `<month>/v2`, ...), and `latest.json` names the
current one. Nothing in a snapshot depends on the clock, so the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from exports.formatting import localized, page_name
from exports.package import TABLES, datapackage_descriptor, dataset_name, write_tables
from exports.page_reuse import PageReuse, page_key
from exports.report import REPORTS_INDEX, members_rows, render_report, render_reports_index
from exports.scope import members_in_scope
from exports.site import write_site
from exports.versions import latest_version, write_latest_version
from ingestion.landing import sha256_file


@dataclass
class SnapshotResult:
    reporting_month: str
    version: str
    path: Path
    created: bool
    row_counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    pages_reused: int = 0  # commitment and institution pages' bodies and briefs taken from the publication before
    pages_rendered: int = 0


def _previous_report(snapshots_dir: Path, month: date) -> str | None:
    """The previous month's page (which leads to its current version: exports/catalogue.py),
    relative to a version folder, if that month was published. Not its version's own path: a
    correction of the previous month must not change this month's bytes."""
    previous = date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)
    return f"../../{previous:%Y-%m}/index.html" if latest_version(snapshots_dir / f"{previous:%Y-%m}") else None


def build_monthly_snapshot(
    con: duckdb.DuckDBPyConnection,
    month: date,
    snapshots_dir: Path,
    *,
    is_demo: bool,
    sources: list[dict],
    methodology: dict,
    quality_warnings: list[dict] | None = None,
    report_languages: tuple[str, ...] = ("es",),
    portal_url: str | None = None,
    reuse_dir: Path | None = None,
) -> SnapshotResult:
    """The month's package, reports, site and briefs, built in a hidden staging folder and published
    as a new version only when a byte differs from the current one. With `reuse_dir`, pages whose
    content did not change are taken from the publication before (exports/page_reuse.py)."""
    month_key = month.strftime("%Y-%m")
    month_dir = snapshots_dir / month_key
    staging = _staging_folder(month_dir)
    reuse = PageReuse(reuse_dir, snapshots_dir, month_key) if reuse_dir else None
    try:
        resources, counts = write_tables(con, {"month": month}, staging)
        previous = _previous_report(snapshots_dir, month)
        portal = f"{portal_url.rstrip('/')}/dataset/{dataset_name(month_key)}" if portal_url else None
        members = members_in_scope(con, month)
        _write_reports(
            con,
            staging,
            month,
            members,
            languages=report_languages,
            is_demo=is_demo,
            methodology=methodology,
            quality_warnings=quality_warnings,
            previous_report=previous,
            portal_url=portal,
        )
        write_site(
            con,
            month,
            staging,
            is_demo=is_demo,
            data_files=[f"{name}.csv" for name, _, _ in TABLES],
            previous_report=previous,
            portal_url=portal,
            languages=report_languages,
            methodology=methodology,
            reuse=reuse,
        )
        _write_peer_briefs(con, staging, is_demo=is_demo, reuse=reuse)
        package = datapackage_descriptor(month_key, resources, is_demo=is_demo, sources=sources, members=members)
        package["methodology"] = methodology
        # Checks that failed with warning severity when this was built (published anyway).
        package["quality_warnings"] = quality_warnings or []
        (staging / "datapackage.json").write_text(
            json.dumps(package, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
        )
        result = _publish_if_changed(month_dir, staging, month_key, counts)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if reuse is not None:
        reuse.save(month_key, result.version, result.files)
        result.pages_reused, result.pages_rendered = reuse.reused, reuse.rendered
    return result


def _staging_folder(month_dir: Path) -> Path:
    """A new hidden folder to build the month's version in, once any a killed run left is gone."""
    month_dir.mkdir(parents=True, exist_ok=True)
    # A run killed while building leaves its hidden staging folder; publications run one at a time
    # (the warehouse pool), so any left here now is such a leftover. Readers never see them.
    for leftover in month_dir.glob(".building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in month_dir.glob("*.tmp"):
        leftover.unlink(missing_ok=True)
    return Path(tempfile.mkdtemp(prefix=".building-", dir=month_dir))


def _write_reports(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    month: date,
    members: list,
    *,
    languages: tuple[str, ...],
    is_demo: bool,
    methodology: dict,
    quality_warnings: list[dict] | None,
    previous_report: str | None,
    portal_url: str | None,
) -> None:
    """One report per member and language (Spanish is the report of record; other languages sit
    beside it), and informe.html listing them. What the reports show is read for
    `MEMBERS_PER_BATCH` members at a time, once for every language."""
    for first in range(0, len(members), MEMBERS_PER_BATCH):
        batch = members[first : first + MEMBERS_PER_BATCH]
        read = members_rows(con, month, [member.code for member in batch])
        for member in batch:
            for lang in languages:
                (staging / localized(member.report, lang)).write_text(
                    render_report(
                        con,
                        month,
                        member=member,
                        is_demo=is_demo,
                        methodology=methodology,
                        lang=lang,
                        quality_warnings=quality_warnings,
                        previous_report=previous_report,
                        portal_url=portal_url,
                        read=read,
                    ),
                    encoding="utf-8",
                )
    for lang in languages:
        (staging / localized(REPORTS_INDEX, lang)).write_text(
            render_reports_index(con, month, members, is_demo=is_demo, lang=lang, previous_report=previous_report),
            encoding="utf-8",
        )


def _publish_if_changed(month_dir: Path, staging: Path, month_key: str, counts: dict[str, int]) -> SnapshotResult:
    """The staging folder with its SHA256SUMS becomes the next version, unless it holds the same
    bytes as the current one (then it is dropped and the current one stands)."""
    files = {p.relative_to(staging).as_posix(): sha256_file(p) for p in sorted(staging.rglob("*")) if p.is_file()}
    (staging / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in files.items()), encoding="utf-8")
    latest = latest_version(month_dir)
    if latest and _sums(month_dir / latest) == _sums(staging):
        shutil.rmtree(staging)
        return SnapshotResult(month_key, latest, month_dir / latest, False, counts, files)
    version = f"v{_version_number(latest) + 1}"
    # mkdtemp made it private; a published version is read by web servers and the portal.
    os.chmod(staging, 0o755)
    os.replace(staging, month_dir / version)
    write_latest_version(month_dir, version)
    return SnapshotResult(month_key, version, month_dir / version, True, counts, files)


PEER_BRIEFS = "similares"
BRIEFS_PER_BATCH = 1000
# Members whose report rows are held at once (a large member's delayed milestones run to thousands).
MEMBERS_PER_BATCH = 25


def _write_peer_briefs(
    con: duckdb.DuckDBPyConnection, staging: Path, *, is_demo: bool, reuse: PageReuse | None = None
) -> None:
    """A co-creation brief per tracked commitment (similares/<id>.html), which the report and the
    site link: its peers in other members' plans, as the month's run ranked them. Each is a page of
    the publication (its header, the demonstration banner, the way back to the commitment), and a
    peer that is itself tracked links to its own page here. A brief names no month: it is taken
    whole from the publication before while its peers are ranked the same (`reuse`)."""
    from similarity.brief import Publication, render_brief
    from similarity.search import stored_peers

    tracked = con.execute("select commitment_id, action_plan_id from marts.dim_commitments where is_tracked").fetchall()
    pages = {(cid, plan): f"../{page_name('compromiso', cid)}" for cid, plan in tracked}
    for first in range(0, len(tracked), BRIEFS_PER_BATCH):  # one batch's peers held at a time
        batch = [cid for cid, _ in tracked[first : first + BRIEFS_PER_BATCH]]
        for commitment_id, answer in stored_peers(con, batch).items():
            (staging / PEER_BRIEFS).mkdir(exist_ok=True)
            publication = Publication(
                back=f"../{page_name('compromiso', commitment_id)}", is_demo=is_demo, tracked_pages=pages
            )

            def render(answer=answer, publication=publication, commitment_id=commitment_id) -> str:
                return render_brief(
                    answer,
                    title=f"Compromisos similares a {commitment_id}",
                    draft_heading="Compromiso",
                    publication=publication,
                )

            name = f"{PEER_BRIEFS}/{commitment_id}.html"
            if reuse is None:
                text = render()
            else:
                linked = [pages.get((p.commitment_id, p.action_plan_id)) for p in answer.results]
                text = reuse.whole(name, page_key("brief", answer, linked, publication.back, is_demo), render)
            (staging / name).write_text(text, encoding="utf-8")


def _sums(folder: Path) -> str:
    path = folder / "SHA256SUMS"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _version_number(version: str | None) -> int:
    return int(version[1:]) if version else 0
