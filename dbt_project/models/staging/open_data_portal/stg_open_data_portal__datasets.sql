with source as (

    select * from {{ source('open_data_portal', 'portal_datasets') }}

),

latest as (

    -- The portal is read whole; a dataset's latest reading wins.
    select
        source.*,
        row_number() over (partition by dataset_id order by loaded_at desc, landed_file_id) as reading_rank

    from source

),

renamed as (

    select
        dataset_id,
        dataset_name,
        title as dataset_title,
        organization_name,
        organization_title,
        cast(metadata_created as timestamp) as created_at,
        cast(metadata_modified as timestamp) as modified_at,
        cast(resource_count as integer) as resource_count,
        resource_urls,
        cast(loaded_at as timestamp) as loaded_at

    from latest
    where reading_rank = 1

)

select * from renamed
