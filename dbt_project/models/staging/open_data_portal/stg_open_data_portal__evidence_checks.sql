with source as (

    select * from {{ source('open_data_portal', 'portal_evidence_checks') }}

),

latest as (

    -- A reference may be checked on several runs; the latest answer wins.
    select
        source.*,
        row_number() over (partition by dataset_reference order by loaded_at desc, landed_file_id) as check_rank

    from source

),

renamed as (

    select
        dataset_reference,
        cast(http_status as integer) as http_status,
        cast(found as boolean) as is_found,
        dataset_id,
        dataset_name,
        organization_name,
        cast(loaded_at as timestamp) as checked_at

    from latest
    where check_rank = 1

)

select * from renamed
