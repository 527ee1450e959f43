with milestone_progress as (

    select * from {{ ref('int_milestone_progress_monthly') }}

),

final as (

    select
        milestone_code,
        commitment_id,
        action_plan_id,
        reporting_month,
        weight,
        percent_complete,
        expected_percent,
        percent_complete - expected_percent as schedule_gap,
        schedule_status,
        reporting_status,
        last_report_month,
        last_submission_id,
        months_since_report

    from milestone_progress

)

select * from final
