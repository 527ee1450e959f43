with catalogue_milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

milestone_versions as (

    select * from {{ ref('snap_plan_milestones') }}

),

first_versions as (

    select
        milestone_code,
        planned_start as original_planned_start,
        planned_end as original_planned_end,
        weight as original_weight,
        row_number() over (partition by milestone_code order by dbt_valid_from) as version_number

    from milestone_versions

),

version_counts as (

    select milestone_code, count(*) as catalogue_versions
    from milestone_versions
    group by milestone_code

),

final as (

    select
        catalogue_milestones.milestone_code,
        catalogue_milestones.commitment_id,
        catalogue_milestones.action_plan_id,
        catalogue_milestones.milestone_title,
        catalogue_milestones.weight,
        catalogue_milestones.planned_start,
        catalogue_milestones.planned_end,
        coalesce(first_versions.original_planned_start, catalogue_milestones.planned_start) as original_planned_start,
        coalesce(first_versions.original_planned_end, catalogue_milestones.planned_end) as original_planned_end,
        coalesce(first_versions.original_weight, catalogue_milestones.weight) as original_weight,
        coalesce(first_versions.original_planned_end, catalogue_milestones.planned_end) <> catalogue_milestones.planned_end
        or coalesce(first_versions.original_planned_start, catalogue_milestones.planned_start) <> catalogue_milestones.planned_start
            as is_replanned,
        coalesce(version_counts.catalogue_versions, 1) as catalogue_versions,
        catalogue_milestones.responsible_institution

    from catalogue_milestones
    left join first_versions
        on
            catalogue_milestones.milestone_code = first_versions.milestone_code
            and first_versions.version_number = 1
    left join version_counts on catalogue_milestones.milestone_code = version_counts.milestone_code

)

select * from final
