"""The form templates institutions are given map to the canonical record, and a filled-in
spreadsheet template (XLSX) loads through the normal path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from ingestion.landing import land_local_file
from ingestion.progress_reports import FIELD_ALIASES, REQUIRED_FIELDS
from ingestion.progress_reports import SPEC as PROGRESS_REPORTS_SPEC
from ingestion.tabular_source import map_columns

FORMS = Path(__file__).resolve().parents[1] / "forms"


def test_xlsform_field_names_are_the_canonical_ones():
    survey = load_workbook(FORMS / "avance_mensual.xlsx")["survey"]
    names = [
        row[1]
        for row in survey.iter_rows(min_row=2, values_only=True)
        if row[1] and row[0] not in ("begin_group", "end_group", "start", "end")
    ]
    # Kobo exports them as group paths; the platform keeps the last segment.
    mapping = map_columns(
        [f"avance/{n}" for n in names] + ["_uuid", "_submission_time", "_validation_status"], FIELD_ALIASES
    )
    assert set(REQUIRED_FIELDS) <= set(mapping)
    assert {
        "institution",
        "commitment_code",
        "status",
        "narrative",
        "evidence_urls",
        "challenges",
        "review_state",
    } <= set(mapping)


def test_filled_spreadsheet_template_loads(tmp_path, warehouse):
    workbook = load_workbook(FORMS / "plantilla_informe_avance.xlsx")
    sheet = workbook["informes"]
    sheet.append(
        [
            "5/12/2023 10:00:00",
            "Asamblea Nacional (AN)",
            "EC0014",
            "EC0014-H1",
            "2023-11",
            35,
            "En curso",
            "Catálogo publicado",
            "https://www.datosabiertos.gob.ec/dataset/catalogo",
            "",
            "Aprobado",
        ]
    )
    path = tmp_path / "informe_asamblea.xlsx"
    workbook.save(path)
    landed = land_local_file("forms", path, landing_dir=tmp_path / "landing", max_bytes=10**7)
    result = PROGRESS_REPORTS_SPEC.load_file(warehouse, landed, run_id=None)
    assert (result.ledger.received, result.ledger.loaded) == (1, 1)
    row = warehouse.execute(
        "select milestone_code, reporting_month, percent_complete, status, review_state from raw.progress_reports"
    ).fetchone()
    assert row == ("EC0014-H1", date(2023, 11, 1), 35.0, "in_progress", "approved")
