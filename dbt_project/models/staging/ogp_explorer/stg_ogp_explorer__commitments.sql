{%- set categoricals = [
    ('source.specificity', 'ogp_irm_specificity', 'irm_specificity', 'source.specificity_code'),
    ('source.potential_impact', 'ogp_irm_potential_impact', 'irm_potential_impact', 'source.potential_impact_code'),
    ('source.completion_progress', 'ogp_irm_completion', 'irm_completion_progress', 'source.completion_progress_code'),
    ('source.completion_end_of_term', 'ogp_irm_completion', 'irm_completion_end_of_term', 'source.completion_end_of_term_code'),
    ('source.did_it_open_government', 'ogp_irm_did_it_open_government', 'irm_did_it_open_government', 'source.did_it_open_government_code'),
] %}

with source as (

    -- The current version only: the most recently loaded file.
    select * from {{ source('ogp_explorer', 'ogp_explorer_commitments') }}
    where landed_file_id = {{ latest_landed_file(source('ogp_explorer', 'ogp_explorer_commitments')) }}

),

date_interpretations as (

    select * from {{ source('ingestion', 'date_interpretations') }}

),

plan_date_order as (

    -- As for the Dashboard: day first only when the plan's unambiguous dates say so.
    select
        source.country,
        source.action_plan_number,
        count(*) filter (where interpreted.day_month_order = 'day_first') > 0
        and count(*) filter (where interpreted.day_month_order = 'month_first') = 0 as is_day_first

    from source
    join date_interpretations as interpreted
        on interpreted.raw_text in (source.start_date, source.end_date)
    group by 1, 2

),

renamed as (

    select
        -- A stable id for a commitment the Explorer alone knows: the same member, plan, number
        -- and title give the same id in every load (the Explorer has no ids of its own).
        'OGPX-' || upper(substr(md5(
            lower(coalesce(member_alias.member_name, trim(source.country))) || '|' || coalesce({{ ogp_code('source.action_plan_number') }}, -1)
            || '|' || coalesce({{ ogp_commitment_number_key('source.commitment_number') }}, '')
            || '|' || coalesce({{ ogp_title_key('source.commitment_title') }}, '')
        ), 1, 12)) as explorer_commitment_id,
        source.country as member_name_raw,
        coalesce(member_alias.member_name, trim(source.country)) as member_name,
        {{ ogp_member_name_column('source.country') }},
        {{ ogp_code('source.action_plan_number') }} as action_plan_number,
        source.action_plan_number as action_plan_number_raw,
        source.commitment_number,
        {{ ogp_commitment_number_key('source.commitment_number') }} as commitment_number_key,
        source.commitment_title,
        {{ ogp_title_key('source.commitment_title') }} as commitment_title_key,
        source.short_title,
        source.full_text as commitment_text,
        source.theme,
        source.lead_institution,
        source.supporting_institutions,
        {{ ogp_code('source.year_of_submission') }} as plan_year_of_submission,
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
        {{ ogp_code('source.progress_report_year') }} as irm_progress_report_year,
        {{ ogp_code('source.end_of_term_year') }} as irm_end_of_term_year,
        {%- for field in categoricals %}
            {{ ogp_categorical_columns(field) }},
        {%- endfor %}
        {{ ogp_code('source.starred_progress') }} as irm_starred_progress,
        {{ ogp_code('source.starred_end_of_term') }} as irm_starred_end_of_term,
        source.landed_file_id,
        source.source_row_number

    from source
    left join plan_date_order
        on plan_date_order.country = source.country and plan_date_order.action_plan_number = source.action_plan_number
    left join date_interpretations as start_dates on start_dates.raw_text = source.start_date
    left join date_interpretations as end_dates on end_dates.raw_text = source.end_date
    {{ ogp_member_name_join('source.country') }}
    {%- for field in categoricals %}
        {{ ogp_categorical_joins(field) }}
    {%- endfor %}

)

select * from renamed
