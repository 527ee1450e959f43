-- What became of every value of OGP's files: per source and column, each distinct text as
-- published, how many rows hold it, and what it became (mapped to a canonical value, a sentinel
-- read as missing, a label no vocabulary seed holds, a date and its precision, personal data
-- redacted, an Explorer row linked or not). Nothing unmapped goes unexplained here.
with dashboard as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

explorer as (

    select * from {{ ref('int_ogp_explorer__linked') }}

),

policy_area_flags as (

    select * from {{ ref('stg_ogp_dashboard__policy_area_flags') }}

),

redactions as (

    select * from {{ ref('stg_ingestion__personal_data_redactions') }}

),

{%- set dashboard_categoricals = [
    ('National Or Local', 'member_type', 'ogp_member_types', false),
    ('Specificity', 'irm_specificity', 'ogp_irm_specificity', true),
    ('Potential Impact', 'irm_potential_impact', 'ogp_irm_potential_impact', true),
    ('Completion (Progress Report)', 'irm_completion_progress', 'ogp_irm_completion', true),
    ('Completion (End Of Term)', 'irm_completion_end_of_term', 'ogp_irm_completion', true),
    ('Did It Open Government (Overall)', 'irm_did_it_open_government', 'ogp_irm_did_it_open_government', true),
    ('Verifiable', 'irm_verifiable', 'ogp_irm_verifiable', false),
    ('Potential for Results', 'irm_potential_for_results', 'ogp_irm_potential_for_results', true),
    ('Early Results', 'irm_early_results', 'ogp_irm_early_results', true),
] %}
{%- set explorer_categoricals = [
    ('Specificity', 'irm_specificity', 'ogp_irm_specificity', true),
    ('Potential impact', 'irm_potential_impact', 'ogp_irm_potential_impact', true),
    ('Completion (progress report)', 'irm_completion_progress', 'ogp_irm_completion', true),
    ('Completion (end of term)', 'irm_completion_end_of_term', 'ogp_irm_completion', true),
    ('Did it open government', 'irm_did_it_open_government', 'ogp_irm_did_it_open_government', true),
] %}

categorical_values as (

    {%- for source_name, relation, columns in [('ogp_dashboard', 'dashboard', dashboard_categoricals), ('ogp_explorer', 'explorer', explorer_categoricals)] %}
        {%- for label, column, vocabulary, has_code in columns %}
            {% if not loop.first or source_name != 'ogp_dashboard' %}union all{% endif %}
            select
                '{{ source_name }}' as source_name,
                '{{ label }}' as source_column,
                {{ column }}_raw as raw_value,
                {{ column }} as mapped_to,
                {%- if has_code %}
                    case
                        when {{ column }}_raw is null then 'empty'
                        when {{ column }}_missing_reason is not null then 'missing: ' || {{ column }}_missing_reason
                        when {{ column }} is null then 'unknown'
                        when
                            {{ column }}_code is not null
                            and {{ column }}_code <> {{ column }}_vocabulary_code
                            then 'mapped; code contradicts label'
                        else 'mapped'
                    end as outcome,
                {%- else %}
                    case
                        when {{ column }}_raw is null then 'empty'
                        when {{ column }}_missing_reason is not null then 'missing: ' || {{ column }}_missing_reason
                        when {{ column }} is null then 'unknown'
                        else 'mapped'
                    end as outcome,
                {%- endif %}
                count(*) as source_rows
            from {{ relation }}
            group by 1, 2, 3, 4, 5
        {%- endfor %}
    {%- endfor %}

),

date_values as (

    {%- for source_name, relation in [('ogp_dashboard', 'dashboard'), ('ogp_explorer', 'explorer')] %}
        {%- for label, column in [('Start Date', 'start_date'), ('End Date', 'end_date')] %}
            {% if not loop.first or source_name != 'ogp_dashboard' %}union all{% endif %}
            select
                '{{ source_name }}' as source_name,
                '{{ label }}' as source_column,
                {{ column }}_raw as raw_value,
                cast({{ column }} as varchar) as mapped_to,
                case
                    when {{ column }}_raw is null then 'empty'
                    when {{ column }}_precision is null then 'unparsed'
                    when {{ column }}_precision in ('unparsed', 'not_given') then {{ column }}_precision
                    else 'date: ' || {{ column }}_precision
                end as outcome,
                count(*) as source_rows
            from {{ relation }}
            group by 1, 2, 3, 4, 5
        {%- endfor %}
    {%- endfor %}

),

policy_area_values as (

    -- The 86 flag columns are read as 1/0 (ND/NR/NA as missing); any other value is unknown.
    select
        'ogp_dashboard' as source_name,
        policy_area as source_column,
        flag_raw as raw_value,
        cast(is_flagged as varchar) as mapped_to,
        case
            when flag_raw is null then 'empty'
            when is_flagged is not null then 'mapped'
            when upper(flag_raw) in ('ND', 'NR', 'NA') then 'missing: sentinel'
            else 'unknown'
        end as outcome,
        count(*) as source_rows
    from policy_area_flags
    group by 1, 2, 3, 4, 5

),

explorer_links as (

    select
        'ogp_explorer' as source_name,
        'link to the Dashboard' as source_column,
        cast(null as varchar) as raw_value,
        dashboard_commitment_id as mapped_to,
        'linked: ' || match_method as outcome,
        count(*) as source_rows
    from explorer
    group by 1, 2, 3, 4, 5

),

personal_data as (

    select
        source_name,
        source_column,
        cast(null as varchar) as raw_value,
        cast(null as varchar) as mapped_to,
        'personal data redacted: ' || cast(sum(emails_redacted) as varchar) || ' e-mail(s), '
        || cast(sum(phones_redacted) as varchar) || ' phone(s)' as outcome,
        sum(rows_redacted) as source_rows
    from redactions
    where source_name in ('ogp_dashboard', 'ogp_explorer')
    group by 1, 2

),

final as (

    select * from categorical_values
    union all
    select * from date_values
    union all
    select * from policy_area_values
    union all
    select * from explorer_links
    union all
    select * from personal_data

)

select * from final
