-- Every institution named as lead, responsible or reporting, once, with the roles it plays.
with milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

ogp_commitments as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

tracked_members as (

    select * from {{ ref('stg_tracked_members__members') }}

),

reports as (

    select * from {{ ref('stg_forms__progress_reports') }}

),

named as (

    select responsible_institution as institution_name, 'responsible' as institution_role from milestones
    union all
    select lead_institution, 'lead' from ogp_commitments
    where member_code in (select member_code from tracked_members) or commitment_id in (select commitment_id from milestones)
    union all
    select reporting_institution, 'reporting' from reports

),

final as (

    select
        {{ dbt.hash('lower(trim(institution_name))') }} as institution_id,
        min(trim(institution_name)) as institution_name,
        max(case when institution_role = 'lead' then 1 else 0 end) = 1 as is_lead,
        max(case when institution_role = 'responsible' then 1 else 0 end) = 1 as is_responsible,
        max(case when institution_role = 'reporting' then 1 else 0 end) = 1 as is_reporting

    from named
    where institution_name is not null and trim(institution_name) <> ''
    group by {{ dbt.hash('lower(trim(institution_name))') }}

)

select * from final
