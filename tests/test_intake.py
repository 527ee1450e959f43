"""The intake as a design (issue: an intake no file can break): every entry of the inbox ends in
exactly one terminal state recorded with its rows, nothing outside the inbox is read, an archive's
damaged member is refused beside its healthy siblings, workbooks are read as a person sees them,
and codes, months and ambiguous numbers are read as a person reads them. Each case runs the plain
engine (`ingestion.intake_run`) on a real DuckDB warehouse: no Dagster, no dbt."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ingestion.intake import IntakeLimits
from ingestion.intake_run import take_in_inbox
from tests.conftest import write
from tests.institution_files import zip_bytes

HEADER = "Código del compromiso,Código del hito,Mes que se reporta,Porcentaje de avance (%),Descripción del avance\n"
SECRET = "CANARIO-FUERA-DE-LA-BANDEJA"


def report(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


def take_in(warehouse, inbox: Path, tmp_path: Path, **limits):
    return take_in_inbox(warehouse, inbox, landing_dir=tmp_path / "landing", limits=IntakeLimits(**limits), run_id="r1")


def states(warehouse) -> dict[str, tuple[str, str | None]]:
    rows = warehouse.execute(
        "select file_name, state, reason from raw.intake_files where superseded_at is null"
    ).fetchall()
    names = [name for name, _, _ in rows]
    assert len(names) == len(set(names)), f"a file has more than one state: {names}"
    return {name: (state, reason) for name, state, reason in rows}


def loaded(warehouse) -> dict[str, tuple[date, float]]:
    return {
        m: (month, pct)
        for m, month, pct in warehouse.execute(
            "select milestone_code, reporting_month, percent_complete from raw.progress_reports"
        ).fetchall()
    }


def every_table_text(warehouse) -> str:
    tables = [
        t
        for (t,) in warehouse.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    ]
    return " ".join(str(row) for t in tables for row in warehouse.execute(f"select * from raw.{t}").fetchall())


def test_links_fifos_and_hard_links_are_refused_without_being_read(tmp_path, warehouse):
    outside = write(tmp_path / "fuera" / "secreto.csv", report(f"EC0011,{SECRET},2023-11,50,x"))
    inbox = tmp_path / "inbox"
    write(inbox / "bueno.csv", report("EC0011,EC0011-H1,2023-11,40,uno"))
    (inbox / "enlace.csv").symlink_to(outside)
    (inbox / "roto.csv").symlink_to(tmp_path / "no-existe.csv")
    os.link(outside, inbox / "duro.csv")
    os.mkfifo(inbox / "tuberia.csv")
    (inbox / "de ana.perez@inst.gob.ec.csv").symlink_to(outside)
    take_in(warehouse, inbox, tmp_path)
    reasons = " ".join(r for (r,) in warehouse.execute("select reason from raw.quarantine").fetchall())
    assert "ana.perez@inst.gob.ec" not in reasons and "[correo]" in reasons  # a reason quoting a name is redacted
    found = states(warehouse)
    assert found["bueno.csv"][0] == "loaded"
    for name in ("enlace.csv", "roto.csv", "duro.csv", "tuberia.csv"):
        assert found[name][0] == "refused" and found[name][1]
    assert "enlace simbólico" in found["enlace.csv"][1] and "enlace duro" in found["duro.csv"][1]
    assert SECRET not in every_table_text(warehouse)
    assert not [p for p in (tmp_path / "landing").rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    # A second run records nothing new: every entry already has its state.
    before = warehouse.execute("select count(*) from raw.intake_files").fetchone()[0]
    take_in(warehouse, inbox, tmp_path)
    assert warehouse.execute("select count(*) from raw.intake_files").fetchone()[0] == before


_zip = zip_bytes


def _corrupt_member(data: bytes, name: str) -> bytes:
    """Flip a byte inside one member's compressed data, so its CRC fails (the directory stays whole)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    damaged[start + info.compress_size // 2] ^= 0xFF
    return bytes(damaged)


