{# A vocabulary seed gives each canonical value one code: two codes would make one label mean two things. #}
{% test one_code_per_value(model) %}
    select canonical_value from {{ model }}
    where canonical_code is not null
    group by canonical_value
    having count(distinct canonical_code) > 1
{% endtest %}
