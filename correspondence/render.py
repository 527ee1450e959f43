"""The messages' texts, in Spanish, from the templates beside this module (plain text: what a
file name or a cell holds is shown as it is, never interpreted)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jinja2

from exports.formatting import es_date, es_month

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _clean(value) -> str:
    """A value from a file, safe to print: no control or direction characters."""
    return _CONTROL.sub("?", "" if value is None else str(value))


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(clean=_clean, month=es_month, date=es_date)
    env.globals["plural"] = _plural
    return env


def render(template: str, **values) -> str:
    return _environment().get_template(f"{template}.j2").render(**values)
