-- How OGP commitments moved on the IRM's completion scale from mid-term (the progress report) to
-- the end of term, over every commitment the warehouse holds with both (the IRM 2014-2020 method:
-- the 2021+ method assesses completion once). A commitment both exports carry is counted once,
-- from the Data Dashboard (the current export). Read by fct_commitment_outlook_monthly.
with assessments as (

    select * from {{ ref('fct_irm_assessments') }}
    where methodology_version = 'IRM 2014-2020' and completion is not null

),

paired as (

    select
        mid_term.commitment_id,
        mid_term.completion as from_level,
        end_of_term.completion as to_level,
        row_number() over (
            partition by mid_term.commitment_id
            order by case mid_term.source_name when 'ogp_dashboard' then 0 else 1 end, mid_term.source_name
        ) as source_rank

    from assessments as mid_term
    inner join assessments as end_of_term
        on
            mid_term.commitment_id = end_of_term.commitment_id
            and mid_term.source_name = end_of_term.source_name
            and end_of_term.report_type = 'end_of_term_report'
    where mid_term.report_type = 'progress_report'

),

final as (

    select
        from_level,
        to_level,
        count(*) as commitments

    from paired
    where source_rank = 1
    group by from_level, to_level

)

select * from final
