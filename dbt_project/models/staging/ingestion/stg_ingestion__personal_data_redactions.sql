with source as (

    select * from {{ source('ingestion', 'personal_data_redactions') }}

),

renamed as (

    select
        source as source_name,
        landed_file_id,
        column_name as source_column,
        rows_redacted,
        emails_redacted,
        phones_redacted,
        cast(redacted_at as timestamp) as redacted_at

    from source

)

select * from renamed
