"""Ingestion as plain Python: header mapping, tolerant parsing, landing, loading with quarantine
and the ledger. Real DuckDB, real files."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ingestion import sql_expressions as sx
from ingestion.landing import PayloadTooLarge, land_local_file, safe_name
from ingestion.ogp_dashboard import SPEC as OGP_DASHBOARD_SPEC
from ingestion.ogp_dashboard import known_columns, schema_drift
from ingestion.plan_catalogue import SPEC as PLAN_CATALOGUE_SPEC
from ingestion.progress_reports import FIELD_ALIASES, source_tool_for
from ingestion.progress_reports import SPEC as PROGRESS_REPORTS_SPEC
from ingestion.tabular import normalize_header, snake_case
from ingestion.tabular_source import map_columns
from tests.conftest import write

HEADER = (
    "Marca temporal,Institución,Código del compromiso,Código del hito,Mes que se reporta,Porcentaje de avance "
    "(%),Estado del hito,Estado de revisión\n"
)


def test_headers_are_normalised_across_tools():
    assert normalize_header("Porcentaje de avance (%)") == "porcentaje_de_avance"
    assert normalize_header("grupo_avance/codigo_hito") == "codigo_hito"
    assert normalize_header("Código del hito") == "codigo_del_hito"
    assert snake_case("_Specificity") == "specificity_code"
    assert snake_case("Did It Open Government: Public Accountability") == "did_it_open_government_public_accountability"


def test_map_columns_finds_canonical_fields_and_tool():
    columns = ["Marca temporal", "Código del hito", "Mes que se reporta", "Porcentaje de avance (%)"]
    mapping = map_columns(columns, FIELD_ALIASES)
    assert mapping == {
        "submitted_at": "Marca temporal",
        "milestone_code": "Código del hito",
        "reporting_month": "Mes que se reporta",
        "percent_complete": "Porcentaje de avance (%)",
    }
    assert source_tool_for(columns) == "google_forms"
    assert source_tool_for(["_id", "_submission_time", "grupo/codigo_hito"]) == "kobotoolbox"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-11", date(2023, 11, 1)),
        ("2023-11-30", date(2023, 11, 1)),
        ("11/2023", date(2023, 11, 1)),
        ("30/11/2023", date(2023, 11, 1)),
        ("noviembre 2023", date(2023, 11, 1)),
        ("Nov. 2023", date(2023, 11, 1)),
        ("mes once", None),
        ("", None),
    ],
)
def test_reporting_month_parsing(warehouse, text, expected):
    sx.create_parser_macros(warehouse)
    assert warehouse.execute(f"select {sx.reporting_month('v')} from (select ? as v)", [text]).fetchone()[0] == expected


@pytest.mark.parametrize(
    "text, expected", [("45", 45.0), ("45 %", 45.0), ("45,5", 45.5), ("150", 150.0), ("sin dato", None)]
)
def test_percent_parsing_keeps_out_of_range_for_the_rule(warehouse, text, expected):
    assert warehouse.execute(f"select {sx.percent('v')} from (select ? as v)", [text]).fetchone()[0] == expected


def test_landing_keeps_payload_unchanged_under_its_hash(tmp_path):
    source = write(tmp_path / "in" / "../../etc/informe mayo.csv", HEADER)
    landed = land_local_file("progress_reports", source, landing_dir=tmp_path / "landing", max_bytes=10_000)
    assert landed.path.read_bytes() == source.read_bytes()
    assert landed.path.is_relative_to(tmp_path / "landing")
    assert landed.path.name.startswith(landed.sha256[:16])
    meta = json.loads(landed.path.with_name(landed.path.name + ".meta.json").read_text())
    assert meta["sha256"] == landed.sha256 and meta["size_bytes"] == len(HEADER.encode())
    again = land_local_file("progress_reports", source, landing_dir=tmp_path / "landing", max_bytes=10_000)
    assert again.path == landed.path
    assert safe_name("../../etc/passwd") == "passwd"


def test_landing_refuses_files_over_the_size_limit(tmp_path):
    source = write(tmp_path / "big.csv", "x" * 2000)
    with pytest.raises(PayloadTooLarge, match="OGP_MAX_FILE_BYTES"):
        land_local_file("progress_reports", source, landing_dir=tmp_path / "landing", max_bytes=1000)


def test_progress_reports_load_with_quarantine_and_balanced_ledger(tmp_path, warehouse):
    rows = [
        "3/12/2023 10:00:00,MINTEL,EC0011,EC0011-H1,2023-11,45,En curso,Aprobado",
        "3/12/2023 10:05:00,MINTEL,EC0011,EC0011-H2,noviembre 2023,45 %,En curso,",
        "3/12/2023 10:06:00,MINTEL,EC0011,EC0011-H3,2023-11,150,En curso,Aprobado",
        "3/12/2023 10:07:00,MINTEL,EC0011,,2023-11,10,En curso,Aprobado",
        "3/12/2023 10:08:00,MINTEL,EC0011,EC0011-H3,el mes pasado,10,En curso,Aprobado",
        "3/12/2023 10:09:00,MINTEL,EC0011,EC0011-H3,2023-11,diez,En curso,Rechazado",
        "3/12/2023 10:00:00,MINTEL,EC0011,EC0011-H1,2023-11,45,En curso,Aprobado",
    ]
    path = write(tmp_path / "informe.csv", HEADER + "\n".join(rows) + "\n")
    landed = land_local_file("progress_reports", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    result = PROGRESS_REPORTS_SPEC.load_file(warehouse, landed, run_id="run-1")
    assert (result.ledger.received, result.ledger.loaded, result.ledger.quarantined) == (7, 2, 5)
    assert result.quarantine_reasons == {
        "duplicate_submission": 1,
        "missing_milestone": 1,
        "percent_out_of_range": 1,
        "unparseable_percent": 1,
        "unparseable_reporting_month": 1,
    }
    loaded = warehouse.execute(
        "select milestone_code, reporting_month, percent_complete, review_state, source_tool from "
        "raw.progress_reports order by milestone_code"
    ).fetchall()
    assert loaded == [
        ("EC0011-H1", date(2023, 11, 1), 45.0, "approved", "google_forms"),
        ("EC0011-H2", date(2023, 11, 1), 45.0, "received", "google_forms"),
    ]
    reasons = dict(warehouse.execute("select rule, reason from raw.quarantine").fetchall())
    # In the operator's language, naming the row and the value.
    assert reasons["percent_out_of_range"] == "fila 3: el porcentaje de avance 150 está fuera de 0-100"
    assert (
        reasons["unparseable_reporting_month"]
        == "fila 5: el mes reportado «el mes pasado» no es un mes (escriba 2023-11, 11/2023 o nov-23)"
    )
    ledger = warehouse.execute("select received, loaded, quarantined from raw.ingestion_ledger").fetchall()
    assert ledger == [(7, 2, 5)]


def _month_files(tmp_path):
    """A drop of monthly exports: a resubmission across files, a header-only file, a file of
    another layout in between, one with a row no other file has, and one broken past the
    sniffer's sample (so reading the files together fails and each is loaded alone)."""
    row = "3/12/2023 10:0{i}:00,MINTEL,EC0011,EC0011-H{h},2023-{m},{p},En curso,Aprobado"
    texts = {
        "a_2023-10.csv": HEADER + "\n".join(row.format(i=i, h=i, m=10, p=10 * i) for i in range(1, 4)) + "\n",
        "b_2023-11.csv": HEADER + row.format(i=2, h=2, m=10, p=20) + "\n" + row.format(i=5, h=5, m=11, p=150) + "\n",
        "c_vacio.csv": HEADER,
        "d_otro.csv": "Código del hito;Mes que se reporta;Porcentaje de avance (%)\nEC0011-H1;2023-11;45\n",
        "e_2023-12.csv": HEADER + row.format(i=6, h=1, m=12, p=60) + "\n",
        "f_2023-12.csv": HEADER + row.format(i=7, h=2, m=12, p=70) + "\n",
    }
    return [write(tmp_path / "in" / name, text) for name, text in texts.items()]


