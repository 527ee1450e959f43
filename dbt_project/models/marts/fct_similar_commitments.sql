-- Each commitment of the tracked plans beside its ten closest commitments of other OGP members,
-- and how the IRM judged those: what a co-creation table asks of a draft ("who else did this, and
-- how did it go?"). A consultation aid: similarity of text, not of context or ambition.
with

peers as (

    select * from {{ ref('stg_search__commitment_peers') }}

),

commitments as (

    select * from {{ ref('dim_commitments') }}

),

outcomes as (

    select * from {{ ref('fct_commitment_outcomes') }}

),

final as (

    select
        peers.commitment_id,
        own.action_plan_id,
        peers.peer_rank,
        peers.peer_commitment_id,
        peer.member_code as peer_member_code,
        peer.member_name as peer_member_name,
        peer.action_plan_id as peer_action_plan_id,
        peer.commitment_title as peer_commitment_title,
        peer.ogp_url as peer_ogp_url,
        cast(round(cast(peers.similarity_score as numeric(18, 6)), 4) as double precision) as similarity_score,
        cast(round(cast(peers.semantic_score as numeric(18, 6)), 4) as double precision) as semantic_score,
        cast(round(cast(peers.lexical_score as numeric(18, 6)), 4) as double precision) as lexical_score,
        outcomes.completion as peer_completion,
        outcomes.did_it_open_government as peer_did_it_open_government,
        outcomes.early_results as peer_early_results,
        outcomes.potential_impact as peer_potential_impact,
        outcomes.potential_for_results as peer_potential_for_results,
        coalesce(outcomes.is_starred, false) as peer_is_starred,
        coalesce(outcomes.has_irm_verdict, false) as peer_has_irm_verdict,
        peers.model_version

    from peers
    inner join commitments as own on own.commitment_id = peers.commitment_id
    inner join commitments as peer on peer.commitment_id = peers.peer_commitment_id
    left join outcomes on outcomes.commitment_id = peers.peer_commitment_id

)

select * from final
