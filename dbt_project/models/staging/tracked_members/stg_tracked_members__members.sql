with source as (

    -- The current version only: the most recently loaded file (macros/ogp_parsing.sql).
    select * from {{ source('tracked_members', 'tracked_members') }}
    where landed_file_id = {{ latest_landed_file(source('tracked_members', 'tracked_members')) }}

),

renamed as (

    select
        member_code,
        member_name,
        member_level,
        municipality,
        country,
        landed_file_id,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
