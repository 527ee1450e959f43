-- Each Explorer row with the commitment it belongs to in the conformed dimension: the Dashboard's
-- commitment when member, plan and number agree AND the titles agree (equal, or alike enough:
-- Jaro-Winkler >= 0.92 on DuckDB), never on the key alone; otherwise the Explorer's own stable id.
-- A Dashboard commitment takes at most one Explorer commitment (the most alike).
with explorer as (

    select * from {{ ref('stg_ogp_explorer__commitments') }}

),

dashboard as (

    select * from {{ ref('stg_ogp_dashboard__commitments') }}

),

dashboard_keys as (

    select
        commitment_id,
        member_code,
        action_plan_id,
        member_name_key as member_key,
        action_plan_number,
        commitment_number_key,
        {{ ogp_title_key('commitment_title') }} as title_key,
        {{ ogp_title_key('short_title') }} as short_title_key

    from dashboard

),

explorer_commitments as (

    -- A commitment listed twice in the file (same member, plan, number and title) is one commitment.
    select
        explorer_commitment_id,
        max(member_name_key) as member_key,
        max(action_plan_number) as action_plan_number,
        max(commitment_number_key) as commitment_number_key,
        max(commitment_title_key) as commitment_title_key

    from explorer
    group by explorer_commitment_id

),

candidates as (

    select
        explorer_commitments.explorer_commitment_id,
        dashboard_keys.commitment_id,
        greatest(
            {{ title_similarity('explorer_commitments.commitment_title_key', 'dashboard_keys.title_key') }},
            {{ title_similarity('explorer_commitments.commitment_title_key', 'dashboard_keys.short_title_key') }}
        ) as title_similarity

    from explorer_commitments
    join dashboard_keys
        on
            dashboard_keys.member_key = explorer_commitments.member_key
            and dashboard_keys.action_plan_number = explorer_commitments.action_plan_number
            and dashboard_keys.commitment_number_key = explorer_commitments.commitment_number_key

),

ranked as (

    select
        *,
        row_number() over (partition by explorer_commitment_id order by title_similarity desc, commitment_id) as rank_for_explorer,
        row_number() over (partition by commitment_id order by title_similarity desc, explorer_commitment_id) as rank_for_dashboard

    from candidates
    where title_similarity >= 0.92

),

links as (

    select
        explorer_commitment_id,
        commitment_id as dashboard_commitment_id,
        case when title_similarity >= 1 then 'key_and_equal_title' else 'key_and_similar_title' end as match_method,
        title_similarity

    from ranked
    where rank_for_explorer = 1 and rank_for_dashboard = 1

),

-- Member codes by name, for Explorer commitments the Dashboard does not hold.
member_codes as (

    select member_key, max(member_code) as member_code
    from dashboard_keys
    where member_code is not null
    group by member_key

),

final as (

    select
        explorer.*,
        coalesce(links.dashboard_commitment_id, explorer.explorer_commitment_id) as commitment_id,
        links.dashboard_commitment_id,
        coalesce(links.match_method, 'explorer_only') as match_method,
        links.title_similarity,
        member_codes.member_code,
        -- OGP's plan id (AP_ALB01) where the member's code is known from the Dashboard; otherwise a
        -- stable stand-in from the member's name, so every Explorer plan is one plan.
        coalesce(
            'AP_' || member_codes.member_code,
            'AP_OGPX_' || upper(substr(md5(explorer.member_name_key), 1, 6))
        ) || coalesce(lpad(cast(explorer.action_plan_number as varchar), 2, '0'), 'XX') as action_plan_id

    from explorer
    left join links on links.explorer_commitment_id = explorer.explorer_commitment_id
    left join member_codes on member_codes.member_key = explorer.member_name_key

)

select * from final
