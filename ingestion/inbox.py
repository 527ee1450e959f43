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

import hashlib
import logging
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from zlib import error as zlib_error

import duckdb

from ingestion.connection import transaction
from ingestion.intake import LOADED, PARTLY_LOADED, REFUSED, FileState, record_state, refusal_reason
from ingestion.landing import LandedFile, PayloadTooLarge, land_bytes_from, land_open_file, open_regular_file
from ingestion.ledger import LedgerEntry, landed_file_ids, record_landed_file, record_ledger
from ingestion.load_engine import quarantine_whole_file
from ingestion.personal_data import phone_regions, redact
from ingestion.sources import spec_for_landed
from ingestion.workbooks import file_kind

log = logging.getLogger(__name__)

LANDING_SOURCE = "forms"  # what the inbox receives: the forms' exports and the template, filled in


@dataclass(frozen=True)
class IntakeLimits:
    """What one file may cost. Every archive is bounded as a whole, nested ones included."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_archive_members: int = 1000
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 200      # unpacked / packed, for members over 1 MiB (a zip bomb is 1000:1)
    max_archive_depth: int = 3            # a zip inside a zip inside a zip, and no deeper


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
        return "es un enlace simbólico: la plataforma solo lee archivos dejados en la bandeja, no a dónde apunta un enlace; copie el archivo mismo"
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


@dataclass
class PendingArchive:
    landed: LandedFile
    archive_id: str | None                                           # the archive it came in
    members: list[LandedFile] = field(default_factory=list)          # landed, loaded like any file
    nested: list["PendingArchive"] = field(default_factory=list)     # members that are archives
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (member id, name, reason in Spanish)
    damaged: str | None = None                                       # the archive as a whole could not be read


@dataclass
class InboxLanding:
    files: dict[str, list[LandedFile]]   # new files to load, by the source that loads them, in inbox order
    notes: list[str]                     # what happened to each entry, for the run's log
    archives: list[PendingArchive] = field(default_factory=list)  # to settle once their members are loaded
    refused: list[FileState] = field(default_factory=list)        # entries refused at landing


class _Budget:
    """What the archives of one inbox entry have unpacked so far, nested ones included."""

    def __init__(self, limits: IntakeLimits) -> None:
        self.limits, self.unpacked = limits, 0


def _member_refusal(info: zipfile.ZipInfo, budget: _Budget) -> str | None:
    limits = budget.limits
    if info.filename.startswith("__MACOSX/") or Path(info.filename).name.startswith("._"):
        return "metadatos que macOS añade al comprimir; no son datos"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "es un enlace simbólico guardado en el archivo comprimido; no se sigue"
    if info.flag_bits & 0x1:
        return "está protegido con contraseña; envíelo sin contraseña"
    if info.file_size > limits.max_file_bytes:
        return f"pesa {info.file_size:,} bytes, más que el límite de {limits.max_file_bytes:,} (OGP_MAX_FILE_BYTES)"
    if info.file_size > 1 << 20 and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
        return (f"se comprime {info.file_size // max(info.compress_size, 1):,} veces, más que las "
                f"{limits.max_compression_ratio} que un archivo de datos se comprime (OGP_MAX_COMPRESSION_RATIO)")
    if budget.unpacked + info.file_size > limits.max_unpacked_bytes:
        return (f"el archivo comprimido descomprime más de {limits.max_unpacked_bytes:,} bytes en total "
                "(OGP_MAX_UNPACKED_BYTES); envíe los archivos en varias entregas")
    return None


def _member_id(archive: LandedFile, info: zipfile.ZipInfo) -> str:
    return hashlib.sha256(f"member|{archive.sha256}|{info.filename}".encode()).hexdigest()


def expand_archive(landed: LandedFile, *, landing_dir: Path, budget: _Budget, archive_id: str | None = None,
                   depth: int = 1) -> PendingArchive:
    """Land each member of a zip as a file of its own (nested zips taken apart in turn), under the
    caps; a member that cannot be taken out is refused alone, with its reason."""
    pending = PendingArchive(landed, archive_id)
    landing_dir.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(landed.path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        pending.damaged = "el archivo comprimido está dañado o incompleto (no se puede abrir); comprímalo de nuevo y envíelo"
        return pending
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if not infos:
            pending.damaged = "el archivo comprimido está vacío: no trae ningún archivo"
            return pending
        if len(infos) > budget.limits.max_archive_members:
            pending.damaged = (f"el archivo comprimido tiene {len(infos):,} archivos, más que los "
                               f"{budget.limits.max_archive_members:,} admitidos (OGP_MAX_ARCHIVE_MEMBERS); envíelo en partes")
            return pending
        for info in infos:
            name = f"{landed.original_name}/{info.filename}"
            reason = _member_refusal(info, budget)
            if reason is not None:
                pending.refused.append((_member_id(landed, info), name, reason))
                continue
            try:
                member = _extract(archive, info, landed, name, landing_dir)
            except (NotImplementedError, RuntimeError):  # a compression method zipfile lacks, or a password it needs
                pending.refused.append((_member_id(landed, info), name, "usa un método de compresión o cifrado que la "
                                        "plataforma no abre; comprímalo como un .zip normal, sin contraseña"))
                continue
            except (zipfile.BadZipFile, zlib_error, EOFError, OSError, ValueError) as exc:
                # A damaged member (its CRC, a truncated stream): refused alone, beside its siblings.
                pending.refused.append((_member_id(landed, info), name, refusal_reason(exc)))
                continue
            budget.unpacked += member.size_bytes
            if file_kind(member.path) == "zip":
                if depth < budget.limits.max_archive_depth:
                    pending.nested.append(expand_archive(member, landing_dir=landing_dir, budget=budget,
                                                         archive_id=landed.sha256, depth=depth + 1))
                else:
                    pending.refused.append((member.sha256, name, f"archivo comprimido anidado a más de "
                                            f"{budget.limits.max_archive_depth} niveles; envíe los archivos sin comprimir"))
            else:
                pending.members.append(member)
    return pending


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, landed: LandedFile, name: str, landing_dir: Path) -> LandedFile:
    with tempfile.NamedTemporaryFile(dir=landing_dir, prefix=".incoming-", delete=False) as out:
        try:
            with archive.open(info) as source:
                # zipfile stops at the size the member declares and checks its CRC at the end.
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    out.write(chunk)
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    return land_bytes_from(landed.source, Path(out.name), source_uri=f"{landed.source_uri}#{info.filename}",
                           original_name=name, landing_dir=landing_dir)


def refuse_entry(con: duckdb.DuckDBPyConnection, *, file_id: str, name: str, reason: str, size: int, uri: str,
                 ledger_source: str, run_id: str | None, archive_id: str | None = None) -> FileState:
    """An entry refused before any row was read (a link, a file too large, an archive that cannot be
    opened): one quarantined item with its reason (as the load engine quarantines a whole file),
    its landed-file record (so it is not tried again until it changes) and its terminal state,
    committed together. The reason names the file, so it is redacted like every text that leaves
    the landing zone."""
    said = redact(f"{name}: {reason}", phone_regions(con))
    state = FileState(file_id, ledger_source, name, REFUSED, said, 1, 0, 1, 0, archive_id)
    with transaction(con):
        quarantine_whole_file(con, source=ledger_source, landed_file_id=file_id, rule="file_refused", reason=said,
                              batch_table=None, run_id=run_id)
        con.execute("insert or ignore into raw.landed_files values (?, ?, ?, '', ?, ?, now(), now())",
                    [file_id, LANDING_SOURCE, uri, name, size])
        record_state(con, state, run_id)
    return state


def land_inbox(con: duckdb.DuckDBPyConnection, inbox: Path, *, landing_dir: Path, limits: IntakeLimits, run_id: str | None,
               ledger_source: str) -> InboxLanding:
    """Land every entry of the inbox not handled before (recognised by its hash), refuse what may
    not be read, take archives apart, and sort the files by the source whose header they carry.
    Refusals and archives are recorded under `ledger_source`."""
    done = landed_file_ids(con, LANDING_SOURCE)
    # The name each content was first received under: recorded before, or queued in this run.
    names = dict(con.execute("select landed_file_id, original_name from raw.landed_files where source = ?", [LANDING_SOURCE]).fetchall())
    landing = InboxLanding({}, [])
    for path in inbox_files(inbox):
        try:
            _land_entry(con, path, landing, done, names, landing_dir=landing_dir, limits=limits, run_id=run_id,
                        ledger_source=ledger_source)
        except FileNotFoundError:
            landing.notes.append(f"{display_name(path.name)}: desapareció de la bandeja antes de leerlo")
        except Exception as exc:  # noqa: BLE001 - one entry's failure is its own refusal, never the run's
            name = display_name(path.name)
            log.warning("%s could not be landed (%s)", name, type(exc).__name__, exc_info=True)
            file_id = hashlib.sha256(f"failed|{name}|{type(exc).__name__}".encode()).hexdigest()
            if file_id not in done:
                landing.refused.append(refuse_entry(con, file_id=file_id, name=name, reason=refusal_reason(exc), size=0,
                                                    uri=_uri(inbox / name), ledger_source=ledger_source, run_id=run_id))
                done.add(file_id)
    return landing


def _land_entry(con, path: Path, landing: InboxLanding, done: set[str], names: dict[str, str], *, landing_dir: Path,
                limits: IntakeLimits, run_id: str | None, ledger_source: str) -> None:
    st = os.lstat(path)
    name = display_name(path.name)
    uri = _uri(path.parent / name)
    unreadable = _entry_kind(st.st_mode, st.st_nlink)
    if unreadable is not None:
        file_id = _unread_id(unreadable, name, st)
        if file_id not in done:
            landing.refused.append(refuse_entry(con, file_id=file_id, name=name, reason=unreadable, size=st.st_size, uri=uri,
                                                ledger_source=ledger_source, run_id=run_id))
            landing.notes.append(f"{name}: {unreadable}")
            done.add(file_id)
        return
    try:
        with open_regular_file(path) as handle:
            landed = land_open_file(LANDING_SOURCE, handle, original_name=name, source_uri=uri,
                                    landing_dir=landing_dir, max_bytes=limits.max_file_bytes)
    except PayloadTooLarge:
        file_id = _unread_id("too_large", name, st)
        if file_id not in done:
            reason = f"pesa {st.st_size:,} bytes, más que el límite de {limits.max_file_bytes:,} (OGP_MAX_FILE_BYTES); no se guardó"
            landing.refused.append(refuse_entry(con, file_id=file_id, name=name, reason=reason, size=st.st_size, uri=uri,
                                                ledger_source=ledger_source, run_id=run_id))
            landing.notes.append(f"{name}: {reason}")
            done.add(file_id)
        return
    first = names.setdefault(landed.sha256, name)
    if first != name:
        # The same bytes under another name: the rows are loaded once; this arrival gets its own state.
        copy_id = hashlib.sha256(f"copy|{landed.sha256}|{name}".encode()).hexdigest()
        if copy_id not in done:
            reason = f"tiene el mismo contenido que «{first}», recibido antes: sus filas se cargan una sola vez"
            landing.refused.append(refuse_entry(con, file_id=copy_id, name=name, reason=reason, size=landed.size_bytes,
                                                uri=uri, ledger_source=ledger_source, run_id=run_id))
            done.add(copy_id)
        return
    if landed.sha256 in done:
        landing.notes.append(f"{name}: recibido antes; omitido")
        return
    if file_kind(landed.path) == "zip":
        pending = expand_archive(landed, landing_dir=landing_dir, budget=_Budget(limits))
        for archive in _innermost_first(pending):
            landing.archives.append(archive)
            for member in archive.members:
                names.setdefault(member.sha256, member.original_name)
                if member.sha256 not in done:
                    landing.files.setdefault(spec_for_landed(LANDING_SOURCE, member.path).name, []).append(member)
        landing.notes.append(f"{name}: archivo comprimido abierto")
        return
    landing.files.setdefault(spec_for_landed(LANDING_SOURCE, landed.path).name, []).append(landed)


def _innermost_first(archive: PendingArchive) -> list[PendingArchive]:
    return [inner for nested in archive.nested for inner in _innermost_first(nested)] + [archive]


def settle_archives(con: duckdb.DuckDBPyConnection, landing: InboxLanding, *, ledger_source: str, run_id: str | None) -> list[FileState]:
    """Each archive's terminal state, once every member has one: its items are its members
    (received = members taken out + refused); each refused member is a quarantined item with its
    reason and a state of its own; the archive is loaded when every member was, refused when none
    was usable, partly loaded otherwise. Innermost archives first, so an outer one reads theirs."""
    states: dict[str, str] = {}
    settled = []
    for archive in landing.archives:
        settled.append(_settle(con, archive, states, ledger_source=ledger_source, run_id=run_id))
    return settled


def _settle(con, archive: PendingArchive, states: dict[str, str], *, ledger_source: str, run_id: str | None) -> FileState:
    landed = archive.landed
    earlier = con.execute("""select file_id, source, file_name, state, reason, received, loaded, quarantined, warnings, archive_id
                             from raw.intake_files where file_id = ? and superseded_at is null""", [landed.sha256]).fetchone()
    if earlier is not None:  # settled by a run that stopped before the archive around it was
        states[landed.sha256] = earlier[3]
        return FileState(*earlier)
    if archive.damaged is not None:
        state = refuse_entry(con, file_id=landed.sha256, name=landed.original_name, reason=archive.damaged, size=landed.size_bytes,
                             uri=landed.source_uri, ledger_source=ledger_source, run_id=run_id, archive_id=archive.archive_id)
        states[landed.sha256] = REFUSED
        return state
    member_ids = [m.sha256 for m in archive.members]
    found = dict(con.execute(
        "select file_id, arg_max(state, recorded_at) from raw.intake_files where superseded_at is null and list_contains(?, file_id) group by all",
        [member_ids]).fetchall()) if member_ids else {}
    member_states = [found.get(m, REFUSED) for m in member_ids] + [states.get(n.landed.sha256, REFUSED) for n in archive.nested]
    member_states += [REFUSED] * len(archive.refused)
    if member_states and all(s == LOADED for s in member_states):
        overall = LOADED
    elif any(s in (LOADED, PARTLY_LOADED) for s in member_states):
        overall = PARTLY_LOADED
    else:
        overall = REFUSED
    taken = len(archive.members) + len(archive.nested)
    regions = phone_regions(con)
    refused = [(member_id, name, redact(f"{name}: {reason}", regions)) for member_id, name, reason in archive.refused]
    refused_names = "; ".join(said for _, _, said in refused[:5])
    reason = None if overall == LOADED else (
        f"{landed.original_name}: {taken} archivo(s) tomados del comprimido, {len(archive.refused)} rechazado(s)"
        + (f" ({refused_names})" if refused_names else "") + ("; vea el estado de cada archivo" if taken else ""))
    state = FileState(landed.sha256, ledger_source, landed.original_name, overall, reason, taken + len(archive.refused), taken,
                      len(archive.refused), 0, archive.archive_id)
    with transaction(con):
        for position, (member_id, name, said) in enumerate(refused, start=1):
            con.execute("insert into raw.quarantine values (?, ?, ?, null, 'archive_member_refused', ?, null, now(), null, null)",
                        [ledger_source, landed.sha256, position, said])
            record_state(con, FileState(member_id, ledger_source, name, REFUSED, said, 1, 0, 1, 0, landed.sha256), run_id)
        if member_ids:
            con.execute("update raw.intake_files set archive_id = ? where list_contains(?, file_id) and archive_id is null",
                        [landed.sha256, member_ids])
        record_ledger(con, LedgerEntry(ledger_source, landed.sha256, state.received, state.loaded, state.quarantined), run_id)
        record_landed_file(con, landed)
        record_state(con, state, run_id)
    states[landed.sha256] = overall
    return state
