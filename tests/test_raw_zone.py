"""The raw zone's parts, each on its own: opening the warehouse (waiting for a lock, never for
anything else), transactions, the load engine and the ledger. Small warehouses in temporary
folders; no demo run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from ingestion.connection import WarehouseLockTimeout, connect, transaction
from ingestion.ingest import ingest_new_files
from ingestion.landing import land_local_file
from ingestion.ledger import LedgerEntry, ledger_by_source, quarantine_by_rule, quarantined_in_run, run_totals
from ingestion.load_engine import quarantine_whole_file, split_checked_batch
from ingestion.sources import BY_NAME, spec_for_landed
from tests.conftest import write


def _hold_write_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the warehouse open for writing; returns once it holds it."""
    script = textwrap.dedent(f"""
        import sys, time, duckdb
        con = duckdb.connect({str(path)!r})
        print("held", flush=True)
        time.sleep({seconds})
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_connect_waits_for_another_processs_lock_then_opens(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    holder = _hold_write_lock(path, 1.5)
    try:
        with connect(path, lock_timeout_s=60) as con:
            assert con.execute("select 42").fetchone() == (42,)
    finally:
        holder.wait()


def test_connect_gives_up_on_a_lock_held_too_long(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    holder = _hold_write_lock(path, 30)
    try:
        with pytest.raises(WarehouseLockTimeout, match="stayed locked"):
            with connect(path, lock_timeout_s=0.5):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_connect_does_not_wait_when_the_failure_is_not_a_lock(tmp_path):
    # A read-only warehouse that does not exist: an I/O error that no waiting can cure.
    with pytest.raises(duckdb.IOException):
        with connect(tmp_path / "absent.duckdb", read_only=True, lock_timeout_s=3600):
            pass


def test_connect_sets_the_memory_limit(tmp_path):
    with connect(tmp_path / "w.duckdb", memory_limit="300MB") as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "").upper().startswith(("286", "300"))  # DuckDB shows MiB


def test_nested_transactions_join_the_outer_one(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        con.execute("create table t (a int)")
        with transaction(con):
            con.execute("insert into t values (1)")
            with transaction(con):
                con.execute("insert into t values (2)")
        with pytest.raises(ValueError):
            with transaction(con):
                con.execute("insert into t values (3)")
                with transaction(con):
                    con.execute("insert into t values (4)")
                    raise ValueError("an inner failure undoes the whole")
        assert con.execute("select list(a order by a) from t").fetchone()[0] == [1, 2]


def test_a_ledger_entry_that_loses_a_row_is_refused():
    with pytest.raises(AssertionError, match="a row would be lost"):
        LedgerEntry("progress_reports", "abc", received=3, loaded=1, quarantined=1)


def test_split_checked_batch_sends_each_row_one_way_and_records_it(warehouse):
    warehouse.execute("""create temp table _canonical as
        select * from (values (1, 'a', 'f1', 0), (2, null, 'f1', 0), (1, 'c', 'f2', 1)) v(source_row_number,
            code, landed_file_id, _file_position)""")
    warehouse.execute(
        "create temp table target (source_row_number int, code varchar, raw_payload json, landed_file_id varchar, loaded_at timestamptz)"
    )
    warehouse.execute("alter table _canonical add column raw_payload json")
    outcomes = split_checked_batch(
        warehouse,
        source="demo_source",
        landed_file_ids=["f1", "f2", "f3"],
        canonical_table="_canonical",
        rules_sql="case when code is null then 'missing_code' end",
        target_table="target",
        reasons_sql="'fila ' || source_row_number || ': falta el código'",
        run_id="r1",
    )
    assert [(e.landed_file_id, e.received, e.loaded, e.quarantined, reasons) for e, reasons in outcomes] == [
        ("f1", 2, 1, 1, {"missing_code": 1}),
        ("f2", 1, 1, 0, {}),
        ("f3", 0, 0, 0, {}),
    ]
    assert warehouse.execute("select count(*) from target").fetchone()[0] == 2
    assert warehouse.execute("select reason from raw.quarantine").fetchall() == [("fila 2: falta el código",)]
    assert run_totals(warehouse, "r1", "demo_source").__dict__ == {"received": 3, "loaded": 2, "quarantined": 1}


def test_a_file_that_cannot_be_used_is_one_quarantined_item(warehouse):
    entry = quarantine_whole_file(
        warehouse,
        source="plan_catalogue",
        landed_file_id="x",
        rule="undecodable_file",
        reason="no se pudo leer; escriba a ana@example.org",
        batch_table=None,
        run_id="r",
    )
    assert (entry.received, entry.loaded, entry.quarantined) == (1, 0, 1)
    [(reason,)] = warehouse.execute("select reason from raw.quarantine").fetchall()
    assert "ana@example.org" not in reason  # a reason leaves the landing zone: redacted like any text


def test_what_a_run_loaded_and_quarantined_is_asked_of_the_ledger(warehouse, tmp_path):
    spec = BY_NAME["plan_catalogue"]
    path = write(
        tmp_path / "in" / "hitos.csv",
        "id_plan_de_accion,id_compromiso,codigo_hito,hito,peso,fecha_inicio,fecha_fin\n"
        "AP_ECU02,EC0014,EC0014-H1,Uno,50,2023-01-01,30/06/2023\n"
        "AP_ECU02,EC0014,EC0014-H2,Dos,mucho,2023-01-01,30/06/2023\n",
    )
    landed = land_local_file("plan_catalogue", path, landing_dir=tmp_path / "landing", max_bytes=10**6)
    first = ingest_new_files(warehouse, spec, [landed], run_id="run-1")
    again = ingest_new_files(warehouse, spec, [landed], run_id="run-2")
    assert (first.received, first.loaded, first.quarantined, first.balanced) == (2, 1, 1, True)
    assert (again.received, len(again.skipped_files), again.table_rows) == (0, 1, 1)  # seen before: skipped
    assert "EC0014-H1" in first.preview
    assert run_totals(warehouse, "run-1", "plan_catalogue").quarantined == 1
    [row] = quarantined_in_run(warehouse, "run-1", "plan_catalogue")
    assert (row["original_name"], row["source_row_number"]) == ("hitos.csv", 2) and row["rule"]
    [source] = ledger_by_source(warehouse)
    assert (source.source, source.files, source.received) == ("plan_catalogue", 1, 2)
    assert dict(quarantine_by_rule(warehouse)) == {row["rule"]: 1}


def test_a_forms_drop_goes_to_the_record_its_header_describes(tmp_path):
    reports = write(
        tmp_path / "avance.csv", "codigo_del_hito,mes_reportado,porcentaje_de_avance\nEC0014-H1,2023-11,50\n"
    )
    values = write(tmp_path / "indicadores.csv", "codigo_del_indicador,periodo,valor\nIND-01,2023-11,4\n")
    assert spec_for_landed("forms", reports).name == "progress_reports"
    assert spec_for_landed("forms", values).name == "indicator_values"
    assert spec_for_landed("kobo_aBc123", reports).name == "progress_reports"
    assert spec_for_landed("ogp_dashboard", reports).name == "ogp_dashboard"
    with pytest.raises(LookupError):
        spec_for_landed("nobody_lands_this", reports)
