with catalogue_milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

final as (

    select
        milestone_code,
        commitment_id,
        action_plan_id,
        milestone_title,
        weight,
        planned_start,
        planned_end,
        responsible_institution

    from catalogue_milestones

)

select * from final
