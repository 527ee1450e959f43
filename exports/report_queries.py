"""What a member's report reads from the marts, one query per part of the report, each over the
plans in scope (exports/scope.py) of the members in `$member_codes` for `$month`. A query that
reads several members' rows at once says whose each row is (`report_member`): a month's reports
read each part once for a batch of members, not once per member."""

from __future__ import annotations

from exports.scope import MEMBER_PLANS

# The member's commitments in the month, with their change since the previous month, whether they
# have similar commitments elsewhere and their outlook.
COMMITMENTS = f"""
    with {MEMBER_PLANS}
    select mp.member_code as report_member, p.*, c.commitment_number, c.commitment_title, c.lead_institution,
           p.progress_percent - coalesce(prev.progress_percent, 0) as change_points,
           exists (select 1 from marts.fct_similar_commitments s where s.commitment_id = p.commitment_id) as has_peers,
           w.probability_substantial_or_complete as outlook_probability, w.outlook_basis
    from marts.fct_commitment_progress_monthly p
    join member_plans mp on mp.action_plan_id = p.action_plan_id
    join marts.dim_commitments c using (commitment_id)
    left join marts.fct_commitment_outlook_monthly w using (commitment_id, reporting_month)
    left join marts.fct_commitment_progress_monthly prev
           on prev.commitment_id = p.commitment_id and prev.reporting_month = $previous
    where p.reporting_month = $month
    order by p.action_plan_id, c.commitment_number_sort, p.commitment_id
"""

# The member's plans in the month.
PLANS = f"""
    with {MEMBER_PLANS}
    select mp.member_code as report_member, f.*, p.action_plan_number, p.member_name, p.start_year, p.end_year
    from marts.fct_plan_progress_monthly f
    join member_plans mp on mp.action_plan_id = f.action_plan_id
    left join marts.dim_action_plans p on p.action_plan_id = f.action_plan_id
    where f.reporting_month = $month
    order by f.action_plan_id
"""

# Each plan's progress month by month since its first month.
PLAN_HISTORY = f"""
    with {MEMBER_PLANS}
    select s.member_code as report_member, h.action_plan_id, h.reporting_month, h.progress_percent, h.expected_percent
    from marts.fct_plan_progress_monthly h join member_plans s using (action_plan_id)
    where h.reporting_month <= $month and h.reporting_month >= s.period_start_month
    order by h.action_plan_id, h.reporting_month
"""

# Milestones behind schedule.
DELAYED_MILESTONES = f"""
    with {MEMBER_PLANS}
    select mp.member_code as report_member, s.milestone_code, m.milestone_title, m.responsible_institution,
           s.percent_complete, s.expected_percent, s.schedule_gap, m.planned_end, s.reporting_status
    from marts.fct_milestone_status_monthly s
    join member_plans mp on mp.action_plan_id = s.action_plan_id
    join marts.dim_milestones m using (milestone_code)
    where s.reporting_month = $month and s.schedule_status = 'delayed'
    order by s.schedule_gap, s.milestone_code
"""

# The data-quality annex: the member's own issues, and those no catalogue milestone ties to a member
# (in every report). Read for one member at a time (its count is the report's).
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
    select i.member_code as report_member, r.institution_name, r.milestones_due, r.not_reported, r.reported_late,
           r.report_deadline
    from marts.fct_institution_reporting_monthly r
    join (select distinct mp.member_code, trim(m.responsible_institution) as institution_name
          from marts.dim_milestones m join member_plans mp on mp.action_plan_id = m.action_plan_id) i
      on i.institution_name = r.institution_name
    where r.reporting_month = $month and r.not_reported > 0
    order by r.not_reported desc, r.institution_name
"""

# Milestones whose planned end or weight the core group changed.
REPLANNED_MILESTONES = f"""
    with {MEMBER_PLANS}
    select mp.member_code as report_member, m.milestone_code, m.milestone_title, m.responsible_institution,
           m.original_planned_end, m.planned_end, m.weight, m.original_weight
    from marts.dim_milestones m join member_plans mp on mp.action_plan_id = m.action_plan_id
    where m.is_replanned or m.weight <> m.original_weight
    order by milestone_code
"""
