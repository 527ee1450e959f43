with source as (

    -- The current version only: the most recently loaded file.
    select * from {{ source('ogp_explorer', 'ogp_explorer_commitments') }}
    where landed_file_id = {{ latest_landed_file(source('ogp_explorer', 'ogp_explorer_commitments')) }}

),

renamed as (

    select
        country as member_name,
        cast({{ ogp_code('action_plan_number') }} as integer) as action_plan_number,
        commitment_number,
        commitment_title,
        lead_institution,
        cast({{ ogp_code('year_of_submission') }} as integer) as plan_year_of_submission,
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
        landed_file_id

    from source

)

select * from renamed
