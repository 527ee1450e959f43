with source as (

    select * from {{ source('forms', 'indicator_values') }}

),

renamed as (

    select
        submission_id,
        cast(submitted_at as timestamp) as submitted_at,
        indicator_code,
        period_raw,
        cast(period_start as date) as period_start,
        period_precision,
        cast(value as double precision) as measured_value,
        evidence_url,
        institution as reporting_institution,
        landed_file_id,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
