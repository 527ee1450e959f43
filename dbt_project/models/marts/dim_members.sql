-- OGP members (countries and local governments) from the OGP export, plus any member whose plan
-- is tracked in the catalogue without being in the export (code from the plan id AP_ECU02 -> ECU).
with ogp_commitments as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

catalogue_milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

from_export as (

    select
        member_code,
        max(member_name) as member_name,
        max(region) as region,
        max(member_type) as member_type,
        max(member_type_raw) as member_type_raw

    from ogp_commitments
    where member_code is not null
    group by member_code

),

from_catalogue as (

    select distinct {{ dbt.split_part('substr(action_plan_id, 4)', "'0'", 1) }} as member_code
    from catalogue_milestones

),

final as (

    select
        coalesce(from_export.member_code, from_catalogue.member_code) as member_code,
        from_export.member_name,
        from_export.region,
        -- From the seed ogp_member_types (Legacy Local is local); a type no seed holds stays NULL
        -- beside its raw text, counted in fct_ogp_value_reconciliation, never read as national.
        from_export.member_type,
        from_export.member_type_raw

    from from_export
    full outer join from_catalogue on from_export.member_code = from_catalogue.member_code

)

select * from final
