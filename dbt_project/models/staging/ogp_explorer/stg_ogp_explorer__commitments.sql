with source as (

    -- The current version only: the most recently loaded file.
    select * from {{ source('ogp_explorer', 'ogp_explorer_commitments') }}
    where landed_file_id = {{ latest_landed_file(source('ogp_explorer', 'ogp_explorer_commitments')) }}

),

date_interpretations as (

    select * from {{ source('ingestion', 'date_interpretations') }}

),

renamed as (

    select
        country as member_name,
        cast({{ ogp_code('action_plan_number') }} as integer) as action_plan_number,
        commitment_number,
        commitment_title,
        lead_institution,
        cast({{ ogp_code('year_of_submission') }} as integer) as plan_year_of_submission,
        source.start_date as start_date_raw,
        start_dates.period_start as start_date,
        start_dates.date_precision as start_date_precision,
        source.end_date as end_date_raw,
        end_dates.period_end as end_date,
        end_dates.date_precision as end_date_precision,
        {{ irm_label('specificity') }} as irm_specificity,
        {{ ogp_code('specificity_code') }} as irm_specificity_code,
        {{ irm_label('potential_impact') }} as irm_potential_impact,
        {{ ogp_code('potential_impact_code') }} as irm_potential_impact_code,
        {{ irm_label('completion_progress') }} as irm_completion_progress,
        {{ ogp_code('completion_progress_code') }} as irm_completion_progress_code,
        {{ irm_label('completion_end_of_term') }} as irm_completion_end_of_term,
        {{ ogp_code('completion_end_of_term_code') }} as irm_completion_end_of_term_code,
        {{ irm_label('did_it_open_government') }} as irm_did_it_open_government,
        {{ ogp_code('did_it_open_government_code') }} as irm_did_it_open_government_code,
        source.landed_file_id

    from source
    left join date_interpretations as start_dates on start_dates.raw_text = source.start_date
    left join date_interpretations as end_dates on end_dates.raw_text = source.end_date

)

select * from renamed
