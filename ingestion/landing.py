"""The landing zone: every payload is kept exactly as received before anything parses it.

Layout: `<landing_dir>/<source>/<YYYY-MM-DD>/<sha256[:16]>__<safe name>` with a sidecar
`.meta.json` (sha256, source URI, fetch time, size). Files are written to a temporary name and
renamed, so a crash never leaves a half-written payload under its final name. Names that come
from the outside are reduced to a safe character set and never used as paths on their own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from ingestion.http import SourceError, get, make_session


class PayloadTooLarge(SourceError):
    pass


class NotARegularFile(OSError):
    """A path that is a link, a FIFO, a device or a socket: never opened for reading."""


def open_regular_file(path: Path):
    """Open `path` for reading only if it is a regular file itself: a symbolic link is not followed
    (O_NOFOLLOW), a FIFO does not block the open (O_NONBLOCK), and what was opened is checked on
    the descriptor, so nothing can be swapped in between the check and the read."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(f"{path.name} is not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def land_open_file(
    source: str, handle, *, original_name: str, source_uri: str, landing_dir: Path, max_bytes: int
) -> LandedFile:
    """Copy an opened file into the landing zone, never more than `max_bytes` of it (a file that
    grows while it is read is refused all the same)."""
    tmp = _temp_in(landing_dir)
    size = 0
    try:
        with open(tmp, "wb") as out:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        f"{original_name} pesa más de {max_bytes:,} bytes, el límite (OGP_MAX_FILE_BYTES)"
                    )
                out.write(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return land_bytes_from(source, tmp, source_uri=source_uri, original_name=original_name, landing_dir=landing_dir)


@dataclass(frozen=True)
class LandedFile:
    source: str
    sha256: str
    path: Path
    source_uri: str
    original_name: str
    size_bytes: int
    fetched_at: datetime

    @property
    def landed_file_id(self) -> str:
        return self.sha256

    def metadata(self) -> dict:
        data = asdict(self)
        data["path"] = str(self.path)
        data["fetched_at"] = self.fetched_at.isoformat()
        return data


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(name: str, limit: int = 80) -> str:
    base = os.path.basename(name.replace("\\", "/")) or "payload"
    cleaned = re.sub(r"[^\w.-]+", "_", base).strip("._") or "payload"  # letters of any script stay
    return cleaned[-limit:]


def land_bytes_from(
    source: str,
    reader_path: Path,
    *,
    source_uri: str,
    original_name: str,
    landing_dir: Path,
    fetched_at: datetime | None = None,
) -> LandedFile:
    """Move an already-downloaded temporary file into the landing zone under its hash."""
    fetched_at = fetched_at or datetime.now(UTC)
    sha = sha256_file(reader_path)
    size = reader_path.stat().st_size
    day_dir = landing_dir / safe_name(source) / fetched_at.strftime("%Y-%m-%d")
    day_dir.mkdir(parents=True, exist_ok=True)
    final = day_dir / f"{sha[:16]}__{safe_name(original_name)}"
    landed = LandedFile(source, sha, final, source_uri, original_name, size, fetched_at)
    if not final.exists():
        os.replace(reader_path, final)
    else:
        os.unlink(reader_path)
    meta = final.with_name(final.name + ".meta.json")
    if not meta.exists():
        tmp_meta = meta.with_name(meta.name + ".tmp")
        tmp_meta.write_text(json.dumps(landed.metadata(), indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp_meta, meta)
    return landed


def _temp_in(landing_dir: Path) -> Path:
    landing_dir.mkdir(parents=True, exist_ok=True)
    # Downloads a killed run left half-written; an hour is far longer than any landing takes.
    for leftover in landing_dir.glob(".incoming-*"):
        try:
            if time.time() - leftover.stat().st_mtime > 3600:
                leftover.unlink()
        except FileNotFoundError:
            pass
    fd, name = tempfile.mkstemp(prefix=".incoming-", dir=landing_dir)
    os.close(fd)
    return Path(name)


def land_records(
    source: str, records: list[dict], *, source_uri: str, original_name: str, landing_dir: Path
) -> LandedFile:
    """Land a page of records an API returned, as a JSON array, unchanged otherwise."""
    tmp = _temp_in(landing_dir)
    tmp.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return land_bytes_from(source, tmp, source_uri=source_uri, original_name=original_name, landing_dir=landing_dir)


def land_local_file(source: str, path: Path, *, landing_dir: Path, max_bytes: int) -> LandedFile:
    if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or a device at a source's address is not read
        raise NotARegularFile(f"{path} is not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise PayloadTooLarge(
            f"{path.name} is {size:,} bytes, over the {max_bytes:,}-byte limit (OGP_MAX_FILE_BYTES); not landed"
        )
    tmp = _temp_in(landing_dir)
    shutil.copyfile(path, tmp)
    return land_bytes_from(
        source, tmp, source_uri=path.resolve().as_uri(), original_name=path.name, landing_dir=landing_dir
    )


def land_url(
    source: str,
    url: str,
    *,
    landing_dir: Path,
    max_bytes: int,
    session: requests.Session | None = None,
    headers: dict[str, str] | None = None,
) -> LandedFile:
    """Download `url` (streamed, size-limited) into the landing zone."""
    session = session or make_session()
    response = get(session, url, stream=True, headers=headers or {})
    tmp = _temp_in(landing_dir)
    size = 0
    try:
        with open(tmp, "wb") as out:
            for chunk in response.iter_content(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"{url} sent more than {max_bytes:,} bytes (OGP_MAX_FILE_BYTES); not landed")
                out.write(chunk)
        expected = response.headers.get("Content-Length")
        if (
            expected is not None
            and response.headers.get("Content-Encoding") in (None, "identity")
            and int(expected) != size
        ):
            raise SourceError(f"{url} sent {size:,} of {int(expected):,} announced bytes: the body was truncated")
    except requests.exceptions.RequestException as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(f"{url} broke off after {size:,} bytes ({exc.__class__.__name__}): nothing landed") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "download"
    return land_bytes_from(source, tmp, source_uri=url, original_name=name, landing_dir=landing_dir)


def land_source(source: str, uri: str, *, landing_dir: Path, max_bytes: int) -> LandedFile:
    """Land a source given as an http(s) URL or a local path."""
    if uri.startswith(("http://", "https://")):
        return land_url(source, uri, landing_dir=landing_dir, max_bytes=max_bytes)
    path = Path(uri.removeprefix("file://"))
    if not path.is_file():
        raise SourceError(f"{source}: no file at {path}")
    return land_local_file(source, path, landing_dir=landing_dir, max_bytes=max_bytes)
