"""The inbox where institutions drop their files: every file is an item of the ledger, whatever it is.

A spreadsheet (CSV, .xlsx, .xlsm, .xls, .ods, whatever its name says) is landed and loaded; a
`.zip` is landed, and each of its members becomes a file of its own (landed under the name
`archive.zip/member`, loaded like any other); a file the platform cannot use (too large, a PDF, a
member protected by a password) is recorded with its original name, size, hash and the reason,
in the ledger and the quarantine, so `ogp status`, the Dagster UI and the annex show it. File
names are kept as sent, in any script."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.connection import transaction
from ingestion.landing import LandedFile, PayloadTooLarge, land_bytes_from, land_local_file, sha256_file
from ingestion.ledger import LedgerEntry, landed_file_ids, record_landed_file, record_ledger
from ingestion.sources import spec_for_landed
from ingestion.workbooks import file_kind

ARCHIVE_DEPTH = 3  # a zip inside a zip inside a zip, and no deeper
LANDING_SOURCE = "forms"  # what the inbox receives: the forms' exports and the template, filled in


def inbox_name(name: str) -> str:
    """The name a file dropped with `ogp load` keeps in the inbox: its own, in any script (`ñ.csv`,
    `进度报告.csv`, `..csv`), without directories or characters no file system takes."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].replace("\0", "")
    base = "".join(ch for ch in base if ch.isprintable())
    return base if base not in ("", ".", "..") else "archivo"


def inbox_files(inbox: Path) -> list[Path]:
    """Every regular file in the inbox, in name order (names in any script, even `..csv`)."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if p.is_file())


def is_archive(path: Path) -> bool:
    return file_kind(path) == "zip"


@dataclass(frozen=True)
class ArchiveContents:
    archive: LandedFile
    members: list[LandedFile]            # landed, to be loaded like any file
    refused: list[tuple[str, str]]       # (member name, reason in Spanish)


def expand_archive(landed: LandedFile, *, landing_dir: Path, max_bytes: int, depth: int = 1) -> ArchiveContents:
    """Land each member of a zip as a file of its own (nested zips expanded in turn)."""
    members: list[LandedFile] = []
    refused: list[tuple[str, str]] = []
    landing_dir.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(landed.path)
    except zipfile.BadZipFile as exc:
        return ArchiveContents(landed, [], [(landed.original_name, f"el archivo comprimido está dañado: {exc}")])
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = f"{landed.original_name}/{info.filename}"
            if info.filename.startswith("__MACOSX/") or Path(info.filename).name.startswith("._"):
                refused.append((name, "metadatos que macOS añade al comprimir; no son datos"))
            elif info.flag_bits & 0x1:
                refused.append((name, "está protegido con contraseña; envíelo sin contraseña"))
            elif info.file_size > max_bytes:
                refused.append((name, f"pesa {info.file_size:,} bytes, más que el límite de {max_bytes:,} (OGP_MAX_FILE_BYTES)"))
            else:
                with tempfile.NamedTemporaryFile(dir=landing_dir, prefix=".incoming-", delete=False) as out, archive.open(info) as src:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        out.write(chunk)
                member = land_bytes_from(landed.source, Path(out.name), source_uri=f"{landed.source_uri}#{info.filename}",
                                         original_name=name, landing_dir=landing_dir)
                nested_archive = is_archive(member.path)
                if nested_archive and depth < ARCHIVE_DEPTH:
                    nested = expand_archive(member, landing_dir=landing_dir, max_bytes=max_bytes, depth=depth + 1)
                    members.extend(nested.members)
                    refused.extend(nested.refused)
                elif nested_archive:
                    refused.append((name, f"archivo comprimido anidado a más de {ARCHIVE_DEPTH} niveles"))
                else:
                    members.append(member)
    return ArchiveContents(landed, members, refused)


def record_archive(con: duckdb.DuckDBPyConnection, contents: ArchiveContents, *, ledger_source: str, run_id: str | None) -> LedgerEntry:
    """The archive's ledger entry (under `ledger_source`, the record its files feed, so its check
    and the annex show it): its items are its members (received = members landed + refused); each
    refused member is a quarantine row with its reason. The members' rows get their own entries."""
    entry = LedgerEntry(ledger_source, contents.archive.sha256, len(contents.members) + len(contents.refused),
                        len(contents.members), len(contents.refused))
    with transaction(con):
        for position, (name, reason) in enumerate(contents.refused, start=1):
            con.execute(
                "insert into raw.quarantine values (?, ?, ?, null, 'archive_member_refused', ?, null, now(), null, null)",
                [ledger_source, contents.archive.sha256, position, f"{name}: {reason}"],
            )
        record_ledger(con, entry, run_id)
        record_landed_file(con, contents.archive)
    return entry


def refuse_file(
    con: duckdb.DuckDBPyConnection, source: str, path: Path, reason: str, *, ledger_source: str, run_id: str | None
) -> LedgerEntry:
    """A file that is not landed at all (too large): recorded by its name, size and hash, with the
    reason, so it does not vanish and is not tried again until it changes."""
    sha = sha256_file(path)
    entry = LedgerEntry(ledger_source, sha, 1, 0, 1)
    with transaction(con):
        con.execute(
            "insert into raw.quarantine values (?, ?, null, null, 'file_refused', ?, null, now(), null, null)",
            [ledger_source, sha, f"{path.name}: {reason}"],
        )
        record_ledger(con, entry, run_id)
        con.execute(
            "insert or ignore into raw.landed_files values (?, ?, ?, '', ?, ?, now(), now())",
            [sha, source, path.resolve().as_uri(), path.name, path.stat().st_size],
        )
    return entry


@dataclass
class InboxLanding:
    files: dict[str, list[LandedFile]]  # new files to load, by the source that loads them, in inbox order
    notes: list[str]                    # what happened to each file, for the run's log


def land_inbox(con: duckdb.DuckDBPyConnection, inbox: Path, *, landing_dir: Path, max_bytes: int, run_id: str | None,
               ledger_source: str) -> InboxLanding:
    """Land every file of the inbox not loaded before (recognised by its hash, without copying it
    again), refuse those too large, take archives apart, and sort what is left by the source whose
    header it carries. Refused files and archives are recorded under `ledger_source`."""
    loaded = landed_file_ids(con, LANDING_SOURCE)
    landing = InboxLanding({}, [])
    for path in inbox_files(inbox):
        if sha256_file(path) in loaded:
            landing.notes.append(f"{path.name} was loaded before; skipped")
            continue
        try:
            landed = land_local_file(LANDING_SOURCE, path, landing_dir=landing_dir, max_bytes=max_bytes)
        except PayloadTooLarge as exc:
            refuse_file(con, LANDING_SOURCE, path, str(exc), ledger_source=ledger_source, run_id=run_id)
            landing.notes.append(f"{path.name}: {exc}")
            continue
        if is_archive(landed.path):
            contents = expand_archive(landed, landing_dir=landing_dir, max_bytes=max_bytes)
            entry = record_archive(con, contents, ledger_source=ledger_source, run_id=run_id)
            landing.notes.append(f"{landed.original_name}: {entry.loaded} file(s) taken from the archive, {entry.quarantined} refused")
            files = [m for m in contents.members if m.sha256 not in loaded]
        else:
            files = [landed]
        for file in files:
            landing.files.setdefault(spec_for_landed(LANDING_SOURCE, file.path).name, []).append(file)
    return landing
