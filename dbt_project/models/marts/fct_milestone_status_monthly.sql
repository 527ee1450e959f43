-- The methodology, milestone level (docs/methodology.md):
--   milestone % in month M = the latest accepted report at or before M, carried forward;
--   flagged stale when that report is older than var('staleness_months'); no report ever -> 0;
--   expected % = time elapsed from planned start to planned end at the end of M, linearly;
--   withdrawn from the month of its withdrawal: kept for the record, no longer counted.
-- Incremental (macros/incremental_window.sql): only months from `rebuild_from` are computed, each
-- milestone starting from the fact's own row for the month before. Carry-forward uses a running
-- count of reports as a group key, portable to every target (PostgreSQL has no IGNORE NULLS).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='reporting_month',
    on_schema_change='append_new_columns',
    tags=['monthly_fact'],
) }}

{%- set rebuild_from = monthly_rebuild_from(ref('int_progress_reports__validated'), ref('stg_plan_catalogue__milestones')) %}

with milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

months as (

    select * from {{ ref('int_reporting_months') }}
    {%- if rebuild_from %}
    where reporting_month >= cast('{{ rebuild_from }}' as date)
    {%- endif %}

),

accepted_reports as (

    select * from {{ ref('int_progress_reports__validated') }}
    where is_accepted
    {%- if rebuild_from %}
        and reporting_month >= cast('{{ rebuild_from }}' as date)
    {%- endif %}

),

prior_state as (

    -- Where each milestone stood the month before the window (nothing on a full build).
    {%- if rebuild_from %}
    select
        milestone_code,
        percent_complete as prior_percent,
        last_report_month as prior_report_month,
        last_submission_id as prior_submission_id
    from {{ this }}
    where reporting_month = cast({{ dbt.dateadd('month', -1, "cast('" ~ rebuild_from ~ "' as date)") }} as date)
        and last_report_month is not null
    {%- else %}
        select
            cast(null as varchar) as milestone_code,
            cast(null as double precision) as prior_percent,
            cast(null as date) as prior_report_month,
            cast(null as varchar) as prior_submission_id
        where 1 = 0
    {%- endif %}

),

plan_periods as (

    -- A plan's months: from its first milestone's start to the reporting grace after its last
    -- milestone's end (reports for later months are rejected); its figures stay frozen after.
    select
        action_plan_id,
        cast({{ dbt.date_trunc('month', 'min(planned_start)') }} as date) as first_month,
        cast({{ dbt.dateadd('month', var('report_grace_months_after_plan'), dbt.date_trunc('month', 'max(planned_end)')) }} as date) as last_month

    from milestones
    group by action_plan_id

),

ranked_reports as (

    -- Several accepted reports for one milestone and month: the last one sent is the correction.
    -- A report without a submission time counts as sent when its file arrived, then by its place
    -- in the file; the submission id (a hash for some tools) only breaks exact ties.
    select
        milestone_code,
        reporting_month,
        percent_complete,
        submission_id,
        row_number() over (
            partition by milestone_code, reporting_month
            order by coalesce(submitted_at, landed_at, loaded_at) desc, landed_at desc, source_row_number desc, submission_id desc
        ) as report_rank

    from accepted_reports

),

monthly_reports as (

    select * from ranked_reports where report_rank = 1

),

milestone_months as (

    -- Only the keys: the carry-forward's window functions sort every milestone-month, and the
    -- milestone's other attributes are joined back after them (a small table).
    select
        milestones.milestone_code,
        months.reporting_month

    from milestones
    inner join plan_periods on milestones.action_plan_id = plan_periods.action_plan_id
    inner join months
        on
            months.reporting_month >= plan_periods.first_month
            and months.reporting_month <= plan_periods.last_month

),

with_reports as (

    select
        milestone_months.milestone_code,
        milestone_months.reporting_month,
        monthly_reports.percent_complete as reported_percent,
        monthly_reports.submission_id as reported_submission_id,
        case when monthly_reports.submission_id is not null then milestone_months.reporting_month end as reported_month,
        count(monthly_reports.submission_id) over (
            partition by milestone_months.milestone_code
            order by milestone_months.reporting_month
            rows between unbounded preceding and current row
        ) as report_group

    from milestone_months
    left join monthly_reports
        on
            milestone_months.milestone_code = monthly_reports.milestone_code
            and milestone_months.reporting_month = monthly_reports.reporting_month

),

carried_forward as (

    -- Group 0 (no report yet in the window) takes the prior state; later groups their report.
    select
        milestone_code,
        reporting_month,
        report_group,
        max(reported_percent) over (partition by milestone_code, report_group) as window_percent,
        max(reported_month) over (partition by milestone_code, report_group) as window_report_month,
        max(reported_submission_id) over (partition by milestone_code, report_group) as window_submission_id

    from with_reports

),

measured as (

    select
        milestones.milestone_code,
        milestones.commitment_id,
        milestones.action_plan_id,
        milestones.weight,
        milestones.planned_start,
        milestones.planned_end,
        milestones.withdrawn_on,
        carried_forward.reporting_month,
        months.month_end,
        case when report_group > 0 then window_percent else coalesce(prior_state.prior_percent, 0) end as percent_complete,
        case when report_group > 0 then window_report_month else prior_state.prior_report_month end as last_report_month,
        case when report_group > 0 then window_submission_id else prior_state.prior_submission_id end as last_submission_id

    from carried_forward
    inner join milestones on carried_forward.milestone_code = milestones.milestone_code
    inner join months on carried_forward.reporting_month = months.reporting_month
    left join prior_state on carried_forward.milestone_code = prior_state.milestone_code

),

scheduled as (

    select
        measured.*,
        case
            when last_report_month is not null
                then cast({{ months_between('last_report_month', 'reporting_month') }} as bigint)
        end as months_since_report,
        cast(case
            when month_end < planned_start then 0
            when month_end >= planned_end then 100
            else
                100.0 * {{ dbt.datediff('planned_start', 'month_end', 'day') }}
                / {{ dbt.datediff('planned_start', 'planned_end', 'day') }}
        end as double precision) as expected_percent,
        coalesce(withdrawn_on <= month_end, false) as is_withdrawn

    from measured

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
        case
            when is_withdrawn then 'withdrawn'
            when percent_complete >= 100 then 'completed'
            when percent_complete = 0 and month_end < planned_start then 'not_started'
            when percent_complete - expected_percent < {{ var('semaforo_delayed_below') }} then 'delayed'
            when percent_complete - expected_percent < {{ var('semaforo_at_risk_below') }} then 'at_risk'
            else 'on_track'
        end as schedule_status,
        case
            when is_withdrawn then 'withdrawn'
            when last_report_month is null then 'no_report'
            when last_report_month = reporting_month then 'reported'
            -- A completed milestone has nothing left to report: it is never stale.
            when months_since_report > {{ var('staleness_months') }} and percent_complete < 100 then 'stale'
            else 'carried_forward'
        end as reporting_status,
        last_report_month,
        last_submission_id,
        months_since_report,
        is_withdrawn,
        cast({{ dbt.current_timestamp() }} as timestamp) as computed_at

    from scheduled

)

select * from final
