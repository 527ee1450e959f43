-- The methodology, commitment level: weighted mean of milestone completion (weights normalised
-- when they do not sum to 100), the same for expected completion; semáforo from the gap; the IRM
-- completion level beside the %. Withdrawn milestones no longer count; a commitment whose every
-- milestone is withdrawn keeps its last figures and is 'withdrawn'.
-- Incremental: the months the milestone fact recomputed since this fact was last computed.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='reporting_month',
    on_schema_change='append_new_columns',
    tags=['monthly_fact'],
) }}

with milestone_status as (

    select * from {{ ref('fct_milestone_status_monthly') }}
    {%- if is_incremental() %}
    where {{ months_recomputed_since_this(ref('fct_milestone_status_monthly')) }}
    {%- endif %}

),

counted as (

    -- Milestones that count: all of them while any stands, else (all withdrawn) all of them for the record.
    select
        milestone_status.*,
        case
            when not is_withdrawn then true
            when bool_and(is_withdrawn) over (partition by commitment_id, reporting_month) then true
            else false
        end as counts

    from milestone_status

),

aggregated as (

    select
        commitment_id,
        action_plan_id,
        reporting_month,
        -- Sums in exact decimals: the same whatever order parallel threads add the milestones in.
        cast(sum(case when counts then cast(weight * percent_complete as numeric(38, 9)) end) as double precision)
        / nullif(cast(sum(case when counts then cast(weight as numeric(38, 9)) end) as double precision), 0) as progress_percent,
        cast(sum(case when counts then cast(weight * expected_percent as numeric(38, 9)) end) as double precision)
        / nullif(cast(sum(case when counts then cast(weight as numeric(38, 9)) end) as double precision), 0) as expected_percent,
        cast(sum(case when counts then cast(weight as numeric(38, 9)) end) as double precision) as total_weight,
        cast(sum(case when counts then 1 else 0 end) as bigint) as milestones,
        cast(sum(case when counts and percent_complete >= 100 then 1 else 0 end) as bigint) as milestones_completed,
        cast(sum(case when counts and reporting_status = 'no_report' then 1 else 0 end) as bigint) as milestones_without_report,
        cast(sum(case when counts and reporting_status = 'stale' then 1 else 0 end) as bigint) as milestones_stale,
        cast(sum(case when counts and reporting_status = 'reported' then 1 else 0 end) as bigint) as milestones_reported_this_month,
        cast(sum(case when is_withdrawn then 1 else 0 end) as bigint) as milestones_withdrawn,
        bool_and(is_withdrawn) as is_withdrawn

    from counted
    group by commitment_id, action_plan_id, reporting_month

),

-- Kept to 9 decimals, so BI tools and the published files see one stable figure.
rounded as (

    select
        aggregated.*,
        cast(progress_percent as numeric(38, 9)) as progress_exact,
        cast(expected_percent as numeric(38, 9)) as expected_exact

    from aggregated

),

final as (

    select
        commitment_id,
        action_plan_id,
        reporting_month,
        cast(progress_exact as double precision) as progress_percent,
        cast(round(progress_exact, 0) as integer) as progress_percent_rounded,
        cast(expected_exact as double precision) as expected_percent,
        total_weight,
        milestones,
        milestones_completed,
        milestones_without_report,
        milestones_stale,
        milestones_reported_this_month,
        cast(progress_exact - expected_exact as double precision) as schedule_gap,
        abs(total_weight - 100) > 0.001 as weights_normalised,
        case
            when is_withdrawn then 'withdrawn'
            when progress_exact >= 100 then 'completed'
            when progress_exact = 0 and expected_exact = 0 then 'not_started'
            when progress_exact - expected_exact < {{ var('semaforo_delayed_below') }} then 'delayed'
            when progress_exact - expected_exact < {{ var('semaforo_at_risk_below') }} then 'at_risk'
            else 'on_track'
        end as schedule_status,
        case
            when progress_exact >= 100 then 'Complete'
            when progress_exact >= {{ var('irm_substantial_from') }} then 'Substantial'
            when progress_exact > 0 then 'Limited'
            else 'Not started'
        end as irm_completion_level,
        milestones_withdrawn,
        cast({{ dbt.current_timestamp() }} as timestamp) as computed_at

    from rounded

)

select * from final
