with source as (

    -- The current version only: the most recently loaded file (macros/ogp_parsing.sql).
    select * from {{ source('plan_catalogue', 'plan_milestones') }}
    where landed_file_id = {{ latest_landed_file(source('plan_catalogue', 'plan_milestones')) }}

),

renamed as (

    select
        source.action_plan_id,
        source.commitment_id,
        source.commitment_number,
        source.milestone_code,
        source.milestone_title,
        cast(source.weight as double precision) as weight,
        cast(source.planned_start as date) as planned_start,
        cast(source.planned_end as date) as planned_end,
        source.responsible_institution,
        cast(source.withdrawn_on as date) as withdrawn_on,
        source.landed_file_id,
        cast(source.loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