def test_a_damaged_member_is_refused_beside_its_healthy_siblings_and_other_files_load(tmp_path, warehouse):
    inbox = tmp_path / "inbox"
    healthy = report("EC0011,EC0011-H1,2023-11,40,uno").encode()
    damaged_text = report(
        *[f"EC0012,EC0012-H{i},2023-11,{i},texto largo para comprimir {i}" for i in range(1, 60)]
    ).encode()
    archive = _corrupt_member(_zip({"a/sano.csv": healthy, "a/danado.csv": damaged_text}), "a/danado.csv")
    (inbox).mkdir()
    (inbox / "entregas.zip").write_bytes(archive)
    (inbox / "roto.zip").write_bytes(archive[: len(archive) // 3])  # cut while copying
    write(inbox / "otro.csv", report("EC0013,EC0013-H1,2023-11,70,tres"))
    take_in(warehouse, inbox, tmp_path)
    found = states(warehouse)
    assert found["entregas.zip/a/sano.csv"][0] == "loaded"
    assert found["entregas.zip/a/danado.csv"][0] == "refused" and "dañado" in found["entregas.zip/a/danado.csv"][1]
    assert found["entregas.zip"][0] == "partly_loaded"
    assert found["roto.zip"][0] == "refused" and "dañado" in found["roto.zip"][1]
    assert found["otro.csv"][0] == "loaded"
    assert set(loaded(warehouse)) == {"EC0011-H1", "EC0013-H1"}


def test_archive_caps_bound_what_is_unpacked(tmp_path, warehouse):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bomb = _zip({f"b/{i}.csv": b"0" * (3 << 20) for i in range(4)})  # 12 MiB from a few KiB
    (inbox / "bomba.zip").write_bytes(bomb)
    many = _zip({f"m/{i}.csv": report(f"EC0011,EC0011-H{i},2023-11,1,x").encode() for i in range(30)})
    (inbox / "muchos.zip").write_bytes(many)
    nested = _zip({"uno.zip": _zip({"dos.zip": _zip({"tres.zip": _zip({"x.csv": b"a,b\n1,2\n"})})})})
    (inbox / "anidado.zip").write_bytes(nested)
    take_in(warehouse, inbox, tmp_path, max_archive_members=20, max_unpacked_bytes=5 << 20, max_compression_ratio=100)
    found = states(warehouse)
    assert found["bomba.zip"][0] == "refused"
    assert all("comprime" in found[f"bomba.zip/b/{i}.csv"][1] for i in range(4))
    assert found["muchos.zip"][0] == "refused" and "OGP_MAX_ARCHIVE_MEMBERS" in found["muchos.zip"][1]
    assert "anidado a más de 3 niveles" in found["anidado.zip/uno.zip/dos.zip/tres.zip"][1]
    landed_bytes = sum(p.stat().st_size for p in (tmp_path / "landing").rglob("*") if p.is_file())
    assert landed_bytes < 6 << 20


def test_hidden_and_filtered_rows_hidden_sheets_and_formulas_without_value(tmp_path, warehouse):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Informe"
    sheet.append(["Código del hito", "Mes que se reporta", "Porcentaje de avance (%)", "Descripción del avance"])
    sheet.append(["EC0011-H1", "2023-11", 10, "borrador"])  # hidden: a draft figure
    sheet.append(["EC0011-H1", "2023-11", 60, "cifra visible"])
    sheet.append(["EC0011-H2", "2023-11", "=B9*2", "fórmula sin valor"])
    sheet.append(["EC0011-H3", "2023-11", 30, "=CONCAT(A5, B5)"])
    sheet.row_dimensions[2].hidden = True
    draft = book.create_sheet("Borrador")
    draft.append(["Código del hito", "Mes que se reporta", "Porcentaje de avance (%)"])
    draft.append(["EC0011-H4", "2023-11", 99])
    draft.sheet_state = "hidden"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book.save(inbox / "libro.xlsx")
    take_in(warehouse, inbox, tmp_path)
    assert loaded(warehouse) == {"EC0011-H1": (date(2023, 11, 1), 60.0)}
    reasons = dict(
        warehouse.execute("select rule, string_agg(reason, ' | ') from raw.quarantine group by rule").fetchall()
    )
    assert set(reasons) == {"hidden_row", "hidden_sheet", "formula_without_value"}
    assert "oculta o filtrada" in reasons["hidden_row"] and "hoja Informe, fila 2" in reasons["hidden_row"]
    assert "fórmula sin valor guardado (=B9*2)" in reasons["formula_without_value"]
    assert "=CONCAT" in reasons["formula_without_value"]
    assert states(warehouse)["libro.xlsx"][0] == "partly_loaded"


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "web.xls",
            "<html><body><table><tr><th>Código del hito</th><th>Mes que se reporta</th><th>Porcentaje de avance (%)</th></tr>"
            "<tr><td>EC0011-H1</td><td>2023-11</td><td>45</td></tr></table></body></html>",
        ),
        (
            "excel2003.xls",
            '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Hoja1"><Table>'
            '<Row><Cell><Data ss:Type="String">Código del hito</Data></Cell><Cell><Data ss:Type="String">Mes que se reporta</Data></Cell>'
            '<Cell><Data ss:Type="String">Porcentaje de avance (%)</Data></Cell></Row>'
            '<Row><Cell><Data ss:Type="String">EC0011-H1</Data></Cell><Cell><Data ss:Type="String">2023-11</Data></Cell>'
            '<Cell><Data ss:Type="Number">45</Data></Cell></Row>'
            '<Row ss:Hidden="1"><Cell><Data ss:Type="String">EC0011-H2</Data></Cell><Cell><Data ss:Type="String">2023-11</Data></Cell>'
            '<Cell><Data ss:Type="Number">5</Data></Cell></Row></Table></Worksheet></Workbook>',
        ),
    ],
)
def test_what_web_systems_save_as_xls_is_read(tmp_path, warehouse, name, content):
    inbox = tmp_path / "inbox"
    write(inbox / name, content)
    take_in(warehouse, inbox, tmp_path)
    assert loaded(warehouse) == {"EC0011-H1": (date(2023, 11, 1), 45.0)}


