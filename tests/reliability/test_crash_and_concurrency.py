"""Crashes, concurrent readers and overlapping runs, with real processes: the `ogp` command is
killed with SIGKILL in the middle of ingestion, of dbt and of publication; BI readers query the
served copies while a run publishes; two runs start at once. What is served is never half
written, and the next run completes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from tests.conftest import PRESENTED_2023_11, postgres_dsn
from tests.reliability.conftest import record

pytestmark = pytest.mark.slow
TABLE = "Crashes, concurrency, idempotency"
CASES = 8  # kill_9, ten_readers, overlapping_runs, idempotent_month, secrets_in_logs, personal_data, contact_addresses,
#           members_side_by_side
OGP = str(Path(sys.executable).parent / "ogp")


@pytest.fixture
def data(demo, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(demo, copy, ignore=shutil.ignore_patterns("dagster_home"))
    yield copy
    watched = _watched_instances.pop(copy / "dagster_home", None)
    if watched is not None:
        watched.dispose()


# The instance a case watches its runs through, opened once: opening it costs ~0.2 s of CPU, and a
# case that polls every few hundredths of a second would take a core from the very run it watches.
_watched_instances: dict[Path, object] = {}


def _watched_instance(home: Path):
    import dagster as dg

    if home not in _watched_instances:
        if not (home / ".storage-initialised").exists():
            return None
        _watched_instances[home] = dg.DagsterInstance.from_config(str(home))
    return _watched_instances[home]


def environment(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGP_", "DAGSTER_"))}
    return {**env, "OGP_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home"), **extra}


def start_run(data: Path, month: str = "2023-11", **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [OGP, "run-month", month],
        env=environment(data, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )


def kill_when(run: subprocess.Popen, condition, timeout: float = 900) -> bool:
    """SIGKILL the run's whole process group as soon as `condition()` holds; False if it never did
    (the timeout is generous: under a loaded CI a run takes minutes to reach its publication)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.poll() is None:
        if condition():
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
            return True
        time.sleep(0.05)  # the shortest window, the publication's, lasts a second or more
    run.wait()
    return False


def dbt_step_events(data: Path) -> set[str]:
    """What the latest run's dbt step (`warehouse_models`) has done so far, by event type: dbt runs
    inside the run worker, so the run's event log, not a process, says when it is building."""
    import dagster as dg

    instance = _watched_instance(data / "dagster_home")
    if instance is None:
        return set()
    runs = instance.get_runs(limit=1)
    if not runs:
        return set()
    records = instance.get_records_for_run(
        runs[0].run_id,
        of_type={
            dg.DagsterEventType.STEP_START,
            dg.DagsterEventType.ASSET_MATERIALIZATION,
            dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
        },
    ).records
    return {
        r.event_log_entry.dagster_event.event_type_value
        for r in records
        if r.event_log_entry.step_key == "warehouse_models"
    }


def dbt_building(data: Path) -> bool:
    """dbt is writing the warehouse: its step has materialized a first model and not ended."""
    done = dbt_step_events(data)
    return "ASSET_MATERIALIZATION" in done and not done & {"STEP_SUCCESS", "STEP_FAILURE"}


def assert_served_state_is_whole(data: Path) -> int:
    """Every published month's latest version is complete (its SHA256SUMS verify) and the DuckDB
    serving copy opens with its marts; returns the number of months checked."""
    months = 0
    catalogue = json.loads((data / "snapshots" / "catalogo.json").read_text())
    current = {m["month"]: m["current_version"] for m in catalogue["months"]}
    for month_dir in sorted(p for p in (data / "snapshots").iterdir() if p.is_dir()):
        version = json.loads((month_dir / "latest.json").read_text())["version"]
        assert current.get(month_dir.name) == version, f"the catalogue names {month_dir.name}'s current version"
        folder = month_dir / version
        for line in (folder / "SHA256SUMS").read_text().splitlines():
            digest, name = line.split("  ", 1)
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, (
                f"{folder / name} is not what was published"
            )
        months += 1
    with duckdb.connect(str(data / "serving" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_commitment_progress_monthly").fetchone()[0] > 0
    return months


def figures(data: Path) -> list[int]:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                """select progress_percent_rounded from marts.fct_commitment_progress_monthly
               where reporting_month = date '2023-11-01' and action_plan_id = 'AP_ECU02' order by commitment_id"""
            ).fetchall()
        ]


