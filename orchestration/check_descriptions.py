"""What each dbt test checks, in words, for the Dagster UI: its YAML `description:` when it has one,
else the rule its `meta` states (singular tests), else a sentence built from the generic test and
its arguments; and what a failure does to publication (its severity)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exports.bi_contract import ref_name


def _generic(name: str, kwargs: Mapping[str, Any], model: str, column: str | None) -> str:
    if name == "not_null":
        return f"Every row of {model} has a value in {column}."
    if name == "unique":
        return f"No two rows of {model} share the same {column}."
    if name == "accepted_values":
        return f"{column} of {model} is one of: {', '.join(map(str, kwargs.get('values', [])))}."
    if name == "relationships":
        return f"Every {column} of {model} exists in {ref_name(str(kwargs.get('to', '')))}.{kwargs.get('field')}."
    if name == "unique_combination":
        return f"One row of {model} per {', '.join(kwargs.get('columns', []))}."
    if name == "value_between":
        return f"{column} of {model} lies between {kwargs.get('min_value')} and {kwargs.get('max_value')}."
    if name == "one_code_per_value":
        return f"Each canonical value of the vocabulary {model} has one code (two codes would make one label mean two things)."
    if name == "no_unknown_values":
        return f"Every value of OGP's files is mapped by a vocabulary and every date was read (unknown ones are listed in {model})."
    arguments = ", ".join(f"{k}={v}" for k, v in kwargs.items() if k not in ("model", "column_name"))
    return (
        f"dbt test {name} on {model}"
        + (f".{column}" if column else "")
        + (f" ({arguments})" if arguments else "")
        + "."
    )


def dbt_test_description(test: Mapping[str, Any], model: str) -> str:
    """A sentence for the dbt test `test` (a manifest node) on `model`."""
    meta = {**(test.get("config", {}).get("meta") or {}), **(test.get("meta") or {})}
    metadata = test.get("test_metadata") or {}
    if test.get("description"):
        what = test["description"].strip()
    elif meta.get("description") or meta.get("rule"):
        what = str(meta.get("description") or meta.get("rule")).rstrip(".") + "."
    elif metadata:
        kwargs = metadata.get("kwargs") or {}
        what = _generic(metadata.get("name", ""), kwargs, model, test.get("column_name") or kwargs.get("column_name"))
    else:
        what = f"dbt test {test.get('name')} on {model}."
    severity = str(test.get("config", {}).get("severity", "error")).lower()
    effect = (
        "a failure is published as a warning"
        if severity == "warn"
        else "a failure stops the publications that hold this data"
    )
    return f"{what} (dbt test `{test.get('name')}`; {severity}: {effect})"
