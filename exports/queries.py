"""Small helpers for the parameterised queries exports run on the warehouse."""

from __future__ import annotations


def used_params(sql: str, params: dict) -> dict:
    """Only the named parameters ($name) a statement uses: DuckDB refuses unused ones."""
    return {k: v for k, v in params.items() if f"${k}" in sql}
