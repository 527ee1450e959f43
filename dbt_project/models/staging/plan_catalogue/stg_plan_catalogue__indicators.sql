with source as (

    -- The current version only: the most recently loaded file (macros/ogp_parsing.sql).
    select * from {{ source('plan_catalogue', 'indicator_catalogue') }}
    where landed_file_id = {{ latest_landed_file(source('plan_catalogue', 'indicator_catalogue')) }}

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

)

select * from renamed
