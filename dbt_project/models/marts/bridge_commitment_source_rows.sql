-- Every row of OGP's files behind each conformed commitment, and how it was matched: the
-- Dashboard by its own id, Explorer rows by key and title or as the Explorer's own commitment.
with dashboard as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

explorer as (

    select * from {{ ref('int_ogp_explorer__linked') }}

),

unioned as (

    select
        commitment_id,
        'ogp_dashboard' as source_name,
        landed_file_id,
        source_row_number,
        commitment_id as source_key,
        'commitment_id' as match_method,
        cast(null as double precision) as title_similarity

    from dashboard

    union all

    select
        commitment_id,
        'ogp_explorer' as source_name,
        landed_file_id,
        source_row_number,
        explorer_commitment_id as source_key,
        match_method,
        cast(title_similarity as double precision) as title_similarity

    from explorer

)

select * from unioned
