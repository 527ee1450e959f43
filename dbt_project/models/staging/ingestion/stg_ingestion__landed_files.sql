with source as (

    select * from {{ source('ingestion', 'landed_files') }}

),

renamed as (

    select
        landed_file_id,
        source as source_name,
        original_name as file_name,
        size_bytes,
        cast(fetched_at as timestamp) as landed_at

    from source

)

select * from renamed
