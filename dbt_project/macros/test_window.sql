{# The data tests of a monthly fact (tag `monthly_fact`) read only the months its last build
   recomputed, the rows with its newest `computed_at`: the months before were tested when they
   were computed and have not changed since. A full rebuild (first build, --full-refresh, a new
   plan catalogue) recomputes every month with one `computed_at`, so its tests read everything.
   A test's own `where` config is kept as it is. Overrides dbt's default (dispatched) macro. #}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where and execute and model.attached_node -%}
        {%- set attached = graph.nodes.get(model.attached_node) -%}
        {%- if attached and 'monthly_fact' in attached.tags -%}
            {%- set where = 'computed_at = (select max(computed_at) from ' ~ relation ~ ')' -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
