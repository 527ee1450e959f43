{# The monthly facts are incremental: a run recomputes the months from `rebuild_from` to the
   current one, carrying each milestone's figure forward from the fact's own row for the month
   before, instead of scanning the whole history. `rebuild_from` is the earliest of:
     - the last month already in the fact (it may be the current, still-open month);
     - the earliest reporting month of any report loaded since the fact was last computed (late
       reports and corrections for past months widen the window);
     - env var OGP_REBUILD_FROM_MONTH when set (a Dagster backfill passes its first partition; an
       environment variable read only at execution, unlike --vars, keeps dbt's partial parsing).
   It is none (everything is recomputed) on the first build, with --full-refresh, and when the
   plan catalogue was loaded again since (weights, dates, withdrawals change every month). #}
{% macro monthly_rebuild_from(reports, catalogue) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        with fact_state as (
            select max(computed_at) as computed_at, max(reporting_month) as last_month from {{ this }}
        )
        select
            fact_state.last_month,
            (select max(loaded_at) from {{ catalogue }}) > fact_state.computed_at as catalogue_changed,
            (select min(reporting_month) from {{ reports }} where loaded_at > fact_state.computed_at) as earliest_late_report
        from fact_state
    {%- endset -%}
    {%- set state = run_query(query).rows[0] -%}
    {%- if state[0] is none or state[1] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set candidates = [state[0] | string] -%}
    {%- if state[2] is not none -%}
        {%- do candidates.append(state[2] | string) -%}
    {%- endif -%}
    {%- set requested = env_var('OGP_REBUILD_FROM_MONTH', '') -%}
    {%- if requested -%}
        {%- do candidates.append(requested) -%}
    {%- endif -%}
    {{ return((candidates | min)[:10]) }}
{%- endmacro %}

{# Months of `relation` recomputed since `this` was last computed: the window a downstream
   monthly fact must follow (all of it on the first build). #}
{% macro months_recomputed_since_this(relation) -%}
    reporting_month >= (
        select coalesce(min(reporting_month), cast('9999-12-31' as date)) from {{ relation }}
        where computed_at > (select coalesce(max(computed_at), cast('1900-01-01' as timestamp)) from {{ this }})
    )
{%- endmacro %}

{# fct_progress_reports is incremental by load time: a run validates only the reports loaded
   since the fact was last built (its newest `validated_at`). Each report's acceptance and
   evidence check read, besides the report itself, only the plan catalogue and the portal's
   harvest and evidence checks; when any of them was loaded again since then, every report is
   validated again (the fact is emptied by its pre-hook and rebuilt whole), as on the first build
   and with --full-refresh. `ogp reparse` rebuilds with --full-refresh (rows it re-parses may
   leave). #}
{% macro reports_validated_again() -%}
    {#- each source validation reads, with its load-time column -#}
    {%- set context_loads = [
        (ref('stg_plan_catalogue__milestones'), 'loaded_at'),
        (ref('stg_open_data_portal__datasets'), 'loaded_at'),
        (ref('stg_open_data_portal__evidence_checks'), 'checked_at'),
    ] -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set query -%}
        select coalesce(
            (select max(validated_at) from {{ this }})
            > greatest({% for relation, column in context_loads %}(select max({{ column }}) from {{ relation }}){{ ", " if not loop.last }}{% endfor %}),
            false
        ) is false
    {%- endset -%}
    {{ return(run_query(query).rows[0][0]) }}
{%- endmacro %}
