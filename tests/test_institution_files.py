"""What institutions actually send (issue: every file accounted for, no value published wrong):
workbooks of every kind, archives, files without a header or with a row too wide, names in any
script, months written as `nov-23`. Each case asserts the ledger: received = loaded + quarantined."""

from __future__ import annotations

import os
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.inbox import inbox_name
from ingestion.landing import land_local_file
from ingestion.progress_reports import SPEC as PROGRESS_REPORTS_SPEC
from orchestration import cli
from tests import institution_files as files
from tests.conftest import write


def _load(tmp_path: Path, warehouse, path: Path):
    landed = land_local_file("forms", path, landing_dir=tmp_path / "landing", max_bytes=10**7)
    result = PROGRESS_REPORTS_SPEC.load_file(warehouse, landed, run_id=None)
    assert result.ledger.received == result.ledger.loaded + result.ledger.quarantined
    return result


def _reports(warehouse):
    return warehouse.execute(
        "select milestone_code, reporting_month, percent_complete from raw.progress_reports order by 1"
    ).fetchall()


def test_xlsx_every_data_sheet_below_its_title_block_with_percent_cells_as_shown(tmp_path, warehouse):
    result = _load(tmp_path, warehouse, files.xlsx_with_title_block_and_sheets(tmp_path / "informe.xlsx"))
    assert (result.ledger.received, result.ledger.loaded) == (3, 2)
    assert result.quarantine_reasons == {"totals_row": 1}  # the totals row, with its reason
    assert _reports(warehouse) == [("EC0011-H1", date(2023, 11, 1), 35.5), ("EC0011-H2", date(2023, 11, 1), 40.0)]
    payload = warehouse.execute(
        "select raw_payload from raw.progress_reports where milestone_code = 'EC0011-H2'"
    ).fetchone()[0]
    assert '"_hoja":"Más informes"' in payload and '"_fila":"2"' in payload  # sheet and row as the person sees them


@pytest.mark.parametrize(
    "name, writer", [("informe.xls", files.xls_with_percent), ("informe.ods", files.ods_with_percent)]
)
def test_excel_97_and_opendocument_with_percent_cells(tmp_path, warehouse, name, writer):
    result = _load(tmp_path, warehouse, writer(tmp_path / name))
    assert result.ledger.loaded == 1
    assert _reports(warehouse) == [("EC0011-H1", date(2023, 11, 1), 35.5)]


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(tmp_path, warehouse):
    path = files.xlsx_with_title_block_and_sheets(tmp_path / "informe.xlsx").rename(tmp_path / "informe.csv")
    assert _load(tmp_path, warehouse, path).ledger.loaded == 2


def test_line_endings_mixed_and_a_row_too_wide(tmp_path, warehouse):
    mixed = tmp_path / "mixto.csv"
    mixed.write_bytes(
        "codigo_hito,mes_reportado,porcentaje_avance,narrativa\r\nEC0011-H1,2023-11,40,uno\nEC0011-H2,nov-23,50,dos ñ\n".encode()
    )
    assert _load(tmp_path, warehouse, mixed).ledger.loaded == 2  # UTF-8, not "undecodable (cp1252)"
    wide = write(
        tmp_path / "ancho.csv",
        "codigo_hito,mes_reportado,porcentaje_avance,narrativa\n"
        "EC0011-H3,2023-11,40,uno\nEC0011-H4,2023-11,50,dos,sobra,otra\nEC0011-H5,2023-11,60,tres\n",
    )
    result = _load(tmp_path, warehouse, wide)
    assert (result.ledger.loaded, result.quarantine_reasons) == (2, {"row_too_wide": 1})
    [(row, reason)] = warehouse.execute(
        "select source_row_number, reason from raw.quarantine where rule = 'row_too_wide'"
    ).fetchall()
    assert row == 2 and "sobran: sobra | otra" in reason


def test_a_csv_without_its_header_row_counts_every_report(tmp_path, warehouse):
    result = _load(
        tmp_path,
        warehouse,
        write(tmp_path / "sin_encabezado.csv", "EC0011-H1,2023-11,40,uno\nEC0011-H2,2023-11,50,dos\n"),
    )
    assert (result.ledger.received, result.ledger.quarantined) == (2, 2)  # the first report is not lost as a header
    reasons = {r for (r,) in warehouse.execute("select reason from raw.quarantine").fetchall()}
    assert reasons == {
        "el archivo no tiene fila de encabezado: su primera fila ya son datos "
        "(EC0011-H1, 2023-11, 40, uno); agregue los nombres de las columnas"
    }


