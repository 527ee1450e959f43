"""Seeded synthetic inputs at the scale of every OGP member, in the project's own formats.

Members x action plans x commitments x milestones x reporting months: the milestone catalogue
(`hitos.csv`, as the core group keeps it), the OGP Data Dashboard export (its 171 columns) and the
institutions' progress-report forms (Google Forms CSV, one file per reporting month, as they
arrive). Everything is generated inside DuckDB with SQL, so ten million reports take seconds.

    python -m benchmarks.generate --scale medium --out /tmp/bench-medium
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Scale:
    members: int  # 75 countries and 150 local governments at full scale
    plans_per_member: int  # consecutive two-year plans ending at the last reporting month
    commitments_per_plan: int
    milestones_per_commitment: int
    report_probability: float  # chance that a milestone is reported in a month of its schedule

    @property
    def months_per_plan(self) -> int:
        return 24

    def expected_reports(self) -> int:
        return int(
            self.members
            * self.plans_per_member
            * self.commitments_per_plan
            * self.milestones_per_commitment
            * self.months_per_plan
            * 0.75
            * self.report_probability
        )


SCALES = {
    "small": Scale(
        members=1, plans_per_member=2, commitments_per_plan=15, milestones_per_commitment=4, report_probability=0.9
    ),
    "medium": Scale(
        members=225, plans_per_member=4, commitments_per_plan=12, milestones_per_commitment=7, report_probability=0.95
    ),
    "large": Scale(
        members=225, plans_per_member=5, commitments_per_plan=30, milestones_per_commitment=22, report_probability=0.95
    ),
}
LAST_MONTH = date(2026, 10, 1)  # the last reporting month with reports; its file is the "new month"


def generate(scale: Scale, out: Path, *, seed: int = 20261121, last_month: date = LAST_MONTH) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    inbox = out / "inbox"
    inbox.mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute("set threads = 1")  # random() repeats its sequence for a seed only on one thread
    con.execute(f"select setseed({(seed % 1000) / 1000})")
    months = scale.months_per_plan
    con.execute(
        f"""
        create table members as
        select m as member_no,
               -- two or three capital letters, as OGP's own ids (EC, BUE): AA..ZZ then AAA..
               case when m < 676 then chr(65 + m // 26) || chr(65 + m % 26)
                    else chr(65 + m // 676) || chr(65 + (m // 26) % 26) || chr(65 + m % 26) end as code
        from (select cast(range as integer) as m from range({scale.members}));

        create table plans as
        select member_no, code, p as plan_no,
               'AP_' || code || lpad(cast(p + 1 as varchar), 2, '0') as action_plan_id,
               cast(date '{last_month}' - to_months({months} * ({scale.plans_per_member} - p)) + interval 1 month as date) as plan_start
        from members, range({scale.plans_per_member}) t(p);

        create table commitments as
        select plans.*, c + 1 as commitment_number,
               code || lpad(cast(plan_no * 100 + c + 1 as varchar), 4, '0') as commitment_id,
               'Institución ' || code || '-' || ((c % 7) + 1) as institution
        from plans, range({scale.commitments_per_plan}) t(c);

        create table milestones as
        with drawn as (
            select commitments.*, k + 1 as milestone_no, 1 + floor(random() * 9) as raw_weight,
                   cast(floor(random() * {months // 2}) as integer) as start_offset,
                   cast({months // 3} + floor(random() * {months // 2}) as integer) as duration
            from commitments, range({scale.milestones_per_commitment}) t(k)
        )
        select *, commitment_id || '-H' || milestone_no as milestone_code,
               round(100.0 * raw_weight / sum(raw_weight) over (partition by commitment_id), 2) as weight,
               cast(plan_start + to_months(start_offset) as date) as planned_start,
               cast(least(plan_start + to_months(start_offset + duration), plan_start + to_months({months}) -
                   interval 1 day) as date) as planned_end,
               0.6 + random() * 0.5 as pace
        from drawn;

        create table reports as
        select milestone_code, commitment_id, institution,
               cast(planned_start + to_months(i) as date) as reporting_month,
               least(100, round(100 * pace * (i + 1) / (datediff('month', planned_start, planned_end) + 1), 1)) as percent
        from milestones, range({months}) t(i)
        where planned_start + to_months(i) <= planned_end
          and planned_start + to_months(i) <= date '{last_month}'
          and random() < {scale.report_probability};
        """
    )
    con.execute(
        f"""copy (select action_plan_id as id_plan_de_accion, commitment_id as id_compromiso, commitment_number as numero_compromiso,
                         milestone_code as codigo_hito, 'Hito ' || milestone_no || ' del compromiso ' || commitment_id as hito,
                         weight as peso, strftime(planned_start, '%Y-%m-%d') as fecha_inicio,
                         strftime(planned_end, '%d/%m/%Y') as fecha_fin, institution as institucion_responsable
                  from milestones order by milestone_code)
            to '{out / "hitos.csv"}' (header)"""
    )
    _write_dashboard(con, out / "ogp_dashboard_export.csv")
    con.execute(
        f"""copy (select 'IND-' || commitment_id as codigo_indicador, commitment_id as id_compromiso, null as codigo_hito,
                         'Conjuntos de datos publicados (' || commitment_id || ')' as nombre_del_indicador,
                         'conjuntos de datos' as unidad, 10 as linea_base, 100 as meta, 'mensual' as frecuencia, 'ascendente' as sentido
                  from commitments where commitment_number = 1 order by commitment_id)
            to '{out / "indicadores.csv"}' (header)"""
    )
    # One form export per reporting month, as the institutions' reports come in.
    con.execute(
        f"""copy (select strftime(reporting_month + interval 1 month + to_minutes(cast(hash(milestone_code) %
            10000 as integer)), '%d/%m/%Y %H:%M:%S') as "Marca temporal",
                         institution as "Institución", commitment_id as "Código del compromiso",
                         milestone_code as "Código del hito", strftime(reporting_month, '%Y-%m') as "Mes que se reporta",
                         percent as "Porcentaje de avance (%)", 'Aprobado' as "Estado de revisión",
                         strftime(reporting_month, '%Y-%m') as mes
                  from reports order by reporting_month, milestone_code)
            to '{inbox}' (format csv, header, partition_by (mes), overwrite_or_ignore, filename_pattern 'informes_{{i}}')"""
    )
    # DuckDB writes inbox/mes=YYYY-MM/informes_0.csv; the inbox holds plain files.
    for folder in sorted(inbox.glob("mes=*")):
        for number, part in enumerate(sorted(folder.glob("*.csv"))):
            part.rename(inbox / f"informes_{folder.name[4:]}_{number}.csv")
        folder.rmdir()
    facts = {
        "scale": asdict(scale),
        "seed": seed,
        "members": scale.members,
        "action_plans": con.execute("select count(*) from plans").fetchone()[0],
        "commitments": con.execute("select count(*) from commitments").fetchone()[0],
        "milestones": con.execute("select count(*) from milestones").fetchone()[0],
        "report_rows": con.execute("select count(*) from reports").fetchone()[0],
        "reporting_months": con.execute("select count(distinct reporting_month) from reports").fetchone()[0],
        "first_month": str(con.execute("select min(plan_start) from plans").fetchone()[0]),
        "last_month": str(last_month),
    }
    (out / "facts.json").write_text(json.dumps(facts, indent=2), encoding="utf-8")
    return facts


def _write_dashboard(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    from ingestion.ogp_dashboard import known_columns
    from ingestion.tabular import quote_ident

    given = {
        "Commitment Unique Identifier": "commitment_id",
        "Action Plan ID": "action_plan_id",
        "Code": "code",
        "Country/Locality": "'Miembro ' || code",
        "National or Local": "case when member_no < 75 then 'National' else 'Local' end",
        "Action Plan Number": "cast(plan_no + 1 as varchar)",
        "Commitment Number": "cast(commitment_number as varchar)",
        "Commitment Title": "'Compromiso ' || commitment_id",
        "Lead Institution": "institution",
        "Start Date": "strftime(plan_start, '%-m/%-d/%Y')",
        "End Date": "strftime(plan_start + interval 2 year - interval 1 day, '%B %Y')",
    }
    columns = ", ".join(f"{given.get(c, 'NULL')} as {quote_ident(c)}" for c in known_columns())
    con.execute(f"copy (select {columns} from commitments order by commitment_id) to '{path}' (header)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="medium")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    print(json.dumps(generate(SCALES[args.scale], args.out, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
