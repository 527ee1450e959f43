-- One row per assessed commitment: how it fared, by the IRM's latest word on each measure.
-- The completion an end-of-term report gives outranks a progress report's; within a report type
-- the latest year wins. Used to compare commitments (fct_similar_commitments, `ogp similar`).
with

assessments as (

    select * from {{ ref('fct_irm_assessments') }}

),

ordered as (

    select
        *,
        case report_type
            when 'end_of_term_report' then 1
            when 'results_report' then 2
            when 'progress_report' then 3
            else 4
        end as report_priority

    from assessments

),

latest as (

    select
        commitment_id,
        (array_agg(methodology_version order by report_year desc nulls last, report_priority))[1] as methodology_version,
        (array_agg(completion order by report_priority, report_year desc nulls last) filter (where completion is not null))[1] as completion,
        max(completion_code) filter (where report_type = 'end_of_term_report') as end_of_term_completion_code,
        (array_agg(completion_code order by report_priority, report_year desc nulls last) filter (where completion is not null))[1] as completion_code,
        (array_agg(did_it_open_government order by report_priority, report_year desc nulls last) filter (where did_it_open_government is not null))[1] as did_it_open_government,
        (array_agg(did_it_open_government_code order by report_priority, report_year desc nulls last) filter (where did_it_open_government is not null))[1] as did_it_open_government_code,
        (array_agg(early_results order by report_priority, report_year desc nulls last) filter (where early_results is not null))[1] as early_results,
        (array_agg(early_results_code order by report_priority, report_year desc nulls last) filter (where early_results is not null))[1] as early_results_code,
        (array_agg(potential_impact order by report_year desc nulls last) filter (where potential_impact is not null))[1] as potential_impact,
        (array_agg(potential_for_results order by report_year desc nulls last) filter (where potential_for_results is not null))[1] as potential_for_results,
        max(starred) as starred

    from ordered
    group by commitment_id

),

final as (

    select
        commitment_id,
        methodology_version,
        completion,
        completion_code,
        did_it_open_government,
        early_results,
        potential_impact,
        potential_for_results,
        starred = 1 as is_starred,
        completion_code >= 4 as is_substantial_or_complete,
        coalesce(did_it_open_government_code >= 3 or early_results_code >= 2, false) as opened_government_notably,
        (
            completion is not null or did_it_open_government is not null or early_results is not null
            or potential_impact is not null or potential_for_results is not null
        ) as has_irm_verdict

    from latest

)

select * from final
