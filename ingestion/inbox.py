"""The inbox where institutions drop their files: every entry ends in one terminal state
(`ingestion.intake`), whatever it is, and none of them can stop another.

- Only regular files inside the inbox are opened (without following links, on the descriptor
  that was checked). A symbolic link, a hard link, a FIFO, a device or a socket is refused and
  recorded by its name without a byte of it being read. Folders are not entered (`borradores/`
  holds the co-creation drafts).
- A spreadsheet (CSV, .xlsx, .xlsm, .xls, .ods, an HTML or Excel 2003 XML table, whatever its name
  says) is landed and then loaded by the source its header describes; its state is recorded with
  its rows.
- A `.zip` is landed and taken apart under caps (members, total unpacked bytes, compression ratio,
  depth); each member becomes a file of its own (landed as `archive.zip/member`), and a member
  that is damaged, encrypted, a link or over a cap is refused on its own, beside its healthy
  siblings. The archive gets its state only after every member has one (`settle_archives`), so a
  crash in between leaves it to be taken apart again, its members already loaded skipped.
- Whatever one entry raises while it is landed is that entry's refusal (`intake.refusal_reason`).

File names are kept as sent, in any script."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import stat
from pathlib import Path

import duckdb

from ingestion.file_kinds import file_kind
from ingestion.inbox_archives import InboxLanding, UnpackBudget, expand_archive, innermost_first
from ingestion.intake import (
    LANDING_SOURCE,
    IntakeLimits,
    refusal_reason,
    refuse_entry,
)
from ingestion.landing import PayloadTooLarge, land_open_file, open_regular_file
from ingestion.ledger import landed_file_ids
from ingestion.sources import spec_for_landed

log = logging.getLogger(__name__)


def inbox_name(name: str) -> str:
    """The name a file dropped with `ogp load` keeps in the inbox: its own, in any script (`ñ.csv`,
    `进度报告.csv`, `..csv`), without directories or characters no file system takes."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].replace("\0", "")
    base = "".join(ch for ch in base if ch.isprintable())
    return base if base not in ("", ".", "..") else "archivo"


