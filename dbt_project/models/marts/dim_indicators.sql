with indicators as (

    select * from {{ ref('stg_plan_catalogue__indicators') }}

),

final as (

    select
        indicator_code,
        commitment_id,
        milestone_code,
        case when milestone_code is null then 'commitment' else 'milestone' end as indicator_level,
        indicator_name,
        unit,
        baseline,
        target,
        frequency,
        direction

    from indicators

)

select * from final
