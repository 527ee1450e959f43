with source as (

    select * from {{ source('forms', 'progress_reports') }}

),

renamed as (

    select
        submission_id,
        source_tool,
        cast(submitted_at as timestamp) as submitted_at,
        cast(reporting_month as date) as reporting_month,
        reporting_month_raw,
        institution as reporting_institution,
        commitment_code as commitment_id,
        milestone_code,
        cast(percent_complete as double precision) as percent_complete,
        status as reported_status,
        narrative,
        evidence_urls,
        challenges,
        review_state,
        landed_file_id,
        source_row_number,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
