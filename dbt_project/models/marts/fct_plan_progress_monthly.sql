-- Plan % = unweighted mean of its commitments' % (each commitment counts the same).
with commitment_progress as (

    select * from {{ ref('fct_commitment_progress_monthly') }}

),

final as (

    select
        action_plan_id,
        reporting_month,
        avg(progress_percent) as progress_percent,
        avg(expected_percent) as expected_percent,
        count(*) as commitments,
        cast(sum(case when schedule_status = 'completed' then 1 else 0 end) as bigint) as commitments_completed,
        cast(sum(case when schedule_status = 'on_track' then 1 else 0 end) as bigint) as commitments_on_track,
        cast(sum(case when schedule_status = 'at_risk' then 1 else 0 end) as bigint) as commitments_at_risk,
        cast(sum(case when schedule_status = 'delayed' then 1 else 0 end) as bigint) as commitments_delayed,
        cast(sum(case when schedule_status = 'not_started' then 1 else 0 end) as bigint) as commitments_not_started

    from commitment_progress
    group by action_plan_id, reporting_month

)

select * from final
