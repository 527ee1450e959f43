"""great-expectations suites for what lands, before dbt reads it.

Each suite is a list of expectations written in code; `validate` runs one on a pandas frame in an
ephemeral context and returns a summary an operator can act on: which expectation failed, on which
column, how many rows, and a sample of them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingestion import sources


def expectations_of(suite_name: str) -> Callable[[Any], list]:
    """The expectations of a suite, declared by its source (`SourceSpec.expectations`); a suite is
    named after the raw table it checks."""
    spec = sources.BY_TABLE.get(suite_name)
    if spec is None or spec.expectations is None:
        raise KeyError(f"no great-expectations suite for raw.{suite_name}")
    return spec.expectations


@dataclass
class Failure:
    expectation: str
    column: str | None
    unexpected_count: int | None
    sample: list[Any]
    rule: str


@dataclass
class ValidationSummary:
    suite: str
    rows: int
    evaluated: int
    success: bool
    failures: list[Failure] = field(default_factory=list)
    docs_page: Path | None = None  # this validation's page in the Data Docs site
    landed_file_ids: list[str] = field(default_factory=list)  # the files whose rows were checked

    def markdown(self) -> str:
        if not self.failures:
            return f"All {self.evaluated} expectations of `{self.suite}` passed on {self.rows} rows."
        lines = ["| expectation | column | failing rows | sample |", "|---|---|---|---|"]
        for f in self.failures:
            sample = ", ".join(str(s) for s in f.sample[:5]).replace("|", "\\|")
            lines.append(
                f"| {f.rule} | {f.column or ''} | {f.unexpected_count if f.unexpected_count is not None else 'n/a'} | {sample} |"
            )
        return "\n".join(lines)


def validate(suite_name: str, frame, *, docs_dir: Path | None = None, run_name: str | None = None) -> ValidationSummary:
    """Run the named suite on a pandas frame. With `docs_dir`, the validation joins the Data Docs
    site there (`quality.data_docs`: one site, each suite's latest run, readable offline); its
    results are kept under `run_name` (the Dagster run). great-expectations is imported only here
    (slow import)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    if docs_dir is None:
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        return _run_suite(gx, context, suite_name, frame, run_name, with_docs=False)
    from quality import data_docs

    with data_docs.site_context(docs_dir) as context:
        data_docs.forget_earlier_validations(context, suite_name, keep_run=run_name)
        summary = _run_suite(gx, context, suite_name, frame, run_name, with_docs=True)
        data_docs.serve_assets_locally(docs_dir)
    return summary


def _run_suite(gx, context, suite_name: str, frame, run_name: str | None, *, with_docs: bool) -> ValidationSummary:
    from great_expectations.core.run_identifier import RunIdentifier

    from quality.data_docs import SITE_NAME

    source = context.data_sources.add_or_update_pandas(f"landed_{suite_name}")
    batch_definition = source.add_dataframe_asset(suite_name).add_batch_definition_whole_dataframe("run")
    suite = gx.ExpectationSuite(name=suite_name)
    for expectation in expectations_of(suite_name)(gx):
        suite.add_expectation(expectation)
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(data=batch_definition, suite=suite, name=suite_name)
    )
    actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[SITE_NAME])] if with_docs else []
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"landed_{suite_name}", validation_definitions=[definition], actions=actions, result_format="SUMMARY"
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_name))
    ((key, result),) = run.run_results.items()
    failures = []
    for r in result.results:
        if r.success:
            continue
        config = r.expectation_config
        column = config.kwargs.get("column") or ",".join(config.kwargs.get("column_list", []) or [])
        failures.append(
            Failure(
                expectation=config.type,
                column=column or None,
                unexpected_count=(r.result or {}).get("unexpected_count"),
                sample=list((r.result or {}).get("partial_unexpected_list") or [])[:10],
                rule=_describe(config.type, config.kwargs),
            )
        )
    docs_page = None
    if with_docs:
        urls = context.get_docs_sites_urls(resource_identifier=key, site_names=[SITE_NAME])
        docs_page = Path(urls[0]["site_url"].removeprefix("file://")) if urls else None
    return ValidationSummary(suite_name, len(frame), len(result.results), result.success, failures, docs_page)