def test_utf16_without_bom_and_a_sep_line_are_read(tmp_path, warehouse):
    inbox = tmp_path / "inbox"
    (inbox).mkdir()
    (inbox / "utf16.csv").write_bytes(report("EC0011,EC0011-H1,2023-11,40,año").replace(",", "\t").encode("utf-16-le"))
    (inbox / "sep.csv").write_bytes(
        (
            "sep=;\n" + report("EC0012;EC0012-H1;2023-11;50;dos").replace(",", ";").replace("EC0012;", "EC0012;", 1)
        ).encode("utf-8")
    )
    write(inbox / "sep.csv", "sep=;\n" + HEADER.replace(",", ";") + "EC0012;EC0012-H1;2023-11;50;dos\n")
    take_in(warehouse, inbox, tmp_path)
    assert loaded(warehouse) == {"EC0011-H1": (date(2023, 11, 1), 40.0), "EC0012-H1": (date(2023, 11, 1), 50.0)}


def test_codes_months_and_ambiguous_numbers_are_read_as_a_person_reads_them(tmp_path, warehouse):
    inbox = tmp_path / "inbox"
    write(
        inbox / "informe.csv",
        report(
            "EC0011,EC0011\u2013H1,30-nov-2023,10,en dash",
            "EC0011,EC0011\u2011H2,30-11-2023,20,U+2011",
            "EC0011,EC0011-\u00a0H3,2023-11-30T00:00:00,30,no-break space",
            'EC0011,EC0011-\u200bH4,1 de noviembre de 2023,"0,5",zero width; ambiguous',
            "EC0011,EC0011-H5,November 2023,1.000,thousands?",
            "EC0011,EC0011-H6,2023-11,30,first",
            "EC0011,EC0011-H6,2023-11,70,second",
            "EC 0011X,EC0011-H7,2023-11,30,malformed commitment",
        ),
    )
    take_in(warehouse, inbox, tmp_path)
    reports = loaded(warehouse)
    assert {f"EC0011-H{i}" for i in range(1, 7)} <= set(reports)
    assert all(month == date(2023, 11, 1) for month, _ in reports.values())
    assert reports["EC0011-H4"][1] == 0.5
    warnings = dict(
        warehouse.execute("select rule, string_agg(message, ' | ') from raw.intake_warnings group by rule").fetchall()
    )
    assert "«0,5» se leyó como 0.5 %" in warnings["ambiguous_percent"] and "«1.000»" in warnings["ambiguous_percent"]
    assert "(30, 70)" in warnings["conflicting_rows"]
    [(rule, reason)] = warehouse.execute("select rule, reason from raw.quarantine").fetchall()
    assert rule == "malformed_commitment_code" and "EC0011X" in reason
    assert states(warehouse)["informe.csv"] == ("partly_loaded", states(warehouse)["informe.csv"][1])


