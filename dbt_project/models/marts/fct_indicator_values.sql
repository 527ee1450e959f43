-- Indicator x period: the last measurement sent for the period (a resend corrects it), with how
-- far it has gone from the baseline toward the target (0-100, whichever direction is progress).
with measurements as (

    select * from {{ ref('stg_forms__indicator_values') }}

),

indicators as (

    select * from {{ ref('stg_plan_catalogue__indicators') }}

),

ranked as (

    select
        measurements.*,
        row_number() over (
            partition by indicator_code, period_start, period_precision
            order by submitted_at desc, submission_id desc
        ) as measurement_rank

    from measurements

),

final as (

    select
        ranked.indicator_code,
        indicators.commitment_id,
        ranked.period_start,
        ranked.period_precision,
        ranked.period_raw,
        ranked.measured_value,
        indicators.baseline,
        indicators.target,
        case
            when indicators.target = indicators.baseline then null
            else greatest(0, least(
                100,
                100.0 * (ranked.measured_value - indicators.baseline) / (indicators.target - indicators.baseline)
            ))
        end as target_attainment_percent,
        ranked.evidence_url,
        ranked.submission_id

    from ranked
    inner join indicators on ranked.indicator_code = indicators.indicator_code
    where ranked.measurement_rank = 1

)

select * from final
