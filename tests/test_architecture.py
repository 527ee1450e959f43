"""The rules the code's layout promises (ARCHITECTURE.md), checked on the code itself: no import
circles, an orchestration layer that only wires (no SQL, no private Dagster API), every source
declared once and wired everywhere from its spec, and each publication's inputs equal to what its
code reads. Reads source files and the dbt manifest only: no demo run."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from ingestion.sources import SOURCES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ingestion", "quality", "similarity", "exports", "correspondence", "warehouse", "orchestration")


def _module_path(module: str) -> Path | None:
    for candidate in (ROOT / (module.replace(".", "/") + ".py"), ROOT / module.replace(".", "/") / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    return modules


def _imports(path: Path) -> set[str]:
    """Every project module `path` imports, at the top or inside a function alike."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name for name in names if name.split(".")[0] in PACKAGES and _module_path(name)}
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_no_import_circles_among_the_projects_modules():
    modules = _project_modules()
    graph = {name: {m for m in _imports(path) if m != name and m in modules} for name, path in modules.items()}
    assert _cycles(graph) == []


def test_plain_packages_do_not_import_dagster():
    for name, path in _project_modules().items():
        if name.startswith("orchestration"):
            continue
        imported = {
            n.split(".")[0]
            for n in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", path.read_text(encoding="utf-8"), re.M)
        }
        assert not imported & {"dagster", "dagster_dbt"}, name


# The one module that extends a Dagster class dagster.yaml names: the local instance's event log
# (Dagster documents its storages, in its Internals reference, under these module paths).
DAGSTER_STORAGE_EXTENSION = "orchestration/event_log_storage.py"
DAGSTER_STORAGE_MODULES = (
    "dagster._core.storage.event_log.sqlite.sqlite_event_log",
    "dagster._core.instance.ref",
    "dagster._serdes",
)


def test_nothing_imports_dagsters_private_modules():
    for path in [*ROOT.glob("*/**/*.py")]:
        if ".venv" in path.parts or "target" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        private = re.findall(r"^\s*(?:from|import)\s+(dagster(?:_\w+)?\._[\w.]*)", text, re.M)
        if path.relative_to(ROOT).as_posix() == DAGSTER_STORAGE_EXTENSION:
            private = [module for module in private if module not in DAGSTER_STORAGE_MODULES]
        assert not private, path


SQL = re.compile(
    r"(?is)\bselect\b.+\bfrom\b|\binsert\s+(or\s+\w+\s+)?into\b|\bcreate\s+(or\s+replace\s+)?(temp\s+)?(table|view|schema)\b"
    r"|\bupdate\s+[\w.]+\s+set\b|\bdelete\s+from\b|\bset\s+memory_limit\b"
)


def test_orchestration_only_wires_no_sql_and_no_queries():
    for path in (ROOT / "orchestration").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} holds SQL: {node.value[:80]!r}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute", "sql", "query")
                # Dagster's own SQLite event log, set by a PRAGMA on each connection: no data read.
                and not (
                    path.relative_to(ROOT).as_posix() == DAGSTER_STORAGE_EXTENSION
                    and isinstance(node.args[0], ast.Constant)
                    and str(node.args[0].value).startswith("PRAGMA ")
                )
            ):
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} runs a query")


def test_every_source_is_declared_once_with_a_name_and_table_of_its_own():
    names = [spec.name for spec in SOURCES]
    tables = [spec.table for spec in SOURCES]
    assert len(set(names)) == len(names) and len(set(tables)) == len(tables)
    for spec in SOURCES:
        assert spec.table.startswith("raw.") and f"create table if not exists {spec.table} (" in spec.table_ddl()
        assert spec.description and spec.preview_columns


def test_every_source_has_its_asset_checks_and_dbt_source(definitions):
    graph = definitions.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    dbt_sources = set()
    for path in (ROOT / "dbt_project" / "models" / "staging").rglob("_*__sources.yml"):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            for table in source.get("tables", []):
                asset_key = table.get("meta", {}).get("dagster", {}).get("asset_key")
                if asset_key:
                    dbt_sources.add(tuple(asset_key))
    for spec in SOURCES:
        key = "/".join(spec.asset_key)
        assert key in keys, f"{spec.name}: no asset {key}"
        assert (key, "no_rows_quarantined") in checks
        assert bool(spec.expectations) == ((key, f"gx_{spec.table_name}") in checks)
        assert tuple(spec.asset_key) in dbt_sources, f"{spec.name}: no dbt source names the asset {key} in its meta"


def _marts_read_by(module: str) -> set[str]:
    """The marts the code reachable from `module` queries (its own text and every project module it imports)."""
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen or _module_path(name) is None:
            continue
        seen.add(name)
        todo.extend(_imports(_module_path(name)))
    return {
        table
        for name in seen
        for table in re.findall(r"\bmarts\.([a-z_]+)", _module_path(name).read_text(encoding="utf-8"))
    }


def _exposures() -> dict[str, set[str]]:
    from orchestration.dbt_project import dbt_project, prepare_manifest

    manifest = json.loads(prepare_manifest(dbt_project()).read_text(encoding="utf-8"))
    return {
        e["name"]: {manifest["nodes"][n]["name"] for n in e["depends_on"]["nodes"]}
        for e in manifest["exposures"].values()
    }


def test_the_snapshots_exposure_lists_exactly_the_marts_its_code_reads():
    assert _exposures()["monthly_progress_snapshot"] == _marts_read_by("exports.snapshot")


def test_the_serving_copies_expose_every_mart():
    marts = {p.stem for p in (ROOT / "dbt_project" / "models" / "marts").glob("*.sql")}
    exposures = _exposures()
    assert exposures["duckdb_serving_copy"] == marts
    assert exposures["postgres_serving_schema"] == marts | {"snap_plan_milestones"}  # with the milestone history


def test_each_publications_deps_are_its_exposures_models(definitions):
    graph = definitions.resolve_asset_graph()
    exposures = _exposures()
    by_name = {key.path[-1]: key for key in graph.get_all_asset_keys()}
    for publication in (
        "monthly_progress_snapshot",
        "duckdb_serving_copy",
        "postgres_serving_schema",
        "open_data_portal_publication",
    ):
        parents = {key.path[-1] for key in graph.get(by_name[publication]).parent_keys}
        assert parents - {"monthly_progress_snapshot"} == exposures[publication], publication


QUARANTINE_WRITE = re.compile(r"(?is)\b(insert\s+(or\s+\w+\s+)?into|delete\s+from|update)\s+raw\.quarantine\b(?!_)")


def test_the_quarantine_is_written_from_one_module():
    """Every quarantined row and item goes in through ingestion/quarantine.py, by column name."""
    writers = sorted(
        str(path.relative_to(ROOT))
        for path in _project_modules().values()
        if QUARANTINE_WRITE.search(path.read_text(encoding="utf-8"))
    )
    assert writers == ["ingestion/quarantine.py"]


MAX_MODULE_LINES = 400


def test_no_module_of_the_platform_exceeds_400_lines():
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _project_modules().items()}
    assert {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES} == {}


def test_nothing_calls_private_parts_of_the_standard_library():
    """`module._name` of a standard-library module imported as such (os._exit is documented)."""
    import sys

    paths = [*_project_modules().values(), *(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
            if alias.name.split(".")[0] in sys.stdlib_module_names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and (node.value.id, node.attr) != ("os", "_exit")
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []
