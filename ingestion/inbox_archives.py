"""Archives in the inbox: each one opened within its limits (members, unpacked bytes, ratio,
depth), its members landed as files of their own (nested archives likewise), and, once every
member has its terminal state, the archive's own: loaded, partly loaded or refused, with each
refused member a quarantined item of its own."""

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
from ingestion.file_kinds import file_kind
from ingestion.intake import (
    LOADED,
    PARTLY_LOADED,
    REFUSED,
    FileState,
    IntakeLimits,
    record_state,
    refusal_reason,
    refuse_entry,
)
from ingestion.landing import LandedFile, land_bytes_from
from ingestion.ledger import LedgerEntry, record_landed_file, record_ledger
from ingestion.personal_data import phone_regions, redact
from ingestion.quarantine import quarantine_item

log = logging.getLogger(__name__)


@dataclass
class PendingArchive:
    landed: LandedFile
    archive_id: str | None  # the archive it came in
    members: list[LandedFile] = field(default_factory=list)  # landed, loaded like any file
    nested: list[PendingArchive] = field(default_factory=list)  # members that are archives
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (member id, name, reason in Spanish)
    damaged: str | None = None  # the archive as a whole could not be read


@dataclass
class InboxLanding:
    files: dict[str, list[LandedFile]]  # new files to load, by the source that loads them, in inbox order
    notes: list[str]  # what happened to each entry, for the run's log
    archives: list[PendingArchive] = field(default_factory=list)  # to settle once their members are loaded
    refused: list[FileState] = field(default_factory=list)  # entries refused at landing


class UnpackBudget:
    """What the archives of one inbox entry have unpacked so far, nested ones included."""

    def __init__(self, limits: IntakeLimits) -> None:
        self.limits, self.unpacked = limits, 0


def _member_refusal(info: zipfile.ZipInfo, budget: UnpackBudget) -> str | None:
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
        return (
            f"se comprime {info.file_size // max(info.compress_size, 1):,} veces, más que las "
            f"{limits.max_compression_ratio} que un archivo de datos se comprime (OGP_MAX_COMPRESSION_RATIO)"
        )
    if budget.unpacked + info.file_size > limits.max_unpacked_bytes:
        return (
            f"el archivo comprimido descomprime más de {limits.max_unpacked_bytes:,} bytes en total "
            "(OGP_MAX_UNPACKED_BYTES); envíe los archivos en varias entregas"
        )
    return None


def _member_id(archive: LandedFile, info: zipfile.ZipInfo) -> str:
    return hashlib.sha256(f"member|{archive.sha256}|{info.filename}".encode()).hexdigest()


def expand_archive(
    landed: LandedFile, *, landing_dir: Path, budget: UnpackBudget, archive_id: str | None = None, depth: int = 1
) -> PendingArchive:
    """Land each member of a zip as a file of its own (nested zips taken apart in turn), under the
    caps; a member that cannot be taken out is refused alone, with its reason."""
    pending = PendingArchive(landed, archive_id)
    landing_dir.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(landed.path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        pending.damaged = (
            "el archivo comprimido está dañado o incompleto (no se puede abrir); comprímalo de nuevo y envíelo"
        )
        return pending
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if not infos:
            pending.damaged = "el archivo comprimido está vacío: no trae ningún archivo"
            return pending
        if len(infos) > budget.limits.max_archive_members:
            pending.damaged = (
                f"el archivo comprimido tiene {len(infos):,} archivos, más que los "
                f"{budget.limits.max_archive_members:,} admitidos (OGP_MAX_ARCHIVE_MEMBERS); envíelo en partes"
            )
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
                pending.refused.append(
                    (
                        _member_id(landed, info),
                        name,
                        "usa un método de compresión o cifrado que la "
                        "plataforma no abre; comprímalo como un .zip normal, sin contraseña",
                    )
                )
                continue
            except (zipfile.BadZipFile, zlib_error, EOFError, OSError, ValueError) as exc:
                # A damaged member (its CRC, a truncated stream): refused alone, beside its siblings.
                pending.refused.append((_member_id(landed, info), name, refusal_reason(exc)))
                continue
            budget.unpacked += member.size_bytes
            if file_kind(member.path) == "zip":
                if depth < budget.limits.max_archive_depth:
                    pending.nested.append(
                        expand_archive(
                            member, landing_dir=landing_dir, budget=budget, archive_id=landed.sha256, depth=depth + 1
                        )
                    )
                else:
                    pending.refused.append(
                        (
                            member.sha256,
                            name,
                            f"archivo comprimido anidado a más de "
                            f"{budget.limits.max_archive_depth} niveles; envíe los archivos sin comprimir",
                        )
                    )
            else:
                pending.members.append(member)
    return pending


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, landed: LandedFile, name: str, landing_dir: Path
) -> LandedFile:
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
    return land_bytes_from(
        landed.source,
        Path(out.name),
        source_uri=f"{landed.source_uri}#{info.filename}",
        original_name=name,
        landing_dir=landing_dir,
    )


def innermost_first(archive: PendingArchive) -> list[PendingArchive]:
    return [inner for nested in archive.nested for inner in innermost_first(nested)] + [archive]


