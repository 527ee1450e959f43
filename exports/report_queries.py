"""What a member's report reads from the marts, one query per part of the report, each over the
member's plans in scope (exports/scope.py) for `$month` and `$member_code`."""

from __future__ import annotations

from exports.scope import MEMBER_PLANS

# The member's commitments in the month, with their change since the previous month, whether they
# have similar commitments elsewhere and their outlook.
COMMITMENTS = f"""
    with {MEMBER_PLANS}
    select p.*, c.commitment_number, c.commitment_title, c.lead_institution,
           p.progress_percent - coalesce(prev.progress_percent, 0) as change_points,
           exists (select 1 from marts.fct_similar_commitments s where s.commitment_id = p.commitment_id) as has_peers,
           w.probability_substantial_or_complete as outlook_probability, w.outlook_basis
    from marts.fct_commitment_progress_monthly p
    join marts.dim_commitments c using (commitment_id)
    left join marts.fct_commitment_outlook_monthly w using (commitment_id, reporting_month)
    left join marts.fct_commitment_progress_monthly prev
           on prev.commitment_id = p.commitment_id and prev.reporting_month = $previous
    where p.reporting_month = $month and p.action_plan_id in (select action_plan_id from member_plans)
    order by p.action_plan_id, c.commitment_number_sort, p.commitment_id
"""

# The member's plans in the month.
PLANS = f"""
    with {MEMBER_PLANS}
    select f.*, p.action_plan_number, p.member_name, p.start_year, p.end_year
    from marts.fct_plan_progress_monthly f
    left join marts.dim_action_plans p using (action_plan_id)
    where f.reporting_month = $month and f.action_plan_id in (select action_plan_id from member_plans)
    order by f.action_plan_id
"""

# Each plan's progress month by month since its first month.
PLAN_HISTORY = f"""
    with {MEMBER_PLANS}
    select h.action_plan_id, h.reporting_month, h.progress_percent, h.expected_percent
    from marts.fct_plan_progress_monthly h join member_plans s using (action_plan_id)
    where h.reporting_month <= $month and h.reporting_month >= s.period_start_month
    order by h.action_plan_id, h.reporting_month
"""

# Milestones behind schedule.
DELAYED_MILESTONES = f"""
    with {MEMBER_PLANS}
    select s.milestone_code, m.milestone_title, m.responsible_institution, s.percent_complete,
           s.expected_percent, s.schedule_gap, m.planned_end, s.reporting_status
    from marts.fct_milestone_status_monthly s join marts.dim_milestones m using (milestone_code)
    where s.reporting_month = $month and s.schedule_status = 'delayed'
      and s.action_plan_id in (select action_plan_id from member_plans)
    order by s.schedule_gap, s.milestone_code
"""

# The data-quality annex: the member's own issues, and those no catalogue milestone ties to a member
# (in every report).
QUALITY_ISSUES = f"""
    with {MEMBER_PLANS}
    select stage, source_name, rule_code, reason, file_name, source_row_number, submission_id, issue_status,
           count(*) over () as total
    from marts.fct_data_quality_issues q
    left join marts.dim_milestones m using (milestone_code)
    left join marts.dim_action_plans p on p.action_plan_id = m.action_plan_id
    -- The member's own issues, and those no catalogue milestone ties to a member (in every report).
    where q.annex_month = $month
      and (m.milestone_code is null or p.member_code in (select member_code from member_plans))
    order by stage, rule_code, file_name, source_row_number, submission_id
"""

# A national member's report: the latest ranking of every municipality on the local index.
MUNICIPALITY_RANKING = """
    select municipality, province, index_year, score, rank_in_year, change_from_previous
    from marts.fct_local_government_index
    where dimension = 'index'
      and index_year = (select max(index_year) from marts.fct_local_government_index where index_year <= year($month))
    order by rank_in_year, municipality
"""

# A local member's report: its municipality's maturity index over the years (`$municipality`).
MUNICIPALITY_YEARS = """
    select index_year, dimension, score, rank_in_year, change_from_previous
    from marts.fct_local_government_index
    where lower(municipality) = lower($municipality) and index_year <= year($month)
    order by index_year, dimension
"""

# Who is overdue: the member's institutions with milestones under way and no report for the month.
OVERDUE_INSTITUTIONS = f"""
    with {MEMBER_PLANS}
    select r.institution_name, r.milestones_due, r.not_reported, r.reported_late, r.report_deadline
    from marts.fct_institution_reporting_monthly r
    where r.reporting_month = $month and r.not_reported > 0
      and r.institution_name in (select trim(m.responsible_institution) from marts.dim_milestones m
                                 where m.action_plan_id in (select action_plan_id from member_plans))
    order by r.not_reported desc, r.institution_name
"""

# Milestones whose planned end or weight the core group changed.
REPLANNED_MILESTONES = f"""
    with {MEMBER_PLANS}
    select milestone_code, milestone_title, responsible_institution, original_planned_end, planned_end, weight, original_weight
    from marts.dim_milestones
    where (is_replanned or weight <> original_weight) and action_plan_id in (select action_plan_id from member_plans)
    order by milestone_code
"""