def ledger_balanced(data: Path) -> bool:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select bool_and(received = loaded + quarantined) from raw.ingestion_ledger").fetchone()[0]


def test_kill_9_in_ingestion_dbt_and_publication(data):
    # A large drop, so that loading it takes long enough to be killed in the middle.
    rows = "\n".join(
        f"17/11/2023 10:{i // 60 % 60:02d}:{i % 60:02d},Institución {i},EC0014,EC9999-H{i},2023-11,{i % 100}"
        for i in range(20_000)
    )
    (data / "inbox" / "envio_masivo.csv").write_text(
        "Marca temporal,Institución,Código del compromiso,Código del hito,Mes que se reporta,Porcentaje de avance (%)\n"
        + rows
        + "\n",
        encoding="utf-8",
    )
    months = assert_served_state_is_whole(data)
    # Killed in both ways `ogp` runs a job: executing it itself (OGP_RUN_IN_PROCESS) and, as it does
    # by default, launching it to a run worker of its own (in the process group it leads).
    phases = {
        "ingestion": (
            lambda: (
                any(p.name.endswith("envio_masivo.csv") for p in (data / "landing").rglob("*envio_masivo.csv"))
                and "STEP_START" not in dbt_step_events(data)
            ),
            {"OGP_RUN_IN_PROCESS": "1"},
        ),
        "dbt": (lambda: dbt_building(data), {}),
        "publication": (lambda: any((data / "snapshots" / "2023-11").glob(".building-*")), {"OGP_RUN_IN_PROCESS": "1"}),
    }
    killed = []
    for phase, (condition, how) in phases.items():
        run = start_run(data, **how)
        if kill_when(run, condition):
            killed.append(f"{phase} ({'run inside ogp' if how else 'launched run'})")
        assert assert_served_state_is_whole(data) == months
        with duckdb.connect(
            str(data / "warehouse.duckdb"), read_only=True
        ) as con:  # the warehouse recovers from its WAL
            con.execute("select count(*) from raw.progress_reports").fetchone()
    assert {"dbt (launched run)", "publication (run inside ogp)"} <= set(killed)
    # `kill -9` of `ogp` alone (not its group): the run it launched is the instance's, like one the
    # UI launched, so it goes on in its own process and ends by itself; the next `ogp` does not take
    # it for abandoned.
    run = start_run(data)
    deadline = time.monotonic() + 900  # a run on a loaded machine takes minutes to reach dbt
    while not dbt_building(data) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert dbt_building(data), "the run never reached dbt"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    import dagster as dg

    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        [launched] = instance.get_runs(limit=1)
        deadline = time.monotonic() + 600
        while not launched.is_finished and time.monotonic() < deadline:
            time.sleep(0.5)
            launched = instance.get_run_by_id(launched.run_id)
        assert launched.status == dg.DagsterRunStatus.SUCCESS, "the run went on without the ogp that launched it"
    killed.append("ogp alone (its run completed)")
    # That run, the first after the kills, is the next run: it recovered and published.
    assert assert_served_state_is_whole(data) == months
    assert figures(data) == PRESENTED_2023_11
    assert ledger_balanced(data)
    assert not list((data / "snapshots").rglob(".building-*"))
    assert len({p.name for p in (data / "landing").rglob("*envio_masivo.csv")}) == 1  # landed once, by content hash
    record(
        TABLE,
        CASES,
        "kill_9",
        f"SIGKILL during {', '.join(killed)}",
        "served snapshots and the DuckDB serving copy stay whole after each kill; the warehouse recovers; "
        "the next run completes with the same figures and a balanced ledger; leftovers are cleared",
    )


