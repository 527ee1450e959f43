with validated_reports as (

    select * from {{ ref('int_progress_reports__validated') }}

),

final as (

    select
        submission_id,
        milestone_code,
        catalogue_commitment_id as commitment_id,
        action_plan_id,
        reporting_month,
        percent_complete,
        reported_status,
        review_state,
        reporting_institution,
        narrative,
        evidence_urls,
        challenges,
        source_tool,
        submitted_at,
        landed_file_id

    from validated_reports
    where is_accepted

)

select * from final
