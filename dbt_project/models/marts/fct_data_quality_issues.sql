-- Everything received that the figures do not use, and why: rows quarantined at ingestion and
-- reports excluded by validation. Feeds the data-quality annex of the monthly report. An issue
-- about a milestone and month is released when a later delivery brings an accepted report for
-- that milestone and month (the source corrected it); it stays listed, marked released.
with landed_files as (

    select * from {{ ref('stg_ingestion__landed_files') }}

),

intake_files as (

    select * from {{ ref('stg_ingestion__intake_files') }}

),

all_reports as (

    select * from {{ ref('int_progress_reports__validated') }}

),

ingestion_quarantine as (

    select * from {{ ref('stg_ingestion__quarantine') }}

),

validation_exclusions as (

    select * from {{ ref('int_progress_reports__validated') }}
    where not is_accepted

),

accepted_reports as (

    select * from {{ ref('int_progress_reports__validated') }}
    where is_accepted

),

unioned as (

    select
        'ingestion' as stage,
        source_name,
        rule_code,
        reason,
        submission_id,
        milestone_code,
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

),

corrections as (

    select
        unioned.stage,
        unioned.source_name,
        unioned.rule_code,
        unioned.submission_id,
        unioned.landed_file_id,
        unioned.source_row_number,
        min(accepted_reports.submission_id) as released_by_submission_id

    from unioned
    inner join accepted_reports
        on
            unioned.milestone_code = accepted_reports.milestone_code
            and unioned.reporting_month = accepted_reports.reporting_month
            and accepted_reports.loaded_at > unioned.detected_at
    group by
        unioned.stage, unioned.source_name, unioned.rule_code, unioned.submission_id,
        unioned.landed_file_id, unioned.source_row_number

),

-- The month a file is about: the month most of its reports name; and the month a delivery is
-- about: the month most reports received in the same run name (for a file that has no month of
-- its own: refused whole, or an archive whose member was refused).
file_month_counts as (

    select landed_file_id, reporting_month, count(*) as reports
    from all_reports
    where reporting_month is not null
    group by landed_file_id, reporting_month

),

file_months as (

    select landed_file_id, reporting_month
    from (
        select
            landed_file_id,
            reporting_month,
            row_number() over (partition by landed_file_id order by reports desc, reporting_month desc) as rank_in_file
        from file_month_counts
    ) ranked
    where rank_in_file = 1

),

run_month_counts as (

    select intake_files.run_id, file_month_counts.reporting_month, sum(file_month_counts.reports) as reports
    from file_month_counts
    inner join intake_files on intake_files.landed_file_id = file_month_counts.landed_file_id
    where intake_files.run_id is not null
    group by intake_files.run_id, file_month_counts.reporting_month

),

run_months as (

    select run_id, reporting_month
    from (
        select
            run_id,
            reporting_month,
            row_number() over (partition by run_id order by reports desc, reporting_month desc) as rank_in_run
        from run_month_counts
    ) ranked
    where rank_in_run = 1

),

delivery_months as (

    select
        intake_files.landed_file_id,
        max(coalesce(file_months.reporting_month, run_months.reporting_month)) as delivery_month
    from intake_files
    left join file_months on file_months.landed_file_id = intake_files.landed_file_id
    left join run_months on run_months.run_id = intake_files.run_id
    group by intake_files.landed_file_id

),

final as (

    select
        unioned.*,
        landed_files.file_name,
        -- The month whose annex lists it: the month it reports; a row or file that names none, the
        -- month its file or its delivery is about; failing that, once, the month being published
        -- when the file arrived (the month before).
        coalesce(
            unioned.reporting_month,
            file_months.reporting_month,
            delivery_months.delivery_month,
            cast({{ dbt.dateadd('month', -1, dbt.date_trunc('month', 'unioned.detected_at')) }} as date)
        ) as annex_month,
        case when corrections.released_by_submission_id is null then 'open' else 'released' end as issue_status,
        corrections.released_by_submission_id

    from unioned
    left join landed_files on landed_files.landed_file_id = unioned.landed_file_id
    left join file_months on file_months.landed_file_id = unioned.landed_file_id
    left join delivery_months on delivery_months.landed_file_id = unioned.landed_file_id
    left join corrections
        on
            unioned.stage = corrections.stage
            and unioned.source_name = corrections.source_name
            and unioned.rule_code = corrections.rule_code
            and coalesce(unioned.submission_id, '') = coalesce(corrections.submission_id, '')
            and coalesce(unioned.landed_file_id, '') = coalesce(corrections.landed_file_id, '')
            and coalesce(unioned.source_row_number, -1) = coalesce(corrections.source_row_number, -1)

)

select * from final