def suite_columns(suite_name: str) -> list[str]:
    """The columns the suite's expectations read: a check fetches only these, since turning the
    other columns (narratives, links) into pandas cost more than validating."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    columns: list[str] = []
    for expectation in expectations_of(suite_name)(gx):
        config = expectation.configuration.kwargs
        for column in [config.get("column"), *(config.get("column_list") or [])]:
            if column and column not in columns:
                columns.append(column)
    return columns


def validate_batches(
    suite_name: str,
    batches: Iterable,
    *,
    docs_dir: Path | None = None,
    run_name: str | None = None,
) -> ValidationSummary:
    """Run the suite over a large landing batch by batch (pandas frames), so memory stays bounded
    however many rows a run loaded; failures are summed per expectation and column. Data Docs are
    written for the first batch and for every batch that fails."""
    total: ValidationSummary | None = None
    merged: dict[tuple[str, str | None], Failure] = {}
    for number, frame in enumerate(batches):
        if frame.empty:
            continue
        summary = validate(suite_name, frame, docs_dir=docs_dir if number == 0 else None, run_name=run_name)
        if not summary.success and docs_dir is not None and number > 0:
            summary = validate(suite_name, frame, docs_dir=docs_dir, run_name=run_name)
        for failure in summary.failures:
            key = (failure.expectation, failure.column)
            if key in merged:
                known = merged[key]
                known.unexpected_count = (known.unexpected_count or 0) + (failure.unexpected_count or 0)
                known.sample = (known.sample + failure.sample)[:10]
            else:
                merged[key] = failure
        if total is None:
            total = summary
        else:
            total.rows += summary.rows
            total.success = total.success and summary.success
            total.docs_page = summary.docs_page or total.docs_page
    if total is None:
        return ValidationSummary(suite_name, 0, 0, True)
    total.failures = list(merged.values())
    return total


def _describe(kind: str, kwargs: dict) -> str:
    column = kwargs.get("column")
    words = {
        "expect_column_to_exist": f"column {column} must exist",
        "expect_column_values_to_not_be_null": f"{column} must never be empty",
        "expect_column_values_to_be_unique": f"{column} must be unique",
        "expect_column_values_to_be_between": f"{column} must be between {kwargs.get('min_value')} and {kwargs.get('max_value')}",
        "expect_column_values_to_be_in_set": f"{column} must be one of {kwargs.get('value_set')}",
        "expect_column_values_to_match_regex": f"{column} must match {kwargs.get('regex')}",
        "expect_compound_columns_to_be_unique": f"one row per {', '.join(kwargs.get('column_list', []))}",
    }
    return words.get(kind, kind)


def validate_landed_rows(
    warehouse: Path,
    suite_name: str,
    run_id: str,
    *,
    docs_dir: Path | None,
    batch_rows: int,
    memory_limit: str,
    lock_timeout_s: float = 300.0,
) -> ValidationSummary:
    """The suite over the rows of `raw.<suite_name>` that run `run_id` landed, read from the
    warehouse (read-only) `batch_rows` at a time, only the columns the suite checks. Like every
    reader of the warehouse, it waits while another run holds the write lock."""
    from ingestion.connection import connect
    from ingestion.ledger import files_to_validate_sql
    from ingestion.tabular import quote_ident

    with connect(warehouse, read_only=True, lock_timeout_s=lock_timeout_s, memory_limit=memory_limit) as con:
        files = [
            f
            for (f,) in con.execute(
                f"select distinct landed_file_id from raw.{suite_name} where landed_file_id in ({files_to_validate_sql(suite_name)})",
                [run_id],
            ).fetchall()
        ]
        if not files:  # nothing to check: great-expectations (a slow import) is not even loaded
            return ValidationSummary(suite_name, 0, 0, True)
        columns = ", ".join(quote_ident(c) for c in suite_columns(suite_name))
        reader = con.sql(
            f"select {columns} from raw.{suite_name} where list_contains(?, landed_file_id)",
            params=[files],
        ).to_arrow_reader(batch_rows)
        summary = validate_batches(
            suite_name, (batch.to_pandas() for batch in reader), docs_dir=docs_dir, run_name=run_id
        )
    summary.landed_file_ids = files
    return summary
