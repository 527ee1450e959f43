-- Everything received that the figures do not use, and why: rows quarantined at ingestion and
-- reports excluded by validation. Feeds the data-quality annex of the monthly report.
with ingestion_quarantine as (

    select * from {{ ref('stg_ingestion__quarantine') }}

),

validation_exclusions as (

    select * from {{ ref('int_progress_reports__validated') }}
    where not is_accepted

),

unioned as (

    select
        'ingestion' as stage,
        source_name,
        rule_code,
        reason,
        submission_id,
        cast(null as varchar(32)) as milestone_code,
        reporting_month,
        landed_file_id,
        source_row_number,
        quarantined_at as detected_at

    from ingestion_quarantine

    union all

    select
        'validation' as stage,
        'progress_reports' as source_name,
        rejection_rule as rule_code,
        rejection_reason as reason,
        submission_id,
        milestone_code,
        reporting_month,
        landed_file_id,
        source_row_number,
        loaded_at as detected_at

    from validation_exclusions

)

select * from unioned
