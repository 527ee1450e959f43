-- The IRM's assessments of each commitment, one row per commitment x report type x methodology
-- version, labels and numeric codes side by side. Sentinels (ND/NR/NA) are NULL with the reason
-- kept, never 0. Old methodology (to 2020): progress report and end-of-term report; new (2021+):
-- action plan review and results report.
with commitments as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

old_progress as (

    select
        commitment_id, action_plan_id,
        'IRM 2014-2020' as methodology_version, 'progress_report' as report_type,
        cast(irm_progress_report_year as integer) as report_year,
        cast(irm_specificity as varchar(32)) as specificity, cast(irm_specificity_code as integer) as specificity_code,
        cast(irm_potential_impact as varchar(32)) as potential_impact, cast(irm_potential_impact_code as integer) as potential_impact_code,
        cast(irm_completion_progress as varchar(32)) as completion, cast(irm_completion_progress_code as integer) as completion_code,
        cast(irm_completion_progress_missing_reason as varchar(32)) as completion_missing_reason,
        cast(null as varchar(32)) as did_it_open_government, cast(null as integer) as did_it_open_government_code,
        cast(irm_starred_progress as integer) as starred,
        cast(null as varchar(16)) as verifiable,
        cast(null as varchar(32)) as potential_for_results, cast(null as integer) as potential_for_results_code,
        cast(null as varchar(32)) as early_results, cast(null as integer) as early_results_code

    from commitments
    where coalesce(irm_specificity, irm_potential_impact, irm_completion_progress) is not null

),

old_end_of_term as (

    select
        commitment_id, action_plan_id,
        'IRM 2014-2020' as methodology_version, 'end_of_term_report' as report_type,
        cast(irm_end_of_term_year as integer) as report_year,
        cast(null as varchar(32)) as specificity, cast(null as integer) as specificity_code,
        cast(null as varchar(32)) as potential_impact, cast(null as integer) as potential_impact_code,
        cast(irm_completion_end_of_term as varchar(32)) as completion, cast(irm_completion_end_of_term_code as integer) as completion_code,
        cast(irm_completion_end_of_term_missing_reason as varchar(32)) as completion_missing_reason,
        cast(irm_did_it_open_government as varchar(32)) as did_it_open_government,
        cast(irm_did_it_open_government_code as integer) as did_it_open_government_code,
        cast(irm_starred_end_of_term as integer) as starred,
        cast(null as varchar(16)) as verifiable,
        cast(null as varchar(32)) as potential_for_results, cast(null as integer) as potential_for_results_code,
        cast(null as varchar(32)) as early_results, cast(null as integer) as early_results_code

    from commitments
    where irm_did_it_open_government is not null

),

new_review as (

    select
        commitment_id, action_plan_id,
        'IRM 2021+' as methodology_version, 'action_plan_review' as report_type,
        cast(null as integer) as report_year,
        cast(null as varchar(32)) as specificity, cast(null as integer) as specificity_code,
        cast(null as varchar(32)) as potential_impact, cast(null as integer) as potential_impact_code,
        cast(null as varchar(32)) as completion, cast(null as integer) as completion_code,
        cast(null as varchar(32)) as completion_missing_reason,
        cast(null as varchar(32)) as did_it_open_government, cast(null as integer) as did_it_open_government_code,
        cast(null as integer) as starred,
        cast(irm_verifiable as varchar(16)) as verifiable,
        cast(irm_potential_for_results as varchar(32)) as potential_for_results,
        cast(irm_potential_for_results_code as integer) as potential_for_results_code,
        cast(null as varchar(32)) as early_results, cast(null as integer) as early_results_code

    from commitments
    where irm_potential_for_results is not null

),

new_results as (

    select
        commitment_id, action_plan_id,
        'IRM 2021+' as methodology_version, 'results_report' as report_type,
        cast(irm_end_of_term_year as integer) as report_year,
        cast(null as varchar(32)) as specificity, cast(null as integer) as specificity_code,
        cast(null as varchar(32)) as potential_impact, cast(null as integer) as potential_impact_code,
        cast(irm_completion_end_of_term as varchar(32)) as completion, cast(irm_completion_end_of_term_code as integer) as completion_code,
        cast(irm_completion_end_of_term_missing_reason as varchar(32)) as completion_missing_reason,
        cast(null as varchar(32)) as did_it_open_government, cast(null as integer) as did_it_open_government_code,
        cast(null as integer) as starred,
        cast(null as varchar(16)) as verifiable,
        cast(null as varchar(32)) as potential_for_results, cast(null as integer) as potential_for_results_code,
        cast(irm_early_results as varchar(32)) as early_results, cast(irm_early_results_code as integer) as early_results_code

    from commitments
    where irm_early_results is not null

),

unioned as (

    select * from old_progress
    union all select * from old_end_of_term
    union all select * from new_review
    union all select * from new_results

)

select * from unioned
