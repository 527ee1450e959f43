with source as (

    select * from {{ source('ingestion', 'quarantine') }}

),

renamed as (

    select
        source as source_name,
        landed_file_id,
        source_row_number,
        submission_id,
        rule as rule_code,
        reason,
        cast(reporting_month as date) as reporting_month,
        milestone_code,
        cast(quarantined_at as timestamp) as quarantined_at

    from source

)

select * from renamed
