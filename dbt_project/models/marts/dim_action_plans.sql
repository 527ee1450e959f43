with catalogue_milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

ogp_commitments as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

catalogue_plans as (

    select
        action_plan_id,
        min(planned_start) as period_start,
        max(planned_end) as period_end,
        count(distinct commitment_id) as tracked_commitments,
        count(*) as milestones

    from catalogue_milestones
    group by action_plan_id

),

tracked_members as (

    select * from {{ ref('stg_tracked_members__members') }}

),

explorer_rows as (

    select * from {{ ref('int_ogp_explorer__linked') }}

),

dashboard_plans as (

    select
        action_plan_id,
        max(member_code) as member_code,
        max(member_name) as member_name,
        max(member_type) as member_type,
        max(action_plan_number) as action_plan_number,
        max(plan_year_of_submission) as year_of_submission,
        max(plan_end_year) as end_year,
        count(*) as ogp_commitments

    from ogp_commitments
    where action_plan_id is not null
    group by action_plan_id

),

explorer_plans as (

    -- Plans of the 2011-2014 Explorer file that the Dashboard export does not hold.
    select
        action_plan_id,
        max(member_code) as member_code,
        max(member_name) as member_name,
        cast(null as varchar) as member_type,
        max(action_plan_number) as action_plan_number,
        max(plan_year_of_submission) as year_of_submission,
        cast(null as integer) as end_year,
        count(distinct commitment_id) as ogp_commitments

    from explorer_rows
    where action_plan_id not in (select action_plan_id from dashboard_plans)
    group by action_plan_id

),

ogp_plans as (

    select * from dashboard_plans
    union all
    select * from explorer_plans

),

plans as (

    select
        catalogue_plans.action_plan_id is not null as in_catalogue,
        catalogue_plans.period_start,
        catalogue_plans.period_end,
        catalogue_plans.tracked_commitments,
        catalogue_plans.milestones,
        ogp_plans.member_name,
        ogp_plans.member_type,
        ogp_plans.year_of_submission,
        ogp_plans.end_year,
        ogp_plans.ogp_commitments,
        coalesce(catalogue_plans.action_plan_id, ogp_plans.action_plan_id) as plan_id,
        -- A plan only in the catalogue: its member and number from its id (AP_<code><number>).
        coalesce(ogp_plans.member_code, {{ regex_group('catalogue_plans.action_plan_id', '^AP_([A-Z]+)[0-9]+$') }}) as plan_member_code,
        coalesce(
            ogp_plans.action_plan_number,
            cast({{ regex_group('catalogue_plans.action_plan_id', '^AP_[A-Z]+([0-9]+)$') }} as integer)
        ) as plan_number

    from catalogue_plans
    full outer join ogp_plans on catalogue_plans.action_plan_id = ogp_plans.action_plan_id

),

final as (

    select
        plans.plan_id as action_plan_id,
        plans.plan_member_code as member_code,
        coalesce(tracked_members.member_name, plans.member_name) as member_name,
        plans.member_type,
        plans.plan_number as action_plan_number,
        coalesce(plans.year_of_submission, cast(extract(year from plans.period_start) as integer)) as start_year,
        coalesce(plans.end_year, cast(extract(year from plans.period_end) as integer)) as end_year,
        plans.period_start,
        plans.period_end,
        coalesce(plans.tracked_commitments, 0) as tracked_commitments,
        coalesce(plans.milestones, 0) as milestones,
        plans.ogp_commitments,
        plans.in_catalogue as is_tracked,
        case
            when plans.period_start is null then 'not_tracked'
            when current_date < plans.period_start then 'planned'
            when current_date <= plans.period_end then 'implementation'
            else 'ended'
        end as status

    from plans
    left join tracked_members on tracked_members.member_code = plans.plan_member_code

)

select * from final
