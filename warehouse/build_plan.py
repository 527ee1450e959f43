"""Which nodes of a dbt build must run, and which stand as the last build left them.

A monthly run rebuilt every model of the warehouse and ran every one of its tests, even where
nothing they read had changed since the last run: on a month that landed a few progress reports,
OGP's exports, the portal and the local-government index were rebuilt and tested again, the same.
A node's inputs here are:
- what its parents hold: a raw table by a hash of all its rows (whoever wrote them: a load, a
  re-parse, a release), a model, seed or snapshot by its own inputs;
- the dbt project's files (SQL, YAML, seeds, macros) and dbt's version;
- the values of the variables the project reads (`dbt_in_process.variables_read`), but the data
  directory's path: the record of what was built is kept in the target itself (`STATE_SCHEMA`), so
  a warehouse copied elsewhere keeps it, and a target another data directory rebuilt does not
  match;
- today's date, for a node that reads the clock (the plan's phase today, the month spine).

A model (seed, snapshot) runs when its inputs differ from those it was last built with, or its
relation is gone; a test, when its inputs differ from those it last passed with (a test that
failed or warned runs again every time). What does not run stands: its model as built, its test's
verdict as given, both reported to Dagster as reused from the run that built them.

No Dagster import: the wiring is in `orchestration/assets/warehouse_reuse.py`."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

# In the dbt target (the DuckDB warehouse, or the postgres target's database): what each node was
# last built or passed with.
STATE_SCHEMA = "dbt_build_state"
STATE_TABLE = f"{STATE_SCHEMA}.node_inputs"
BUILT_RESOURCES = ("model", "seed", "snapshot")
# dbt's output and installed packages, not the project.
NOT_THE_PROJECT = frozenset({"target", "logs", "dbt_packages"})
# SQL that reads the clock, directly or through dbt's macros.
READS_CLOCK = re.compile(r"\b(current_date|current_timestamp|now\s*\(|run_started_at|today\s*\()", re.IGNORECASE)
# Variables that do not change what a build computes: where this data directory is, how the
# worker runs, and secrets (never hashed into anything kept).
NOT_AN_INPUT = frozenset({"OGP_DATA_DIR", "OGP_RUN_IN_PROCESS", "OGP_PG_PASSWORD"})
SUCCEEDED = frozenset({"success", "pass"})


@dataclass(frozen=True)
class BuildPlan:
    """One definition's build: the nodes dbt runs, and those that stand (with the run that built
    them or last passed them), parents first."""

    to_run: frozenset[str]
    reused: Mapping[str, str]
    fingerprints: Mapping[str, str]


def definition_nodes(manifest: Mapping[str, Any], built: Iterable[str]) -> frozenset[str]:
    """The nodes one dbt definition builds (`built`: its models, seeds and snapshots) and every test
    that reads only them and sources: those its build runs with cautious indirect selection."""
    built = frozenset(built)
    tests = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and (parents := manifest["parent_map"].get(unique_id, []))
        and all(p in built or p in manifest["sources"] for p in parents)
    }
    return built | frozenset(tests)


def project_files(folder: str | Path) -> Iterator[Path]:
    """Every file of a dbt project, but in dbt's output and installed packages (`NOT_THE_PROJECT`),
    which are never walked into: other runs create and prune their folders in `target` meanwhile."""
    for parent, subfolders, files in os.walk(folder):
        subfolders[:] = [name for name in subfolders if name not in NOT_THE_PROJECT]
        yield from (Path(parent, name) for name in files)


def project_fingerprint(project_dir: Path, dbt_version: str, variables: Iterable[str] | None) -> str:
    """The dbt project's files, dbt's version and the values of the variables the project reads
    (every `OGP_` one when that cannot be told), as one hash."""
    digest = hashlib.sha256(dbt_version.encode())
    for path in sorted(project_files(project_dir)):
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    names = variables if variables is not None else [n for n in os.environ if n.startswith("OGP_")]
    for name in sorted(set(names) - NOT_AN_INPUT):
        digest.update(f"{name}={os.environ.get(name)}\0".encode())
    return digest.hexdigest()


def source_fingerprints(con: Any, manifest: Mapping[str, Any], sources: Iterable[str]) -> dict[str, str]:
    """Each source table's rows as a hash, in the DuckDB warehouse where the platform writes them
    (the postgres target gets a copy): a table that is missing hashes as such."""
    import duckdb

    fingerprints = {}
    for unique_id in sorted(sources):
        source = manifest["sources"][unique_id]
        table = f'"{source["schema"]}"."{source["identifier"]}"'
        try:
            rows, total = con.execute(
                f"select count(*), coalesce(sum(hash(t)), 0)::varchar from {table} as t"
            ).fetchone()
            fingerprints[unique_id] = f"{rows}:{total}"
        except duckdb.CatalogException:
            fingerprints[unique_id] = "missing"
    return fingerprints


def reads_clock(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    macros = manifest.get("macros", {})
    texts = [node.get("raw_code", "")] + [
        macros[m].get("macro_sql", "") for m in node.get("depends_on", {}).get("macros", []) if m in macros
    ]
    return any(READS_CLOCK.search(text) for text in texts)


def node_fingerprints(
    manifest: Mapping[str, Any], nodes: Iterable[str], project: str, sources: Mapping[str, str], today: date
) -> dict[str, str]:
    """Each node's inputs as a hash: the project's, its parents' (a parent outside the definition
    that is not a source has no known inputs, and neither then has the node), and today's date if
    it reads the clock."""
    nodes = frozenset(nodes)
    known: dict[str, str | None] = dict(sources)

    def fingerprint(unique_id: str) -> str | None:
        if unique_id in known:
            return known[unique_id]
        if unique_id not in nodes:
            return None
        known[unique_id] = None  # a cycle cannot be, but would end here
        node = manifest["nodes"][unique_id]
        parents = [fingerprint(p) for p in sorted(manifest["parent_map"].get(unique_id, []))]
        if any(p is None for p in parents):
            return None
        clock = today.isoformat() if reads_clock(manifest, node) else ""
        known[unique_id] = hashlib.sha256("\0".join([project, unique_id, clock, *parents]).encode()).hexdigest()
        return known[unique_id]

    return {unique_id: value for unique_id in sorted(nodes) if (value := fingerprint(unique_id)) is not None}


def plan_build(
    manifest: Mapping[str, Any],
    nodes: Iterable[str],
    fingerprints: Mapping[str, str],
    recorded: Mapping[str, tuple[str, str]],
    relations: set[tuple[str, str]],
) -> BuildPlan:
    """What runs: each node whose inputs are unknown or not those it was recorded with, each model
    whose relation (schema, name) is gone, and everything downstream of those in the definition
    (a model rebuilt from the same inputs gives the same rows, but its tests read it again all the
    same, and a view over a rebuilt table is rebuilt with it, as dbt would)."""
    nodes = frozenset(nodes)
    stale = set()
    for unique_id in nodes:
        node = manifest["nodes"][unique_id]
        same = unique_id in fingerprints and recorded.get(unique_id, ("", ""))[0] == fingerprints[unique_id]
        missing = node["resource_type"] in BUILT_RESOURCES and (node["schema"], node["alias"]) not in relations
        if not same or missing:
            stale.add(unique_id)
    pending = list(stale)
    while pending:
        for child in manifest["child_map"].get(pending.pop(), []):
            if child in nodes and child not in stale:
                stale.add(child)
                pending.append(child)
    return BuildPlan(
        to_run=frozenset(stale),
        reused={u: recorded[u][1] for u in topological(manifest, nodes - stale)},
        fingerprints=dict(fingerprints),
    )


def topological(manifest: Mapping[str, Any], nodes: Iterable[str]) -> list[str]:
    """Nodes after their parents (Dagster takes a definition's assets in that order)."""
    depth: dict[str, int] = {}

    def depth_of(unique_id: str) -> int:
        if unique_id not in depth:
            depth[unique_id] = 0
            parents = [p for p in manifest["parent_map"].get(unique_id, []) if p in manifest["nodes"]]
            depth[unique_id] = 1 + max((depth_of(p) for p in parents), default=-1)
        return depth[unique_id]

    return sorted(nodes, key=lambda u: (depth_of(u), u))


def dbt_selection(manifest: Mapping[str, Any], unique_ids: Iterable[str]) -> list[str]:
    """dbt's `--select` for exactly these nodes, by their fully qualified names."""
    return sorted(f"fqn:{'.'.join(manifest['nodes'][u]['fqn'])}" for u in unique_ids)


def _placeholder(con: Any) -> str:
    import duckdb

    return "?" if isinstance(con, duckdb.DuckDBPyConnection) else "%s"


def _executemany(con: Any, sql: str, rows: list[tuple]) -> None:
    (con if hasattr(con, "executemany") else con.cursor()).executemany(sql, rows)  # DuckDB's, psycopg's


def existing_relations(con: Any) -> set[tuple[str, str]]:
    """The target's tables and views, as (schema, name): its own database's, not those of another
    attached to the connection."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def recorded_builds(con: Any, definition: str) -> dict[str, tuple[str, str]]:
    """What each node of a definition was last built or passed with, and in which run."""
    if (STATE_SCHEMA, "node_inputs") not in existing_relations(con):
        return {}
    rows = con.execute(
        f"select unique_id, fingerprint, run_id from {STATE_TABLE} where definition = {_placeholder(con)}",
        [definition],
    ).fetchall()
    return {unique_id: (fingerprint, run_id) for unique_id, fingerprint, run_id in rows}


def record_builds(con: Any, definition: str, run_id: str, plan: BuildPlan, results: Iterable[Mapping[str, Any]]) -> int:
    """After a build: each node that ran and succeeded (a model) or passed (a test) is recorded
    with its inputs; one that ran otherwise is forgotten, so it runs again. Those that stood keep
    their record. Returns how many were recorded."""
    p = _placeholder(con)
    ran = {r["unique_id"]: r["status"] for r in results if r["unique_id"] in plan.to_run}
    passed = [
        (definition, u, plan.fingerprints[u], run_id)
        for u, status in ran.items()
        if status in SUCCEEDED and u in plan.fingerprints
    ]
    con.execute(f"create schema if not exists {STATE_SCHEMA}")
    con.execute(
        f"create table if not exists {STATE_TABLE} "
        "(definition varchar not null, unique_id varchar not null, fingerprint varchar not null, run_id varchar not null)"
    )
    if ran:
        _executemany(
            con,
            f"delete from {STATE_TABLE} where definition = {p} and unique_id = {p}",
            [(definition, u) for u in ran],
        )
    if passed:
        _executemany(con, f"insert into {STATE_TABLE} values ({p}, {p}, {p}, {p})", passed)
    return len(passed)
