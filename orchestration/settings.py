"""Platform settings, read from environment variables when a run or command needs them.

Never read at import time: `Settings.from_env()` is called inside resources, assets and the CLI,
so a code location loads the same way on every machine and a changed variable takes effect on the
next run. Defaults are documented in `.env.example`. Secrets are held in `Secret`, whose repr
never shows the value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_DATA_DIR = PROJECT_ROOT / "demo_data"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


class Secret(str):
    """A string whose repr and str never reveal it in logs or metadata."""

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"

    def __str__(self) -> str:
        return "***" if self else ""

    @property
    def value(self) -> str:
        return str.__str__(self)


def _path(value: str) -> Path:
    # Relative paths are taken from the project root, the same rule dbt's profiles.yml applies,
    # so Python and dbt always agree on where the warehouse is.
    path = Path(value).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    inbox_dir: Path
    plan_catalogue_url: str
    ogp_dashboard_url: str
    local_government_index_url: str
    indicator_catalogue_url: str
    dbt_target: str
    pg_dsn: Secret = field(repr=False)
    max_file_bytes: int
    publish_postgres: bool = False
    # Jobs `ogp` starts executed inside its own process, not launched to the code location
    # (orchestration/runner.py `execute_here`).
    run_in_process: bool = False
    # Caps on what one archive in the inbox may unpack (ingestion.inbox.IntakeLimits).
    max_archive_members: int = 1000
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 200
    pg_serving_schema: str = "marts"
    ckan_url: str = ""
    ckan_api_key: Secret = field(default=Secret(""), repr=False)
    ckan_organization: str = ""
    report_languages: tuple[str, ...] = ("es",)
    operator_language: str = "es"  # the CLI's messages: es or en
    alert_webhook_url: Secret = field(default=Secret(""), repr=False)
    ogp_explorer_url: str = ""
    portal_url: str = ""
    portal_api_key: Secret = field(default=Secret(""), repr=False)
    kobo_base_url: str = ""
    kobo_api_token: Secret = field(default=Secret(""), repr=False)
    kobo_asset_uids: tuple[str, ...] = ()
    odk_base_url: str = ""
    odk_user: str = ""
    odk_password: Secret = field(default=Secret(""), repr=False)
    odk_forms: tuple[tuple[str, str], ...] = ()  # (project id, form id)
    duckdb_memory_limit: str = "1GB"  # for the platform's own connections, as for dbt's
    tracked_members_url: str = ""  # the members the platform follows (ingestion/tracked_members.py)
    # The institutions' loop (correspondence/): whom to write to, through which server, and when.
    institution_contacts_url: str = ""  # ingestion/institution_contacts.py
    smtp_url: Secret = field(default=Secret(""), repr=False)  # smtp://host:port or smtps://user:password@host:port
    smtp_user: str = ""
    smtp_password: Secret = field(default=Secret(""), repr=False)
    mail_from: str = "Gobierno Abierto <no-responder@gobiernoabierto.example>"
    reminder_day: int = 5  # day of the month after a reporting month when the first reminder goes out
    escalation_days: int = 10  # days after the first reminder when the second goes, the coordinating office copied
    # The dbt postgres target (dbt_project/profiles.yml reads the same variables).
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "postgres"
    pg_password: Secret = field(default=Secret(""), repr=False)
    pg_database: str = "postgres"

    @property
    def warehouse_pg_conninfo(self) -> Secret:
        """libpq connection string of the dbt postgres target's database."""
        from psycopg.conninfo import make_conninfo  # not at code-location load

        password = {"password": self.pg_password.value} if self.pg_password else {}
        return Secret(
            make_conninfo(host=self.pg_host, port=self.pg_port, user=self.pg_user, dbname=self.pg_database, **password)
        )

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def dbt_parse_state_dir(self) -> Path:
        """dbt's partial-parse state for this data directory (its profile names the warehouse)."""
        return self.data_dir / "dbt_state"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def outbox_dir(self) -> Path:
        """Where each message is written as an .eml file when no mail server is set (the demo)."""
        return self.data_dir / "outbox"

    @property
    def snapshots_dir(self) -> Path:
        return self.data_dir / "snapshots"

    @property
    def page_reuse_dir(self) -> Path:
        """What the latest publications' pages were rendered from, by key (exports/page_reuse.py)."""
        return self.data_dir / "page_reuse"

    @property
    def serving_warehouse_path(self) -> Path:
        return self.data_dir / "serving" / "warehouse.duckdb"

    @property
    def uses_demo_data(self) -> bool:
        """True when any source reads the project's embedded demonstration files."""
        demo = str(DEMO_DATA_DIR)
        return any(
            str(url).startswith(demo)
            for url in (
                self.plan_catalogue_url,
                self.ogp_dashboard_url,
                self.local_government_index_url,
                self.indicator_catalogue_url,
                self.tracked_members_url,
                self.institution_contacts_url,
            )
        )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = _path(env.get("OGP_DATA_DIR") or "data")
        return cls(
            data_dir=data_dir,
            inbox_dir=_path(env.get("OGP_INBOX_DIR") or str(data_dir / "inbox")),
            plan_catalogue_url=_source(
                env.get("OGP_PLAN_CATALOGUE_URL"), DEMO_DATA_DIR / "plan_catalogue" / "hitos.csv"
            ),
            ogp_dashboard_url=_source(env.get("OGP_DASHBOARD_URL"), DEMO_DATA_DIR / "ogp" / "ogp_dashboard_export.csv"),
            local_government_index_url=_source(
                env.get("OGP_LOCAL_INDEX_URL"), DEMO_DATA_DIR / "local_government" / "indice_gobierno_abierto_local.csv"
            ),
            indicator_catalogue_url=_source(
                env.get("OGP_INDICATOR_CATALOGUE_URL"), DEMO_DATA_DIR / "plan_catalogue" / "indicadores.csv"
            ),
            tracked_members_url=_source(env.get("OGP_TRACKED_MEMBERS"), DEMO_DATA_DIR / "miembros.csv"),
            institution_contacts_url=_source(
                env.get("OGP_INSTITUTION_CONTACTS"), DEMO_DATA_DIR / "contactos_instituciones.csv"
            ),
            smtp_url=Secret(env.get("OGP_SMTP_URL") or ""),
            smtp_user=env.get("OGP_SMTP_USER") or "",
            smtp_password=Secret(env.get("OGP_SMTP_PASSWORD") or ""),
            mail_from=env.get("OGP_MAIL_FROM") or "Gobierno Abierto <no-responder@gobiernoabierto.example>",
            reminder_day=min(28, max(1, int(env.get("OGP_REMINDER_DAY") or 5))),
            escalation_days=max(1, int(env.get("OGP_ESCALATION_DAYS") or 10)),
            dbt_target=env.get("OGP_DBT_TARGET") or "duckdb",
            pg_dsn=Secret(env.get("OGP_PG_DSN") or "postgresql://postgres@127.0.0.1:5432/postgres"),
            max_file_bytes=int(env.get("OGP_MAX_FILE_BYTES") or 50 * 1024 * 1024),
            max_archive_members=int(env.get("OGP_MAX_ARCHIVE_MEMBERS") or 1000),
            max_unpacked_bytes=int(env.get("OGP_MAX_UNPACKED_BYTES") or 200 * 1024 * 1024),
            max_compression_ratio=int(env.get("OGP_MAX_COMPRESSION_RATIO") or 200),
            publish_postgres=_flag(env.get("OGP_PUBLISH_POSTGRES")),
            run_in_process=_flag(env.get("OGP_RUN_IN_PROCESS")),
            pg_serving_schema=env.get("OGP_PG_SERVING_SCHEMA") or "marts",
            ckan_url=env.get("OGP_CKAN_URL") or "",
            ckan_api_key=Secret(env.get("OGP_CKAN_API_KEY") or ""),
            ckan_organization=env.get("OGP_CKAN_ORGANIZATION") or "",
            alert_webhook_url=Secret(env.get("OGP_ALERT_WEBHOOK_URL") or ""),
            ogp_explorer_url=_source(env.get("OGP_EXPLORER_URL"), None),
            portal_url=env.get("OGP_PORTAL_URL") or "",
            portal_api_key=Secret(env.get("OGP_PORTAL_API_KEY") or ""),
            kobo_base_url=env.get("KOBO_BASE_URL") or "",
            kobo_api_token=Secret(env.get("KOBO_API_TOKEN") or ""),
            kobo_asset_uids=_items(env.get("KOBO_ASSET_UIDS")),
            odk_base_url=env.get("ODK_BASE_URL") or "",
            odk_user=env.get("ODK_USER") or "",
            odk_password=Secret(env.get("ODK_PASSWORD") or ""),
            odk_forms=tuple(tuple(item.split(":", 1)) for item in _items(env.get("ODK_FORMS")) if ":" in item),
            duckdb_memory_limit=env.get("OGP_DUCKDB_MEMORY_LIMIT") or "1GB",
            pg_host=env.get("OGP_PG_HOST") or "127.0.0.1",
            pg_port=int(env.get("OGP_PG_PORT") or 5432),
            pg_user=env.get("OGP_PG_USER") or "postgres",
            pg_password=Secret(env.get("OGP_PG_PASSWORD") or ""),
            pg_database=env.get("OGP_PG_DATABASE") or "postgres",
            report_languages=tuple(
                lang.strip() for lang in (env.get("OGP_REPORT_LANGUAGES") or "es").split(",") if lang.strip()
            ),
            operator_language="en"
            if (env.get("OGP_OPERATOR_LANGUAGE") or "es").strip().lower().startswith("en")
            else "es",
        )


def _flag(value: str | None) -> bool:
    return (value or "0").lower() in ("1", "true", "yes")


def _items(value: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def _source(value: str | None, demo_default: Path | None) -> str:
    """A source is an http(s) URL or a local path; unset means the embedded demo file, or no
    source at all ("") where the demo has none."""
    if not value:
        return str(demo_default) if demo_default else ""
    if value.startswith(("http://", "https://")):
        return value
    return str(_path(value.removeprefix("file://")))