def test_names_in_any_script_are_kept():
    assert inbox_name("进度报告.csv") == "进度报告.csv"
    assert inbox_name("ñ.csv") == "ñ.csv"
    assert inbox_name("..csv") == "..csv"
    assert inbox_name("../../etc/passwd") == "passwd"
    assert inbox_name("..") == "archivo"


@pytest.mark.parametrize(
    "text, message",
    [
        ("2030-01", "2030-01 aún no ha terminado"),
        ("2023-13", "«2023-13» no es un mes"),
        ("nov-2023", "«nov-2023» no es un mes"),
        ("2023-11:2023-01", "termina antes de empezar"),
        ("2019-08", "es anterior a 2019-09"),
    ],
)
def test_invalid_months_are_one_line_in_spanish(text, message, capsys):
    assert cli.main(["run-month", text]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err


@pytest.mark.slow
def test_every_file_in_the_inbox_is_an_item_of_the_ledger(data_dir, tmp_path, monkeypatch, capsys):
    """`ogp load` with what institutions send: an .xls, an .ods, a .zip holding a CSV, a workbook,
    a PDF and macOS's metadata, names in other scripts, a file over the size limit. Nothing
    vanishes: each has a ledger entry under its original name, and the rows balance."""
    monkeypatch.setenv("OGP_MAX_FILE_BYTES", "200000")
    drop = tmp_path / "drop"
    drop.mkdir()
    csv_text = "Código del hito,Mes que se reporta,Porcentaje de avance (%)\nEC0011-H1,2023-11,40\n"
    write(drop / "进度报告.csv", csv_text)
    write(drop / "ñ.csv", csv_text.replace("EC0011-H1", "EC0011-H2"))
    write(drop / "..csv", csv_text.replace("EC0011-H1", "EC0012-H1"))
    files.xls_with_percent(drop / "informe.xls")
    files.ods_with_percent(drop / "informe.ods")
    (drop / "grande.csv").write_text(csv_text + "x" * 300_000, encoding="utf-8")
    with zipfile.ZipFile(drop / "entregas.zip", "w") as archive:
        archive.writestr("noviembre/informe.csv", csv_text.replace("EC0011-H1", "EC0013-H1"))
        archive.write(files.xlsx_with_title_block_and_sheets(tmp_path / "libro.xlsx"), "noviembre/libro.xlsx")
        archive.writestr("noviembre/acta.pdf", b"%PDF-1.4 not a spreadsheet")
        archive.writestr("__MACOSX/noviembre/._informe.csv", b"\x00\x05\x16\x07")
    # What the second round of files brought, straight into the inbox: a link to a file outside it,
    # a FIFO, a zip with a damaged member beside a healthy one. The load still exits 0.
    inbox = data_dir / "inbox"
    inbox.mkdir(parents=True)
    secret = write(
        tmp_path / "fuera" / "secreto.csv",
        "Código del hito,Mes que se reporta,Porcentaje de avance (%)\nSECRETO-H1,2023-11,99\n",
    )
    (inbox / "enlace.csv").symlink_to(secret)
    os.mkfifo(inbox / "tuberia.csv")
    with zipfile.ZipFile(inbox / "segunda.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sano.csv", csv_text.replace("EC0011-H1", "EC0014-H1"))
        archive.writestr("danado.csv", csv_text.replace("40", "41") * 50)
    damaged = bytearray((inbox / "segunda.zip").read_bytes())
    with zipfile.ZipFile(inbox / "segunda.zip") as archive:
        info = archive.getinfo("danado.csv")
    damaged[info.header_offset + 30 + len("danado.csv") + info.compress_size // 2] ^= 0xFF
    (inbox / "segunda.zip").write_bytes(bytes(damaged))
    assert cli.main(["load", *map(str, sorted(drop.iterdir()))]) == 0
    capsys.readouterr()
    assert cli.main(["status"]) == 0
    status = capsys.readouterr().out
    for name, words in [
        ("enlace.csv", "enlace simbólico"),
        ("tuberia.csv", "tubería"),
        ("segunda.zip/danado.csv", "dañado"),
        ("grande.csv", "OGP_MAX_FILE_BYTES"),
        ("entregas.zip/noviembre/acta.pdf", "no es una hoja de cálculo"),
    ]:
        assert name in status and words in status, (name, status)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        assert "SECRETO" not in " ".join(
            str(r)
            for t in ("quarantine", "progress_reports", "intake_files", "landed_files")
            for r in con.execute(f"select * from raw.{t}").fetchall()
        )
        assert (
            con.execute("select count(*) from raw.progress_reports where milestone_code = 'EC0014-H1'").fetchone()[0]
            == 1
        )
        annex = {
            n
            for (n,) in con.execute(
                "select file_name from marts.fct_data_quality_issues where annex_month = date '2023-11-01'"
            ).fetchall()
        }
        assert {"enlace.csv", "segunda.zip", "grande.csv"} <= annex, annex
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        names = {
            n for (n,) in con.execute("select original_name from raw.landed_files where source = 'forms'").fetchall()
        }
        assert {
            "进度报告.csv",
            "ñ.csv",
            "..csv",
            "informe.xls",
            "informe.ods",
            "grande.csv",
            "entregas.zip",
            "entregas.zip/noviembre/informe.csv",
            "entregas.zip/noviembre/libro.xlsx",
            "entregas.zip/noviembre/acta.pdf",
        } <= names
        unbalanced = con.execute("""select landed_file_id from raw.ingestion_ledger where superseded_at is null
                                    group by all having sum(received) <> sum(loaded) + sum(quarantined)""").fetchall()
        assert not unbalanced
        every_file_has_an_entry = con.execute("""select count(*) from raw.landed_files f where source = 'forms'
            and not exists (select 1 from raw.ingestion_ledger l where l.landed_file_id = f.landed_file_id)""").fetchone()[
            0
        ]
        assert every_file_has_an_entry == 0
        rules = dict(
            con.execute("""select rule, count(*) from raw.quarantine where source = 'progress_reports'
                                    and rule in ('file_refused', 'archive_member_refused', 'undecodable_file') group by all""").fetchall()
        )
        # the large file, the link and the FIFO; macOS's metadata and the damaged member; the PDF
        assert rules == {"file_refused": 3, "archive_member_refused": 2, "undecodable_file": 1}
        loaded = {m for (m,) in con.execute("select milestone_code from raw.progress_reports").fetchall()}
        assert {"EC0011-H1", "EC0011-H2", "EC0012-H1", "EC0013-H1"} <= loaded


def test_formula_neutralisation_is_for_the_csv_only_and_spares_plain_dashes():
    from exports.package import neutralised_select as _neutralised_select

    with duckdb.connect() as con:
        con.execute(
            "create table t as select * from (values ('=HYPERLINK(\"x\")'), ('- Se realizaron talleres'), ('-5'), "
            "('-A1+2'), ('@SUM(1)'), ('+cmd'), ('texto')) v(cell)"
        )
        cells = [c for (c,) in con.execute(_neutralised_select(con, "t")).fetchall()]
    assert cells == ['\'=HYPERLINK("x")', "- Se realizaron talleres", "-5", "'-A1+2", "'@SUM(1)", "'+cmd", "texto"]


def test_published_versions_are_readable_by_a_web_server_and_the_annex_names_files(demo):
    import json
    import stat

    month = demo / "snapshots" / "2023-11"
    version = month / json.loads((month / "latest.json").read_text())["version"]
    assert stat.S_IMODE(version.stat().st_mode) == 0o755
    header = (version / "calidad_datos.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "file_name" in header and "source_row_number" in header


def test_reasons_that_quote_cells_carry_no_contact_data(tmp_path, warehouse):
    """A headerless file's reason quotes its first row, a wide row's reason its extra cells: both
    are redacted like every text that leaves the landing zone."""
    _load(
        tmp_path, warehouse, write(tmp_path / "sin_encabezado.csv", "EC0011-H1,2023-11,40,escribir a ana@inst.gob.ec\n")
    )
    _load(
        tmp_path,
        warehouse,
        write(
            tmp_path / "ancho.csv",
            "codigo_hito,mes_reportado,porcentaje_avance\nEC0011-H2,2023-11,40,llamar al 099 123 4567\n",
        ),
    )
    reasons = " ".join(r for (r,) in warehouse.execute("select reason from raw.quarantine").fetchall())
    assert "ana@inst.gob.ec" not in reasons and "099 123 4567" not in reasons
    assert "[correo]" in reasons and "[teléfono]" in reasons
