-- Plan % = unweighted mean of its commitments' % (each commitment counts the same); commitments
-- whose every milestone was withdrawn no longer count.
-- Incremental: the months the commitment fact recomputed since this fact was last computed.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='reporting_month',
    on_schema_change='append_new_columns',
    tags=['monthly_fact'],
) }}

with commitment_progress as (

    select * from {{ ref('fct_commitment_progress_monthly') }}
    {%- if is_incremental() %}
    where {{ months_recomputed_since_this(ref('fct_commitment_progress_monthly')) }}
    {%- endif %}

),

final as (

    select
        action_plan_id,
        reporting_month,
        -- Means from exact decimal sums: the same figure whatever order parallel threads add the
        -- commitments in (a sum of doubles is not), kept to 9 decimals.
        cast(cast(coalesce(
            cast(sum(case when schedule_status <> 'withdrawn' then cast(progress_percent as numeric(38, 9)) end) as double precision)
            / nullif(sum(case when schedule_status <> 'withdrawn' then 1 else 0 end), 0),
            cast(sum(cast(progress_percent as numeric(38, 9))) as double precision) / count(*)
        ) as numeric(38, 9)) as double precision) as progress_percent,
        cast(cast(coalesce(
            cast(sum(case when schedule_status <> 'withdrawn' then cast(expected_percent as numeric(38, 9)) end) as double precision)
            / nullif(sum(case when schedule_status <> 'withdrawn' then 1 else 0 end), 0),
            cast(sum(cast(expected_percent as numeric(38, 9))) as double precision) / count(*)
        ) as numeric(38, 9)) as double precision) as expected_percent,
        cast(sum(case when schedule_status <> 'withdrawn' then 1 else 0 end) as bigint) as commitments,
        cast(sum(case when schedule_status = 'completed' then 1 else 0 end) as bigint) as commitments_completed,
        cast(sum(case when schedule_status = 'on_track' then 1 else 0 end) as bigint) as commitments_on_track,
        cast(sum(case when schedule_status = 'at_risk' then 1 else 0 end) as bigint) as commitments_at_risk,
        cast(sum(case when schedule_status = 'delayed' then 1 else 0 end) as bigint) as commitments_delayed,
        cast(sum(case when schedule_status = 'not_started' then 1 else 0 end) as bigint) as commitments_not_started,
        cast(sum(case when schedule_status = 'withdrawn' then 1 else 0 end) as bigint) as commitments_withdrawn,
        cast({{ dbt.current_timestamp() }} as timestamp) as computed_at

    from commitment_progress
    group by action_plan_id, reporting_month

)

select * from final
