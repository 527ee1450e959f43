-- Every plan of the catalogue belongs to a member the deployment follows (OGP_TRACKED_MEMBERS):
-- a plan of another member is still computed, but no member report publishes it until the
-- member is listed. A warning, so the members file is completed.
{{ config(severity='warn', meta={'rule': "Every plan of the catalogue belongs to a member listed in OGP_TRACKED_MEMBERS"}) }}

with plans as (

    select * from {{ ref('dim_action_plans') }}

),

members as (

    select * from {{ ref('dim_members') }}

)

select plans.action_plan_id, plans.member_code
from plans
left join members on members.member_code = plans.member_code
where plans.is_tracked and not coalesce(members.is_tracked, false)
