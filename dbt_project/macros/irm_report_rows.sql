{# One IRM report type's rows of fct_irm_assessments: every assessment column, filled from
   `values` (column -> expression) where the report has it, NULL of its type (`empty`) otherwise. #}
{%- macro irm_report_rows(methodology, report_type, year, condition, values, empty) -%}
    select
        commitment_id, action_plan_id, source_name, export_vintage,
        '{{ methodology }}' as methodology_version, '{{ report_type }}' as report_type,
        cast({{ year }} as integer) as report_year
        {%- for column, type in empty.items() %},
        cast({{ values.get(column, 'null') }} as {{ type }}) as {{ column }}
        {%- endfor %}
    from classified
    where {{ condition }}
{%- endmacro %}
