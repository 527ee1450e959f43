with source as (

    -- The current version only: the most recently loaded file (macros/ogp_parsing.sql).
    select * from {{ source('ogp_dashboard', 'ogp_dashboard_commitments') }}
    where landed_file_id = {{ latest_landed_file(source('ogp_dashboard', 'ogp_dashboard_commitments')) }}

),

date_interpretations as (

    select * from {{ source('ingestion', 'date_interpretations') }}

),

renamed as (

    select
        source.commitment_unique_identifier as commitment_id,
        source.action_plan_id,
        source.code as member_code,
        source.country_locality as member_name,
        source.region,
        source.national_or_local as member_type,
        cast({{ ogp_null('source.action_plan_number') }} as integer) as action_plan_number,
        {{ ogp_null('source.commitment_number') }} as commitment_number,
        cast({{ ogp_null('source.year_of_submission') }} as integer) as plan_year_of_submission,
        cast({{ ogp_null('source.action_plan_end_year') }} as integer) as plan_end_year,
        {{ ogp_null('source.theme') }} as theme,
        {{ ogp_null('source.commitment_title') }} as commitment_title,
        {{ ogp_null('source.short_title') }} as short_title,
        {{ ogp_null('source.lead_institution') }} as lead_institution,
        {{ ogp_null('source.supporting_institution_s') }} as supporting_institutions,
        -- Dates as written (`July 2014`, `Quarter 1 2019`, `2016`, `31/12/2015`), interpreted at
        -- ingestion with their precision: a start is the period's first day, an end its last.
        source.start_date as start_date_raw,
        start_dates.period_start as start_date,
        start_dates.date_precision as start_date_precision,
        source.end_date as end_date_raw,
        end_dates.period_end as end_date,
        end_dates.date_precision as end_date_precision,
        {{ ogp_null('source.url') }} as ogp_url,
        -- IRM assessments, old methodology (to 2020): labels canonicalised, coded twins as integers.
        cast({{ ogp_null('source.report_publication_year_progress_report') }} as integer) as irm_progress_report_year,
        {{ irm_label('source.specificity') }} as irm_specificity,
        {{ ogp_code('source.specificity_code') }} as irm_specificity_code,
        {{ ogp_null_reason('source.specificity') }} as irm_specificity_missing_reason,
        {{ irm_label('source.potential_impact') }} as irm_potential_impact,
        {{ ogp_code('source.potential_impact_code') }} as irm_potential_impact_code,
        {{ irm_label('source.completion_progress_report') }} as irm_completion_progress,
        {{ ogp_code('source.completionprogress_code') }} as irm_completion_progress_code,
        {{ ogp_null_reason('source.completion_progress_report') }} as irm_completion_progress_missing_reason,
        cast({{ ogp_null('source.starred_current_formula_progress_report') }} as integer) as irm_starred_progress,
        cast({{ ogp_null('source.report_publication_year_end_of_term') }} as integer) as irm_end_of_term_year,
        {{ irm_label('source.completion_end_of_term') }} as irm_completion_end_of_term,
        {{ ogp_code('source.completionendterm_code') }} as irm_completion_end_of_term_code,
        {{ ogp_null_reason('source.completion_end_of_term') }} as irm_completion_end_of_term_missing_reason,
        {{ irm_label('source.did_it_open_government_overall') }} as irm_did_it_open_government,
        {{ ogp_code('source.opengovernment_code') }} as irm_did_it_open_government_code,
        cast({{ ogp_null('source.starred_current_formula_end_of_term') }} as integer) as irm_starred_end_of_term,
        -- IRM assessments, new methodology (2021+).
        {{ irm_label('source.verifiable') }} as irm_verifiable,
        {{ irm_label('source.potential_for_results') }} as irm_potential_for_results,
        {{ ogp_code('source.potential_for_results_code') }} as irm_potential_for_results_code,
        {{ ogp_null_reason('source.potential_for_results') }} as irm_potential_for_results_missing_reason,
        {{ irm_label('source.early_results') }} as irm_early_results,
        {{ ogp_code('source.early_results_code') }} as irm_early_results_code,
        {{ ogp_null_reason('source.early_results') }} as irm_early_results_missing_reason,
        -- Policy-area flags: 1 -> true, 0 -> false, ND/NR/NA -> NULL.
        {%- for column, label in ogp_policy_area_columns() %}
        case trim(source.{{ column }}) when '1' then true when '0' then false end as policy_area__{{ column }},
        {%- endfor %}
        source.landed_file_id,
        cast(source.loaded_at as timestamp) as loaded_at

    from source
    left join date_interpretations as start_dates on start_dates.raw_text = source.start_date
    left join date_interpretations as end_dates on end_dates.raw_text = source.end_date

)

select * from renamed
