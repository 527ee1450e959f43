-- Each institution's reporting record per month: the milestones it had to report on, reported by
-- the deadline (`report_due_day` of the next month), reported late, not reported, and the
-- receipts and reminders the platform delivered to it. A milestone is due in a month when it is
-- not withdrawn, its planned start has come, its plan has not ended and, unless reported that
-- month, it is not complete (correspondence/reminders.py reminds of the same milestones).
-- With the monthly facts (tag monthly_fact), rebuilt whole: one row per institution and month.
{{ config(materialized='table', tags=['monthly_fact']) }}

{%- set due_offset_days = (var('report_due_day') | int) - 1 %}

with milestone_months as (

    select * from {{ ref('fct_milestone_status_monthly') }}

),

milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

accepted_reports as (

    select * from {{ ref('int_progress_reports__validated') }}
    where is_accepted

),

delivered_messages as (

    select * from {{ ref('stg_correspondence__outbound_messages') }}
    where is_delivered and institution_id is not null and reporting_month is not null

),

plan_ends as (

    select action_plan_id, cast({{ dbt.date_trunc('month', 'max(planned_end)') }} as date) as last_month
    from milestones
    group by action_plan_id

),

first_reports as (

    -- When the institution first sent an accepted report for the milestone and month.
    select
        milestone_code,
        reporting_month,
        min(coalesce(submitted_at, landed_at, loaded_at)) as first_reported_at

    from accepted_reports
    group by milestone_code, reporting_month

),

due_milestones as (

    select
        {{ dbt.hash('lower(trim(milestones.responsible_institution))') }} as institution_id,
        trim(milestones.responsible_institution) as institution_name,
        milestone_months.reporting_month,
        cast({{ dbt.dateadd('day', due_offset_days, dbt.dateadd('month', 1, 'milestone_months.reporting_month')) }} as date) as report_deadline,
        cast(first_reports.first_reported_at as date) as first_reported_on

    from milestone_months
    inner join milestones on milestone_months.milestone_code = milestones.milestone_code
    inner join plan_ends on milestones.action_plan_id = plan_ends.action_plan_id
    left join first_reports
        on
            milestone_months.milestone_code = first_reports.milestone_code
            and milestone_months.reporting_month = first_reports.reporting_month
    where
        not milestone_months.is_withdrawn
        and cast({{ dbt.date_trunc('month', 'milestones.planned_start') }} as date) <= milestone_months.reporting_month
        and milestone_months.reporting_month <= plan_ends.last_month
        and (milestone_months.reporting_status = 'reported' or milestone_months.percent_complete < 100)
        and milestones.responsible_institution is not null
        and trim(milestones.responsible_institution) <> ''

),

institution_months as (

    select
        institution_id,
        min(institution_name) as institution_name,
        reporting_month,
        min(report_deadline) as report_deadline,
        count(*) as milestones_due,
        count(case when first_reported_on <= report_deadline then 1 end) as reported_on_time,
        count(case when first_reported_on > report_deadline then 1 end) as reported_late,
        count(case when first_reported_on is null then 1 end) as not_reported

    from due_milestones
    group by institution_id, reporting_month

),

messages_sent as (

    select
        institution_id,
        reporting_month,
        count(case when message_kind = 'receipt' then 1 end) as receipts_sent,
        count(case when message_kind = 'reminder' then 1 end) as reminders_sent,
        count(case when message_kind = 'escalation' then 1 end) as escalations_sent

    from delivered_messages
    group by institution_id, reporting_month

),

final as (

    select
        institution_months.institution_id,
        institution_months.institution_name,
        institution_months.reporting_month,
        institution_months.report_deadline,
        institution_months.milestones_due,
        institution_months.reported_on_time,
        institution_months.reported_late,
        institution_months.not_reported,
        cast(coalesce(messages_sent.receipts_sent, 0) as bigint) as receipts_sent,
        cast(coalesce(messages_sent.reminders_sent, 0) as bigint) as reminders_sent,
        cast(coalesce(messages_sent.escalations_sent, 0) as bigint) as escalations_sent,
        -- As the monthly facts have it: their tests read the rows of the last build.
        cast({{ dbt.current_timestamp() }} as timestamp) as computed_at

    from institution_months
    left join messages_sent
        on
            institution_months.institution_id = messages_sent.institution_id
            and institution_months.reporting_month = messages_sent.reporting_month

)

select * from final
