-- The floor: the methodology's monthly commitment figures as one bare DuckDB script over the
-- same input files, with none of the platform around it (no landing, ledger, quarantine, checks,
-- dbt, Dagster). What the platform's full build is measured against.
-- Parameters (filled by benchmarks/run.py): {catalogue}, {reports}, {first_month}, {last_month}, {grace}.
-- Each `-- stage:` line names the statements up to the next one (timed by benchmarks/run.py).
-- stage: read the catalogue
create or replace temp table milestones as
select id_plan_de_accion as action_plan_id, id_compromiso as commitment_id, codigo_hito as milestone_code,
       cast(peso as double) as weight, cast(fecha_inicio as date) as planned_start,
       cast(strptime(fecha_fin, '%d/%m/%Y') as date) as planned_end
from read_csv({catalogue}, all_varchar = true);

create or replace temp table plan_periods as
select action_plan_id, date_trunc('month', min(planned_start)) as first_month, date_trunc('month', max(planned_end)) as last_month
from milestones group by all;

-- stage: read and check the reports
-- Accepted reports: a known milestone, a month inside its plan (with the grace period), 0-100 %;
-- several for one milestone and month: the last one sent.
create or replace temp table monthly_reports as
select r.milestone_code, r.reporting_month, arg_max(r.percent, r.submitted_at) as percent
from (
    select "Código del hito" as milestone_code,
           cast(strptime("Mes que se reporta", '%Y-%m') as date) as reporting_month,
           cast(replace("Porcentaje de avance (%)", ',', '.') as double) as percent,
           strptime("Marca temporal", '%d/%m/%Y %H:%M:%S') as submitted_at
    from read_csv({reports}, all_varchar = true, union_by_name = true)
) r
join milestones m using (milestone_code)
join plan_periods p using (action_plan_id)
where r.percent between 0 and 100
  and r.reporting_month between p.first_month and p.last_month + to_months({grace})
  and r.reporting_month <= date {last_month}
group by all;

-- stage: monthly figures
create or replace temp table milestone_months as
select m.*, cast(month as date) as reporting_month
from milestones m
join plan_periods p using (action_plan_id)
join (select unnest(range(date {first_month}, date {last_month} + interval 1 month, interval 1 month)) as month) months
  on months.month >= p.first_month and months.month <= p.last_month + to_months({grace});

-- Carry forward: the latest report at or before each month (an as-of join).
create or replace temp table commitment_progress as
select mm.commitment_id, mm.action_plan_id, mm.reporting_month,
       sum(mm.weight * coalesce(r.percent, 0)) / nullif(sum(mm.weight), 0) as progress_percent
from milestone_months mm
asof left join monthly_reports r
  on mm.milestone_code = r.milestone_code and mm.reporting_month >= r.reporting_month
group by all;
