{# OGP exports mark missing values with sentinels: ND (no data), NR (not reviewed), NA (not
   applicable). They become NULL, never 0 (categorical columns keep which one: ogp_categorical). #}
{% macro ogp_null(expr) -%}
    case when upper(trim({{ expr }})) in ('ND', 'NR', 'NA', '') then null else trim({{ expr }}) end
{%- endmacro %}

{# A date in one format, NULL when the text is not in it (portable: DuckDB and PostgreSQL). #}
{% macro try_parse_date(expr, fmt) -%}
    {{ return(adapter.dispatch('try_parse_date')(expr, fmt)) }}
{%- endmacro %}

{% macro duckdb__try_parse_date(expr, fmt) -%}
    cast(try_strptime(trim({{ expr }}), '{{ fmt }}') as date)
{%- endmacro %}

{% macro postgres__try_parse_date(expr, fmt) -%}
    {%- set pg = {'%m/%d/%Y': ['MM/DD/YYYY', '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'],
                  '%Y-%m-%d': ['YYYY-MM-DD', '^[0-9]{4}-[0-9]{2}-[0-9]{2}$']}[fmt] -%}
    case when trim({{ expr }}) ~ '{{ pg[1] }}' then to_date(trim({{ expr }}), '{{ pg[0] }}') end
{%- endmacro %}

{# Months between two month-start dates, portable. #}
{% macro months_between(start_month, end_month) -%}
    {{ dbt.datediff(start_month, end_month, 'month') }}
{%- endmacro %}

{# A coded twin column (`_Specificity`), a year or a plan number as an integer (`2`, `2.0`);
   sentinels and any other text -> NULL (kept raw beside it), never a failed cast. #}
{% macro ogp_code(expr) -%}
    case when trim({{ expr }}) ~ '^-?[0-9]{1,9}(\.0+)?$' then cast(cast(trim({{ expr }}) as numeric(18, 3)) as integer) end
{%- endmacro %}

{# Sources that arrive whole each time (catalogues, exports): the rows of the most recently
   loaded file are the current version; earlier ones stay in raw for history. #}
{% macro latest_landed_file(relation) -%}
    (select landed_file_id from {{ relation }} order by loaded_at desc, landed_file_id limit 1)
{%- endmacro %}

{# The first capture group of a regular expression, NULL when it does not match (portable). #}
{% macro regex_group(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_group')(expr, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_group(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{% macro postgres__regex_group(expr, pattern) -%}
    substring({{ expr }} from '{{ pattern }}')
{%- endmacro %}
