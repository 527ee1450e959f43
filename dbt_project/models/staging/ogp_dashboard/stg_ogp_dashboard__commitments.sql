{%- set categoricals = [
    ('source.national_or_local', 'ogp_member_types', 'member_type'),
    ('source.specificity', 'ogp_irm_specificity', 'irm_specificity', 'source.specificity_code'),
    ('source.potential_impact', 'ogp_irm_potential_impact', 'irm_potential_impact', 'source.potential_impact_code'),
    ('source.completion_progress_report', 'ogp_irm_completion', 'irm_completion_progress', 'source.completionprogress_code'),
    ('source.completion_end_of_term', 'ogp_irm_completion', 'irm_completion_end_of_term', 'source.completionendterm_code'),
    ('source.did_it_open_government_overall', 'ogp_irm_did_it_open_government', 'irm_did_it_open_government', 'source.opengovernment_code'),
    ('source.verifiable', 'ogp_irm_verifiable', 'irm_verifiable'),
    ('source.potential_for_results', 'ogp_irm_potential_for_results', 'irm_potential_for_results', 'source.potential_for_results_code'),
    ('source.early_results', 'ogp_irm_early_results', 'irm_early_results', 'source.early_results_code'),
] %}

with source as (

    -- The current version only: the most recently loaded file (macros/ogp_parsing.sql).
    select * from {{ source('ogp_dashboard', 'ogp_dashboard_commitments') }}
    where landed_file_id = {{ latest_landed_file(source('ogp_dashboard', 'ogp_dashboard_commitments')) }}

),

date_interpretations as (

    select * from {{ source('ingestion', 'date_interpretations') }}

),

plan_date_order as (

    -- Which way the plan writes numeric dates: day first only when its own unambiguous dates
    -- (31/12/2015) say so and none say month first (OGP's convention, the default).
    select
        coalesce(source.action_plan_id, source.landed_file_id) as plan_key,
        count(*) filter (where interpreted.day_month_order = 'day_first') > 0
        and count(*) filter (where interpreted.day_month_order = 'month_first') = 0 as is_day_first

    from source
    join date_interpretations as interpreted
        on interpreted.raw_text in (source.start_date, source.end_date)
    group by 1

),

renamed as (

    select
        source.commitment_unique_identifier as commitment_id,
        -- OGP's plan id; for a layout without it (the commitment sheet), the same id built from
        -- the member code and plan number when both are there (AP_ + code + 2 digits), else NULL.
        coalesce(
            nullif(trim(source.action_plan_id), ''),
            'AP_' || nullif(trim(source.code), '') || lpad(cast({{ ogp_code('source.action_plan_number') }} as varchar), 2, '0')
        ) as action_plan_id,
        source.code as member_code,
        source.country_locality as member_name,
        {{ ogp_member_name_column('source.country_locality') }},
        source.region,
        {{ ogp_code('source.action_plan_number') }} as action_plan_number,
        {{ ogp_null('source.commitment_number') }} as commitment_number,
        {{ ogp_commitment_number_key(ogp_null('source.commitment_number')) }} as commitment_number_key,
        {{ ogp_code('source.year_of_submission') }} as plan_year_of_submission,
        {{ ogp_code('source.action_plan_end_year') }} as plan_end_year,
        {{ ogp_null('source.theme') }} as theme,
        {{ ogp_null('source.commitment_title') }} as commitment_title,
        {{ ogp_null('source.short_title') }} as short_title,
        {{ ogp_null('source.full_text') }} as commitment_text,
        {{ ogp_null('source.lead_institution') }} as lead_institution,
        {{ ogp_null('source.supporting_institution_s') }} as supporting_institutions,
        -- Dates as written (`July 2014`, `Quarter 1 2019`, `2016`, `31/12/2015`), interpreted at
        -- ingestion with their precision: a start is the period's first day, an end its last; an
        -- ambiguous numeric date is read in its plan's order.
        source.start_date as start_date_raw,
        case
            when plan_date_order.is_day_first and start_dates.day_month_order = 'ambiguous'
                then start_dates.day_first_start
            else start_dates.period_start
        end as start_date,
        start_dates.date_precision as start_date_precision,
        source.end_date as end_date_raw,
        case
            when plan_date_order.is_day_first and end_dates.day_month_order = 'ambiguous'
                then end_dates.day_first_end
            else end_dates.period_end
        end as end_date,
        end_dates.date_precision as end_date_precision,
        coalesce(plan_date_order.is_day_first, false) as plan_writes_day_first,
        {{ ogp_null('source.url') }} as ogp_url,
        -- IRM assessments, old methodology (to 2020): labels from the vocabulary seeds, coded twins as integers.
        {{ ogp_code('source.report_publication_year_progress_report') }} as irm_progress_report_year,
        cast({{ ogp_code('source.starred_current_formula_progress_report') }} as integer) as irm_starred_progress,
        {{ ogp_code('source.report_publication_year_end_of_term') }} as irm_end_of_term_year,
        cast({{ ogp_code('source.starred_current_formula_end_of_term') }} as integer) as irm_starred_end_of_term,
        -- IRM assessments, new methodology (2021+); `Verifiable` is also filled for some older rows.
        -- Categorical fields from their vocabulary seeds (macros/ogp_crosswalks.sql).
        {%- for field in categoricals %}
            {{ ogp_categorical_columns(field) }},
        {%- endfor %}
        -- Policy-area flags: 1 -> true, 0 -> false, ND/NR/NA -> NULL.
        {%- for column, label in ogp_policy_area_columns() %}
            case trim(source.{{ column }}) when '1' then true when '0' then false end as policy_area__{{ column }},
        {%- endfor %}
        source.landed_file_id,
        source.source_row_number,
        cast(source.loaded_at as timestamp) as loaded_at

    from source
    left join plan_date_order on plan_date_order.plan_key = coalesce(source.action_plan_id, source.landed_file_id)
    left join date_interpretations as start_dates on start_dates.raw_text = source.start_date
    left join date_interpretations as end_dates on end_dates.raw_text = source.end_date
    {{ ogp_member_name_join('source.country_locality') }}
    {%- for field in categoricals %}
        {{ ogp_categorical_joins(field) }}
    {%- endfor %}

)

select * from renamed
