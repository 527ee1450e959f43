-- Where each tracked commitment is heading (docs/methodology.md §11): the likelihood that it ends
-- its plan Substantial or Complete on the IRM's scale, from two things, each kept as evidence:
--   its own course: its progress extended to the plan's end at the pace so far (progress divided
--   by the share of its time elapsed), turned into a likelihood around the IRM's Substantial
--   threshold (var irm_substantial_from) by a logistic of width var outlook_course_width;
--   OGP's history: of the commitments at its current completion level at mid-term, how many ended
--   Substantial or Complete (fct_irm_completion_transitions, Laplace-smoothed: (k + 1) / (n + 2)).
-- The two are weighted by the share of the commitment's time elapsed: early on the history
-- speaks, near the end its own course. A projection, not a verdict. After the last month its
-- plan's facts cover, a commitment keeps its last state, month by month to the current one.
{{ config(materialized='table', tags=['monthly_fact']) }}

with progress as (

    select * from {{ ref('fct_commitment_progress_monthly') }}

),

months as (

    select * from {{ ref('int_reporting_months') }}

),

labels as (

    select * from {{ ref('ogp_labels_es') }}

),

last_facts as (

    select progress.*
    from progress
    inner join (
        select progress_by_month.commitment_id, max(progress_by_month.reporting_month) as last_month
        from progress as progress_by_month group by progress_by_month.commitment_id
    ) as latest on progress.commitment_id = latest.commitment_id and progress.reporting_month = latest.last_month

),

progress_every_month as (

    select
        commitment_id, action_plan_id, reporting_month, progress_percent, irm_completion_level,
        milestones_without_report, milestones_stale
    from progress

    union all

    select
        last_facts.commitment_id, last_facts.action_plan_id, months.reporting_month, last_facts.progress_percent,
        last_facts.irm_completion_level, last_facts.milestones_without_report, last_facts.milestones_stale
    from last_facts
    inner join months on months.reporting_month > last_facts.reporting_month

),

tracked_commitments as (

    select * from {{ ref('dim_commitments') }}
    where is_tracked

),

milestones as (

    select * from {{ ref('dim_milestones') }}

),

transitions as (

    select * from {{ ref('fct_irm_completion_transitions') }}

),

commitment_periods as (

    select
        commitment_id,
        min(planned_start) as starts_on,
        max(planned_end) as ends_on,
        count(case when is_replanned then 1 end) as milestones_replanned

    from milestones
    group by commitment_id

),

history as (

    select
        lower(from_level) as level_key,
        sum(commitments) as commitments_at_level,
        sum(case when to_level in ('Substantial', 'Complete') then commitments else 0 end) as ended_substantial_or_complete

    from transitions
    group by lower(from_level)

),

course as (

    select
        progress.commitment_id,
        progress.action_plan_id,
        progress.reporting_month,
        progress.progress_percent,
        progress.irm_completion_level,
        progress.milestones_without_report,
        progress.milestones_stale,
        commitment_periods.milestones_replanned,
        least(greatest(
            1.0 * {{ dbt.datediff('commitment_periods.starts_on', dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'progress.reporting_month')), 'day') }}
            / greatest({{ dbt.datediff('commitment_periods.starts_on', 'commitment_periods.ends_on', 'day') }}, 1),
            0.0
        ), 1.0) as elapsed_fraction

    from progress_every_month as progress
    inner join tracked_commitments on progress.commitment_id = tracked_commitments.commitment_id
    inner join commitment_periods on progress.commitment_id = commitment_periods.commitment_id

),

projected as (

    select
        course.*,
        case
            when progress_percent >= 100 or elapsed_fraction >= 1 then progress_percent
            when elapsed_fraction > 0 then least(100.0, progress_percent / elapsed_fraction)
        end as projected_percent_at_end

    from course

),

weighed as (

    select
        projected.*,
        coalesce(history.commitments_at_level, 0) as history_commitments,
        coalesce(history.ended_substantial_or_complete, 0) as history_substantial_or_complete,
        (coalesce(history.ended_substantial_or_complete, 0) + 1.0) / (coalesce(history.commitments_at_level, 0) + 2.0) as history_probability,
        case
            when projected_percent_at_end is not null then
                1.0 / (1.0 + exp(-(projected_percent_at_end - {{ var('irm_substantial_from') }}) / {{ var('outlook_course_width') }}))
        end as course_probability

    from projected
    left join history on lower(projected.irm_completion_level) = history.level_key

),

labelled as (

    -- The level as the reader reads it in the basis text (in Spanish; as it came when unknown).
    select weighed.*, coalesce(labels.label_es, weighed.irm_completion_level) as irm_completion_label
    from weighed
    left join labels on lower(labels.canonical_value) = lower(weighed.irm_completion_level)

),

final as (

    select
        commitment_id,
        action_plan_id,
        reporting_month,
        progress_percent,
        cast(100 * elapsed_fraction as double precision) as elapsed_percent,
        cast(projected_percent_at_end as double precision) as projected_percent_at_end,
        irm_completion_level,
        cast(history_commitments as bigint) as history_commitments,
        cast(history_substantial_or_complete as bigint) as history_substantial_or_complete,
        cast(history_probability as double precision) as history_probability,
        cast(course_probability as double precision) as course_probability,
        cast(case
            when course_probability is null then history_probability
            else elapsed_fraction * course_probability + (1 - elapsed_fraction) * history_probability
        end as double precision) as probability_substantial_or_complete,
        milestones_without_report,
        milestones_stale,
        cast(milestones_replanned as bigint) as milestones_replanned,
        'Proyección, no veredicto. '
        || case
            when projected_percent_at_end is null
                then 'Aún no empieza su plazo. '
            when elapsed_fraction >= 1
                then 'Su plazo terminó con ' || cast(cast(round(progress_percent) as integer) as varchar) || ' % de avance. '
            else
                'Al ritmo actual (' || cast(cast(round(progress_percent) as integer) as varchar) || ' % con '
                || cast(cast(round(100 * elapsed_fraction) as integer) as varchar) || ' % del plazo transcurrido) llegaría a '
                || cast(cast(round(projected_percent_at_end) as integer) as varchar) || ' % al cierre. '
        end
        || case
            when history_commitments = 0
                then
                    'Ningún compromiso de OGP en el almacén tiene evaluación a mitad y al final de término en el nivel «'
                    || irm_completion_label || '».'
            else
                'De ' || cast(history_commitments as varchar)
                || case when history_commitments = 1 then ' compromiso' else ' compromisos' end
                || ' de OGP en nivel «' || irm_completion_label || '» a mitad de término, '
                || cast(history_substantial_or_complete as varchar)
                || case
                    when history_substantial_or_complete = 1 then ' terminó sustancial o completo.'
                    else ' terminaron sustanciales o completos.'
                end
        end
        || case
            when milestones_without_report > 0
                then
                    ' ' || cast(milestones_without_report as varchar)
                    || case when milestones_without_report = 1 then ' hito sin reporte.' else ' hitos sin reporte.' end
            else ''
        end
        || case
            when milestones_replanned > 0
                then
                    ' ' || cast(milestones_replanned as varchar)
                    || case when milestones_replanned = 1 then ' hito replanificado.' else ' hitos replanificados.' end
            else '' end
            as outlook_basis,
        cast({{ dbt.current_timestamp() }} as timestamp) as computed_at

    from labelled

)

select * from final