def test_files_loaded_together_give_what_loading_them_one_by_one_gives(tmp_path, warehouse):
    import duckdb

    paths = _month_files(tmp_path)
    landed = [land_local_file("progress_reports", p, landing_dir=tmp_path / "landing", max_bytes=10**6) for p in paths]
    together = PROGRESS_REPORTS_SPEC.load_files(warehouse, landed, run_id="run-1")
    with duckdb.connect(str(tmp_path / "one_by_one.duckdb")) as alone:
        from ingestion.sources import ensure_raw_schema

        ensure_raw_schema(alone)
        one_by_one = [PROGRESS_REPORTS_SPEC.load_file(alone, f, run_id="run-1") for f in landed]
        assert [r.ledger for r in together] == [r.ledger for r in one_by_one]
        assert [r.quarantine_reasons for r in together] == [r.quarantine_reasons for r in one_by_one]
        for table, columns in [
            ("raw.progress_reports", "* exclude (loaded_at)"),
            ("raw.quarantine", "* exclude (quarantined_at)"),
            ("raw.ingestion_ledger", "* exclude (recorded_at)"),
        ]:
            query = f"select {columns} from {table} order by all"
            assert warehouse.execute(query).fetchall() == alone.execute(query).fetchall(), table
    # The resubmission in the second file is the one quarantined; the header-only file is in the ledger.
    assert together[1].quarantine_reasons == {"duplicate_submission": 1, "percent_out_of_range": 1}
    assert (together[2].ledger.received, together[2].ledger.loaded) == (0, 0)
    assert warehouse.execute("select count(*) from raw.landed_files").fetchone()[0] == len(paths)


