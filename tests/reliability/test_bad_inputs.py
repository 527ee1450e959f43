"""The bad-input corpus: files as institutions, OGP and the association of municipalities really
send them, each with the outcome the platform must give. Every case: loaded correctly, or
quarantined/refused with a clear reason; the ledger balances; no other table changes."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from ingestion.landing import PayloadTooLarge, land_local_file
from ingestion.sources import BY_NAME
from tests.reliability.conftest import record

HEADER = (
    "Marca temporal,Institución,Código del compromiso,Código del hito,Mes que se reporta,Porcentaje de avance "
    "(%),Estado del hito,Descripción del avance,Dificultades,Estado de revisión"
)


def report(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def row(
    percent="45",
    month="2023-11",
    milestone="EC0014-H1",
    narrative="Avance",
    challenges="",
    when="17/11/2023 10:00:00",
    institution="Asamblea Nacional",
    sep=",",
) -> str:
    cells = [when, institution, milestone[:6], milestone, month, percent, "En curso", narrative, challenges, "Aprobado"]
    return sep.join(
        f'"{c}"' if sep in c or '"' in c else c for c in (x.replace('"', '""') if '"' in x else x for x in cells)
    )


def xlsx(sheets: dict[str, list[list]], merge: str | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(values)
        if merge and title == next(iter(sheets)):
            sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def percent_workbook(kind: str) -> bytes:
    """A workbook of `kind` (xlsx, xls, ods) with one report whose percent cell holds 0.355 shown as %."""
    import tempfile

    from tests import institution_files

    writer = {
        "xlsx": institution_files.xlsx_with_title_block_and_sheets,
        "xls": institution_files.xls_with_percent,
        "ods": institution_files.ods_with_percent,
    }[kind]
    with tempfile.TemporaryDirectory() as tmp:
        path = writer(Path(tmp) / f"informe.{kind}")
        if kind == "xlsx":  # just the one %-formatted report
            from openpyxl import load_workbook

            book = load_workbook(path)
            for title in ("Más informes", "Instrucciones"):
                del book[title]
            book.save(path)
        return path.read_bytes()


XLSX_HEADER = HEADER.split(",")
XLSX_ROW = [
    "17/11/2023 10:00:00",
    "Asamblea Nacional",
    "EC0014",
    "EC0014-H1",
    "2023-11",
    "45",
    "En curso",
    "Avance",
    "",
    "Aprobado",
]


@dataclass(frozen=True)
class Case:
    id: str
    what: str
    content: bytes
    loaded: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    source: str = "progress_reports"
    name: str = "informe.csv"
    check: Callable[[duckdb.DuckDBPyConnection], None] | None = None
    refused: type[Exception] | None = None
    preload: bytes | None = None
    note: str = ""


def value(con, sql):
    return con.execute(sql).fetchone()[0]


def catalogue(*rows: str) -> bytes:
    return report(
        *rows,
        header="id_plan,id_compromiso,codigo_hito,hito,peso,fecha_inicio,fecha_fin,institucion_responsable,fecha_retiro",
    )


def dashboard(rows: list[dict], drop: tuple[str, ...] = ()) -> bytes:
    from ingestion.ogp_dashboard import known_columns

    columns = [c for c in known_columns() if c not in drop]
    lines = [",".join(f'"{c}"' for c in columns)]
    for values in rows:
        lines.append(",".join(f'"{values.get(c, "")}"' for c in columns))
    return ("\n".join(lines) + "\n").encode("utf-8")


EXPLORER = (
    "0,1,2,3,4,5,6,7\n"
    "Country,Action Plan Number,Comm No,Commitment Title,Contact Name,Contact Email,Contact Telephone,Completion (Progress Report)\n"
    "Chile,1,1,Portal,María Pérez,maria.perez@gob.example,+56 2 1234 5678,b. Limited\n"
).encode()

CASES = [
    # Encodings and dialects
    Case(
        "latin1",
        "CSV saved as Latin-1 (Windows, Spanish)",
        report(row(institution="Dirección de Gobierno Abierto")).decode().encode("latin-1"),
        loaded=1,
        check=lambda con: value(con, "select institution from raw.progress_reports") == "Dirección de Gobierno Abierto",
    ),
    Case(
        "utf8_bom",
        "UTF-8 with a byte-order mark",
        b"\xef\xbb\xbf" + report(row()),
        loaded=1,
        check=lambda con: value(con, "select submitted_at is not null from raw.progress_reports"),
    ),
    Case("utf16", "UTF-16 (Excel 'Unicode text')", report(row()).decode().encode("utf-16"), loaded=1),
    Case(
        "semicolon",
        "semicolon-delimited (Excel in Spanish locales)",
        report(row(sep=";"), header=HEADER.replace(",", ";")),
        loaded=1,
    ),
    Case("tab", "tab-delimited", report(row(sep="\t"), header=HEADER.replace(",", "\t")), loaded=1),
    Case(
        "ragged_short",
        "a row with fewer cells than the header (trailing optional cells missing)",
        report(row(), "17/11/2023 11:00:00,Asamblea Nacional,EC0014,EC0014-H2,2023-11,30"),
        loaded=2,
    ),
    Case("empty_file", "an empty file (0 bytes)", b"", quarantined={"undecodable_file": 1}),
    Case("header_only", "a header and no rows", report(), loaded=0),
    Case(
        "duplicated_header",
        "the percent column twice",
        report(row() + ",99", header=HEADER + ",Porcentaje de avance (%)"),
        loaded=1,
        check=lambda con: value(con, "select percent_complete from raw.progress_reports") == 45.0,
    ),
    Case(
        "binary_garbage",
        "a PNG renamed .csv",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        quarantined={"undecodable_file": 1},
    ),
    # Columns
    Case(
        "extra_columns",
        "columns the platform does not know",
        report(row() + ",algo", header=HEADER + ",Columna nueva"),
        loaded=1,
        check=lambda con: (
            "Columna nueva" in value(con, "select cast(raw_payload as varchar) from raw.progress_reports")
        ),
    ),
    Case(
        "missing_required_column",
        "no percent column",
        report("17/11/2023,AN,EC0014,EC0014-H1,2023-11", header=",".join(HEADER.split(",")[:5])),
        quarantined={"missing_column": 1},
    ),
    Case(
        "renamed_columns",
        "KoboToolbox export headers (group paths, _uuid)",
        report(
            "uuid-1,2023-11-17T10:00:00,EC0014-H1,2023-11,45",
            header="_uuid,_submission_time,grupo/codigo_hito,grupo/mes_reportado,grupo/porcentaje_de_avance",
        ),
        loaded=1,
        check=lambda con: value(con, "select source_tool from raw.progress_reports") == "kobotoolbox",
    ),
    # Percentages
    Case(
        "percent_with_sign",
        '"45 %"',
        report(row(percent="45 %")),
        loaded=1,
        check=lambda con: value(con, "select percent_complete from raw.progress_reports") == 45.0,
    ),
    Case(
        "percent_decimal_comma",
        '"45,5"',
        report(row(percent="45,5")),
        loaded=1,
        check=lambda con: value(con, "select percent_complete from raw.progress_reports") == 45.5,
    ),
    Case(
        "percent_fraction_like",
        '"0,45" (read as 0.45 %, the form asks for a percentage)',
        report(row(percent="0,45")),
        loaded=1,
        check=lambda con: value(con, "select percent_complete from raw.progress_reports") == 0.45,
    ),
    Case("percent_450", "450", report(row(percent="450")), quarantined={"percent_out_of_range": 1}),
    Case("percent_negative", "-5", report(row(percent="-5")), quarantined={"percent_out_of_range": 1}),
    Case(
        "percent_sentinels",
        "ND / NR / NA instead of a percentage",
        report(row(percent="ND"), row(percent="NR", milestone="EC0014-H2"), row(percent="NA", milestone="EC0014-H3")),
        quarantined={"unparseable_percent": 3},
    ),
    Case("percent_text", '"la mitad"', report(row(percent="la mitad")), quarantined={"unparseable_percent": 1}),
    # Dates
    Case(
        "month_day_first",
        "reporting month 30/11/2023 (day first)",
        report(row(month="30/11/2023")),
        loaded=1,
        check=lambda con: str(value(con, "select reporting_month from raw.progress_reports")) == "2023-11-01",
    ),
    Case(
        "month_month_first",
        "reporting month 11/30/2023 (month first, unambiguous)",
        report(row(month="11/30/2023")),
        loaded=1,
        check=lambda con: str(value(con, "select reporting_month from raw.progress_reports")) == "2023-11-01",
    ),
    Case(
        "month_excel_serial",
        "reporting month as an Excel serial day (45231)",
        report(row(month="45231")),
        loaded=1,
        check=lambda con: str(value(con, "select reporting_month from raw.progress_reports")) == "2023-11-01",
    ),
    Case(
        "month_spanish_name",
        '"noviembre 2023"',
        report(row(month="noviembre 2023")),
        loaded=1,
        check=lambda con: str(value(con, "select reporting_month from raw.progress_reports")) == "2023-11-01",
    ),
    Case(
        "month_unparseable", '"mes once"', report(row(month="mes once")), quarantined={"unparseable_reporting_month": 1}
    ),
    Case(
        "month_outside_plan",
        "reporting month 2035-01, after the plan",
        report(row(month="2035-01")),
        loaded=1,
        note="rejected in the warehouse: outside_plan_period (listed in the snapshot's quality annex)",
    ),
    # Identity
    Case("missing_milestone", "no milestone code", report(row(milestone="")), quarantined={"missing_milestone": 1}),
    Case(
        "unknown_milestone",
        "milestone EC9999-H1, not in the catalogue",
        report(row(milestone="EC9999-H1")),
        loaded=1,
        note="rejected in the warehouse: unknown_milestone (listed in the snapshot's quality annex)",
    ),
    Case(
        "duplicate_in_file",
        "the same report twice in one file",
        report(row(), row()),
        loaded=1,
        quarantined={"duplicate_submission": 1},
    ),
    Case(
        "duplicate_across_files",
        "a report already received in an earlier file",
        report(row()),
        preload=report(row(), row(milestone="EC0014-H2")),
        quarantined={"duplicate_submission": 1},
    ),
    Case(
        "resubmission_correcting",
        "the same milestone and month sent again later with another %",
        report(row(percent="60", when="20/11/2023 09:00:00")),
        preload=report(row()),
        loaded=1,
        note="both kept; the warehouse uses the later one (a correction)",
    ),
    # Text that must not become code
    Case(
        "formula_hyperlink",
        '=HYPERLINK("http://x","clic") in the narrative',
        report(row(narrative='=HYPERLINK("http://x","clic")')),
        loaded=1,
        check=lambda con: value(con, "select narrative from raw.progress_reports").startswith("=HYPERLINK"),
        note="kept as sent; neutralised in every published CSV (leading apostrophe)",
    ),
    Case(
        "formula_cmd",
        "+cmd|' /C calc'!A0 in challenges",
        report(row(challenges="+cmd|' /C calc'!A0")),
        loaded=1,
        note="kept as sent; neutralised on publication",
    ),
    Case(
        "formula_at",
        "@SUM(1+1) as institution",
        report(row(institution="@SUM(1+1)")),
        loaded=1,
        note="kept as sent; neutralised on publication",
    ),
    Case(
        "html_script",
        "<script> in the narrative",
        report(row(narrative="<script>alert('x')</script><b>hecho</b>")),
        loaded=1,
        note="kept as sent; HTML-escaped in the report",
    ),
    Case(
        "very_long_text",
        "a 200,000-character narrative",
        report(row(narrative="á" * 200_000)),
        loaded=1,
        check=lambda con: value(con, "select length(narrative) from raw.progress_reports") == 200_000,
    ),
    Case(
        "sql_in_header_and_name",
        "a header and a file name carrying SQL and quotes",
        report(row() + ",x", header=HEADER + ',"a""; drop table raw.progress_reports; --"'),
        name="'; drop table raw.quarantine; --.csv",
        loaded=1,
        check=lambda con: value(con, "select count(*) from raw.quarantine") == 0,
    ),
    # Spreadsheets
    Case(
        "xlsx_several_sheets",
        "an XLSX whose first sheet is the report and the second instructions",
        xlsx({"Informe": [XLSX_HEADER, XLSX_ROW], "Instrucciones": [["Llene una fila por hito"]]}),
        name="informe.xlsx",
        loaded=1,
        note="the first sheet is read (the template's); other sheets are not data",
    ),
    Case(
        "xlsx_merged_cells",
        "an XLSX with the institution merged over two rows",
        xlsx(
            {"Informe": [XLSX_HEADER, XLSX_ROW, [*XLSX_ROW[:1], None, *XLSX_ROW[2:3], "EC0014-H2", *XLSX_ROW[4:]]]},
            merge="B2:B3",
        ),
        name="informe.xlsx",
        loaded=2,
        check=lambda con: value(con, "select count(*) from raw.progress_reports where institution is null") == 1,
        note="both rows load; the merged-away cell is empty (institution is optional)",
    ),
    # What institutions actually send (spreadsheets as saved, not as the template says)
    Case(
        "xlsx_percent_format",
        "an XLSX below a title block, a % cell holding 0.355, a TOTAL row",
        percent_workbook("xlsx"),
        name="informe.xlsx",
        loaded=1,
        quarantined={"totals_row": 1},
        check=lambda con: value(con, "select percent_complete from raw.progress_reports") == 35.5,
        note="read as the 35.5 % the institution saw, not 0.355 %; the totals row is not a report",
    ),
    Case(
        "xls_excel_97",
        "an Excel 97 (.xls) file with a % cell",
        percent_workbook("xls"),
        name="informe.xls",
        loaded=1,
        check=lambda con: value(con, "select percent_complete from raw.progress_reports") == 35.5,
    ),
    Case(
        "ods_opendocument",
        "an OpenDocument (.ods) file with a % cell",
        percent_workbook("ods"),
        name="informe.ods",
        loaded=1,
        check=lambda con: value(con, "select percent_complete from raw.progress_reports") == 35.5,
    ),
    Case(
        "xlsx_second_data_sheet",
        "an XLSX with reports on two sheets and a title block above one header",
        xlsx(
            {
                "Informe": [["Ministerio de Ejemplo - informe mensual"], [], XLSX_HEADER, XLSX_ROW],
                "Más": [XLSX_HEADER, [*XLSX_ROW[:3], "EC0014-H2", *XLSX_ROW[4:]]],
            }
        ),
        name="informe.xlsx",
        loaded=2,
        note="every sheet whose header names the report's columns is read, each below its own header",
    ),
    Case(
        "mixed_line_endings",
        "a UTF-8 file with a CRLF header and LF rows",
        ("\r\n".join([HEADER, ""]) + row(narrative="año") + "\n").encode("utf-8"),
        loaded=1,
        note="read (not quarantined as undecodable)",
    ),
    Case(
        "row_too_wide",
        "one row with more cells than the header",
        report(row(), row(milestone="EC0014-H2") + ",sobra,otra"),
        loaded=1,
        quarantined={"row_too_wide": 1},
        note="only that row is quarantined, naming the extra cells",
    ),
    Case(
        "no_header_row",
        "a CSV whose header row is missing",
        report(row(), row(milestone="EC0014-H2"), header=row(milestone="EC0014-H3")),
        quarantined={"missing_column": 3},
        note="every row counted, the first one too",
    ),
    Case(
        "month_two_digit_year",
        "month written 'nov-23'",
        report(row(month="nov-23")),
        loaded=1,
        check=lambda con: str(value(con, "select reporting_month from raw.progress_reports")) == "2023-11-01",
    ),
    Case(
        "contact_data_in_text",
        "an e-mail and a phone typed in the narrative and in the percent cell",
        report(
            row(narrative="Escribir a ana.perez@mintel.gob.ec o al 099 123 4567"),
            row(milestone="EC0014-H2", percent="llamar 0987654321"),
        ),
        loaded=1,
        quarantined={"unparseable_percent": 1},
        check=lambda con: (
            "ana.perez" not in value(con, "select narrative from raw.progress_reports")
            and "0987654321" not in value(con, "select reason from raw.quarantine")
        ),
        note="redacted before loading: [correo], [teléfono], in the rows and in the quarantine's reason",
    ),
    Case(
        "oversized",
        "a file over OGP_MAX_FILE_BYTES (zip-bomb sized)",
        report(row()) + b"x" * 5000,
        refused=PayloadTooLarge,
        note="refused before landing: nothing landed, nothing loaded",
    ),
    Case(
        "path_in_name",
        'a file named "../../etc/passwd.csv"',
        report(row()),
        name="../../etc/passwd.csv",
        loaded=1,
        check=lambda con: "/etc/" not in value(con, "select landed_path from raw.landed_files"),
    ),
    # Other sources
    Case(
        "catalogue_bad_weight",
        "catalogue: weight 'abc'",
        catalogue("AP_ECU02,EC0014,EC0014-H1,Hito,abc,2022-09-01,31/12/2023,AN,"),
        source="plan_catalogue",
        quarantined={"bad_weight": 1},
    ),
    Case(
        "catalogue_end_before_start",
        "catalogue: end before start",
        catalogue("AP_ECU02,EC0014,EC0014-H1,Hito,50,2023-09-01,31/12/2022,AN,"),
        source="plan_catalogue",
        quarantined={"end_before_start": 1},
    ),
    Case(
        "catalogue_bad_withdrawal",
        "catalogue: withdrawal date 'pronto'",
        catalogue("AP_ECU02,EC0014,EC0014-H1,Hito,50,2022-09-01,31/12/2023,AN,pronto"),
        source="plan_catalogue",
        quarantined={"unparseable_withdrawal_date": 1},
    ),
    Case(
        "dashboard_schema_drift",
        "OGP export without its Theme column",
        dashboard([{"Commitment Unique Identifier": "EC0014", "Action Plan ID": "AP_ECU02"}], drop=("Theme",)),
        source="ogp_dashboard",
        name="export.csv",
        loaded=1,
        note="loaded; the missing column is reported as schema drift",
    ),
    Case(
        "dashboard_bad_id",
        "OGP export row with id 'ecuador-14'",
        dashboard([{"Commitment Unique Identifier": "ecuador-14"}]),
        source="ogp_dashboard",
        name="export.csv",
        quarantined={"bad_commitment_id": 1},
    ),
    Case(
        "dashboard_dates",
        "OGP export dates 'July 2014' / 'Quarter 1 2019'",
        dashboard(
            [{"Commitment Unique Identifier": "EC0014", "Start Date": "July 2014", "End Date": "Quarter 1 2019"}]
        ),
        source="ogp_dashboard",
        name="export.csv",
        loaded=1,
        check=lambda con: (
            value(con, "select count(*) from raw.date_interpretations where date_precision in ('month', 'quarter')")
            == 2
        ),
    ),
    Case(
        "explorer_personal_data",
        "OGP Explorer file with officials' names, e-mails, phones",
        EXPLORER,
        source="ogp_explorer",
        name="ogpirm_live_data.csv",
        loaded=1,
        check=lambda con: (
            "maria.perez" not in value(con, "select cast(raw_payload as varchar) from raw.ogp_explorer_commitments")
        ),
        note="loaded without the contact columns, not even in raw_payload",
    ),
    Case(
        "indicator_value_text",
        "indicator value 'n/d'",
        report("IND-01,2023-11,n/d", header="codigo_del_indicador,periodo,valor"),
        source="indicator_values",
        quarantined={"unparseable_value": 1},
    ),
    Case(
        "local_index_out_of_range",
        "municipal index score 150",
        report(
            "Cuenca,Azuay,2023,150,80,80,80,84.72",
            header="municipio,provincia,anio,transparencia,participacion,rendicion_de_cuentas,datos_abiertos,indice",
        ),
        source="local_government_index",
        quarantined={"score_out_of_range": 1},
    ),
]

BOOKKEEPING = {
    "raw.quarantine",
    "raw.ingestion_ledger",
    "raw.landed_files",
    "raw.date_interpretations",
    "raw.personal_data_redactions",
    "raw.intake_files",
    "raw.intake_warnings",
}
MAX_BYTES = 4096  # the limit in the oversized case: small, so the case is small too


def _counts(con) -> dict[str, int]:
    tables = [
        f"raw.{t}"
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    ]
    return {t: value(con, f"select count(*) from {t}") for t in tables}


def _land(tmp_path: Path, name: str, content: bytes, source: str, max_bytes: int = 10**8):
    folder = tmp_path / "in" / str(len(list((tmp_path / "in").glob("*"))) if (tmp_path / "in").exists() else 0)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name.replace("\\", "/")).name
    path.write_bytes(content)
    return land_local_file(source, path, landing_dir=tmp_path / "landing", max_bytes=max_bytes)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, warehouse):
    spec = BY_NAME[case.source]
    loader, table = spec.load_file, spec.table
    landing_source = "forms" if case.source in ("progress_reports", "indicator_values") else case.source
    if case.preload:
        loader(warehouse, _land(tmp_path, "anterior.csv", case.preload, landing_source), run_id="earlier")
    before = _counts(warehouse)
    if case.refused:
        with pytest.raises(case.refused) as error:
            _land(tmp_path, case.name, case.content, landing_source, max_bytes=MAX_BYTES)
        assert not list((tmp_path / "landing").rglob("*.csv")) or case.preload
        outcome = f"refused: {error.value}".replace(str(tmp_path), "…")
    else:
        result = loader(warehouse, _land(tmp_path, case.name, case.content, landing_source), run_id="this-run")
        ledger = result.ledger
        assert ledger.received == ledger.loaded + ledger.quarantined
        assert (ledger.loaded, result.quarantine_reasons) == (case.loaded, case.quarantined)
        balanced = warehouse.execute(
            "select sum(received) = sum(loaded) + sum(quarantined) from raw.ingestion_ledger where run_id = 'this-run'"
        ).fetchone()[0]
        assert balanced
        reasons = warehouse.execute(
            "select rule, any_value(reason) from raw.quarantine where landed_file_id = ? group by rule order by rule",
            [result.ledger.landed_file_id],
        ).fetchall()
        assert all(reason for _, reason in reasons)  # every quarantined row says why
        if case.check:
            assert case.check(warehouse)
        outcome = f"loaded {ledger.loaded}" + "".join(
            f"; quarantined {n} `{rule}`: {reason}"
            for (rule, reason), n in zip(reasons, [case.quarantined[r] for r, _ in reasons], strict=False)
        )
    after = _counts(warehouse)
    changed = {t for t in before if before[t] != after[t]} - BOOKKEEPING - {table}
    assert not changed, f"other tables changed: {changed}"
    if case.note:
        outcome += f" ({case.note})"
    record("Bad input corpus", len(CASES), case.id, case.what, outcome[:400])
