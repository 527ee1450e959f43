-- The Dashboard's 86 policy-area flag columns as one row per commitment and area, the flag as
-- published (`1`, `0`, `ND`...) beside its reading, so a value that is neither is seen and counted.
with source as (

    select * from {{ source('ogp_dashboard', 'ogp_dashboard_commitments') }}
    where landed_file_id = {{ latest_landed_file(source('ogp_dashboard', 'ogp_dashboard_commitments')) }}

),

unpivoted as (

    {%- for column, label in ogp_policy_area_columns() %}
        select
            commitment_unique_identifier as commitment_id,
            '{{ column }}' as policy_area_code,
            '{{ label }}' as policy_area,
            nullif(trim({{ column }}), '') as flag_raw,
            case trim({{ column }}) when '1' then true when '0' then false end as is_flagged
        from source
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from unpivoted
