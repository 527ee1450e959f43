-- Business rule: the weights of a commitment's milestones sum to 100. When they do not, the
-- method normalises them (and flags `weights_normalised`); this warns so the catalogue is fixed.
{{ config(severity='warn', meta={'rule': "Weights of a commitment's milestones sum to 100 (else normalised and flagged)"}) }}

with milestones as (

    select * from {{ ref('dim_milestones') }}

)

select commitment_id, sum(weight) as total_weight, count(*) as milestones
from milestones
group by commitment_id
having abs(sum(weight) - 100) > 0.001
