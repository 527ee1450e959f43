"""The dbt project as Dagster sees it. Its manifest is prepared once (by `make`/`ogp prepare`, the
Dockerfile, or the first load on a fresh checkout) and re-prepared only when a dbt file changed,
so a code-location load does not parse the dbt project."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource, DbtProject
from dagster_dbt.asset_utils import extract_runtime_selection_from_args, get_updated_cli_invocation_params_for_context
from dagster_dbt.dagster_dbt_translator import validate_opt_translator
from dagster_dbt.dbt_manifest import DbtManifestParam, validate_manifest
from packaging.version import Version

from orchestration.dbt_in_process import DbtInProcess
from orchestration.settings import DBT_PROJECT_DIR

_WATCHED = ("dbt_project.yml", "profiles.yml", "models", "macros", "snapshots", "tests", "seeds")


def dbt_executable() -> str:
    """The dbt installed beside this Python, so it is found without an activated virtualenv,
    through `ogp-dbt` (orchestration/dbt_child.py) so that it dies with the process that started
    it. Only `dbt parse` (the manifest) runs as a process; builds run in the worker."""
    for name in ("ogp-dbt", "dbt"):
        candidate = Path(sys.executable).parent / name
        if candidate.exists():
            return str(candidate)
    return "dbt"


class WarehouseDbtResource(DbtCliResource):
    """dagster-dbt's dbt resource, with dbt run inside the run worker (orchestration/dbt_in_process.py)
    instead of as a `dbt` process per invocation. `cli` is dagster-dbt's own but for that: the same
    selection of the step's assets and checks, the same artifacts in the same target folder, the
    same `DbtCliInvocation` turning dbt's events into Dagster's. Two costs of the original are not
    paid: `dbt --version` in a subprocess (the dbt that runs is the installed dbt-core), and a dbt
    adapter opened before every invocation to serve column metadata this platform never fetches.
    tests/test_definitions.py fails if dagster-dbt renames what is used here."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def cli(
        self,
        args: Sequence[str],
        *,
        raise_on_error: bool = True,
        manifest: DbtManifestParam | None = None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context: dg.OpExecutionContext | dg.AssetExecutionContext | None = None,
        target_path: Path | None = None,
        nodes: str | None = None,
    ) -> DbtCliInvocation:
        """`nodes`: a dbt selection that replaces the step's (the warehouse's build runs only the
        nodes whose inputs changed, warehouse/build_plan.py); its events are still the step's."""
        translator = validate_opt_translator(dagster_dbt_translator) or DagsterDbtTranslator()
        command_args, runtime_selects, runtime_excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest=validate_manifest(manifest) if manifest else {},
            dagster_dbt_translator=translator,
            runtime_selects=runtime_selects,
            runtime_excludes=runtime_excludes,
        )
        project_dir = Path(params.dbt_project.project_dir if params.dbt_project else self.project_dir)
        target_path = target_path or self._get_unique_target_path(context=context)
        if not target_path.is_absolute():
            target_path = project_dir / target_path
        place = self._place_arguments(project_dir, target_path)
        # Indirect selection set by the step's asset checks, unless the command sets its own (a
        # flag wins over dbt's environment variable, as it did for the subprocess).
        indirect = (
            ["--indirect-selection", params.indirect_selection]
            if params.indirect_selection and "--indirect-selection" not in command_args
            else []
        )
        selection = params.selection_args
        if nodes is not None:
            indirect, selection = [], ["--select", nodes]
        process = DbtInProcess(
            ["dbt", *self.global_config_flags, *command_args, *place, *indirect, *selection],
            parse_args=[*self.global_config_flags, "parse", *place],
        )
        invocation = DbtCliInvocation(
            process=process,  # type: ignore[arg-type]  # stands where dagster-dbt's subprocess would
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            raise_on_error=raise_on_error,
            cli_version=self._cli_version,
            project=params.dbt_project,
            context=context,
        )
        dg.get_dagster_logger().info(f"Running dbt in this process: `{invocation.dbt_command}`.")
        return invocation

    def _place_arguments(self, project_dir: Path, target_path: Path) -> list[str]:
        """What dagster-dbt gives its dbt process as environment variables, as dbt's own flags: the
        project, profile and target folder; events as JSON to the callback only (none printed);
        dbt's debug log beside the artifacts."""
        return [
            "--log-format",
            "json",
            "--log-level",
            "none",
            "--log-path",
            str(target_path),
            "--no-send-anonymous-usage-stats",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(self.profiles_dir or project_dir),
            "--target-path",
            str(target_path),
            *(["--profile", self.profile] if self.profile else []),
            *(["--target", self.target] if self.target else []),
        ]


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in _WATCHED:
        path = project_dir / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for file in path.rglob("*"):
                if file.suffix in (".sql", ".yml", ".yaml", ".md", ".csv"):
                    newest = max(newest, file.stat().st_mtime)
    return newest


def manifest_is_current(project: DbtProject) -> bool:
    manifest = project.manifest_path
    return manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime(project.project_dir)


def prepare_manifest(project: DbtProject, *, force: bool = False) -> Path:
    if force or not manifest_is_current(project):
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--project-dir",
                str(project.project_dir),
                "--profiles-dir",
                str(project.profiles_dir),
                "--target-path",
                str(project.target_path),
            ],
            check=True,
            cwd=project.project_dir,
        )
    return project.manifest_path
