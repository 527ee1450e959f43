"""Writes the embedded demonstration data (run: `python demo_data/generate.py`; output committed).

DEMONSTRATION DATA. Ecuador's two OGP action plans with their real OGP ids; titles and lead
institutions are public where the README says so and plausible elsewhere. The milestones, weights
and every progress report are invented, designed so that the methodology gives, for the 2023-11
reporting month of the second plan, the figures the Presidency presented to the core group on
17 Nov 2023 (C1 20%, C2 0%, ... C15 42%). The figures are computed by the warehouse, never stored.

Files, in the shapes institutions send them:
- plan_catalogue/hitos.csv: the milestone catalogue the Dirección de Gobierno Abierto keeps.
- ogp/ogp_dashboard_export.csv: OGP Data Dashboard export rows (171 columns) for Ecuador, then 120
  commitments of other members (demo_data/ogp_peers.py, also demonstration data) for the
  similar-commitments aid.
- inbox/*.csv: Google Forms exports of the monthly progress-report form (Spanish headers).
- contactos_instituciones.csv: whom the demo's receipts and reminders go to (OGP_INSTITUTION_CONTACTS):
  a liaison per responsible institution and the coordinating office, at the reserved `.example`
  domain, so no message of the demo can reach anyone.
- miembros.csv: the members the demo deployment follows (OGP_TRACKED_MEMBERS): Ecuador, and the
  municipality of Cuenca with a local plan (AP_ECCU01). The local plan, its commitments, milestones
  and reports are invented as well (its own random stream: the national files do not change).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ogp_peers import commitments as peer_commitments

HERE = Path(__file__).resolve().parent
DASHBOARD_COLUMNS = (
    (HERE.parent / "ingestion" / "schemas" / "ogp_dashboard_columns.txt").read_text(encoding="utf-8").splitlines()
)

# The export's 86 policy-area flag columns.
POLICY_COLUMNS = DASHBOARD_COLUMNS[
    DASHBOARD_COLUMNS.index("Anti-Corruption and Integrity") : DASHBOARD_COLUMNS.index(
        "Report Publication Year (Progress Report)"
    )
]

PROGRESS_MONTH = date(2023, 11, 1)  # the month presented on 17 Nov 2023
PRESENTED = [20, 0, 0, 0, 20, 38, 23, 48, 13, 48, 39, 19, 26, 25, 42]
PLAN1_FINAL = [100, 85, 60, 100, 45, 90, 30, 75, 50, 100]


@dataclass
class Commitment:
    plan: int
    number: int
    title: str
    short_title: str
    lead: str
    theme: str
    start: date
    end: date
    weights: list[float]
    policy_areas: list[str] = field(default_factory=list)

    @property
    def ogp_id(self) -> str:
        return f"EC{(0 if self.plan == 1 else 10) + self.number:04d}"

    @property
    def plan_id(self) -> str:
        return f"AP_ECU0{self.plan}"


P1S, P1E = date(2019, 9, 1), date(2022, 8, 31)
P2S, P2E = date(2022, 9, 1), date(2024, 8, 31)

COMMITMENTS = [
    Commitment(
        1,
        1,
        "Construcción participativa de la Política Nacional de Datos Abiertos",
        "Open Data Policy",
        "Ministerio de Telecomunicaciones y de la Sociedad de la Información (MINTEL)",
        "Datos abiertos",
        P1S,
        P1E,
        [20, 30, 50],
        ["Open Data", "Digital Governance"],
    ),
    Commitment(
        1,
        2,
        "Transparencia y datos abiertos en la contratación pública",
        "Open Contracting Data",
        "Servicio Nacional de Contratación Pública (SERCOP)",
        "Contratación abierta",
        P1S,
        P1E,
        [25, 25, 25, 25],
        ["Open Contracting", "Public Procurement"],
    ),
    Commitment(
        1,
        3,
        "Transparencia fiscal para la ciudadanía",
        "Fiscal Transparency",
        "Ministerio de Economía y Finanzas (MEF)",
        "Apertura fiscal",
        P1S,
        P1E,
        [30, 30, 40],
        ["Fiscal Openness"],
    ),
    Commitment(
        1,
        4,
        "Participación ciudadana en el ciclo de las políticas públicas",
        "Citizen Participation in Policy",
        "Consejo de Participación Ciudadana y Control Social (CPCCS)",
        "Participación",
        P1S,
        P1E,
        [1, 1, 1],
        ["Public Participation"],
    ),
    Commitment(
        1,
        5,
        "Justicia abierta: seguimiento ciudadano a la gestión judicial",
        "Open Justice",
        "Consejo de la Judicatura",
        "Justicia",
        P1S,
        P1E,
        [20, 20, 30, 30],
        ["Open Justice", "Judiciary"],
    ),
    Commitment(
        1,
        6,
        "Fortalecimiento de capacidades para el ejercicio del derecho de acceso a la información pública",
        "Access to Information Capacity Building",
        "Defensoría del Pueblo",
        "Acceso a la información",
        P1S,
        P1E,
        [40, 30, 30],
        ["Right To Information", "Capacity Building"],
    ),
    Commitment(
        1,
        7,
        "Transparencia en las industrias extractivas",
        "Extractives Transparency",
        "Ministerio de Energía y Recursos Naturales No Renovables",
        "Industrias extractivas",
        P1S,
        P1E,
        [30, 30, 40],
        ["Extractive Industries"],
    ),
    Commitment(
        1,
        8,
        "Información abierta sobre la gestión del agua",
        "Open Water Information",
        "Ministerio del Ambiente, Agua y Transición Ecológica (MAATE)",
        "Agua",
        P1S,
        P1E,
        [25, 25, 50],
        ["Water & Sanitation", "Open Data (Water/Sanitation)"],
    ),
    Commitment(
        1,
        9,
        "Datos abiertos para la prevención de la violencia de género",
        "Gender-Based Violence Data",
        "Secretaría de Derechos Humanos",
        "Género",
        P1S,
        P1E,
        [30, 30, 40],
        ["Gender", "Gender-Based Violence"],
    ),
    Commitment(
        1,
        10,
        "Gobierno abierto en los gobiernos autónomos descentralizados",
        "Open Local Government",
        "Asociación de Municipalidades Ecuatorianas (AME)",
        "Gobierno local",
        P1S,
        P1E,
        [50, 50],
        ["Subnational"],
    ),
    Commitment(
        2,
        1,
        "Política de gobierno abierto y datos abiertos de la Función Ejecutiva",
        "Executive Open Government Policy",
        "Ministerio de Telecomunicaciones y de la Sociedad de la Información (MINTEL)",
        "Datos abiertos",
        P2S,
        P2E,
        [20, 30, 50],
        ["Open Data"],
    ),
    Commitment(
        2,
        2,
        "Transparencia en la contratación pública en situaciones de emergencia",
        "Emergency Procurement Transparency",
        "Servicio Nacional de Contratación Pública (SERCOP)",
        "Contratación abierta",
        P2S,
        P2E,
        [25, 25, 25, 25],
        ["Public Procurement", "Open Contracting"],
    ),
    Commitment(
        2,
        3,
        "Participación ciudadana en la gestión ambiental",
        "Environmental Participation",
        "Ministerio del Ambiente, Agua y Transición Ecológica (MAATE)",
        "Ambiente",
        P2S,
        P2E,
        [30, 30, 40],
        ["Environment & Climate", "Public Participation"],
    ),
    Commitment(
        2,
        4,
        "Construyendo más y mejor información legislativa en Ecuador",
        "Building Catalog of Legislative Information",
        "Asamblea Nacional (AN)",
        "Estado Abierto",
        date(2023, 1, 1),
        date(2024, 12, 31),
        [25, 25, 25, 25],
        [
            "Open Parliaments",
            "Open Data",
            "Public Participation",
            "Participation in Lawmaking",
            "Access to information",
        ],
    ),
    Commitment(
        2,
        5,
        "Justicia abierta y rendición de cuentas judicial",
        "Open Justice Accountability",
        "Consejo de la Judicatura",
        "Justicia",
        P2S,
        P2E,
        [20, 30, 50],
        ["Open Justice", "Judiciary"],
    ),
    Commitment(
        2,
        6,
        "Portal Nacional de Transparencia",
        "National Transparency Portal",
        "Defensoría del Pueblo",
        "Acceso a la información",
        P2S,
        P2E,
        [25, 25, 25, 25],
        ["Right To Information", "Digital Transformation"],
    ),
    Commitment(
        2,
        7,
        "Registro de beneficiarios finales",
        "Beneficial Ownership Register",
        "Superintendencia de Compañías, Valores y Seguros",
        "Integridad",
        P2S,
        P2E,
        [10, 20, 30, 40],
        ["Beneficial Ownership", "Anti-Corruption and Integrity"],
    ),
    Commitment(
        2,
        8,
        "Datos abiertos de salud pública",
        "Open Health Data",
        "Ministerio de Salud Pública (MSP)",
        "Salud",
        P2S,
        P2E,
        [40, 30, 30],
        ["Health & Nutrition", "Open Data (Health)"],
    ),
    Commitment(
        2,
        9,
        "Educación para la ciudadanía digital y el gobierno abierto",
        "Digital Citizenship Education",
        "Ministerio de Educación",
        "Educación",
        P2S,
        P2E,
        [30, 30, 40],
        ["Education", "Digital Inclusion"],
    ),
    Commitment(
        2,
        10,
        "Transparencia en el sector pesquero (FiTI)",
        "Fisheries Transparency (FiTI)",
        "Viceministerio de Acuacultura y Pesca",
        "Pesca",
        P2S,
        P2E,
        [20, 20, 30, 30],
        ["Extractive Industries", "Open Data"],
    ),
    Commitment(
        2,
        11,
        "Transparencia fiscal y presupuestos participativos",
        "Participatory Budgeting",
        "Ministerio de Economía y Finanzas (MEF)",
        "Apertura fiscal",
        P2S,
        P2E,
        [30, 30, 40],
        ["Fiscal Openness", "Public Participation In Budget/Fiscal Policy"],
    ),
    Commitment(
        2,
        12,
        "Rendición de cuentas del sector minero",
        "Mining Accountability",
        "Ministerio de Energía y Minas",
        "Industrias extractivas",
        P2S,
        P2E,
        [25, 25, 50],
        ["Extractive Industries"],
    ),
    Commitment(
        2,
        13,
        "Igualdad de género en la participación pública",
        "Gender Equality in Participation",
        "Consejo Nacional para la Igualdad de Género",
        "Género",
        P2S,
        P2E,
        [30, 35, 35],
        ["Gender", "Inclusion"],
    ),
    Commitment(
        2,
        14,
        "Gobierno abierto en los gobiernos autónomos descentralizados",
        "Open Local Governments",
        "Asociación de Municipalidades Ecuatorianas (AME)",
        "Gobierno local",
        P2S,
        P2E,
        [20, 20, 20, 20, 20],
        ["Subnational"],
    ),
    Commitment(
        2,
        15,
        "Integridad pública y prevención de conflictos de interés",
        "Public Integrity",
        "Contraloría General del Estado",
        "Integridad",
        P2S,
        P2E,
        [40, 30, 30],
        ["Conflicts Of Interest", "Asset Disclosure"],
    ),
]

MILESTONE_TITLES = [
    "Diagnóstico y hoja de ruta construidos con sociedad civil",
    "Diseño participativo de la herramienta o norma",
    "Implementación piloto y pruebas con usuarios",
    "Publicación en datos abiertos y socialización",
    "Evaluación y sostenibilidad del compromiso",
]


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def fill(weights: list[float], target: float) -> list[float]:
    """Milestone percentages, filled in order, whose weighted mean is exactly `target`."""
    points, out = target * sum(weights), []
    for w in weights:
        p = min(100.0, max(0.0, points / w))
        out.append(round(p, 4))
        points -= w * p
    return out


@dataclass
class Milestone:
    commitment: Commitment
    index: int
    weight: float
    start: date
    end: date

    @property
    def code(self) -> str:
        return f"{self.commitment.ogp_id}-H{self.index}"


def milestones_of(c: Commitment) -> list[Milestone]:
    n = len(c.weights)
    span = months_between(c.start, c.end) + 1
    out = []
    for i, w in enumerate(c.weights):
        s = add_months(c.start, (span * i) // (n + 1))
        e_month = add_months(c.start, min(span - 1, (span * (i + 2)) // (n + 1)))
        e = date(e_month.year, e_month.month, 28) if i < n - 1 else c.end
        out.append(Milestone(c, i + 1, w, s, e))
    return out


def curve(first: date, value_at: date, value: float, rng: random.Random) -> list[tuple[date, float]]:
    """Monthly reports rising steadily from the first month to `value` at `value_at`."""
    n = months_between(first, value_at) + 1
    if n <= 0:
        return []
    return [(add_months(first, k), round(value * (k + 1) / n, 1) if k < n - 1 else value) for k in range(n)]


def status_for(pct: float) -> str:
    return "No iniciado" if pct == 0 else ("Completado" if pct >= 100 else "En curso")


def marca_temporal(d: date, rng: random.Random, day: int | None = None) -> str:
    sub = add_months(d, 1)
    return f"{day or rng.randint(1, 5)}/{sub.month}/{sub.year} {rng.randint(8, 17)}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


REPORT_HEADER = [
    "Marca temporal",
    "Institución",
    "Código del compromiso",
    "Código del hito",
    "Mes que se reporta",
    "Porcentaje de avance (%)",
    "Estado del hito",
    "Descripción del avance",
    "Enlaces a evidencias",
    "Dificultades",
    "Estado de revisión",
]


def report_row(
    m: Milestone,
    month: date,
    pct: float,
    rng: random.Random,
    *,
    review: str = "Aprobado",
    stamp: str | None = None,
    month_text: str | None = None,
    pct_text: str | None = None,
) -> list[str]:
    pct_str = pct_text if pct_text is not None else (f"{pct:g}")
    slug = m.code.lower()
    return [
        stamp or marca_temporal(month, rng),
        m.commitment.lead,
        m.commitment.ogp_id,
        m.code,
        month_text or month.strftime("%Y-%m"),
        pct_str,
        status_for(pct),
        f"[DATOS DE DEMOSTRACIÓN] Avance del hito {m.code} en {month.strftime('%Y-%m')}.",
        f"https://www.datosabiertos.gob.ec/dataset/demo-{slug}",
        "" if pct > 0 or month < m.start else "Pendiente de asignación presupuestaria",
        review,
    ]


def plan2_reports(rng: random.Random) -> list[list[str]]:
    rows = []
    for c, target in zip([c for c in COMMITMENTS if c.plan == 2], PRESENTED, strict=False):
        ms = milestones_of(c)
        values = fill(c.weights, target)
        for m, v in zip(ms, values, strict=False):
            if c.number == 3:
                continue  # C3's institution never reported: 0 % and "sin reporte"
            first = min(m.start, PROGRESS_MONTH)
            value_at = PROGRESS_MONTH
            if c.number == 9:
                value_at = date(2023, 9, 1)  # reported up to September, then silent: carried forward
            if c.number == 12:
                value_at = date(2023, 6, 1)  # silent since June: carried forward and flagged stale
            if v >= 100 and m.end < PROGRESS_MONTH:
                value_at = date(m.end.year, m.end.month, 1)
            if v == 0 and m.start > PROGRESS_MONTH:
                points = []
            else:
                points = curve(first, value_at, v, rng)
            # After the presented month: progress goes on to the end of the plan.
            final = 100.0 if v > 0 and c.number not in (2, 12) else round(v + (100 - v) * 0.4, 1)
            if v < 100 and c.number not in (9, 12):
                later = months_between(PROGRESS_MONTH, date(2024, 12, 1))
                for k in range(1, later + 1):
                    if add_months(PROGRESS_MONTH, k) < m.start:
                        continue
                    points.append((add_months(PROGRESS_MONTH, k), round(v + (final - v) * k / later, 1)))
            for month, pct in points:
                month_text = f"noviembre {month.year}" if (month == PROGRESS_MONTH and c.number == 11) else None
                rows.append(report_row(m, month, pct, rng, month_text=month_text))
        if c.number == 6:
            # Rejected by the civil-society counterpart: must not count.
            rows.append(report_row(ms[1], PROGRESS_MONTH, 95, rng, review="Rechazado", stamp="20/12/2023 09:00:00"))
        if c.number == 8:
            # A first report later corrected by a resubmission: the latest accepted one counts.
            m = ms[1]
            rows.append(report_row(m, PROGRESS_MONTH, 60, rng, stamp="1/12/2023 07:00:00"))
        if c.number == 10:
            rows.append(report_row(ms[0], PROGRESS_MONTH, 0, rng, pct_text="150"))  # quarantined: out of range
            rows.append(report_row(ms[0], PROGRESS_MONTH, 0, rng, pct_text="sin dato"))  # quarantined: not a number
        if c.number == 11:
            unknown = Milestone(c, 9, 10, c.start, c.end)
            rows.append(report_row(unknown, PROGRESS_MONTH, 50, rng))  # unknown milestone
    # The correction above is submitted before the regular report of EC0018-H2 for 2023-11.
    rows.sort(key=lambda r: (r[2], r[3], r[4]))
    rows.append(list(rows[5]))  # the same form sent twice: a duplicate submission
    return rows


def plan1_reports(rng: random.Random) -> list[list[str]]:
    rows = []
    end_month = date(2022, 8, 1)
    for c, target in zip([c for c in COMMITMENTS if c.plan == 1], PLAN1_FINAL, strict=False):
        for m, v in zip(milestones_of(c), fill(c.weights, target), strict=False):
            value_at = date(m.end.year, m.end.month, 1) if v >= 100 else end_month
            first = m.start
            for month, pct in curve(first, min(value_at, end_month), v, rng):
                rows.append(report_row(m, month, pct, rng, review=rng.choice(["Aprobado", "Aprobado", ""])))
    return rows


def catalogue_rows() -> list[list[str]]:
    rows = []
    for c in COMMITMENTS:
        for m, title in zip(milestones_of(c), MILESTONE_TITLES, strict=False):
            rows.append(
                [
                    c.plan_id,
                    c.ogp_id,
                    str(c.number),
                    m.code,
                    title,
                    f"{m.weight:g}",
                    m.start.isoformat(),
                    m.end.strftime("%d/%m/%Y"),
                    c.lead,
                ]
            )
    return rows


def dashboard_rows() -> list[dict[str, str]]:
    policy_columns = POLICY_COLUMNS
    rows = []
    for i, c in enumerate(COMMITMENTS):
        row = {col: "ND" for col in DASHBOARD_COLUMNS}
        row.update({col: "0" for col in policy_columns})
        row.update({col: "1" for col in c.policy_areas})
        old = c.plan == 1
        row.update(
            {
                "Commitment Unique Identifier": c.ogp_id,
                "Country/Locality": "Ecuador",
                "Action Plan Number": str(c.plan),
                "Commitment Number": str(c.number),
                "Code": "ECU",
                "Region": "Americas",
                "National Or Local": "National",
                "Commitment Dummy": "1",
                "Year Of Submission": "2019" if old else "2022",
                "Action Plan End Year": "2022" if old else "2024",
                "Action Plan Duration (Years)": "3" if old else "2",
                "Theme": c.theme,
                "Commitment Title": c.title,
                "Short Title": c.short_title,
                "Full Text": f"Compromiso {c.number} del plan de acción {c.plan} de Ecuador. [Texto de demostración]",
                "Start Date": f"{c.start.month}/{c.start.day}/{c.start.year}",
                "End Date": f"{c.end.month}/{c.end.day}/{c.end.year}",
                "Lead Institution": c.lead,
                "Supporting Institution(s)": "Grupo Núcleo de Gobierno Abierto",
                "Verifiable": "Yes",
                "Potential for Results": ["Modest", "Substantial", "Unclear"][i % 3],
                "_Potential for Results": ["1", "2", "0"][i % 3],
                "Report Publication Year (Progress Report)": "NR",
                "Report Publication Year (End Of Term)": "2023" if old else "NR",
                "Completion (End Of Term)": (["Complete", "Substantial", "Limited", "Complete", "Limited"][i % 5])
                if old
                else "NR",
                "_CompletionEndTerm": (["5", "4", "3", "5", "3"][i % 5]) if old else "NR",
                "Early Results": (["Moderate", "No notable results", "Significant"][i % 3]) if old else "NR",
                "_Early Results": (["2", "1", "3"][i % 3]) if old else "NR",
                "Action Plan ID": c.plan_id,
                "URL": f"https://www.opengovpartnership.org/members/ecuador/commitments/{c.ogp_id.lower()}",
                "id": str(9000 + i),
                "Active Commitment": "0" if old else "1",
            }
        )
        rows.append(row)
    return rows + peer_rows(policy_columns)


OLD_METHOD = {  # IRM 2014-2020 verdicts cycled over the peers: (potential impact, completion, DIOG, starred)
    "Potential Impact": [("Minor", "1"), ("Moderate", "2"), ("Transformative", "3"), ("Moderate", "2")],
    "Completion (End Of Term)": [
        ("Limited", "3"),
        ("Substantial", "4"),
        ("Complete", "5"),
        ("Not Started", "2"),
        ("Complete", "5"),
    ],
    # At mid-term, against the end-of-term cycle above: most kept their level or rose one.
    "Completion (Progress Report)": [
        ("Limited", "3"),
        ("Limited", "3"),
        ("Substantial", "4"),
        ("Not Started", "2"),
        ("Substantial", "4"),
        ("Limited", "3"),
    ],
    "Did It Open Government (Overall)": [
        ("Did Not Change", "1"),
        ("Marginal", "2"),
        ("Major", "3"),
        ("Outstanding", "4"),
        ("Marginal", "2"),
    ],
}
NEW_METHOD = {  # IRM 2021+
    "Potential for Results": [("Modest", "1"), ("Substantial", "2"), ("Unclear", "0")],
    "Completion (End Of Term)": [("Complete", "5"), ("Substantial", "4"), ("Limited", "3"), ("Substantial", "4")],
    "Early Results": [("No notable results", "1"), ("Moderate", "2"), ("Significant", "3"), ("Moderate", "2")],
}
CODED_TWIN = {
    "Potential Impact": "_Potential Impact",
    "Completion (End Of Term)": "_CompletionEndTerm",
    "Completion (Progress Report)": "_CompletionProgress",
    "Did It Open Government (Overall)": "_OpenGovernment",
    "Potential for Results": "_Potential for Results",
    "Early Results": "_Early Results",
}


def peer_rows(policy_columns: list[str]) -> list[dict[str, str]]:
    """Other members' commitments, alternating the old and the new IRM method; no OGP page link
    (their ids are invented)."""
    rows = []
    for i, c in enumerate(peer_commitments()):
        row = {col: "ND" for col in DASHBOARD_COLUMNS}
        row.update({col: "0" for col in policy_columns})
        row.update({col: "1" for col in c["policy_areas"]})
        old = i % 2 == 0
        plan, submitted = (3, 2016) if old else (5, 2021)
        row.update(
            {
                "Commitment Unique Identifier": c["id"],
                "Country/Locality": c["member"],
                "Action Plan Number": str(plan),
                "Commitment Number": str(int(c["id"][-2:])),
                "Code": c["code"],
                "Region": c["region"],
                "National Or Local": c["level"],
                "Commitment Dummy": "1",
                "Year Of Submission": str(submitted),
                "Action Plan End Year": str(submitted + 2),
                "Action Plan Duration (Years)": "2",
                "Theme": "ND",
                "Commitment Title": c["title"],
                "Short Title": "ND",
                "Full Text": c["text"],
                "Start Date": f"7/1/{submitted}",
                "End Date": f"6/30/{submitted + 2}",
                "Lead Institution": "ND",
                "Supporting Institution(s)": "ND",
                "Report Publication Year (End Of Term)": str(submitted + 3),
                "Action Plan ID": f"AP_{c['code']}0{plan}",
                "URL": "ND",
                "id": str(9500 + i),
                "Active Commitment": "0",
            }
        )
        for column, cycle in (OLD_METHOD if old else NEW_METHOD).items():
            label, code = cycle[(i // 2) % len(cycle)]
            row[column], row[CODED_TWIN[column]] = label, code
        if old:
            row["Starred (Current Formula) End of Term"] = "1" if (i // 2) % 5 == 2 else "0"
            row["Report Publication Year (Progress Report)"] = str(submitted + 1)
        else:
            row["Verifiable"] = "Yes"
        rows.append(row)
    return rows


INDICATORS = [
    # code, commitment, milestone, name, unit, baseline, target, frequency, direction
    (
        "IND-EC0011-1",
        "EC0011",
        "",
        "Conjuntos de datos abiertos publicados por la Función Ejecutiva",
        "conjuntos de datos",
        120,
        600,
        "mensual",
        "ascendente",
    ),
    (
        "IND-EC0014-1",
        "EC0014",
        "EC0014-H2",
        "Catálogos de información legislativa publicados",
        "catálogos",
        0,
        12,
        "mensual",
        "ascendente",
    ),
    (
        "IND-EC0016-1",
        "EC0016",
        "",
        "Instituciones que publican en el Portal Nacional de Transparencia",
        "instituciones",
        0,
        300,
        "mensual",
        "ascendente",
    ),
    (
        "IND-EC0020-1",
        "EC0020",
        "",
        "Desembarques pesqueros publicados según el estándar FiTI",
        "porcentaje",
        10,
        80,
        "trimestral",
        "ascendente",
    ),
    (
        "IND-EC0023-1",
        "EC0023",
        "",
        "Brecha de participación entre hombres y mujeres en espacios de participación",
        "puntos porcentuales",
        18,
        5,
        "anual",
        "descendente",
    ),
]


def indicator_rows() -> list[list[str]]:
    return [
        [code, commitment, milestone, name, unit, f"{base:g}", f"{target:g}", freq, direction]
        for code, commitment, milestone, name, unit, base, target, freq, direction in INDICATORS
    ]


def indicator_measurements(rng: random.Random) -> list[list[str]]:
    rows = []
    start, end = date(2022, 9, 1), date(2024, 8, 1)
    for code, _commitment, _, _, _, base, target, freq, _ in INDICATORS:
        if freq == "mensual":
            periods = [add_months(start, k) for k in range(months_between(start, end) + 1)]
            labels = [p.strftime("%Y-%m") for p in periods]
        elif freq == "trimestral":
            periods = [add_months(date(2022, 10, 1), 3 * k) for k in range(8)]
            labels = [f"{p.year}-Q{(p.month - 1) // 3 + 1}" for p in periods]
        else:
            periods, labels = [date(2022, 1, 1), date(2023, 1, 1), date(2024, 1, 1)], ["2022", "2023", "2024"]
        for k, (period, label) in enumerate(zip(periods, labels, strict=False)):
            share = (k + 1) / len(periods) * rng.uniform(0.55, 0.75)
            value = round(base + (target - base) * share, 1)
            stamp = marca_temporal(period, rng)
            rows.append(
                [stamp, code, label, f"{value:g}", f"https://www.datosabiertos.gob.ec/dataset/demo-{code.lower()}"]
            )
    return rows


# The local plan (demonstration data): a municipality's first OGP Local action plan.
LOCAL_MEMBER_CODE, LOCAL_MEMBER_NAME, LOCAL_MUNICIPALITY = "ECCU", "Cuenca, Ecuador", "Cuenca"
LS, LE = date(2023, 3, 1), date(2024, 12, 31)


@dataclass
class LocalCommitment(Commitment):
    @property
    def ogp_id(self) -> str:
        return f"CUE{self.number:04d}"

    @property
    def plan_id(self) -> str:
        return f"AP_{LOCAL_MEMBER_CODE}0{self.plan}"


LOCAL_COMMITMENTS = [
    LocalCommitment(
        1,
        1,
        "Presupuesto participativo municipal en línea",
        "Online Participatory Budgeting",
        "GAD Municipal de Cuenca - Dirección de Participación Ciudadana",
        "Participación",
        LS,
        LE,
        [30, 30, 40],
        ["Public Participation In Budget/Fiscal Policy", "Digital Participation"],
    ),
    LocalCommitment(
        1,
        2,
        "Contratación pública municipal abierta",
        "Open Municipal Contracting",
        "GAD Municipal de Cuenca - Dirección de Compras Públicas",
        "Contratación abierta",
        LS,
        LE,
        [25, 25, 50],
        ["Open Contracting", "Public Procurement"],
    ),
    LocalCommitment(
        1,
        3,
        "Datos abiertos de movilidad y transporte urbano",
        "Open Mobility Data",
        "Empresa Municipal de Movilidad de Cuenca (EMOV EP)",
        "Datos abiertos",
        LS,
        LE,
        [20, 40, 40],
        ["Open Data", "Infrastructure & Transport"],
    ),
    LocalCommitment(
        1,
        4,
        "Rendición de cuentas de las juntas parroquiales",
        "Parish Accountability",
        "GAD Municipal de Cuenca - Dirección de Gobernabilidad",
        "Rendición de cuentas",
        LS,
        LE,
        [50, 50],
        ["Social Accountability", "Subnational"],
    ),
    LocalCommitment(
        1,
        5,
        "Calidad del agua en datos abiertos",
        "Open Water Quality Data",
        "Empresa Pública Municipal de Telecomunicaciones, Agua Potable y Saneamiento de Cuenca (ETAPA EP)",
        "Agua",
        LS,
        LE,
        [30, 30, 40],
        ["Water & Sanitation", "Open Data (Water/Sanitation)"],
    ),
]
LOCAL_FINAL = [85, 60, 45, 100, 30]  # each commitment's progress at the plan's end (2024-12)


def local_reports(rng: random.Random) -> list[list[str]]:
    rows = []
    for c, target in zip(LOCAL_COMMITMENTS, LOCAL_FINAL, strict=False):
        for m, v in zip(milestones_of(c), fill(c.weights, target), strict=False):
            value_at = date(m.end.year, m.end.month, 1) if v >= 100 else date(2024, 12, 1)
            for month, pct in curve(m.start, value_at, v, rng):
                rows.append(report_row(m, month, pct, rng))
    return rows


def local_catalogue_rows() -> list[list[str]]:
    return [
        [
            c.plan_id,
            c.ogp_id,
            str(c.number),
            m.code,
            title,
            f"{m.weight:g}",
            m.start.isoformat(),
            m.end.strftime("%d/%m/%Y"),
            c.lead,
        ]
        for c in LOCAL_COMMITMENTS
        for m, title in zip(milestones_of(c), MILESTONE_TITLES, strict=False)
    ]


def local_dashboard_rows() -> list[dict[str, str]]:
    policy_columns = POLICY_COLUMNS
    rows = []
    for i, c in enumerate(LOCAL_COMMITMENTS):
        row = {col: "ND" for col in DASHBOARD_COLUMNS}
        row.update({col: "0" for col in policy_columns})
        row.update({col: "1" for col in c.policy_areas})
        row.update(
            {
                "Commitment Unique Identifier": c.ogp_id,
                "Country/Locality": LOCAL_MEMBER_NAME,
                "Action Plan Number": str(c.plan),
                "Commitment Number": str(c.number),
                "Code": LOCAL_MEMBER_CODE,
                "Region": "Americas",
                "National Or Local": "Local",
                "Commitment Dummy": "1",
                "Year Of Submission": "2023",
                "Action Plan End Year": "2024",
                "Action Plan Duration (Years)": "2",
                "Theme": c.theme,
                "Commitment Title": c.title,
                "Short Title": c.short_title,
                "Full Text": f"Compromiso {c.number} del plan de acción local de {LOCAL_MUNICIPALITY}. [Texto de demostración]",
                "Start Date": f"{c.start.month}/{c.start.day}/{c.start.year}",
                "End Date": f"{c.end.month}/{c.end.day}/{c.end.year}",
                "Lead Institution": c.lead,
                "Supporting Institution(s)": "Comité de Gobierno Abierto de Cuenca",
                "Report Publication Year (Progress Report)": "NR",
                "Report Publication Year (End Of Term)": "NR",
                "Action Plan ID": c.plan_id,
                "URL": f"https://www.opengovpartnership.org/members/cuenca-ecuador/commitments/{c.ogp_id.lower()}",
                "id": str(9500 + i),
                "Active Commitment": "1",
            }
        )
        rows.append(row)
    return rows


MEMBERS = [  # codigo_miembro, nombre, nivel, municipio, pais (ISO 3166: how its phone numbers are written)
    ("ECU", "Ecuador", "nacional", "", "EC"),
    (LOCAL_MEMBER_CODE, LOCAL_MEMBER_NAME, "local", LOCAL_MUNICIPALITY, "EC"),
]


DEMO_MAIL_DOMAIN = "demo-gobiernoabierto.example"  # RFC 2606: never delivered


def contact_rows() -> list[list[str]]:
    """institucion, correo, rol: one liaison per responsible institution, then the coordinating office."""
    import re
    import unicodedata

    institutions = sorted({row[-1] for row in catalogue_rows() + local_catalogue_rows()})
    rows = []
    for name in institutions:
        acronym = re.search(r"\(([^)]+)\)\s*$", name)
        words = acronym.group(1) if acronym else "".join(w[0] for w in re.findall(r"\w+", name) if w[0].isupper())
        local = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode().lower().replace(" ", "")
        rows.append([name, f"enlace.{local}@{DEMO_MAIL_DOMAIN}", "responsable"])
    rows.append(["", f"coordinacion@{DEMO_MAIL_DOMAIN}", "coordinacion"])
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]] | list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        if rows and isinstance(rows[0], dict):
            w = csv.DictWriter(f, fieldnames=header)
            w.writeheader()
            w.writerows(rows)
        else:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)


def main() -> None:
    rng = random.Random(20231117)
    write_csv(
        HERE / "plan_catalogue" / "hitos.csv",
        [
            "id_plan_de_accion",
            "id_compromiso",
            "numero_compromiso",
            "codigo_hito",
            "hito",
            "peso",
            "fecha_inicio",
            "fecha_fin",
            "institucion_responsable",
        ],
        catalogue_rows() + local_catalogue_rows(),
    )
    write_csv(HERE / "ogp" / "ogp_dashboard_export.csv", DASHBOARD_COLUMNS, dashboard_rows() + local_dashboard_rows())
    write_csv(HERE / "inbox" / "informes_avance_plan_2019_2022.csv", REPORT_HEADER, plan1_reports(rng))
    write_csv(HERE / "inbox" / "informes_avance_plan_2022_2024.csv", REPORT_HEADER, plan2_reports(rng))
    write_csv(
        HERE / "plan_catalogue" / "indicadores.csv",
        [
            "codigo_indicador",
            "id_compromiso",
            "codigo_hito",
            "nombre_del_indicador",
            "unidad",
            "linea_base",
            "meta",
            "frecuencia",
            "sentido",
        ],
        indicator_rows(),
    )
    # Indicator measurements use their own random stream, so the progress reports above stay as they were.
    write_csv(
        HERE / "inbox" / "mediciones_indicadores_2022_2024.csv",
        ["Marca temporal", "Código del indicador", "Periodo", "Valor", "Evidencia"],
        indicator_measurements(random.Random(7)),
    )
    write_csv(
        HERE / "inbox" / "informes_avance_plan_local_cuenca_2023_2024.csv",
        REPORT_HEADER,
        local_reports(random.Random(2023)),
    )
    write_csv(HERE / "contactos_instituciones.csv", ["institucion", "correo", "rol"], contact_rows())
    write_csv(
        HERE / "miembros.csv", ["codigo_miembro", "nombre", "nivel", "municipio", "pais"], [list(m) for m in MEMBERS]
    )


if __name__ == "__main__":
    main()
