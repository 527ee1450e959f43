with source as (

    select * from {{ source('local_government', 'local_government_index') }}

),

renamed as (

    select
        municipality,
        province,
        cast(year as integer) as index_year,
        cast(transparency as double precision) as transparency_score,
        cast(participation as double precision) as participation_score,
        cast(accountability as double precision) as accountability_score,
        cast(open_data as double precision) as open_data_score,
        cast(index_score as double precision) as index_score,
        landed_file_id,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