def test_a_file_that_breaks_a_group_is_loaded_alone_and_the_others_still_load(tmp_path, warehouse):
    good = HEADER + "3/12/2023 10:00:00,MINTEL,EC0011,EC0011-H1,2023-11,45,En curso,Aprobado\n"
    # Past the sniffer's sample, a row with more fields than the header: the files cannot be read together.
    broken = HEADER + "".join(
        f"3/12/2023 10:00:00,MINTEL,EC0011,EC0011-H2,2023-{m:02d},5,En curso,Aprobado\n" for m in [1] * 30000
    )
    broken += "3/12/2023 10:00:00,MINTEL,EC0011,EC0011-H3,2023-11,5,En curso,Aprobado,extra,extra\n"
    paths = [
        write(tmp_path / "in" / "a.csv", good),
        write(tmp_path / "in" / "b.csv", broken),
        write(tmp_path / "in" / "c.csv", good.replace("H1", "H4")),
    ]
    landed = [land_local_file("progress_reports", p, landing_dir=tmp_path / "landing", max_bytes=10**8) for p in paths]
    results = PROGRESS_REPORTS_SPEC.load_files(warehouse, landed, run_id=None)
    assert [r.ledger.received == r.ledger.loaded + r.ledger.quarantined for r in results] == [True] * 3
    assert results[0].ledger.loaded == 1 and results[2].ledger.loaded == 1
    assert warehouse.execute("select count(*) from raw.ingestion_ledger").fetchone()[0] == 3


