"""The plans a month's publication covers, written once and named by every query that reads them
(`with {PLANS_IN_SCOPE} select ...`), never left on a connection as a view: the tracked plans whose
period overlaps the month (`$month`) and, for the members' reports, those of the members in
`$member_codes`. The package, the reports and the list of members all start from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

PLANS_IN_SCOPE = """plans_in_scope as (
            select action_plan_id, member_code, cast(date_trunc('month', period_start) as date) as period_start_month
            from marts.dim_action_plans
            where is_tracked and period_start <= last_day($month) and period_end >= $month
        )"""

MEMBER_PLANS = f"""{PLANS_IN_SCOPE},
        member_plans as (select * from plans_in_scope where list_contains($member_codes, member_code))"""


@dataclass(frozen=True)
class ReportMember:
    """A member with plans in the month: one report each."""

    code: str
    name: str
    level: str  # national or local (OGP's member type when the deployment does not declare it)
    municipality: str | None

    @property
    def report(self) -> str:
        """Its report's file in a version: `informe-<code>.html` (informe.html lists them)."""
        return f"informe-{self.code.lower()}.html"


def members_in_scope(con: duckdb.DuckDBPyConnection, month: date) -> list[ReportMember]:
    """The members of the plans in scope in `month`, national first."""
    found = con.execute(
        f"""
        with {PLANS_IN_SCOPE}
        select distinct p.member_code, coalesce(m.member_name, p.member_code),
               coalesce(m.member_level, case when m.member_type = 'local' then 'local' else 'national' end), m.municipality
        from plans_in_scope p left join marts.dim_members m using (member_code)
        where p.member_code is not null
        """,
        {"month": month},
    ).fetchall()
    members = [ReportMember(*row) for row in found]
    return sorted(members, key=lambda m: (m.level != "national", m.name, m.code))
