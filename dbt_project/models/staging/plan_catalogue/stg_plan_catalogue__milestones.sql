with source as (

    select * from {{ source('plan_catalogue', 'plan_milestones') }}

),

latest_version as (

    -- The catalogue arrives whole each time: the most recently loaded file is the current one.
    select landed_file_id
    from source
    order by loaded_at desc, landed_file_id
    limit 1

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
        source.landed_file_id,
        cast(source.loaded_at as timestamp) as loaded_at

    from source
    inner join latest_version on source.landed_file_id = latest_version.landed_file_id

)

select * from renamed
