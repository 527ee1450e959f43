{# Layer schemas are named as they are (staging, intermediate, marts), not prefixed with the
   target schema, so BI tools find `marts` under the same name on every target. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
