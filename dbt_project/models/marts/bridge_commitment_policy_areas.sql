-- One row per commitment and policy area it is flagged with in the OGP export (instead of 86
-- columns). Areas flagged ND/NR are not listed.
with commitments as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

unpivoted as (

    {%- for column, label in ogp_policy_area_columns() %}
        select commitment_id, '{{ column }}' as policy_area_code, '{{ label }}' as policy_area
        from commitments where policy_area__{{ column }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from unpivoted
