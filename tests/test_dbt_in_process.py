"""dbt inside the run worker (orchestration/dbt_in_process.py), on a one-model dbt project of the
test's own: dagster-dbt reads its events as it read a dbt process's, the project is parsed once per
profile, DuckDB is free once dbt is done, failures and interruptions end the invocation."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration import dbt_in_process
from orchestration.dbt_project import WarehouseDbtResource, dbt_executable

PROFILE = """tiny:
  target: "{{ env_var('OGP_DBT_TARGET', 'dev') }}"
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('OGP_DATA_DIR') }}/tiny.duckdb"
      threads: 1
    other:
      type: duckdb
      path: "{{ env_var('OGP_DATA_DIR') }}/other.duckdb"
      threads: 1
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = tmp_path / "tiny"
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text("name: tiny\nversion: '1.0'\nprofile: tiny\nmodel-paths: [models]\n")
    (folder / "profiles.yml").write_text(PROFILE)
    (folder / "models" / "numbers.sql").write_text("select range as n from range(3)\n")
    (folder / "models" / "numbers.yml").write_text(
        "models:\n  - name: numbers\n    columns:\n      - name: n\n        data_tests: [not_null]\n"
    )
    monkeypatch.setenv("OGP_DATA_DIR", str(tmp_path))
    return folder


def build(project: Path, *args: str):
    resource = WarehouseDbtResource(project_dir=str(project), dbt_executable=dbt_executable())
    return resource.cli(["build", *args], raise_on_error=False, target_path=project / "target" / "run")


def test_a_step_gets_dbts_events_as_dagster_events_and_duckdb_is_free_after(project, tmp_path):
    from dagster_dbt import DbtProject, dbt_assets

    from orchestration.dbt_project import prepare_manifest

    @dbt_assets(manifest=prepare_manifest(DbtProject(project_dir=project)))
    def tiny(context, dbt: WarehouseDbtResource):
        invocation = dbt.cli(["build"], context=context)
        yield from invocation.stream()
        assert invocation.get_artifact("run_results.json")["results"], "dbt's artifacts in its target folder"

    resource = WarehouseDbtResource(project_dir=str(project), dbt_executable=dbt_executable())
    result = dg.materialize([tiny], resources={"dbt": resource})
    assert result.success
    assert [m.asset_key for m in result.get_asset_materialization_events()] == [dg.AssetKey("numbers")]
    [check] = result.get_asset_check_evaluations()
    assert check.passed and check.check_name == "not_null_numbers_n"
    with duckdb.connect(str(tmp_path / "tiny.duckdb")) as con:  # read-write: no one holds the file
        assert con.execute("select count(*) from numbers").fetchone() == (3,)


def test_the_project_is_parsed_once_per_profile_whatever_the_data_directory(project, monkeypatch):
    dbt_in_process._manifests.clear()
    for _ in range(2):
        assert build(project).wait().is_successful()
    assert len(dbt_in_process._manifests) == 1, "the second build reused the first's manifest"
    monkeypatch.setenv("OGP_DATA_DIR", str(project))  # another data directory: the same database name
    assert build(project).wait().is_successful()
    assert len(dbt_in_process._manifests) == 1
    monkeypatch.setenv("OGP_PORTAL_URL", "https://datos.example/api")  # a setting dbt never reads
    assert build(project).wait().is_successful()
    assert len(dbt_in_process._manifests) == 1
    with duckdb.connect(str(project / "tiny.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from numbers").fetchone() == (3,), "built in the new directory"
    monkeypatch.setenv("OGP_DBT_TARGET", "other")  # another target: another database, another parse
    assert build(project).wait().is_successful()
    assert len(dbt_in_process._manifests) == 2
    monkeypatch.setenv("OGP_DBT_TARGET", "dev")
    monkeypatch.setenv("OGP_DATA_DIR", str(project / "models"))
    assert build(project).wait().is_successful()
    assert len(dbt_in_process._manifests) == dbt_in_process.MANIFESTS_KEPT, "only the latest are kept"


def test_the_variables_a_project_reads_are_found_or_said_unknown(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "profiles.yml").write_text("path: \"{{ env_var('OGP_DATA_DIR') }}/x.duckdb\"\n")
    (tmp_path / "models" / "m.sql").write_text('select \'{{ env_var("OGP_SCHEMA", "x") }}\' as s\n')
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "run-1").mkdir()
    (tmp_path / "target" / "run-1" / "compiled.sql").write_text("{{ env_var('OGP_ONLY_IN_DBTS_OUTPUT') }}")
    # dbt's output folder is never walked into: other runs create and prune their folders there
    # while a run looks (a folder gone between its listing and its reading failed a run).
    listed = []
    scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": listed.append(Path(path)) or scandir(path))
    assert dbt_in_process.variables_read(str(tmp_path)) == {"OGP_DATA_DIR", "OGP_SCHEMA"}
    assert listed and not [path for path in listed if "target" in path.relative_to(tmp_path).parts]
    monkeypatch.undo()
    (tmp_path / "models" / "n.sql").write_text("select '{{ env_var(prefix ~ 'NAME') }}' as s\n")
    assert dbt_in_process.variables_read(str(tmp_path / "models")) is None, "named by an expression: not known"