READER = r"""
import os, sys, time, duckdb, psycopg
kind, target, stop = sys.argv[1], sys.argv[2], sys.argv[3]
reads = failures = 0
while not os.path.exists(stop):  # until the runs are over
    try:
        if kind == "duckdb":
            with duckdb.connect(target, read_only=True) as con:
                con.execute("select count(*), sum(progress_percent) from marts.fct_commitment_progress_monthly").fetchone()
        else:
            dsn, schema = target.split("|")
            with psycopg.connect(dsn) as con:
                con.execute(f'select count(*), sum(progress_percent) from "{schema}".fct_commitment_progress_monthly').fetchone()
        reads += 1
    except Exception as exc:
        failures += 1
        print(type(exc).__name__, exc, file=sys.stderr)
    time.sleep(0.5)
print(reads, failures)
"""


def test_readers_never_fail_while_two_overlapping_runs_publish(data):
    """10 BI readers (5 on the DuckDB serving copy, 5 on the PostgreSQL serving schema) query in a
    loop while two runs of the same month start together: no read fails; one run waits for the
    other (the warehouse pool, then DuckDB's lock) and neither corrupts the data."""
    dsn = postgres_dsn()
    schema = f"ogp_readers_{os.getpid()}"
    extra = {"OGP_PUBLISH_POSTGRES": "1", "OGP_PG_DSN": dsn, "OGP_PG_SERVING_SCHEMA": schema}
    try:
        from exports.postgres import copy_schema

        with duckdb.connect(
            str(data / "warehouse.duckdb"), read_only=True
        ) as con:  # something to read in PostgreSQL too
            copy_schema(con, dsn, source_schema="marts", target_schema=schema)
        stop = data.parent / "readers.stop"
        readers = [
            subprocess.Popen(
                [sys.executable, "-c", READER, kind, target, str(stop)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for kind, target in [("duckdb", str(data / "serving" / "warehouse.duckdb"))] * 5
            + [("postgres", f"{dsn}|{schema}")] * 5
        ]
        runs = [start_run(data, **extra), start_run(data, **extra)]
        outputs = [run.communicate(timeout=900)[0] for run in runs]
        stop.touch()
        results = [reader.communicate(timeout=120) for reader in readers]
    finally:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as con:
            for name in (schema, f"{schema}__previous", f"{schema}__loading"):
                con.execute(f'drop schema if exists "{name}" cascade')
    codes = [run.returncode for run in runs]
    for code, output in zip(codes, outputs, strict=False):
        # The run that did not finish gave up waiting for the other's lock, and says so by type.
        assert code == 0 or "(WarehouseLockTimeout)" in output, output[-3000:]
    assert 0 in codes, [output[-2500:] for output in outputs]
    counts = [tuple(map(int, out.split())) for out, _ in results]
    assert all(reads > 0 for reads, _ in counts)
    assert sum(failures for _, failures in counts) == 0, [err for _, err in results if err][:3]
    assert figures(data) == PRESENTED_2023_11 and ledger_balanced(data)
    assert_served_state_is_whole(data)
    record(
        TABLE,
        CASES,
        "ten_readers",
        "5 DuckDB and 5 PostgreSQL readers in a loop while runs publish",
        "thousands of reads, none failed (copies swapped by atomic rename / in one transaction)",
    )
    outcome = (
        "both complete, one after the other"
        if codes == [0, 0]
        else "one completes; the other stops, saying the warehouse is locked"
    )
    record(TABLE, CASES, "overlapping_runs", "two runs of the same month started together", outcome + "; data intact")


SECRETS = {
    "KOBO_API_TOKEN": "kobo-SECRET-7f3a",
    "OGP_PORTAL_API_KEY": "portal-SECRET-19bd",
    "OGP_CKAN_API_KEY": "ckan-SECRET-a41c",
    "ODK_PASSWORD": "odk-SECRET-55e0",
}


def test_same_month_twice_is_identical_and_leaks_no_secret_nor_personal_data(
    data, httpserver, tmp_path, monkeypatch, capfd
):
    """Two runs of the same month, with every secret set (Kobo token, portal and CKAN keys, ODK
    password), an OGP Explorer file carrying officials' contact data, and the month published to
    PostgreSQL for BI tools and to the open-data portal: the second run changes no published byte
    and no warehouse row, and creates nothing again on the portal; no secret appears in any output,
    log, Dagster storage or published file; no personal data reaches any published file or the
    serving copy. PostgreSQL serves the month's figures, and the portal holds the snapshot's files
    (not the site's pages), which the report links."""
    from tests.fake_ckan import FakeCkan

    explorer = tmp_path / "ogpirm_live_data.csv"
    explorer.write_text(
        "0,1,2,3,4,5,6,7\n"
        "Country,Action Plan Number,Comm No,Commitment Title,Contact Name,Contact Email,Contact Telephone,Completion (Progress Report)\n"
        "Ecuador,1,1,Portal,María Pérez,maria.perez@gob.example,+593 2 123 4567,b. Limited\n",
        encoding="utf-8",
    )
    ckan = FakeCkan(httpserver, api_key=SECRETS["OGP_CKAN_API_KEY"])
    httpserver.expect_request("/kobo/api/v2/assets/aSecretTest/data/").respond_with_json(
        {"count": 0, "next": None, "previous": None, "results": []}
    )
    extra = {
        **SECRETS,
        "OGP_CKAN_URL": ckan.url,
        "OGP_CKAN_ORGANIZATION": "gobierno-abierto",
        "KOBO_BASE_URL": httpserver.url_for("/kobo"),
        "KOBO_ASSET_UIDS": "aSecretTest",
        "OGP_EXPLORER_URL": str(explorer),
        # Published to PostgreSQL for BI tools too, in a schema of the case's own.
        "OGP_PUBLISH_POSTGRES": "1",
        "OGP_PG_DSN": postgres_dsn(),
        "OGP_PG_SERVING_SCHEMA": f"ogp_bi_{os.getpid()}",
    }

    def state():
        files = {
            p.relative_to(data / "snapshots"): p.read_bytes()
            for p in (data / "snapshots" / "2023-11").rglob("*")
            if p.is_file()
        }
        with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
            rows = {
                t: con.execute(f"select * exclude (computed_at) from marts.{t} order by all").fetchall()
                for t in (
                    "fct_milestone_status_monthly",
                    "fct_commitment_progress_monthly",
                    "fct_plan_progress_monthly",
                )
            }
            rows["reports"] = con.execute(
                "select * exclude (loaded_at) from raw.progress_reports order by all"
            ).fetchall()
            # What was landed, file by file: the second run lands nothing new (the inbox's files
            # and the exports were taken once).
            rows["landed"] = con.execute(
                "select landed_file_id, source, original_name from raw.landed_files order by all"
            ).fetchall()
        return files, rows

    # The first run takes the new Explorer file (its verdict on a published commitment may change
    # the month's pages); the second, with the same inputs, must change nothing.
    # `ogp run-month` in this process, in the environment a process of its own would get, the run
    # executed inside it (the test's default): its whole log is then the command's output, read
    # from this process's stdout and stderr and searched below. (The project is parsed once for
    # both runs: no secret is a variable dbt reads.)
    for name in [name for name in os.environ if name.startswith(("OGP_", "DAGSTER_"))]:
        monkeypatch.delenv(name)
    own = {"OGP_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home"), "OGP_RUN_IN_PROCESS": "1"}
    for name, value in {**own, **extra}.items():
        monkeypatch.setenv(name, value)
    from orchestration import cli

    outputs = []
    try:
        for _ in range(2):
            before = state()
            capfd.readouterr()
            status = cli.main(["run-month", "2023-11"])
            outputs.append("".join(capfd.readouterr()))
            assert status == 0, outputs[-1][-3000:]
            assert "dagster - INFO - monthly_progress_job" in outputs[-1], "the run's log is among what is searched"
        with psycopg.connect(extra["OGP_PG_DSN"]) as con:
            served = con.execute(
                f"""select progress_percent_rounded from "{extra["OGP_PG_SERVING_SCHEMA"]}".fct_commitment_progress_monthly
                where reporting_month = date '2023-11-01' and action_plan_id = 'AP_ECU02' order by commitment_id"""
            ).fetchall()
    finally:
        with psycopg.connect(extra["OGP_PG_DSN"], autocommit=True) as con:
            for suffix in ("", "__previous", "__loading"):
                con.execute(f'drop schema if exists "{extra["OGP_PG_SERVING_SCHEMA"]}{suffix}" cascade')
    after = state()
    assert [r[0] for r in served] == PRESENTED_2023_11
    # The portal: one dataset for the month, a resource per file of the snapshot (none of the
    # site's pages), created once over the two runs; the published report links the entry.
    entry = ckan.packages["ogp-avance-mensual-2023-11"]
    assert ckan.calls.count("resource_create") == len(entry["resources"])
    resources = {r["name"] for r in entry["resources"]}
    assert {
        "compromisos.csv",
        "datapackage.json",
        "informe.html",
        "informe-ecu.html",
        "informe-eccu.html",
        "SHA256SUMS",
    } <= resources
    assert not any(name.startswith(("compromiso-", "similares/")) for name in resources), (
        "the site is served whole, not as resources"
    )
    version = json.loads((data / "snapshots" / "2023-11" / "latest.json").read_text())["version"]
    report = (data / "snapshots" / "2023-11" / version / "informe-ecu.html").read_text(encoding="utf-8")
    assert f"{ckan.url}/dataset/ogp-avance-mensual-2023-11" in report, "the report links the portal's entry"
    assert before[0] == after[0]
    for table in before[1]:
        assert before[1][table] == after[1][table], table
    # The second run found nothing changed: dbt ran only the tests that did not pass before, and
    # the rest of the warehouse stood as the first run built it (warehouse/build_plan.py).
    ran, of, stood = map(int, re.search(r"dbt runs (\d+) of (\d+) node\(s\).*?; (\d+) stand", outputs[1]).groups())
    assert ran + stood == of and stood > 0.9 * of, outputs[1][-3000:]
    record(
        TABLE,
        CASES,
        "idempotent_month",
        "the same month run twice, published to PostgreSQL and the open-data portal",
        "byte-identical snapshot files (no new version), the same warehouse rows, nothing landed again, "
        "nothing created again on the portal; PostgreSQL serves the month's figures",
    )

    # File by file (thousands of published pages: one growing string would be quadratic).
    texts = ["".join(outputs)] + [
        path.read_bytes().decode("utf-8", errors="replace")
        for path in [
            *(data / "dagster_home").rglob("*"),
            *(data / "snapshots").rglob("*"),
            *(data / "data_docs").rglob("*"),
        ]
        if path.is_file()
    ]
    assert not [name for name, secret in SECRETS.items() if any(secret in text for text in texts)]
    assert any(
        SECRETS["OGP_CKAN_API_KEY"] in str(r.headers.get("Authorization")) for r, _ in httpserver.log
    )  # it was used
    record(
        TABLE,
        CASES,
        "secrets_in_logs",
        "runs with API tokens, portal and CKAN keys and the ODK password set",
        "none appears in the runs' output, Dagster's event log and storage, the Data Docs or the published files",
    )

    published = [p.read_bytes() for p in (data / "snapshots").rglob("*") if p.is_file()]
    published += [(data / "serving" / "warehouse.duckdb").read_bytes(), (data / "warehouse.duckdb").read_bytes()]
    for personal in (b"maria.perez", "María Pérez".encode(), b"123 4567"):
        assert not any(personal in blob for blob in published), personal
    record(
        TABLE,
        CASES,
        "personal_data",
        "an OGP Explorer file with officials' names, e-mails and phones",
        "never loaded; absent from the warehouse, every published file and the serving copy",
    )

    # The institutions' contacts (the demo's, at a reserved domain) are used, and stay in the raw zone.
    contacts = "@demo-gobiernoabierto.example"
    assert any(contacts in p.read_text(encoding="utf-8") for p in (data / "outbox").glob("*.eml"))  # they were used
    assert not any(contacts in text for text in texts)
    assert not any(
        contacts.encode() in blob for blob in published[:-1]
    )  # all but the warehouse, which holds the raw zone
    record(
        TABLE,
        CASES,
        "contact_addresses",
        "receipts to the institutions' liaisons from a contacts file",
        "the addresses reach the outbox only: absent from logs, Dagster's storage, the Data Docs, every published "
        "file and the serving copy",
    )


def test_two_members_runs_in_one_instance_proceed_side_by_side(tmp_path):
    """A deployment per member (the national member's data directory, catalogue and forms; the
    local member's), one Dagster instance: their runs of the same month, started together, build
    their warehouses at the same time (each writer pool is its own warehouse's), and each publishes
    its own member's report."""
    import csv as csv_module

    import dagster as dg

    from orchestration.settings import DEMO_DATA_DIR

    home = tmp_path / "dagster_home"
    with open(DEMO_DATA_DIR / "plan_catalogue" / "hitos.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv_module.reader(handle))
    with open(DEMO_DATA_DIR / "miembros.csv", encoding="utf-8", newline="") as handle:
        members = list(csv_module.reader(handle))
    local_code = next(m[0] for m in members[1:] if m[2] == "local")
    deployments = {}
    for code, is_local in ((next(m[0] for m in members[1:] if m[2] == "nacional"), False), (local_code, True)):
        data = tmp_path / code.lower()
        (data / "inbox").mkdir(parents=True)
        plan_prefix = f"AP_{code}0"
        catalogue = data.parent / f"{code}_hitos.csv"
        with open(catalogue, "w", encoding="utf-8", newline="") as handle:
            csv_module.writer(handle).writerows([rows[0], *[r for r in rows[1:] if r[0].startswith(plan_prefix)]])
        members_file = data.parent / f"{code}_miembros.csv"
        with open(members_file, "w", encoding="utf-8", newline="") as handle:
            csv_module.writer(handle).writerows([members[0], *[m for m in members[1:] if m[0] == code]])
        for report in (DEMO_DATA_DIR / "inbox").glob("*.csv"):
            if ("local" in report.name) == is_local:
                shutil.copy(report, data / "inbox" / report.name)
        extra = {
            "DAGSTER_HOME": str(home),
            "OGP_WAREHOUSE_POOL": f"warehouse_{code.lower()}",
            "OGP_PLAN_CATALOGUE_URL": str(catalogue),
            "OGP_TRACKED_MEMBERS": str(members_file),
        }
        if is_local:  # the demo's indicators are the national plan's
            indicators = data.parent / "indicadores_vacio.csv"
            indicators.write_text(
                (DEMO_DATA_DIR / "plan_catalogue" / "indicadores.csv").read_text().splitlines()[0] + "\n"
            )
            extra["OGP_INDICATOR_CATALOGUE_URL"] = str(indicators)
        deployments[code] = (data, extra)
    runs = {code: start_run(data, **extra) for code, (data, extra) in deployments.items()}
    outputs = {code: run.communicate(timeout=900)[0] for code, run in runs.items()}
    assert all(run.returncode == 0 for run in runs.values()), {c: o[-3000:] for c, o in outputs.items()}

    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records()
        assert len(records) == 2
        builds = []
        for run_record in records:
            events = instance.get_records_for_run(
                run_record.dagster_run.run_id,
                of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS},
            ).records
            times = {
                (
                    e.event_log_entry.step_key,
                    e.event_log_entry.dagster_event.event_type_value,
                ): e.event_log_entry.timestamp
                for e in events
            }
            builds.append((times[("warehouse_models", "STEP_START")], times[("warehouse_models", "STEP_SUCCESS")]))
    (start_a, end_a), (start_b, end_b) = builds
    assert start_a < end_b and start_b < end_a, f"the two dbt builds did not overlap: {builds}"
    for code, (data, _) in deployments.items():
        version = json.loads((data / "snapshots" / "2023-11" / "latest.json").read_text())["version"]
        reports = sorted(p.name for p in (data / "snapshots" / "2023-11" / version).glob("informe-*.html"))
        assert reports == [f"informe-{code.lower()}.html"]
    record(
        TABLE,
        CASES,
        "members_side_by_side",
        "two members' deployments (own data, one Dagster instance) run the same month together",
        "both complete; their dbt builds overlap (one writer pool per warehouse); each publishes only its member's report",
    )
