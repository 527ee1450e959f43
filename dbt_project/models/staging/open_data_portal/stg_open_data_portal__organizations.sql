with source as (

    select * from {{ source('open_data_portal', 'portal_organizations') }}

),

latest as (

    -- The list is read whole; an organization's latest reading wins.
    select
        source.*,
        row_number() over (partition by organization_name order by loaded_at desc, landed_file_id) as reading_rank

    from source

),

renamed as (

    select
        organization_id,
        organization_name,
        organization_title,
        cast(package_count as integer) as package_count,
        cast(created_at as timestamp) as created_at,
        cast(loaded_at as timestamp) as loaded_at

    from latest
    where reading_rank = 1

)

select * from renamed
