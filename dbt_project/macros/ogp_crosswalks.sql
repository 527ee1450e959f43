{# How an OGP export's categorical text is looked up in its vocabulary seed: lower case, spaces
   folded, the Explorer's letter prefix (`b. Limited`, `a) low`) removed. #}
{% macro ogp_label_key(expr) -%}
    lower(trim(regexp_replace(regexp_replace(trim({{ expr }}), '^[A-Za-z][.)] *', ''), ' +', ' ', 'g')))
{%- endmacro %}

{# A categorical field of an OGP export is declared once in its staging model as
   (column, vocabulary seed, name[, coded twin column]); these two macros give its columns and its
   joins to the seeds (joins, not scalar subqueries: a staging view is read by many models).
   <name>            the canonical value; NULL for a sentinel, an empty cell or a label the seed
                     does not hold (never a neighbouring label)
   <name>_raw        the text as published
   <name>_missing_reason  which sentinel it was (no data, not reviewed, not applicable, ...)
   <name>_code       OGP's coded twin, kept only beside a mapped label (a sentinel's code is dropped)
   <name>_vocabulary_code  the code the seed gives the label (to see contradictions)
   Unknown labels are kept in <name>_raw and counted in fct_ogp_value_reconciliation. #}
{% macro ogp_categorical_columns(field) -%}
    {%- set expr, vocabulary, name = field[0], field[1], field[2] -%}
    xw_{{ name }}.canonical_value as {{ name }},
    nullif(trim({{ expr }}), '') as {{ name }}_raw,
    na_{{ name }}.missing_reason as {{ name }}_missing_reason,
    xw_{{ name }}.canonical_code as {{ name }}_vocabulary_code
    {%- if field | length > 3 %},
    case when xw_{{ name }}.canonical_value is not null then {{ ogp_code(field[3]) }} end as {{ name }}_code
    {%- endif %}
{%- endmacro %}

{% macro ogp_categorical_joins(field) -%}
    {%- set expr, vocabulary, name = field[0], field[1], field[2] -%}
    left join {{ ref(vocabulary) }} as xw_{{ name }} on xw_{{ name }}.source_label = {{ ogp_label_key(expr) }}
    left join {{ ref('ogp_missing_value_sentinels') }} as na_{{ name }} on na_{{ name }}.source_label = {{ ogp_label_key(expr) }}
{%- endmacro %}

{# A member name in one spelling across OGP's vintages: the column and the join to the seed. #}
{% macro ogp_member_name_column(expr, name='member_name_key') -%}
    lower(coalesce(member_alias.member_name, trim({{ expr }}))) as {{ name }}
{%- endmacro %}

{% macro ogp_member_name_join(expr) -%}
    left join {{ ref('ogp_member_name_aliases') }} as member_alias on member_alias.source_name = lower(trim({{ expr }}))
{%- endmacro %}

{# A commitment number as a key both vintages share: float noise rounded (`2.2999999999999998`
   -> `2.3`), trailing zeros of the decimal part dropped (`2.10` -> `2.1`, as the Explorer wrote
   it). Two numbers can share a key (2.1 and 2.10): links also need the titles to agree. #}
{% macro ogp_commitment_number_key(expr) -%}
    case
        when trim({{ expr }}) ~ '^[0-9]+\.[0-9]{6,}$'
            then regexp_replace(regexp_replace(cast(round(cast(trim({{ expr }}) as numeric(20, 10)), 2) as varchar), '0+$', ''), '\.$', '')
        when trim({{ expr }}) ~ '^[0-9]+\.[0-9]+$'
            then regexp_replace(regexp_replace(trim({{ expr }}), '0+$', ''), '\.$', '')
        else nullif(trim({{ expr }}), '')
    end
{%- endmacro %}

{# A title as compared when linking vintages: lower case, its leading number (`1. `, `2.3 `) and
   every non-letter/digit removed. #}
{% macro ogp_title_key(expr) -%}
    regexp_replace(lower(regexp_replace(trim({{ expr }}), '^[0-9]+(\.[0-9]+)*[.)]? *', '')), '[^a-z0-9áéíóúñü]+', '', 'g')
{%- endmacro %}

{# Whether a categorical field holds an assessment: a mapped value, or a label no seed holds yet
   (kept and counted, not dropped); sentinels and empty cells do not count. #}
{% macro ogp_has_value(name) -%}
    ({{ name }} is not null or ({{ name }}_raw is not null and {{ name }}_missing_reason is null))
{%- endmacro %}

{# How alike two title keys are, 0..1. PostgreSQL has no Jaro-Winkler without an extension:
   there only equal titles link. #}
{% macro title_similarity(a, b) -%}
    {{ return(adapter.dispatch('title_similarity')(a, b)) }}
{%- endmacro %}

{% macro duckdb__title_similarity(a, b) -%}
    jaro_winkler_similarity(coalesce({{ a }}, ''), coalesce({{ b }}, ''))
{%- endmacro %}

{% macro postgres__title_similarity(a, b) -%}
    case when {{ a }} = {{ b }} then 1.0 else 0.0 end
{%- endmacro %}
