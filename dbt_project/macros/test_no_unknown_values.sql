{# Values of OGP's files that no vocabulary seed maps and dates nobody could read: listed with
   their counts, as a warning (they never stop a publication). #}
{% test no_unknown_values(model) %}
    select source_name, source_column, raw_value, outcome, source_rows
    from {{ model }}
    where outcome in ('unknown', 'unparsed')
{% endtest %}
