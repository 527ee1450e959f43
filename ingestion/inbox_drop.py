"""Files an operator hands to `ogp load`, copied into the inbox as an institution would drop them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ingestion.inbox import inbox_name
from ingestion.landing import open_regular_file, sha256_file


class NotAFileToDrop(ValueError):
    """A path that names nothing, or a folder: the operator's mistake, said in one line."""


def drop_into_inbox(inbox_dir: Path, files: list[Path]) -> list[Path]:
    """Copy files into the inbox under safe names (an existing different file is never replaced).
    What is not a regular file (a link, a FIFO) is never read here either: it goes into the inbox as
    what it is (a link to the same place, a FIFO), where the intake refuses it by name."""
    inbox_dir.mkdir(parents=True, exist_ok=True)
    dropped = []
    for source in files:
        try:
            mode = source.lstat().st_mode
        except FileNotFoundError:
            raise NotAFileToDrop(f"no hay ningún archivo en {source}") from None
        if stat.S_ISDIR(mode):
            raise NotAFileToDrop(f"{source} es una carpeta: indique los archivos")
        target = inbox_dir / inbox_name(source.name)
        if not stat.S_ISREG(mode):
            if not target.exists() and not target.is_symlink():
                if stat.S_ISFIFO(mode):
                    os.mkfifo(target)
                else:
                    target.symlink_to(os.readlink(source) if stat.S_ISLNK(mode) else source.absolute())
            dropped.append(target)
            continue
        digest = sha256_file(source)
        if (target.exists() or target.is_symlink()) and (
            not target.is_file() or target.is_symlink() or sha256_file(target) != digest
        ):
            target = target.with_name(f"{target.stem}-{digest[:8]}{target.suffix}")
        with open_regular_file(source) as handle, open(target, "wb") as out:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                out.write(chunk)
        dropped.append(target)
    return dropped