def test_a_failing_model_fails_the_invocation_with_dbts_message(project):
    (project / "models" / "broken.sql").write_text("select no_such_column from {{ ref('numbers') }}\n")
    dbt_in_process._manifests.clear()  # a model added: a parse of its own (a worker never sees one)
    invocation = build(project)
    list(invocation.stream_raw_events())
    assert not invocation.is_successful() and invocation.process.returncode == dbt_in_process.EXIT_FAILURES
    assert "no_such_column" in str(invocation.get_error())


def test_an_interrupted_step_cancels_dbts_query(project):
    (project / "models" / "numbers.sql").write_text(
        "{{ config(materialized='table') }}\nselect count(*) as n from range(1000000000000)\n"
    )
    dbt_in_process._manifests.clear()
    invocation = build(project, "--select", "numbers")
    started = time.monotonic()
    for event in invocation.stream_raw_events():
        if event.raw_event["info"]["name"] == "LogStartLine":  # the model's query is starting
            invocation.process.send_signal(signal.SIGINT)
    assert invocation.process.wait(timeout=60) != 0 and not invocation.is_successful()
    assert time.monotonic() - started < 60, "the query was cancelled, not run to its end"


def test_dbt_in_the_worker_reads_the_warehouse_python_reads_whatever_the_data_directory_is_written_as(monkeypatch):
    """profiles.yml takes a relative OGP_DATA_DIR from dbt's working directory; in the run worker
    that is not the dbt project's folder, so dbt is given the folder the settings resolved."""
    from orchestration.assets.warehouse import dbt_variables
    from orchestration.settings import PROJECT_ROOT, Settings

    monkeypatch.setenv("OGP_DATA_DIR", "./data")  # as in .env.example
    monkeypatch.delenv("PGOPTIONS", raising=False)
    settings = Settings.from_env()
    given = dbt_variables(settings, {"OGP_DATA_DIR": "./data", "OGP_DBT_TARGET": "duckdb"})
    assert given == {
        "OGP_DATA_DIR": str(PROJECT_ROOT / "data"),
        "OGP_DBT_TARGET": "duckdb",
        "PGOPTIONS": "-c jit=off",
    }
    assert Path(given["OGP_DATA_DIR"]) / "warehouse.duckdb" == settings.warehouse_path


def test_dbts_postgresql_sessions_run_without_jit_unless_the_operator_says_otherwise(monkeypatch):
    """PostgreSQL's JIT compiled each read of the staging views for seconds (their estimated cost
    is high on tables just built) where the query ran in milliseconds: off for dbt's sessions,
    added to the operator's options, and left alone when those set it."""
    from orchestration.assets.warehouse import dbt_variables, postgres_session_options
    from orchestration.settings import Settings

    assert postgres_session_options("") == "-c jit=off"
    assert postgres_session_options("-c statement_timeout=600000") == "-c statement_timeout=600000 -c jit=off"
    assert postgres_session_options("-c jit=on") == "-c jit=on"
    monkeypatch.setenv("PGOPTIONS", "-c work_mem=64MB")
    assert dbt_variables(Settings.from_env(), {})["PGOPTIONS"] == "-c work_mem=64MB -c jit=off"


def test_a_dbt_that_cannot_open_its_warehouse_says_so(project, monkeypatch, tmp_path):
    monkeypatch.setenv("OGP_DATA_DIR", str(tmp_path / "no" / "such" / "folder"))
    dbt_in_process._manifests.clear()
    invocation = build(project)
    list(invocation.stream_raw_events())
    assert not invocation.is_successful()
    assert not (invocation.target_path / "run_results.json").exists(), "stream_build then raises dbt's error"
    assert "tiny.duckdb" in str(invocation.get_error())


def test_the_warehouse_project_reads_the_data_directory_only_in_its_profile():
    """What lets a process reuse one parsed project for every data directory (`NOT_PARSED`): only
    profiles.yml reads those variables (the database is named after the file, `warehouse`, in every
    one), and the month a build recomputes from is read by a macro when the build runs."""
    import re

    from orchestration.settings import DBT_PROJECT_DIR

    read_at_execution = {"OGP_REBUILD_FROM_MONTH": {"macros/incremental_window.sql"}}
    readers: dict[str, set[str]] = {}
    for path in DBT_PROJECT_DIR.rglob("*"):
        relative = path.relative_to(DBT_PROJECT_DIR)
        if path.suffix not in {".sql", ".yml", ".yaml"} or relative.parts[0] in {"target", "dbt_packages", "logs"}:
            continue
        for name in re.findall(r"""env_var\(\s*['"]([A-Z_]+)['"]""", path.read_text(encoding="utf-8")):
            readers.setdefault(name, set()).add(relative.as_posix())
    for name in dbt_in_process.NOT_PARSED:
        assert readers.get(name, set()) - {"profiles.yml"} <= read_at_execution.get(name, set()), name
    assert readers["OGP_DATA_DIR"] == {"profiles.yml"}
