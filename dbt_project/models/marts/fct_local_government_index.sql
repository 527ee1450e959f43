-- Municipality x year x dimension, with the rank of each municipality by its overall index in
-- that year and the change from its previous assessment. The latest landed value of a
-- municipality and year wins when a corrected file is sent.
with index_rows as (

    select * from {{ ref('stg_local_government__maturity_index') }}

),

latest as (

    select
        index_rows.*,
        row_number() over (partition by lower(municipality), index_year order by loaded_at desc, landed_file_id) as version_rank

    from index_rows

),

current_rows as (

    select * from latest where version_rank = 1

),

unpivoted as (

    select municipality, province, index_year, 'index' as dimension, index_score as score from current_rows
    union all
    select municipality, province, index_year, 'transparency', transparency_score from current_rows
    union all
    select municipality, province, index_year, 'participation', participation_score from current_rows
    union all
    select municipality, province, index_year, 'accountability', accountability_score from current_rows
    union all
    select municipality, province, index_year, 'open_data', open_data_score from current_rows

),

final as (

    select
        municipality,
        province,
        index_year,
        dimension,
        score,
        rank() over (partition by index_year, dimension order by score desc) as rank_in_year,
        score - lag(score) over (partition by municipality, dimension order by index_year) as change_from_previous

    from unpivoted
    where score is not null

)

select * from final
