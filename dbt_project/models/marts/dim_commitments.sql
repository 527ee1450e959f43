with catalogue_milestones as (

    select * from {{ ref('stg_plan_catalogue__milestones') }}

),

ogp_commitments as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

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

final as (

    select
        coalesce(catalogue_commitments.commitment_id, ogp_commitments.commitment_id) as commitment_id,
        coalesce(catalogue_commitments.action_plan_id, ogp_commitments.action_plan_id) as action_plan_id,
        ogp_commitments.member_code,
        coalesce(ogp_commitments.commitment_number, catalogue_commitments.commitment_number) as commitment_number,
        -- "2" < "10" and "3.2.5" after "3.2": each dotted part zero-padded (natural sort).
        {%- set number = "coalesce(ogp_commitments.commitment_number, catalogue_commitments.commitment_number, '')" %}
        lpad(coalesce({{ dbt.split_part(number, "'.'", 1) }}, ''), 4, '0') || '.'
            || lpad(coalesce({{ dbt.split_part(number, "'.'", 2) }}, ''), 4, '0') || '.'
            || lpad(coalesce({{ dbt.split_part(number, "'.'", 3) }}, ''), 4, '0') as commitment_number_sort,
        ogp_commitments.commitment_title,
        ogp_commitments.short_title,
        ogp_commitments.theme,
        coalesce(ogp_commitments.lead_institution, catalogue_commitments.responsible_institution) as lead_institution,
        ogp_commitments.supporting_institutions,
        coalesce(ogp_commitments.start_date, catalogue_commitments.planned_start) as start_date,
        coalesce(ogp_commitments.end_date, catalogue_commitments.planned_end) as end_date,
        coalesce(catalogue_commitments.milestones, 0) as milestones,
        catalogue_commitments.total_weight,
        catalogue_commitments.commitment_id is not null as is_tracked,
        ogp_commitments.ogp_url

    from catalogue_commitments
    full outer join ogp_commitments on catalogue_commitments.commitment_id = ogp_commitments.commitment_id

)

select * from final
