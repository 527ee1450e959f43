with source as (

    select * from {{ source('ogp_dashboard', 'ogp_dashboard_commitments') }}

),

latest_version as (

    -- Each export is a full picture; the most recently loaded one is current.
    select landed_file_id
    from source
    order by loaded_at desc, landed_file_id
    limit 1

),

renamed as (

    select
        source.commitment_unique_identifier as commitment_id,
        source.action_plan_id,
        source.code as member_code,
        source.country_locality as member_name,
        source.region,
        source.national_or_local as member_type,
        cast({{ ogp_null('source.action_plan_number') }} as integer) as action_plan_number,
        {{ ogp_null('source.commitment_number') }} as commitment_number,
        cast({{ ogp_null('source.year_of_submission') }} as integer) as plan_year_of_submission,
        cast({{ ogp_null('source.action_plan_end_year') }} as integer) as plan_end_year,
        {{ ogp_null('source.theme') }} as theme,
        {{ ogp_null('source.commitment_title') }} as commitment_title,
        {{ ogp_null('source.short_title') }} as short_title,
        {{ ogp_null('source.lead_institution') }} as lead_institution,
        {{ ogp_null('source.supporting_institution_s') }} as supporting_institutions,
        source.start_date as start_date_raw,
        coalesce({{ try_parse_date('source.start_date', '%m/%d/%Y') }}, {{ try_parse_date('source.start_date', '%Y-%m-%d') }}) as start_date,
        source.end_date as end_date_raw,
        coalesce({{ try_parse_date('source.end_date', '%m/%d/%Y') }}, {{ try_parse_date('source.end_date', '%Y-%m-%d') }}) as end_date,
        {{ ogp_null('source.url') }} as ogp_url,
        source.landed_file_id,
        cast(source.loaded_at as timestamp) as loaded_at

    from source
    inner join latest_version on source.landed_file_id = latest_version.landed_file_id

)

select * from renamed
