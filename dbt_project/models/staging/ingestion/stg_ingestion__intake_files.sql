with source as (

    select * from {{ source('ingestion', 'intake_files') }}

),

renamed as (

    select
        file_id as landed_file_id,
        source as source_name,
        file_name,
        archive_id,
        state as intake_state,
        reason,
        received,
        loaded,
        quarantined,
        warnings,
        run_id,
        cast(recorded_at as timestamp) as recorded_at

    from source
    where superseded_at is null

)

select * from renamed