def test_refusals_are_in_spanish_not_a_librarys_english(tmp_path, warehouse):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:  # what Excel's binary format looks like from outside
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.bin", b"\x00\x01")
    (inbox / "binario.xlsb").write_bytes(out.getvalue())
    (inbox / "cortado.xlsx").write_bytes(_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook"}))
    (inbox / "acta.pdf").write_bytes(b"%PDF-1.4 acta")
    (inbox / "protegido.xlsx").write_bytes(_encrypted_workbook())
    (inbox / "vacio.zip").write_bytes(_zip({}))
    (inbox / "libro.numbers").write_bytes(_zip({"Index/Document.iwa": b"\x00\x01", "Metadata/Properties.plist": b"x"}))
    (inbox / "nulos.csv").write_bytes(HEADER.encode() + b"EC0011,EC0011-H1,2023-11,4\x000,x\n")
    take_in(warehouse, inbox, tmp_path)
    found = states(warehouse)
    assert all(state == "refused" for state, _ in found.values()), found
    assert ".xlsb" in found["binario.xlsb"][1] and "guárdelo como .xlsx" in found["binario.xlsb"][1]
    assert "protegido con contraseña" in found["protegido.xlsx"][1]
    assert "vacío" in found["vacio.zip"][1]
    assert "Apple Numbers" in found["libro.numbers"][1]
    english = ("File contains", "Can't find", "could not", "Error", "Traceback")
    for _, reason in found.values():
        assert not any(word in reason for word in english), reason


def test_a_crash_before_an_archive_is_settled_leaves_it_to_the_next_run(tmp_path, warehouse, monkeypatch):
    """Members loaded before the crash are skipped next time; the archive is taken apart again and
    gets its state then, never recorded as received with its members missing."""
    from ingestion import inbox_archives as inbox_module

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "entregas.zip").write_bytes(
        _zip(
            {
                "uno.csv": report("EC0011,EC0011-H1,2023-11,40,uno").encode(),
                "dos.csv": report("EC0011,EC0011-H2,2023-11,50,dos").encode(),
            }
        )
    )

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process is stopped between the members' loads and the archive's state

    monkeypatch.setattr(inbox_module, "_settle", crash)
    with pytest.raises(KeyboardInterrupt):
        take_in(warehouse, inbox, tmp_path)
    assert "entregas.zip" not in states(warehouse)
    monkeypatch.undo()
    take_in(warehouse, inbox, tmp_path)
    found = states(warehouse)
    assert found["entregas.zip"][0] == "loaded"
    assert set(loaded(warehouse)) == {"EC0011-H1", "EC0011-H2"}
    assert warehouse.execute("select count(*) from raw.progress_reports").fetchone()[0] == 2


def _encrypted_workbook() -> bytes:
    """An .xlsx protected with a password, as Excel writes it (an OLE file around the package)."""
    import msoffcrypto.format.ooxml
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Código del hito", "Mes que se reporta", "Porcentaje de avance (%)"])
    plain, encrypted = io.BytesIO(), io.BytesIO()
    book.save(plain)
    plain.seek(0)
    msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("clave", encrypted)
    return encrypted.getvalue()


def test_the_same_file_under_two_names_is_loaded_once_and_each_arrival_has_a_state(tmp_path, warehouse):
    inbox = tmp_path / "inbox"
    content = report("EC0011,EC0011-H1,2023-11,40,uno")
    write(inbox / "a.csv", content)
    write(inbox / "b_copia.csv", content)
    take_in(warehouse, inbox, tmp_path)
    take_in(warehouse, inbox, tmp_path)  # nothing new the second time
    found = states(warehouse)
    assert found["a.csv"][0] == "loaded"
    assert found["b_copia.csv"][0] == "refused" and "«a.csv»" in found["b_copia.csv"][1]
    assert warehouse.execute("select count(*) from raw.progress_reports").fetchone()[0] == 1


