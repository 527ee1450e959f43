-- OGP members (countries and local governments) from the OGP export, plus any member whose plan
-- is tracked in the catalogue without being in the export (code from the plan id: AP_<code><nn>),
-- plus the members the deployment follows (OGP_TRACKED_MEMBERS), with the name it publishes.
with ogp_commitments as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

catalogue_milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

tracked_members as (

    select * from {{ ref('stg_tracked_members__members') }}

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

    select distinct {{ regex_group('action_plan_id', '^AP_([A-Z]+)[0-9]+$') }} as member_code
    from catalogue_milestones

),

known as (

    select member_code from from_export
    union
    select member_code from from_catalogue where member_code is not null
    union
    select member_code from tracked_members

),

final as (

    select
        known.member_code,
        coalesce(tracked_members.member_name, from_export.member_name) as member_name,
        from_export.region,
        -- From the seed ogp_member_types (Legacy Local is local); a type no seed holds stays NULL
        -- beside its raw text, counted in fct_ogp_value_reconciliation, never read as national.
        from_export.member_type,
        from_export.member_type_raw,
        tracked_members.member_code is not null as is_tracked,
        tracked_members.member_level,
        tracked_members.municipality,
        tracked_members.country

    from known
    left join from_export on from_export.member_code = known.member_code
    left join tracked_members on tracked_members.member_code = known.member_code

)

select * from final
