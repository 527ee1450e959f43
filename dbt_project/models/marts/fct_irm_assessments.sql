-- The IRM's assessments of each commitment, from every OGP vintage the platform reads: one row
-- per commitment x source x report type x methodology version, labels from the vocabulary seeds
-- beside OGP's numeric codes. Sentinels (ND/NR/NA, "No early results to report yet", Unclear) are
-- NULL with the reason kept, never 0 or a neighbouring label. A label no seed holds still makes
-- its row (the label NULL, its raw text counted in fct_ogp_value_reconciliation), so no
-- assessment is dropped for a word the platform has not seen.
-- Old methodology (IRM 2014-2020): progress report and end-of-term report; new (IRM 2021+, plans
-- submitted from 2021 or rows with its fields): action plan review and results report.
with dashboard as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

explorer as (

    select * from {{ ref('int_ogp_explorer__linked') }}

),

{%- set shared = [
    'irm_progress_report_year', 'irm_end_of_term_year', 'irm_starred_progress', 'irm_starred_end_of_term',
    'irm_specificity', 'irm_specificity_raw', 'irm_specificity_missing_reason', 'irm_specificity_code',
    'irm_potential_impact', 'irm_potential_impact_raw', 'irm_potential_impact_missing_reason', 'irm_potential_impact_code',
    'irm_completion_progress', 'irm_completion_progress_raw', 'irm_completion_progress_missing_reason', 'irm_completion_progress_code',
    'irm_completion_end_of_term', 'irm_completion_end_of_term_raw', 'irm_completion_end_of_term_missing_reason', 'irm_completion_end_of_term_code',
    'irm_did_it_open_government', 'irm_did_it_open_government_raw', 'irm_did_it_open_government_missing_reason', 'irm_did_it_open_government_code',
] %}
{%- set new_only = [
    ('irm_verifiable', 'varchar'), ('irm_verifiable_raw', 'varchar'), ('irm_verifiable_missing_reason', 'varchar'),
    ('irm_potential_for_results', 'varchar'), ('irm_potential_for_results_raw', 'varchar'),
    ('irm_potential_for_results_missing_reason', 'varchar'), ('irm_potential_for_results_code', 'integer'),
    ('irm_early_results', 'varchar'), ('irm_early_results_raw', 'varchar'),
    ('irm_early_results_missing_reason', 'varchar'), ('irm_early_results_code', 'integer'),
] %}

assessed as (

    select
        commitment_id, action_plan_id, 'ogp_dashboard' as source_name, 'OGP Data Dashboard' as export_vintage,
        plan_year_of_submission,
        {% for column in shared %}{{ column }}, {% endfor %}
        {% for column, type in new_only %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}

    from dashboard

    union all

    select
        commitment_id, action_plan_id, 'ogp_explorer' as source_name, 'OGP Explorer (2011-2014 plans)' as export_vintage,
        plan_year_of_submission,
        {% for column in shared %}{{ column }}, {% endfor %}
        {% for column, type in new_only %}cast(null as {{ type }}) as {{ column }}{% if not loop.last %}, {% endif %}{% endfor %}

    from explorer

),

classified as (

    select
        *,
        coalesce(plan_year_of_submission >= 2021, false)
        or {{ ogp_has_value('irm_potential_for_results') }}
        or {{ ogp_has_value('irm_early_results') }} as is_new_methodology

    from assessed

),

{%- set empty = {
    'specificity': 'varchar(32)', 'specificity_code': 'integer', 'potential_impact': 'varchar(32)', 'potential_impact_code': 'integer',
    'completion': 'varchar(32)', 'completion_code': 'integer', 'completion_missing_reason': 'varchar(32)',
    'did_it_open_government': 'varchar(32)', 'did_it_open_government_code': 'integer', 'did_it_open_government_missing_reason': 'varchar(32)',
    'starred': 'integer', 'verifiable': 'varchar(16)', 'potential_for_results': 'varchar(32)', 'potential_for_results_code': 'integer',
    'early_results': 'varchar(32)', 'early_results_code': 'integer', 'early_results_missing_reason': 'varchar(32)',
} %}


old_progress as (

    {{ irm_report_rows('IRM 2014-2020', 'progress_report', 'irm_progress_report_year',
        "not is_new_methodology and (" ~ ogp_has_value('irm_specificity') ~ " or " ~ ogp_has_value('irm_potential_impact')
        ~ " or " ~ ogp_has_value('irm_completion_progress') ~ " or " ~ ogp_has_value('irm_verifiable') ~ ")",
        {'specificity': 'irm_specificity', 'specificity_code': 'irm_specificity_code',
         'potential_impact': 'irm_potential_impact', 'potential_impact_code': 'irm_potential_impact_code',
         'completion': 'irm_completion_progress', 'completion_code': 'irm_completion_progress_code',
         'completion_missing_reason': 'irm_completion_progress_missing_reason',
         'starred': 'irm_starred_progress', 'verifiable': 'irm_verifiable'}, empty) }}

),

old_end_of_term as (

    {{ irm_report_rows('IRM 2014-2020', 'end_of_term_report', 'irm_end_of_term_year',
        "not is_new_methodology and (" ~ ogp_has_value('irm_completion_end_of_term') ~ " or " ~ ogp_has_value('irm_did_it_open_government') ~ ")",
        {'completion': 'irm_completion_end_of_term', 'completion_code': 'irm_completion_end_of_term_code',
         'completion_missing_reason': 'irm_completion_end_of_term_missing_reason',
         'did_it_open_government': 'irm_did_it_open_government', 'did_it_open_government_code': 'irm_did_it_open_government_code',
         'did_it_open_government_missing_reason': 'irm_did_it_open_government_missing_reason',
         'starred': 'irm_starred_end_of_term'}, empty) }}

),

new_review as (

    {{ irm_report_rows('IRM 2021+', 'action_plan_review', 'null',
        "is_new_methodology and (" ~ ogp_has_value('irm_verifiable') ~ " or " ~ ogp_has_value('irm_potential_for_results') ~ ")",
        {'verifiable': 'irm_verifiable', 'potential_for_results': 'irm_potential_for_results',
         'potential_for_results_code': 'irm_potential_for_results_code'}, empty) }}

),

new_results as (

    {{ irm_report_rows('IRM 2021+', 'results_report', 'irm_end_of_term_year',
        "is_new_methodology and (" ~ ogp_has_value('irm_completion_end_of_term') ~ " or " ~ ogp_has_value('irm_early_results') ~ ")",
        {'completion': 'irm_completion_end_of_term', 'completion_code': 'irm_completion_end_of_term_code',
         'completion_missing_reason': 'irm_completion_end_of_term_missing_reason',
         'early_results': 'irm_early_results', 'early_results_code': 'irm_early_results_code',
         'early_results_missing_reason': 'irm_early_results_missing_reason'}, empty) }}

),

unioned as (

    select * from old_progress
    union all
    select * from old_end_of_term
    union all
    select * from new_review
    union all
    select * from new_results

),

ranked as (

    -- An Explorer commitment listed twice in its file is assessed once (its first row; the
    -- duplicate stays in bridge_commitment_source_rows).
    select
        *,
        row_number() over (
            partition by commitment_id, source_name, methodology_version, report_type
            order by completion, did_it_open_government, specificity, potential_impact
        ) as occurrence
    from unioned

),

final as (

    select
        commitment_id, action_plan_id, source_name, export_vintage, methodology_version, report_type, report_year,
        {%- for column in empty %}
            {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from ranked
    where occurrence = 1

)

select * from final
