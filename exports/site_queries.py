"""What the site reads from the marts for a month (`$month`): the tracked plans with a figure by
then, each shown at its latest month (`site_plans`, named in the `with` of the queries that join
it), and for them (`$plans`, their ids) commitments, milestones, reports, indicators and the
institutions' reporting record."""

from __future__ import annotations

# The plans shown and the month each is shown at: its latest month with a figure up to `$month`
# (in scope when that is `$month` itself).
SITE_PLANS = """site_plans as (
    select p.action_plan_id, p.member_name, p.action_plan_number, p.start_year, p.end_year, p.status,
           max(m.reporting_month) as shown_month,
           max(m.reporting_month) = $month as in_scope
    from marts.dim_action_plans p
    join marts.fct_plan_progress_monthly m using (action_plan_id)
    where p.is_tracked and m.reporting_month <= $month
    group by all
    order by p.action_plan_id
)"""

PLANS = f"with {SITE_PLANS} select * from site_plans order by action_plan_id"

# Each plan's progress month by month up to the published month.
PLAN_HISTORY = """
    select action_plan_id, reporting_month, progress_percent, expected_percent
    from marts.fct_plan_progress_monthly
    where action_plan_id in (select unnest($plans)) and reporting_month <= $month
    order by action_plan_id, reporting_month
"""

# Each shown plan's commitments at the month it is shown at, with OGP's outcomes and the outlook.
COMMITMENTS = f"""
    with {SITE_PLANS}
    select c.commitment_id, c.action_plan_id, c.commitment_number, c.commitment_number_sort, c.commitment_title,
           c.theme, c.lead_institution, c.supporting_institutions, c.start_date, c.end_date, c.ogp_url, c.commitment_text,
           p.reporting_month, p.progress_percent, p.expected_percent, p.schedule_status, p.irm_completion_level,
           p.milestones, p.milestones_completed, p.milestones_stale, p.milestones_without_report,
           o.completion as irm_completion, o.did_it_open_government, o.early_results, o.potential_impact,
           o.potential_for_results, o.is_starred,
           w.probability_substantial_or_complete as outlook_probability, w.projected_percent_at_end as outlook_projected,
           w.outlook_basis
    from marts.dim_commitments c
    join site_plans s using (action_plan_id)
    join marts.fct_commitment_progress_monthly p
      on p.commitment_id = c.commitment_id and p.reporting_month = s.shown_month
    left join marts.fct_commitment_outcomes o on o.commitment_id = c.commitment_id
    left join marts.fct_commitment_outlook_monthly w
      on w.commitment_id = c.commitment_id and w.reporting_month = s.shown_month
    order by c.action_plan_id, c.commitment_number_sort, c.commitment_id
"""

# Each commitment's progress month by month.
COMMITMENT_HISTORY = """
    select commitment_id, reporting_month, progress_percent, expected_percent
    from marts.fct_commitment_progress_monthly
    where action_plan_id in (select unnest($plans)) and reporting_month <= $month
    order by commitment_id, reporting_month
"""

# Each commitment's milestones at the month its plan is shown at.
MILESTONES = f"""
    with {SITE_PLANS}
    select m.milestone_code, m.commitment_id, m.action_plan_id, m.milestone_title, m.weight, m.planned_start,
           m.planned_end, m.original_planned_end, m.is_replanned, m.responsible_institution,
           s.percent_complete, s.expected_percent, s.schedule_status, s.reporting_status, s.last_report_month
    from marts.dim_milestones m
    join site_plans shown using (action_plan_id)
    join marts.fct_milestone_status_monthly s
      on s.milestone_code = m.milestone_code and s.reporting_month = shown.shown_month
    order by m.commitment_id, m.milestone_code
"""

# The accepted progress reports up to the month, newest first.
REPORTS = """
    select submission_id, commitment_id, milestone_code, reporting_month, percent_complete, reporting_institution,
           narrative, challenges, evidence_urls
    from marts.fct_progress_reports
    where action_plan_id in (select unnest($plans)) and reporting_month <= $month
    order by commitment_id, reporting_month desc, milestone_code, submission_id
"""

# The shown plans' indicators.
INDICATORS = """
    select i.indicator_code, i.commitment_id, i.milestone_code, i.indicator_name, i.unit, i.baseline, i.target,
           i.frequency, i.direction
    from marts.dim_indicators i
    join marts.dim_commitments c on c.commitment_id = i.commitment_id
    where c.action_plan_id in (select unnest($plans))
    order by i.indicator_code
"""

# Their measured values up to the month.
MEASUREMENTS = """
    select indicator_code, period_start, period_raw, measured_value, target_attainment_percent, evidence_url
    from marts.fct_indicator_values
    where period_start <= $month and indicator_code in (
        select i.indicator_code from marts.dim_indicators i join marts.dim_commitments c using (commitment_id)
        where c.action_plan_id in (select unnest($plans)))
    order by indicator_code, period_start
"""

# Each responsible institution's reporting record, month by month up to the published one.
REPORTING_RECORD = """
    select institution_name, reporting_month, report_deadline, milestones_due, reported_on_time, reported_late,
           not_reported
    from marts.fct_institution_reporting_monthly
    where reporting_month <= $month
    order by institution_name, reporting_month desc
"""

# A digest of what only a commitment's own page lists (its history, reports, indicators with their
# values): each row as JSON (unambiguous, unlike a struct's text: a string "NULL" is not a null)
# hashed, the hashes sorted and hashed per commitment. Rows equal as JSON are equal values, and
# each list's order is its query's, so equal digests list the same rows in
# the same order. Its page's body is then known unchanged without reading those rows into Python
# (exports/page_reuse.py); only 32 characters a row are held to sort, whatever the reports' length.
DETAILS_DIGESTS = f"""
    with history as ({COMMITMENT_HISTORY}),
         reports as ({REPORTS}),
         indicators as ({INDICATORS}),
         measurements as ({MEASUREMENTS}),
         lines as (
             select commitment_id, 'h' || to_json(h)::varchar as line from history h
             union all select commitment_id, 'r' || to_json(r)::varchar from reports r
             union all select commitment_id, 'i' || to_json(i)::varchar from indicators i
             union all select i.commitment_id, 'm' || to_json(m)::varchar
             from measurements m join indicators i using (indicator_code)
         )
    select commitment_id, md5(string_agg(row_hash, '' order by row_hash)) as digest
    from (select commitment_id, md5(line) as row_hash from lines)
    group by commitment_id
"""


def peers_digests(stored_peers_sql: str) -> str:
    """The same digest of the peers a commitment's page lists (similarity.search's stored peers,
    passed in: that module loads numpy, which the code location does not import)."""
    return f"""select commitment_id, md5(string_agg(row_hash, '' order by row_hash)) as digest
        from (select commitment_id, md5(to_json(p)::varchar) as row_hash from ({stored_peers_sql}) p) group by commitment_id"""
