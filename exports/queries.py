"""Small helpers for the parameterised queries exports run on the warehouse."""

from __future__ import annotations


def used_params(sql: str, params: dict) -> dict:
    """Only the named parameters ($name) a statement uses: DuckDB refuses unused ones."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def rows(con, sql: str, params: dict) -> list[dict]:
    """The query's rows as dicts, with only the parameters it names."""
    cursor = con.execute(sql, used_params(sql, params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
