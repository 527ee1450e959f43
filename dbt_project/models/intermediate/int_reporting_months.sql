-- Every calendar month from the first reporting month to the current one: the spine on which
-- milestone progress is carried forward, so that a month with no reports still has a figure.
with spine as (

    {{ dbt.date_spine("month", "cast('" ~ var('first_reporting_month') ~ "' as date)",
                      dbt.dateadd("month", 1, dbt.date_trunc("month", dbt.current_timestamp()))) }}

),

months as (

    select
        cast(date_month as date) as reporting_month,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'date_month')) }} as date) as month_end

    from spine

)

select * from months
