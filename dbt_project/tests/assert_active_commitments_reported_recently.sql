-- Business rule: every commitment of a plan in implementation has an accepted report within the
-- staleness window (var staleness_months) as of the latest complete month. Warning.
{{ config(severity='warn', meta={'rule': 'Every active commitment has a report in the last N months', 'dagster': {'ref': {'name': 'fct_milestone_status_monthly'}}}) }}

with milestone_status as (

    select * from {{ ref('fct_milestone_status_monthly') }}

),

plans as (

    select * from {{ ref('dim_action_plans') }}

),

latest_month as (

    select max(reporting_month) as reporting_month
    from milestone_status
    where reporting_month < {{ dbt.date_trunc('month', dbt.current_timestamp()) }}

),

latest as (

    select milestone_status.*
    from milestone_status
    inner join latest_month on milestone_status.reporting_month = latest_month.reporting_month
    inner join plans on milestone_status.action_plan_id = plans.action_plan_id
    where plans.status = 'implementation'

)

select
    commitment_id,
    reporting_month,
    max(last_report_month) as last_report_month

from latest
group by commitment_id, reporting_month
having max(last_report_month) is null
    or max(months_since_report) > {{ var('staleness_months') }}
