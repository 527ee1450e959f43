from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from pydantic import Field

from correspondence.schema import ensure_tables as ensure_correspondence_tables
from ingestion.connection import connect
from ingestion.sources import ensure_raw_schema
from orchestration.settings import Settings


def _from_environment(variable: str, what: str) -> str | None:
    return Field(default=None, description=f"{what} Unset: ${variable} when the run starts (default in .env.example).")


class PlatformResource(dg.ConfigurableResource):
    """The platform's settings and the warehouse connection. Each setting is a field named after
    its environment variable, shown in the UI's resource page and the Launchpad; a field left
    unset is read from the environment when the run starts, so a changed variable takes effect on
    the next run without reloading the code location. Secrets (API keys, tokens, passwords, the
    PostgreSQL DSN, the webhook, the mail server's URL) are never fields: they are read from the environment only."""

    lock_timeout_s: float = Field(
        default=300.0, description="How long a step waits for another process's lock on the warehouse."
    )
    OGP_DATA_DIR: str | None = _from_environment(
        "OGP_DATA_DIR", "Where the landing zone, warehouse, snapshots and logs live."
    )
    OGP_INBOX_DIR: str | None = _from_environment(
        "OGP_INBOX_DIR", "The folder institutions drop their spreadsheets into."
    )
    OGP_PLAN_CATALOGUE_URL: str | None = _from_environment(
        "OGP_PLAN_CATALOGUE_URL", "The plans' milestone catalogue (URL or path)."
    )
    OGP_TRACKED_MEMBERS: str | None = _from_environment(
        "OGP_TRACKED_MEMBERS", "The OGP members followed, national and local (URL or path)."
    )
    OGP_INSTITUTION_CONTACTS: str | None = _from_environment(
        "OGP_INSTITUTION_CONTACTS", "Whom receipts and reminders go to (URL or path)."
    )
    OGP_SMTP_USER: str | None = _from_environment(
        "OGP_SMTP_USER", "User of the mail server (its password: OGP_SMTP_PASSWORD, never a field)."
    )
    OGP_MAIL_FROM: str | None = _from_environment("OGP_MAIL_FROM", "The sender of receipts and reminders.")
    OGP_REMINDER_DAY: int | None = _from_environment(
        "OGP_REMINDER_DAY", "Day of the next month when the first reminder goes out."
    )
    OGP_ESCALATION_DAYS: int | None = _from_environment(
        "OGP_ESCALATION_DAYS", "Days after the first reminder when the second goes, coordination copied."
    )
    OGP_INDICATOR_CATALOGUE_URL: str | None = _from_environment(
        "OGP_INDICATOR_CATALOGUE_URL", "The indicator catalogue (URL or path)."
    )
    OGP_DASHBOARD_URL: str | None = _from_environment("OGP_DASHBOARD_URL", "OGP's Data Dashboard export (URL or path).")
    OGP_EXPLORER_URL: str | None = _from_environment("OGP_EXPLORER_URL", "OGP's older Explorer file (URL or path).")
    OGP_LOCAL_INDEX_URL: str | None = _from_environment(
        "OGP_LOCAL_INDEX_URL", "The local-government maturity index (URL or path)."
    )
    OGP_PORTAL_URL: str | None = _from_environment(
        "OGP_PORTAL_URL", "The national open-data portal read as a source (CKAN)."
    )
    KOBO_BASE_URL: str | None = _from_environment("KOBO_BASE_URL", "KoboToolbox server of the progress-report forms.")
    KOBO_ASSET_UIDS: str | None = _from_environment("KOBO_ASSET_UIDS", "Comma-separated KoboToolbox form uids.")
    ODK_BASE_URL: str | None = _from_environment("ODK_BASE_URL", "ODK Central server of the progress-report forms.")
    ODK_USER: str | None = _from_environment("ODK_USER", "ODK Central user.")
    ODK_FORMS: str | None = _from_environment("ODK_FORMS", "Comma-separated project:form pairs on ODK Central.")
    OGP_MAX_FILE_BYTES: int | None = _from_environment(
        "OGP_MAX_FILE_BYTES", "Largest payload accepted from any source, in bytes."
    )
    OGP_MAX_ARCHIVE_MEMBERS: int | None = _from_environment(
        "OGP_MAX_ARCHIVE_MEMBERS", "Most files one archive in the inbox may hold."
    )
    OGP_MAX_UNPACKED_BYTES: int | None = _from_environment(
        "OGP_MAX_UNPACKED_BYTES", "Most bytes one archive may unpack, nested ones included."
    )
    OGP_MAX_COMPRESSION_RATIO: int | None = _from_environment(
        "OGP_MAX_COMPRESSION_RATIO", "Highest compression ratio of an archive member over 1 MiB."
    )
    OGP_DBT_TARGET: str | None = _from_environment("OGP_DBT_TARGET", "dbt target: duckdb or postgres.")
    OGP_DUCKDB_MEMORY_LIMIT: str | None = _from_environment(
        "OGP_DUCKDB_MEMORY_LIMIT", "Memory DuckDB may use before spilling to disk."
    )
    OGP_PG_HOST: str | None = _from_environment("OGP_PG_HOST", "PostgreSQL host of the dbt postgres target.")
    OGP_PG_PORT: int | None = _from_environment("OGP_PG_PORT", "PostgreSQL port of the dbt postgres target.")
    OGP_PG_USER: str | None = _from_environment("OGP_PG_USER", "PostgreSQL user of the dbt postgres target.")
    OGP_PG_DATABASE: str | None = _from_environment(
        "OGP_PG_DATABASE", "PostgreSQL database of the dbt postgres target."
    )
    OGP_PG_SCHEMA: str | None = _from_environment("OGP_PG_SCHEMA", "Default schema of the dbt postgres target.")
    OGP_PUBLISH_POSTGRES: bool | None = _from_environment(
        "OGP_PUBLISH_POSTGRES", "Publish the marts to PostgreSQL for BI tools."
    )
    OGP_PG_SERVING_SCHEMA: str | None = _from_environment(
        "OGP_PG_SERVING_SCHEMA", "PostgreSQL schema the marts are served in."
    )
    OGP_CKAN_URL: str | None = _from_environment(
        "OGP_CKAN_URL", "The open-data portal the snapshot is published to (CKAN)."
    )
    OGP_CKAN_ORGANIZATION: str | None = _from_environment(
        "OGP_CKAN_ORGANIZATION", "The portal organization that publishes it."
    )
    OGP_REPORT_LANGUAGES: str | None = _from_environment(
        "OGP_REPORT_LANGUAGES", "Languages of the report and site: es, or es,en."
    )
    OGP_OPERATOR_LANGUAGE: str | None = _from_environment(
        "OGP_OPERATOR_LANGUAGE", "Language of messages to operators: es or en."
    )

    def environment(self) -> dict[str, str]:
        """The fields given here, as the environment variables they stand for (dbt's invocations
        get them too, so they read the same warehouse)."""
        given = {name: value for name, value in self.__dict__.items() if name.isupper() and value is not None}
        return {
            name: ("1" if value is True else "0" if value is False else str(value)) for name, value in given.items()
        }

    def settings(self) -> Settings:
        """The run's settings: the fields given here, the environment for the others."""
        return Settings.from_env({**os.environ, **self.environment()})

    @contextmanager
    def warehouse(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        settings = self.settings()
        with connect(
            settings.warehouse_path,
            read_only=read_only,
            lock_timeout_s=self.lock_timeout_s,
            memory_limit=settings.duckdb_memory_limit,
        ) as con:
            if not read_only:
                ensure_raw_schema(con)
                ensure_correspondence_tables(con)
            yield con