def settle_archives(
    con: duckdb.DuckDBPyConnection, landing: InboxLanding, *, ledger_source: str, run_id: str | None
) -> list[FileState]:
    """Each archive's terminal state, once every member has one: its items are its members
    (received = members taken out + refused); each refused member is a quarantined item with its
    reason and a state of its own; the archive is loaded when every member was, refused when none
    was usable, partly loaded otherwise. Innermost archives first, so an outer one reads theirs."""
    states: dict[str, str] = {}
    settled = []
    for archive in landing.archives:
        settled.append(_settle(con, archive, states, ledger_source=ledger_source, run_id=run_id))
    return settled


def _settle(
    con, archive: PendingArchive, states: dict[str, str], *, ledger_source: str, run_id: str | None
) -> FileState:
    landed = archive.landed
    earlier = con.execute(
        """select file_id, source, file_name, state, reason, received, loaded, quarantined, warnings, archive_id
                             from raw.intake_files where file_id = ? and superseded_at is null""",
        [landed.sha256],
    ).fetchone()
    if earlier is not None:  # settled by a run that stopped before the archive around it was
        states[landed.sha256] = earlier[3]
        return FileState(*earlier)
    if archive.damaged is not None:
        state = refuse_entry(
            con,
            file_id=landed.sha256,
            name=landed.original_name,
            reason=archive.damaged,
            size=landed.size_bytes,
            uri=landed.source_uri,
            ledger_source=ledger_source,
            run_id=run_id,
            archive_id=archive.archive_id,
        )
        states[landed.sha256] = REFUSED
        return state
    regions = phone_regions(con)
    refused = [(member_id, name, redact(f"{name}: {reason}", regions)) for member_id, name, reason in archive.refused]
    state = _archive_state(archive, _member_states(con, archive, states), refused, ledger_source)
    _record_settled(con, archive, state, refused, run_id)
    states[landed.sha256] = state.state
    return state


def _member_states(con, archive: PendingArchive, states: dict[str, str]) -> list[str]:
    """The terminal state of each file the archive held: its members' as recorded, its nested
    archives' as settled before it, and refused for each member refused unread."""
    member_ids = [m.sha256 for m in archive.members]
    found = (
        dict(
            con.execute(
                (
                    "select file_id, arg_max(state, recorded_at) from raw.intake_files where superseded_at is "
                    "null and list_contains(?, file_id) group by all"
                ),
                [member_ids],
            ).fetchall()
        )
        if member_ids
        else {}
    )
    return (
        [found.get(m, REFUSED) for m in member_ids]
        + [states.get(n.landed.sha256, REFUSED) for n in archive.nested]
        + [REFUSED] * len(archive.refused)
    )


def _archive_state(
    archive: PendingArchive, member_states: list[str], refused: list[tuple[str, str, str]], ledger_source: str
) -> FileState:
    """The archive's own state: loaded when every file in it was, partly loaded when some were,
    refused otherwise; its reason names the refused members (redacted)."""
    landed = archive.landed
    if member_states and all(s == LOADED for s in member_states):
        overall = LOADED
    elif any(s in (LOADED, PARTLY_LOADED) for s in member_states):
        overall = PARTLY_LOADED
    else:
        overall = REFUSED
    taken = len(archive.members) + len(archive.nested)
    refused_names = "; ".join(said for _, _, said in refused[:5])
    reason = (
        None
        if overall == LOADED
        else (
            f"{landed.original_name}: {taken} archivo(s) tomados del comprimido, {len(archive.refused)} rechazado(s)"
            + (f" ({refused_names})" if refused_names else "")
            + ("; vea el estado de cada archivo" if taken else "")
        )
    )
    return FileState(
        landed.sha256,
        ledger_source,
        landed.original_name,
        overall,
        reason,
        taken + len(archive.refused),
        taken,
        len(archive.refused),
        0,
        archive.archive_id,
    )


def _record_settled(
    con, archive: PendingArchive, state: FileState, refused: list[tuple[str, str, str]], run_id: str | None
) -> None:
    """In one transaction: each refused member's quarantine item and state, the members tied to
    the archive, the archive's ledger entry, landed file and state."""
    landed, ledger_source = archive.landed, state.source
    member_ids = [m.sha256 for m in archive.members]
    with transaction(con):
        for position, (member_id, name, said) in enumerate(refused, start=1):
            quarantine_item(
                con,
                source=ledger_source,
                landed_file_id=landed.sha256,
                rule="archive_member_refused",
                reason=said,
                position=position,
            )
            record_state(
                con, FileState(member_id, ledger_source, name, REFUSED, said, 1, 0, 1, 0, landed.sha256), run_id
            )
        if member_ids:
            con.execute(
                "update raw.intake_files set archive_id = ? where list_contains(?, file_id) and archive_id is null",
                [landed.sha256, member_ids],
            )
        record_ledger(
            con, LedgerEntry(ledger_source, landed.sha256, state.received, state.loaded, state.quarantined), run_id
        )
        record_landed_file(con, landed)
        record_state(con, state, run_id)