def inbox_files(inbox: Path) -> list[Path]:
    """Every entry of the inbox that is not a folder (regular files, links, FIFOs...), in name
    order; nothing is followed or opened."""
    if not inbox.is_dir():
        return []
    with os.scandir(inbox) as entries:
        return sorted(Path(e.path) for e in entries if not e.is_dir(follow_symlinks=False))


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (a name written on another system) shown as
    the replacement character, so the name can be stored and printed."""
    return os.fsencode(name).decode("utf-8", "replace")


def _entry_kind(mode: int, links: int) -> str | None:
    """Why an inbox entry is not opened, or None for a regular file it may read."""
    if stat.S_ISLNK(mode):
        return (
            "es un enlace simbólico: la plataforma solo lee archivos dejados en la bandeja, no a dónde apunta un "
            "enlace; copie el archivo mismo"
        )
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "no es un archivo sino una tubería o un socket del sistema; no se lee"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "es un dispositivo del sistema, no un archivo; no se lee"
    if not stat.S_ISREG(mode):
        return "no es un archivo regular; no se lee"
    if links > 1:
        return "es un enlace duro a otro archivo del disco: la plataforma solo lee copias propias de la bandeja; copie el archivo"
    return None


def _unread_id(kind: str, name: str, st: os.stat_result) -> str:
    """An id for an entry that is never read: the same entry keeps it, a new one gets another."""
    return hashlib.sha256(f"unread|{kind}|{name}|{st.st_ino}|{st.st_mtime_ns}".encode()).hexdigest()


def _uri(path: Path) -> str:
    return path.absolute().as_uri()


def land_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    *,
    landing_dir: Path,
    limits: IntakeLimits,
    run_id: str | None,
    ledger_source: str,
) -> InboxLanding:
    """Land every entry of the inbox not handled before (recognised by its hash), refuse what may
    not be read, take archives apart, and sort the files by the source whose header they carry.
    Refusals and archives are recorded under `ledger_source`."""
    done = landed_file_ids(con, LANDING_SOURCE)
    # The name each content was first received under: recorded before, or queued in this run.
    names = dict(
        con.execute(
            "select landed_file_id, original_name from raw.landed_files where source = ?", [LANDING_SOURCE]
        ).fetchall()
    )
    landing = InboxLanding({}, [])
    for path in inbox_files(inbox):
        try:
            _land_entry(
                con,
                path,
                landing,
                done,
                names,
                landing_dir=landing_dir,
                limits=limits,
                run_id=run_id,
                ledger_source=ledger_source,
            )
        except FileNotFoundError:
            landing.notes.append(f"{display_name(path.name)}: desapareció de la bandeja antes de leerlo")
        except Exception as exc:  # noqa: BLE001 - one entry's failure is its own refusal, never the run's
            name = display_name(path.name)
            log.warning("%s could not be landed (%s)", name, type(exc).__name__, exc_info=True)
            _refuse_once(
                con,
                landing,
                done,
                file_id=hashlib.sha256(f"failed|{name}|{type(exc).__name__}".encode()).hexdigest(),
                name=name,
                reason=refusal_reason(exc),
                size=0,
                uri=_uri(inbox / name),
                ledger_source=ledger_source,
                run_id=run_id,
                noted=False,
            )
    return landing


def _refuse_once(con, landing: InboxLanding, done: set[str], *, noted: bool = True, **entry) -> None:
    """An entry's terminal state as refused (`entry`: refuse_entry's fields), once however often the
    entry is seen."""
    if entry["file_id"] in done:
        return
    landing.refused.append(refuse_entry(con, **entry))
    if noted:
        landing.notes.append(f"{entry['name']}: {entry['reason']}")
    done.add(entry["file_id"])


def _land_entry(
    con,
    path: Path,
    landing: InboxLanding,
    done: set[str],
    names: dict[str, str],
    *,
    landing_dir: Path,
    limits: IntakeLimits,
    run_id: str | None,
    ledger_source: str,
) -> None:
    st = os.lstat(path)
    name = display_name(path.name)
    uri = _uri(path.parent / name)

    refuse_once = functools.partial(
        _refuse_once, con, landing, done, name=name, uri=uri, ledger_source=ledger_source, run_id=run_id
    )
    unreadable = _entry_kind(st.st_mode, st.st_nlink)
    if unreadable is not None:
        refuse_once(file_id=_unread_id(unreadable, name, st), reason=unreadable, size=st.st_size)
        return
    try:
        with open_regular_file(path) as handle:
            landed = land_open_file(
                LANDING_SOURCE,
                handle,
                original_name=name,
                source_uri=uri,
                landing_dir=landing_dir,
                max_bytes=limits.max_file_bytes,
            )
    except PayloadTooLarge:
        reason = f"pesa {st.st_size:,} bytes, más que el límite de {limits.max_file_bytes:,} (OGP_MAX_FILE_BYTES); no se guardó"
        refuse_once(file_id=_unread_id("too_large", name, st), reason=reason, size=st.st_size)
        return
    first = names.setdefault(landed.sha256, name)
    if first != name:
        # The same bytes under another name: the rows are loaded once; this arrival gets its own state.
        copy_id = hashlib.sha256(f"copy|{landed.sha256}|{name}".encode()).hexdigest()
        reason = f"tiene el mismo contenido que «{first}», recibido antes: sus filas se cargan una sola vez"
        refuse_once(file_id=copy_id, reason=reason, size=landed.size_bytes, noted=False)
        return
    if landed.sha256 in done:
        landing.notes.append(f"{name}: recibido antes; omitido")
        return
    if file_kind(landed.path) == "zip":
        pending = expand_archive(landed, landing_dir=landing_dir, budget=UnpackBudget(limits))
        for archive in innermost_first(pending):
            landing.archives.append(archive)
            for member in archive.members:
                names.setdefault(member.sha256, member.original_name)
                if member.sha256 not in done:
                    landing.files.setdefault(spec_for_landed(LANDING_SOURCE, member.path).name, []).append(member)
        landing.notes.append(f"{name}: archivo comprimido abierto")
        return
    landing.files.setdefault(spec_for_landed(LANDING_SOURCE, landed.path).name, []).append(landed)
