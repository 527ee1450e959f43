with

source as (

    select * from {{ source('search', 'commitment_peers') }}

),

renamed as (

    select
        commitment_id,
        cast(peer_rank as integer) as peer_rank,
        peer_commitment_id,
        cast(score as double precision) as similarity_score,
        cast(semantic_score as double precision) as semantic_score,
        cast(lexical_score as double precision) as lexical_score,
        model_version

    from source

)

select * from renamed
