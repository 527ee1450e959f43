"""Small helpers for the parameterised queries exports run on the warehouse."""

from __future__ import annotations


def used_params(sql: str, params: dict) -> dict:
    """Only the named parameters ($name) a statement uses: DuckDB refuses unused ones."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def rows(con, sql: str, params: dict) -> list[dict]:
    """The query's rows as dicts, with only the parameters it names."""
    cursor = con.execute(sql, used_params(sql, params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def latest_reported_month(con):
    """The latest month any accepted progress report speaks of (None before the first)."""
    return con.execute("select max(reporting_month) from marts.fct_progress_reports").fetchone()[0]


def plan_figures(con, month) -> list[dict]:
    """Each commitment's rounded progress and schedule status in `month`, plan by plan."""
    return rows(
        con,
        """select action_plan_id, commitment_id, progress_percent_rounded, schedule_status
                        from marts.fct_commitment_progress_monthly
                        where reporting_month = $month order by action_plan_id, commitment_id""",
        {"month": month},
    )


def rows_by_month(con, relation: str, first, last) -> dict[str, int]:
    """Rows of a monthly fact per reporting month from `first` to `last` (ISO dates), months
    without rows included as 0."""
    counted = dict(
        con.execute(
            f"""select strftime(reporting_month, '%Y-%m-%d'), count(*) from {relation}
            where reporting_month between cast(? as date) and cast(? as date) group by 1""",
            [first, last],
        ).fetchall()
    )
    months = con.execute(
        "select strftime(m, '%Y-%m-%d') from generate_series(cast(? as date), cast(? as date), interval 1 month) as t(m)",
        [first, last],
    ).fetchall()
    return {month: counted.get(month, 0) for (month,) in months}


def first_rows_markdown(con, relation: str, *, limit: int = 5) -> str:
    """The first rows of `relation` as a markdown table, on a DuckDB or a psycopg connection."""
    import pandas

    cursor = con.execute(f"select * from {relation} limit {int(limit)}")
    frame = pandas.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])
    return frame.to_markdown(index=False) if len(frame) else "_empty_"


def table_summary(con, relation: str, *, preview_rows: int = 5) -> tuple[int, str]:
    """Rows in `relation` and its first rows as a markdown table (for the UI's metadata)."""
    [(count,)] = con.execute(f"select count(*) from {relation}").fetchall()
    frame = con.execute(f"select * from {relation} limit {int(preview_rows)}").df()
    return count, (frame.to_markdown(index=False) if len(frame) else "_empty_")
