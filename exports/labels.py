"""The publication's and the operator's words, one catalogue per language
(`exports/labels/<language>.json`): the site's, the report's, the `ogp similar` command's, `ogp`'s
usage errors (`cli`) and the names of a received file's states (`intake_states`, for `ogp status` and
the receipts), each under its own section. A language is offered where its catalogue exists; Spanish,
the operator's and the public's default, comes first."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CATALOGUES = Path(__file__).resolve().parent / "labels"


@cache
def languages() -> tuple[str, ...]:
    found = sorted(path.stem for path in CATALOGUES.glob("*.json"))
    return tuple(sorted(found, key=lambda lang: lang != "es"))


@cache
def catalogue(lang: str) -> dict[str, dict]:
    with open(CATALOGUES / f"{lang}.json", encoding="utf-8") as file:
        return json.load(file)


def labels(section: str) -> dict[str, dict]:
    """{language: that language's labels of `section`}."""
    return {lang: catalogue(lang)[section] for lang in languages()}
