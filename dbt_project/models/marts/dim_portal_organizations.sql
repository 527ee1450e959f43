-- The institutions that publish on the national open-data portal, with what they publish: those
-- with no public dataset are listed too (organization_list), so an indicator of "datasets per
-- institution" shows zeros rather than leaving them out.
with organizations as (

    select * from {{ ref('stg_open_data_portal__organizations') }}

),

datasets as (

    select * from {{ ref('stg_open_data_portal__datasets') }}

),

published as (

    select
        organization_name,
        max(organization_title) as organization_title,
        count(*) as public_datasets,
        min(created_at) as first_dataset_at,
        max(created_at) as last_dataset_at

    from datasets
    where organization_name is not null
    group by organization_name

),

final as (

    select
        coalesce(organizations.organization_name, published.organization_name) as organization_name,
        coalesce(organizations.organization_title, published.organization_title) as organization_title,
        organizations.package_count as portal_package_count,
        cast(coalesce(published.public_datasets, 0) as bigint) as public_datasets,
        published.first_dataset_at,
        published.last_dataset_at,
        organizations.organization_name is not null as is_listed_by_portal

    from organizations
    full outer join published on published.organization_name = organizations.organization_name

)

select * from final
