with source as (

    select * from {{ source('plan_catalogue', 'indicator_catalogue') }}

),

latest_version as (

    -- Like the milestone catalogue, the indicator catalogue arrives whole: the last file is current.
    select landed_file_id
    from source
    order by loaded_at desc, landed_file_id
    limit 1

),

renamed as (

    select
        source.indicator_code,
        source.commitment_id,
        source.milestone_code,
        source.indicator_name,
        source.unit,
        cast(source.baseline as double precision) as baseline,
        cast(source.target as double precision) as target,
        source.frequency,
        source.direction,
        source.landed_file_id

    from source
    inner join latest_version on source.landed_file_id = latest_version.landed_file_id

)

select * from renamed
