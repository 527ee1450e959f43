-- Incremental by load time (macros/incremental_window.sql, reports_validated_again): a run adds
-- the reports loaded since this fact was last built, and validates every report again when the
-- plan catalogue or the portal was loaded again since then.
{%- set validated_again = reports_validated_again() %}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='submission_id',
    on_schema_change='append_new_columns',
    pre_hook="{% if reports_validated_again() and is_incremental() %}delete from {{ this }}{% endif %}",
) }}

with validated_reports as (

    select * from {{ ref('int_progress_reports__validated') }}
    {%- if not validated_again %}
    where loaded_at > (select max(validated_at) from {{ this }})
    {%- endif %}

),

portal_datasets as (

    select * from {{ ref('stg_open_data_portal__datasets') }}

),

evidence_checks as (

    select * from {{ ref('stg_open_data_portal__evidence_checks') }}

),

portal_read as (

    select
        (select count(*) from portal_datasets) + (select count(*) from evidence_checks) > 0 as has_datasets

),

-- What the portal knows by name or id: its harvest, and package_show for links the harvest missed.
known_datasets as (

    select dataset_name as dataset_reference from portal_datasets
    union
    select lower(dataset_id) from portal_datasets
    union
    select dataset_reference from evidence_checks where is_found

),

with_evidence as (

    select
        validated_reports.*,
        lower({{ regex_group('validated_reports.evidence_urls', '/dataset/([A-Za-z0-9_-]+)') }}) as evidence_dataset_name

    from validated_reports

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
        evidence_dataset_name,
        -- NULL when the portal has not been read or the evidence is not a portal dataset link.
        case
            when evidence_dataset_name is null or not portal_read.has_datasets then null
            else evidence_dataset_name in (select dataset_reference from known_datasets where dataset_reference is not null)
        end as evidence_dataset_found,
        challenges,
        source_tool,
        submitted_at,
        landed_file_id,
        loaded_at,
        cast({{ dbt.current_timestamp() }} as timestamp) as validated_at

    from with_evidence
    cross join portal_read
    where is_accepted

)

select * from final
