with source as (

    select * from {{ source('forms', 'progress_reports') }}

),

landed_files as (

    select * from {{ source('ingestion', 'landed_files') }}

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
        source.landed_file_id,
        source.source_row_number,
        cast(source.loaded_at as timestamp) as loaded_at,
        -- When its file arrived: orders reports that carry no submission time (never their hash).
        cast(landed_files.fetched_at as timestamp) as landed_at

    from source
    left join landed_files on landed_files.landed_file_id = source.landed_file_id

)

select * from renamed
