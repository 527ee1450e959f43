-- Datasets published on the national open-data portal per institution and month (new in the
-- month and cumulative): an indicator the core group follows for the open-data commitments.
with datasets as (

    select * from {{ ref('stg_open_data_portal__datasets') }}

),

per_month as (

    select
        coalesce(organization_title, organization_name, 'sin organización') as publishing_institution,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as publication_month,
        count(*) as datasets_published

    from datasets
    group by 1, 2

),

final as (

    select
        publishing_institution,
        publication_month,
        datasets_published,
        cast(sum(datasets_published) over (
            partition by publishing_institution order by publication_month
            rows between unbounded preceding and current row
        ) as bigint) as datasets_cumulative

    from per_month

)

select * from final
