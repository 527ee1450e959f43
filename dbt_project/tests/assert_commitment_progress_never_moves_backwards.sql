-- Business rule: a commitment's % does not go down from one month to the next unless a report
-- corrected it. Every such move is listed for the operator (warning: publication goes on, and the
-- snapshot records the warning) so the correction can be confirmed with the institution.
{{ config(severity='warn', meta={'rule': 'Commitment % never moves backwards without a flagged correction'}) }}

with progress as (

    select * from {{ ref('fct_commitment_progress_monthly') }}

),

with_previous as (

    select
        commitment_id,
        reporting_month,
        progress_percent,
        lag(progress_percent) over (partition by commitment_id order by reporting_month) as previous_percent

    from progress

)

select *
from with_previous
where progress_percent < previous_percent - 0.001