def test_a_file_without_required_columns_is_quarantined_whole(tmp_path, warehouse):
    path = write(tmp_path / "otro.csv", "nombre,valor\na,1\nb,2\n")
    landed = land_local_file("progress_reports", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    result = PROGRESS_REPORTS_SPEC.load_file(warehouse, landed, run_id=None)
    assert (result.ledger.received, result.ledger.loaded, result.ledger.quarantined) == (2, 0, 2)
    assert warehouse.execute("select distinct rule from raw.quarantine").fetchall() == [("missing_column",)]


def test_latin1_file_is_read(tmp_path, warehouse):
    path = write(
        tmp_path / "latin1.csv",
        HEADER + "3/12/2023 10:00:00,Defensoría,EC0016,EC0016-H1,2023-11,50,En curso,Aprobado\n",
        encoding="latin-1",
    )
    landed = land_local_file("progress_reports", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    result = PROGRESS_REPORTS_SPEC.load_file(warehouse, landed, run_id=None)
    assert result.ledger.loaded == 1
    assert warehouse.execute("select institution from raw.progress_reports").fetchone()[0] == "Defensoría"


def test_plan_catalogue_rules(tmp_path, warehouse):
    text = (
        "id_plan_de_accion,id_compromiso,codigo_hito,hito,peso,fecha_inicio,fecha_fin\n"
        "AP_ECU02,EC0014,EC0014-H1,Catálogo,25,2023-01-01,30/06/2023\n"
        "AP_ECU02,E14,EC0014-H2,Mal id,25,2023-01-01,30/06/2023\n"
        "AP_ECU02,EC0014,EC0014-H3,Fechas al revés,25,2023-06-01,01/01/2023\n"
        "AP_ECU02,EC0014,EC0014-H4,Peso,mucho,2023-01-01,30/06/2023\n"
    )
    landed = land_local_file(
        "plan_catalogue", write(tmp_path / "hitos.csv", text), landing_dir=tmp_path / "landing", max_bytes=10**6
    )
    result = PLAN_CATALOGUE_SPEC.load_file(warehouse, landed, run_id=None)
    assert result.ledger.loaded == 1
    assert result.quarantine_reasons == {"bad_commitment_id": 1, "end_before_start": 1, "bad_weight": 1}


def test_ogp_dashboard_schema_drift_is_reported_not_crashed_on(tmp_path, warehouse):
    columns = [c for c in known_columns() if c != "Theme"] + ["New IRM Column"]
    header = ",".join(f'"{c}"' for c in columns)
    row = {c: "ND" for c in columns}
    row.update(
        {"Commitment Unique Identifier": "EC0014", "Action Plan ID": "AP_ECU02", "Commitment Title": "Construyendo"}
    )
    bad = dict(row, **{"Commitment Unique Identifier": "ecuador-14"})
    lines = [header] + [",".join(f'"{r[c]}"' for c in columns) for r in (row, bad)]
    landed = land_local_file(
        "ogp_dashboard",
        write(tmp_path / "export.csv", "\n".join(lines) + "\n"),
        landing_dir=tmp_path / "landing",
        max_bytes=10**7,
    )
    result = OGP_DASHBOARD_SPEC.load_file(warehouse, landed, run_id=None)
    assert result.schema_report == {"missing_columns": ["Theme"], "new_columns": ["New IRM Column"], "drift": True}
    assert (result.ledger.loaded, result.quarantine_reasons) == (1, {"bad_commitment_id": 1})
    assert warehouse.execute("select theme, commitment_title from raw.ogp_dashboard_commitments").fetchone() == (
        None,
        "Construyendo",
    )
    assert schema_drift(list(known_columns()))["drift"] is False


@pytest.mark.parametrize(
    "text, start, end, precision",
    [
        ("1/1/2023", date(2023, 1, 1), date(2023, 1, 1), "day"),  # OGP's month-first convention
        ("8/22/2019", date(2019, 8, 22), date(2019, 8, 22), "day"),
        ("31/12/2015", date(2015, 12, 31), date(2015, 12, 31), "day"),  # day first when it cannot be a month
        ("July 2014", date(2014, 7, 1), date(2014, 7, 31), "month"),
        ("noviembre 2023", date(2023, 11, 1), date(2023, 11, 30), "month"),
        ("Quarter 1 2019", date(2019, 1, 1), date(2019, 3, 31), "quarter"),
        ("2019-Q3", date(2019, 7, 1), date(2019, 9, 30), "quarter"),
        ("2016", date(2016, 1, 1), date(2016, 12, 31), "year"),
        ("Not Specified", None, None, "not_given"),
        ("NA", None, None, "not_given"),
        ("pronto", None, None, "unparsed"),
        # Forms the samples lack: Roman numerals and words for quarters, halves, seasons, spreadsheet serials.
        ("I quarter of 2021", date(2021, 1, 1), date(2021, 3, 31), "quarter"),
        ("Quarter IV 2018", date(2018, 10, 1), date(2018, 12, 31), "quarter"),
        ("II trimestre de 2020", date(2020, 4, 1), date(2020, 6, 30), "quarter"),
        ("first half of 2019", date(2019, 1, 1), date(2019, 6, 30), "half"),
        ("H2 2020", date(2020, 7, 1), date(2020, 12, 31), "half"),
        ("Spring 2015", date(2015, 3, 1), date(2015, 5, 31), "season"),
        ("Winter 2018", date(2017, 12, 1), date(2018, 2, 28), "season"),
        ("42005", date(2015, 1, 1), date(2015, 1, 1), "day"),  # an Excel serial day
        ("1905-07-06", date(2014, 1, 1), date(2014, 12, 31), "year"),  # 2014 typed into a date cell
        ("Q5 2019", None, None, "unparsed"),
    ],
)
def test_ogp_dates_are_interpreted_with_their_precision(text, start, end, precision):
    from ingestion.dates import interpret_date

    result = interpret_date(text)
    assert (result.period_start, result.period_end, result.precision) == (start, end, precision)


def test_an_ambiguous_numeric_date_keeps_both_readings_and_what_proves_the_order():
    from ingestion.dates import interpret_date

    ambiguous = interpret_date("01/07/2014")
    assert (ambiguous.period_start, ambiguous.day_first_start, ambiguous.day_month_order) == (
        date(2014, 1, 7),
        date(2014, 7, 1),
        "ambiguous",
    )
    assert interpret_date("31/12/2016").day_month_order == "day_first"
    assert interpret_date("12/31/2016").day_month_order == "month_first"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Contacto: ana.perez@mintel.gob.ec, cel. 099 123 4567", "Contacto: [correo], cel. [teléfono]"),
        ("Llamar al (02) 256-7890 o al +1 202 555 0143", "Llamar al [teléfono] o al [teléfono]"),
        # Numbers that are not phones stay: years, ranges, amounts, ids, law numbers, dates.
        (
            "Plan 2014-2016, USD 2.500.000, Ley 2013-45, ID0129, 12/31/2022",
            "Plan 2014-2016, USD 2.500.000, Ley 2013-45, ID0129, 12/31/2022",
        ),
        (None, None),
    ],
)
def test_personal_data_in_free_text_is_redacted(text, expected):
    from ingestion.personal_data import redact

    assert redact(text) == expected


