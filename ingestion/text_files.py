"""Text as institutions' programs save it: which encoding a file is in (UTF-8 with or without a
byte-order mark, UTF-16 with or without one, Windows-1252, Latin-1) and Excel's `sep=;` first
line, which names the separator instead of being a row."""

from __future__ import annotations

import re

TEXT_ENCODINGS = "UTF-8, UTF-16, Windows-1252, Latin-1"
_SEP_LINE = re.compile(r"\A\ufeff?sep=(.)\s*(?:\r\n|\n|\r)", re.IGNORECASE)


class UndecodableText(ValueError):
    """No encoding the platform reads gives text for these bytes."""


def utf16_without_bom(head: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when the bytes look like UTF-16 text saved without a byte-order
    mark (most characters ASCII, so every other byte is zero), else None."""
    sample = head[: 4096 - (len(head[:4096]) % 2)]
    if len(sample) < 8 or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    even, odd = sample[0::2], sample[1::2]
    zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zero_odd > 0.6 and zero_even < 0.1:
        return "utf-16-le"
    if zero_even > 0.6 and zero_odd < 0.1:
        return "utf-16-be"
    return None


def is_utf16(head: bytes) -> bool:
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or utf16_without_bom(head) is not None


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The file's text and the encoding it was read in, tried in the order a person's programs
    save them; a file no encoding reads raises UndecodableText with the reason in Spanish."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        candidates = ["utf-16"]
    elif (guess := utf16_without_bom(data)) is not None:
        candidates = [guess]
    else:
        candidates = ["utf-8-sig", "cp1252", "latin-1"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UndecodableText(f"{name} no está en ninguna codificación que la plataforma lea ({TEXT_ENCODINGS})")


def separator_line(text: str) -> tuple[str | None, str]:
    """Excel's `sep=;` first line: (the separator it names, the text after it), or (None, text)."""
    match = _SEP_LINE.match(text)
    if match is None:
        return None, text
    return match.group(1), text[match.end() :]
