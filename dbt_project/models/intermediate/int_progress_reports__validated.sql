-- Each received report with whether the method may use it and, if not, why.
with reports as (

    select * from {{ ref('stg_forms__progress_reports') }}

),

milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

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
            when reports.review_state = 'rejected' then 'rejected_by_counterpart'
            when reports.review_state = 'has_issues' then 'under_review_with_issues'
        end as rejection_rule

    from reports
    left join milestones on reports.milestone_code = milestones.milestone_code

),

final as (

    select
        validated.*,
        rejection_rule is null as is_accepted,
        case rejection_rule
            when 'unknown_milestone' then 'milestone ' || milestone_code || ' is not in the plan catalogue'
            when 'milestone_of_another_commitment' then 'milestone ' || milestone_code || ' belongs to '
                || catalogue_commitment_id || ', not to ' || commitment_id
            when 'rejected_by_counterpart' then 'rejected by the civil-society counterpart'
            when 'under_review_with_issues' then 'the civil-society counterpart raised issues'
        end as rejection_reason

    from validated

)

select * from final
