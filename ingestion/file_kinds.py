"""What kind of file a landed file is, told by its first bytes, not its name (a workbook saved as
`.csv` is still a workbook): the workbook kinds the readers open (ingestion/workbooks.py), and the
kinds recognised but refused, each with what the clerk should do."""

from __future__ import annotations

import zipfile
from pathlib import Path

WORKBOOK_KINDS = ("xlsx", "xls", "ods", "html", "xml2003")
# Kinds recognised but not readable, with what the clerk should do.
REFUSED_KINDS = {
    "encrypted": "es un libro protegido con contraseña; quite la contraseña (Archivo > Información > Proteger libro) y envíelo de nuevo",
    "xlsb": "es un libro binario de Excel (.xlsb), que la plataforma no lee; guárdelo como .xlsx (Libro de Excel) y envíelo de nuevo",
    "ole_other": "es un documento de Office que no es una hoja de cálculo (por ejemplo, Word); envíe la hoja de cálculo",
    "apple_numbers": "es un libro de Apple Numbers, que la plataforma no lee; expórtelo como .xlsx o .csv (Archivo > Exportar a) y envíelo",
    "office_document": (
        "es un documento de Office u OpenDocument que no es una hoja de cálculo (por ejemplo, Word); envíe la "
        "hoja de cálculo"
    ),
    "damaged_zip": (
        "está dañado o incompleto (un .zip, .xlsx u .ods que se cortó al copiarlo, descargarlo o enviarlo); "
        "expórtelo de nuevo y envíelo"
    ),
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"


def file_kind(path: Path) -> str:
    """`xlsx`, `xls`, `ods`, `html` or `xml2003` (what web systems save as .xls), `zip` (any other
    archive), one of `REFUSED_KINDS`, or `text` (CSV, JSON, or unreadable)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(path)
    if head.startswith(_EMPTY_ZIP_MAGIC):  # an archive with nothing in it (only its end record)
        return "zip"
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype")[:100].startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"
                ):
                    return "ods"
                if "[Content_Types].xml" in names and "xl/workbook.bin" in names:
                    return "xlsb"
                if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                    return "xlsx"
                if "[Content_Types].xml" in names or "mimetype" in names:
                    return "office_document"
                if any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
                    return "apple_numbers"
        except Exception:  # noqa: BLE001 - a broken or hostile package (bad CRC, unknown method, password) is damaged
            return "damaged_zip"
        return "zip"
    return _markup_kind(head) or "text"


def _ole_kind(path: Path) -> str:
    """An OLE compound file: Excel 97 (a `Workbook` stream), an encrypted Office 2007+ file (Office
    wraps those in OLE with an `EncryptedPackage`), or another document."""
    from xlrd.compdoc import CompDoc

    try:
        streams = {node.name for node in CompDoc(path.read_bytes(), logfile=SilentLog()).dirlist}
    except Exception:  # noqa: BLE001 - xlrd asserts, recurses, indexes out of range on broken sectors
        return "xls"  # damaged: the Excel 97 reader refuses it with the reason
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        return "encrypted"
    if streams & {"Workbook", "Book", "WORKBOOK", "BOOK"}:
        return "xls"
    return "ole_other"


class SilentLog:
    def write(self, text: str) -> None:  # xlrd's diagnostics are not the operator's
        pass


def _markup_kind(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head[2:].decode("utf-16", "ignore").encode("ascii", "ignore").lstrip().lower()
    if text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return "xml2003"
    if text.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<?xml")) and (
        b"<table" in text or b"<html" in text
    ):
        return "html"
    return None