def test_opendocument_hidden_rows_are_not_reports(tmp_path, warehouse):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Hoja1")
    rows = [
        (["Código del hito", "Mes que se reporta", "Porcentaje de avance (%)"], None),
        (["EC0011-H1", "2023-11", "10"], "collapse"),
        (["EC0011-H1", "2023-11", "60"], None),
        (["EC0011-H2", "2023-11", "20"], "filter"),
    ]
    for cells, visibility in rows:
        row = TableRow(visibility=visibility) if visibility else TableRow()
        for text in cells:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    document.save(str(inbox / "libro.ods"))
    take_in(warehouse, inbox, tmp_path)
    assert loaded(warehouse) == {"EC0011-H1": (date(2023, 11, 1), 60.0)}
    assert warehouse.execute("select count(*) from raw.quarantine where rule = 'hidden_row'").fetchone()[0] == 2


def test_ogp_load_puts_links_and_fifos_in_the_inbox_as_they_are_never_reading_them(data_dir, tmp_path):
    from ingestion.inbox_drop import drop_into_inbox
    from orchestration.settings import Settings

    outside = write(tmp_path / "fuera" / "secreto.csv", report(f"EC0011,{SECRET},2023-11,50,x"))
    drop = tmp_path / "drop"
    write(drop / "bueno.csv", report("EC0011,EC0011-H1,2023-11,40,uno"))
    (drop / "enlace.csv").symlink_to(outside)
    os.mkfifo(drop / "tuberia.csv")
    dropped = drop_into_inbox(Settings.from_env().inbox_dir, sorted(drop.iterdir()))
    inbox = Settings.from_env().inbox_dir
    assert sorted(p.name for p in dropped) == ["bueno.csv", "enlace.csv", "tuberia.csv"]
    assert (inbox / "enlace.csv").is_symlink() and not (inbox / "tuberia.csv").is_file()
    assert not [p for p in inbox.iterdir() if not p.is_symlink() and p.is_file() and SECRET.encode() in p.read_bytes()]


def test_names_that_are_not_utf8_a_tsv_saved_as_xls_and_a_workbook_that_unpacks_too_far(
    tmp_path, warehouse, monkeypatch
):
    from ingestion import workbooks

    monkeypatch.setattr(workbooks, "MAX_WORKBOOK_UNPACKED_BYTES", 4096)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    odd = Path(os.fsdecode(bytes(inbox) + b"/informe-\xff.csv"))
    odd.write_text(report("EC0011,EC0011-H1,2023-11,40,uno"), encoding="utf-8")
    write(inbox / "exportado.xls", report("EC0012,EC0012-H1,2023-11,50,dos").replace(",", "\t"))
    import openpyxl

    book = openpyxl.Workbook()
    for n in range(400):
        book.active.append(["Código del hito", "Mes que se reporta", "Porcentaje de avance (%)", "x" * 20, n])
    book.save(inbox / "enorme.xlsx")
    take_in(warehouse, inbox, tmp_path)
    found = states(warehouse)
    assert found["informe-\ufffd.csv"][0] == "loaded"
    assert found["exportado.xls"][0] == "loaded"
    assert found["enorme.xlsx"][0] == "refused" and "se descomprime" in found["enorme.xlsx"][1]


def test_a_reparse_gives_each_file_a_new_state_and_leaves_unread_entries_and_archives_alone(tmp_path, warehouse):
    from ingestion.reparse import reparse

    inbox = tmp_path / "inbox"
    write(inbox / "bueno.csv", report("EC0011,EC0011-H1,2023-11,40,uno", "EC0011,,2023-11,40,sin hito"))
    (inbox / "enlace.csv").symlink_to(inbox / "bueno.csv")
    (inbox / "entregas.zip").write_bytes(_zip({"a.csv": report("EC0011,EC0011-H2,2023-11,50,dos").encode()}))
    take_in(warehouse, inbox, tmp_path)
    before = states(warehouse)
    reparse(warehouse, None, landing_dir=tmp_path / "landing", run_id="reparse-1")
    assert states(warehouse) == before  # one current state per file, the same outcome
    assert set(loaded(warehouse)) == {"EC0011-H1", "EC0011-H2"}