def test_personal_data_is_redacted_before_rows_are_loaded_or_quarantined(tmp_path, warehouse):
    path = write(
        tmp_path / "informe.csv",
        "codigo_hito,mes_reportado,porcentaje_avance,narrativa,dificultades\n"
        "EC0011-H1,2023-11,40,Avance; escribir a juan.soto@inst.gob.ec,Llamar al 0991234567\n"
        "EC0011-H2,2023-11,llamar 0987654321,Ver 098 765 4321,\n",
    )
    landed = land_local_file("forms", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    result = PROGRESS_REPORTS_SPEC.load_file(warehouse, landed, run_id=None)
    assert (result.ledger.loaded, result.ledger.quarantined) == (1, 1)
    stored = " ".join(str(v) for row in warehouse.execute("select * from raw.progress_reports").fetchall() for v in row)
    quarantined = " ".join(str(v) for row in warehouse.execute("select * from raw.quarantine").fetchall() for v in row)
    for personal in ("juan.soto@inst.gob.ec", "0991234567", "098 765 4321"):
        assert personal not in stored and personal not in quarantined
    assert "[correo]" in stored and "[teléfono]" in quarantined
    [(reason,)] = warehouse.execute("select reason from raw.quarantine").fetchall()
    assert "0987654321" not in reason and "[teléfono]" in reason  # a phone typed into the percent cell
    counts = warehouse.execute(
        "select column_name, rows_redacted, emails_redacted, phones_redacted "
        "from raw.personal_data_redactions order by 1"
    ).fetchall()
    assert counts == [("dificultades", 1, 0, 1), ("narrativa", 2, 1, 1)]
    # The landing zone keeps the payload as received.
    assert "juan.soto@inst.gob.ec" in landed.path.read_text(encoding="utf-8")


def test_phones_are_found_in_the_formats_of_the_tracked_members_countries(tmp_path, warehouse):
    """A Peruvian mobile written the Peruvian way is personal data once a tracked member is
    Peruvian (the members file says so), and is left alone before: no country is assumed in code."""
    from ingestion.tracked_members import SPEC as TRACKED_MEMBERS_SPEC

    def load_report(name: str, milestone: str) -> str:
        path = write(
            tmp_path / name,
            "codigo_hito,mes_reportado,porcentaje_avance,descripcion_del_avance\n"
            f"{milestone},2023-11,40,Coordinar con 912 345 678 ({name})\n",
        )
        landed = PROGRESS_REPORTS_SPEC.load_file(
            warehouse, land_local_file("forms", path, landing_dir=tmp_path / "landing", max_bytes=10**6), run_id=None
        )
        assert landed.ledger.loaded == 1
        return warehouse.execute(
            "select narrative from raw.progress_reports order by loaded_at desc limit 1"
        ).fetchone()[0]

    assert "912 345 678" in load_report("antes.csv", "EC0011-H1")
    members = write(
        tmp_path / "miembros.csv",
        "codigo_miembro,nombre,nivel,municipio,pais\nPER,Perú,nacional,,pe\n"
        "PELIM,Lima,local,Lima,PE\nXX,Sin país,nacional,,Perú\n",
    )
    result = TRACKED_MEMBERS_SPEC.load_file(
        warehouse,
        land_local_file("tracked_members", members, landing_dir=tmp_path / "landing", max_bytes=10**6),
        run_id=None,
    )
    assert (result.ledger.loaded, result.ledger.quarantined) == (2, 1)
    [(reason,)] = warehouse.execute("select reason from raw.quarantine where source = 'tracked_members'").fetchall()
    assert "fila 3" in reason and "«PERÚ»" in reason and "ISO 3166" in reason
    assert load_report("despues.csv", "EC0011-H2") == "Coordinar con [teléfono] (despues.csv)"


def test_ogp_export_dates_are_recorded_once_per_text_beside_the_original(tmp_path, warehouse):
    columns = list(known_columns())
    header = ",".join(f'"{c}"' for c in columns)
    rows = []
    for number, (start, end) in enumerate([("July 2014", "Quarter 1 2019"), ("1/1/2023", "2016"), ("July 2014", "NA")]):
        row = {c: "" for c in columns}
        row.update({"Commitment Unique Identifier": f"EC00{number + 10}", "Start Date": start, "End Date": end})
        rows.append(",".join(f'"{row[c]}"' for c in columns))
    landed = land_local_file(
        "ogp_dashboard",
        write(tmp_path / "export.csv", "\n".join([header, *rows]) + "\n"),
        landing_dir=tmp_path / "landing",
        max_bytes=10**7,
    )
    OGP_DASHBOARD_SPEC.load_file(warehouse, landed, run_id=None)
    assert warehouse.execute("select start_date, end_date from raw.ogp_dashboard_commitments order by 1, 2").fetchall()[
        0
    ] == ("1/1/2023", "2016")
    interpretations = dict(
        (text, (start, end, precision))
        for text, start, end, precision in warehouse.execute(
            "select raw_text, period_start, period_end, date_precision from raw.date_interpretations"
        ).fetchall()
    )
    assert interpretations == {
        "July 2014": (date(2014, 7, 1), date(2014, 7, 31), "month"),
        "Quarter 1 2019": (date(2019, 1, 1), date(2019, 3, 31), "quarter"),
        "1/1/2023": (date(2023, 1, 1), date(2023, 1, 1), "day"),
        "2016": (date(2016, 1, 1), date(2016, 12, 31), "year"),
        "NA": (None, None, "not_given"),
    }


def test_dbt_policy_area_list_matches_the_known_export_columns():
    import re
    from pathlib import Path

    macro = (Path(__file__).resolve().parents[1] / "dbt_project" / "macros" / "ogp_policy_areas.sql").read_text(
        encoding="utf-8"
    )
    labels = re.findall(r'\("[a-z0-9_]+", "([^"]+)"\)', macro)
    columns = list(known_columns())
    assert labels == columns[columns.index("Anti-Corruption and Integrity") : columns.index("Money in Politics") + 1]


def test_ogp_explorer_header_row_and_personal_data(tmp_path, warehouse):
    from ingestion.ogp_explorer import load_ogp_explorer_file

    header = [
        "Country",
        "Action Plan Number",
        "Comm No",
        "Commitment Title",
        "Lead Institution",
        "Contact Name",
        "Contact Position",
        "Contact Email",
        "Contact Telephone",
        "Specificity",
        "_Specificity",
        "Completion (progress report)",
        "_CompletionProgress",
        "",
        "",
    ]
    rows = [
        ",".join(str(i) for i in range(len(header))),
        ",".join(f'"{h}"' for h in header),
        (
            'Albania,1,10,"10. Ethics in research",Ministry of Education,Ana Pérez,Director,ana@example.org,+355 '
            "4 000 000,b. Low,1,c. Substantial,4,,"
        ),
        ',1,11,"No country",Ministry,,,,,a. none,0,ND,ND,,',
    ]
    path = write(tmp_path / "ogpirm_live_data.csv", "\n".join(rows) + "\n")
    landed = land_local_file("ogp_explorer", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    result = load_ogp_explorer_file(warehouse, landed, run_id=None)
    assert (result.ledger.loaded, result.quarantine_reasons) == (1, {"missing_country": 1})
    row = warehouse.execute(
        "select country, commitment_number, specificity, completion_progress, raw_payload from raw.ogp_explorer_commitments"
    ).fetchone()
    assert row[:4] == ("Albania", "10", "b. Low", "c. Substantial")
    stored = " ".join(str(v) for v in warehouse.execute("select * from raw.ogp_explorer_commitments").fetchone())
    quarantined = " ".join(str(v) for v in warehouse.execute("select * from raw.quarantine").fetchone())
    for personal in ("Ana Pérez", "ana@example.org", "+355"):
        assert personal not in stored and personal not in quarantined


def test_the_explorer_export_variant_is_read_not_quarantined(tmp_path, warehouse):
    """`data_to_export/ogpirm_live_data.csv`: no row of column indices, `Action Plan No`."""
    from ingestion.ogp_explorer import load_ogp_explorer_file

    path = write(
        tmp_path / "ogpirm_live_data.csv",
        "Country,Action Plan No,Comm No,Commitment Title,Specificity,_Specificity\n"
        'Albania,1,2,"2. Open data",b. medium,2\nAlbania,1,2,"2. Open data",b. medium,2\n',
    )
    landed = land_local_file("ogp_explorer", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    result = load_ogp_explorer_file(warehouse, landed, run_id=None)
    assert (result.ledger.received, result.ledger.loaded) == (
        2,
        2,
    )  # a duplicate key is kept: dbt makes it one commitment
    assert warehouse.execute("select distinct action_plan_number from raw.ogp_explorer_commitments").fetchall() == [
        ("1",)
    ]


def test_ogp_commitment_sheet_layout_loads_through_the_dashboard_source(tmp_path, warehouse):
    """OGP's current commitment sheet: a subset of the Dashboard's columns (no member code, type or
    plan id); what it lacks loads as NULL and is reported as drift, nothing is quarantined."""
    columns = [
        "Commitment Unique Identifier",
        "Country/Locality",
        "Region",
        "Theme",
        "Year Of Submission",
        "Action Plan Number",
        "Commitment Number",
        "Commitment Title",
        "Short Title",
        "Full Text",
        "URL",
        "OGP Value Access To Information",
        "OGP Value Civic Participation",
        "OGP Value Public Accountability",
        "OGP Value Technology",
        "Specificity",
        "Potential Impact",
        "Completion (Progress Report)",
        "Did It Open Government (Overall)",
    ]
    row = [
        "AR0045",
        "Argentina",
        "Americas",
        "Open Data",
        "2017",
        "3",
        "4",
        "Datos abiertos",
        "Open data",
        "Texto; contacto a.b@example.org",
        "https://www.opengovpartnership.org/x",
        "1",
        "0",
        "0",
        "1",
        "High",
        "Moderate",
        "Substantial",
        "Major",
    ]
    path = write(
        tmp_path / "commitments.csv",
        ",".join(f'"{c}"' for c in columns) + "\n" + ",".join(f'"{v}"' for v in row) + "\n",
    )
    landed = land_local_file("ogp_dashboard", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    result = OGP_DASHBOARD_SPEC.load_file(warehouse, landed, run_id=None)
    assert (result.ledger.loaded, result.ledger.quarantined) == (1, 0)
    assert "Code" in result.schema_report["missing_columns"] and not result.schema_report["new_columns"]
    assert warehouse.execute(
        "select completion_progress_report, full_text from raw.ogp_dashboard_commitments"
    ).fetchone() == ("Substantial", "Texto; contacto a.b@example.org".replace("a.b@example.org", "[correo]"))


def test_a_whole_file_quarantine_keeps_no_personal_data(tmp_path, warehouse):
    from ingestion.ogp_explorer import load_ogp_explorer_file

    path = write(
        tmp_path / "explorer_sin_numero.csv", "Country,Action Plan Number,Contact Email\nAlbania,1,ana@example.org\n"
    )
    landed = land_local_file("ogp_explorer", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    result = load_ogp_explorer_file(warehouse, landed, run_id=None)
    assert result.quarantine_reasons == {"missing_column": 1}
    payload = warehouse.execute("select raw_payload from raw.quarantine").fetchone()[0]
    assert "Albania" in payload and "ana@example.org" not in payload
