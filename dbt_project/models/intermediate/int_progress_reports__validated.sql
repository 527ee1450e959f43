-- Each received report with whether the method may use it and, if not, why.
with reports as (

    select * from {{ ref('stg_forms__progress_reports') }}

),

milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

plan_periods as (

    select
        action_plan_id,
        {{ dbt.date_trunc('month', 'min(planned_start)') }} as first_month,
        {{ dbt.date_trunc('month', 'max(planned_end)') }} as last_month

    from milestones
    group by action_plan_id

),

validated as (

    select
        reports.*,
        milestones.commitment_id as catalogue_commitment_id,
        milestones.action_plan_id,
        case
            when milestones.milestone_code is null then 'unknown_milestone'
            when reports.commitment_id is not null and reports.commitment_id <> milestones.commitment_id
                then 'milestone_of_another_commitment'
            when
                reports.reporting_month < cast(plan_periods.first_month as date)
                or reports.reporting_month > cast({{ dbt.dateadd('month', var('report_grace_months_after_plan'), 'plan_periods.last_month') }} as date)
                then 'outside_plan_period'
            when reports.review_state = 'rejected' then 'rejected_by_counterpart'
            when reports.review_state = 'has_issues' then 'under_review_with_issues'
        end as rejection_rule

    from reports
    left join milestones on reports.milestone_code = milestones.milestone_code
    left join plan_periods on milestones.action_plan_id = plan_periods.action_plan_id

),

final as (

    select
        validated.*,
        rejection_rule is null as is_accepted,
        case rejection_rule
            when 'unknown_milestone' then 'milestone ' || milestone_code || ' is not in the plan catalogue'
            when 'milestone_of_another_commitment'
                then
                    'milestone ' || milestone_code || ' belongs to '
                    || catalogue_commitment_id || ', not to ' || commitment_id
            when 'outside_plan_period' then 'reporting month ' || coalesce(reporting_month_raw, '') || ' is outside the period of plan ' || action_plan_id
            when 'rejected_by_counterpart' then 'rejected by the civil-society counterpart'
            when 'under_review_with_issues' then 'the civil-society counterpart raised issues'
        end as rejection_reason

    from validated

)

select * from final
