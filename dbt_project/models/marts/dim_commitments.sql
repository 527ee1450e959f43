-- The conformed commitment dimension: every commitment once, whether it is tracked in a plan
-- catalogue, in OGP's Data Dashboard export, or only in OGP's older Explorer file (2011-2014
-- plans, under its stable id). Explorer rows linked to a Dashboard commitment add nothing here
-- but their source rows (bridge_commitment_source_rows) and their assessments.
with catalogue_milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

ogp_commitments as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

explorer_rows as (

    select * from {{ ref('int_ogp_explorer__linked') }}

),

catalogue_commitments as (

    select
        commitment_id,
        max(action_plan_id) as action_plan_id,
        max(commitment_number) as commitment_number,
        max(responsible_institution) as responsible_institution,
        min(planned_start) as planned_start,
        max(planned_end) as planned_end,
        count(*) as milestones,
        sum(weight) as total_weight

    from catalogue_milestones
    group by commitment_id

),

linked_explorer as (

    select distinct dashboard_commitment_id as commitment_id
    from explorer_rows
    where dashboard_commitment_id is not null

),

dashboard_and_catalogue as (

    select
        coalesce(catalogue_commitments.commitment_id, ogp_commitments.commitment_id) as commitment_id,
        coalesce(catalogue_commitments.action_plan_id, ogp_commitments.action_plan_id) as action_plan_id,
        ogp_commitments.member_code,
        ogp_commitments.member_name,
        ogp_commitments.member_type,
        coalesce(ogp_commitments.commitment_number, catalogue_commitments.commitment_number) as commitment_number,
        ogp_commitments.commitment_title,
        ogp_commitments.short_title,
        ogp_commitments.theme,
        ogp_commitments.commitment_text,
        coalesce(ogp_commitments.lead_institution, catalogue_commitments.responsible_institution) as lead_institution,
        ogp_commitments.supporting_institutions,
        coalesce(ogp_commitments.start_date, catalogue_commitments.planned_start) as start_date,
        coalesce(ogp_commitments.end_date, catalogue_commitments.planned_end) as end_date,
        coalesce(catalogue_commitments.milestones, 0) as milestones,
        catalogue_commitments.total_weight,
        catalogue_commitments.commitment_id is not null as is_tracked,
        ogp_commitments.ogp_url,
        case
            when ogp_commitments.commitment_id is null then 'plan_catalogue'
            when linked_explorer.commitment_id is not null then 'ogp_dashboard+ogp_explorer'
            else 'ogp_dashboard'
        end as ogp_sources

    from catalogue_commitments
    full outer join ogp_commitments on catalogue_commitments.commitment_id = ogp_commitments.commitment_id
    left join linked_explorer on linked_explorer.commitment_id = ogp_commitments.commitment_id

),

from_explorer as (

    -- Commitments only the Explorer holds (a commitment listed twice in it is one).
    select
        commitment_id,
        max(action_plan_id) as action_plan_id,
        max(member_code) as member_code,
        max(member_name) as member_name,
        cast(null as varchar) as member_type,
        max(commitment_number) as commitment_number,
        max(commitment_title) as commitment_title,
        max(short_title) as short_title,
        max(theme) as theme,
        max(commitment_text) as commitment_text,
        max(lead_institution) as lead_institution,
        max(supporting_institutions) as supporting_institutions,
        min(start_date) as start_date,
        max(end_date) as end_date,
        0 as milestones,
        cast(null as double precision) as total_weight,
        false as is_tracked,
        cast(null as varchar) as ogp_url,
        'ogp_explorer' as ogp_sources

    from explorer_rows
    where match_method = 'explorer_only'
    group by commitment_id

),

unioned as (

    select * from dashboard_and_catalogue
    union all
    select * from from_explorer

),

final as (

    select
        commitment_id,
        action_plan_id,
        member_code,
        member_name,
        member_type,
        commitment_number,
        -- "2" < "10" and "3.2.5" after "3.2": each dotted part zero-padded (natural sort).
        lpad(coalesce({{ dbt.split_part("coalesce(commitment_number, '')", "'.'", 1) }}, ''), 4, '0') || '.'
        || lpad(coalesce({{ dbt.split_part("coalesce(commitment_number, '')", "'.'", 2) }}, ''), 4, '0') || '.'
        || lpad(coalesce({{ dbt.split_part("coalesce(commitment_number, '')", "'.'", 3) }}, ''), 4, '0') as commitment_number_sort,
        commitment_title,
        short_title,
        theme,
        commitment_text,
        lead_institution,
        supporting_institutions,
        start_date,
        end_date,
        milestones,
        total_weight,
        is_tracked,
        ogp_url,
        ogp_sources

    from unioned

)

select * from final
