-- The methodology, commitment level: weighted mean of milestone completion (weights normalised
-- when they do not sum to 100), the same for expected completion; semáforo from the gap; the IRM
-- completion level beside the %.
with milestone_progress as (

    select * from {{ ref('int_milestone_progress_monthly') }}

),

aggregated as (

    select
        commitment_id,
        action_plan_id,
        reporting_month,
        sum(weight * percent_complete) / nullif(sum(weight), 0) as progress_percent,
        sum(weight * expected_percent) / nullif(sum(weight), 0) as expected_percent,
        sum(weight) as total_weight,
        count(*) as milestones,
        cast(sum(case when percent_complete >= 100 then 1 else 0 end) as bigint) as milestones_completed,
        cast(sum(case when reporting_status = 'no_report' then 1 else 0 end) as bigint) as milestones_without_report,
        cast(sum(case when reporting_status = 'stale' then 1 else 0 end) as bigint) as milestones_stale,
        cast(sum(case when reporting_status = 'reported' then 1 else 0 end) as bigint) as milestones_reported_this_month

    from milestone_progress
    group by commitment_id, action_plan_id, reporting_month

),

final as (

    select
        aggregated.*,
        cast(round(cast(progress_percent as numeric), 0) as integer) as progress_percent_rounded,
        progress_percent - expected_percent as schedule_gap,
        abs(total_weight - 100) > 0.001 as weights_normalised,
        case
            when progress_percent >= 100 then 'completed'
            when progress_percent = 0 and expected_percent = 0 then 'not_started'
            when progress_percent - expected_percent < {{ var('semaforo_delayed_below') }} then 'delayed'
            when progress_percent - expected_percent < {{ var('semaforo_at_risk_below') }} then 'at_risk'
            else 'on_track'
        end as schedule_status,
        case
            when progress_percent >= 100 then 'Complete'
            when progress_percent >= {{ var('irm_substantial_from') }} then 'Substantial'
            when progress_percent > 0 then 'Limited'
            else 'Not started'
        end as irm_completion_level

    from aggregated

)

select * from final
