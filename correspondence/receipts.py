"""A receipt (acuse de recibo) for every delivery: after each load, one message to each institution
whose rows or files arrived, listing every file with its terminal state (`raw.intake_files`), the
rows of that institution loaded, each quarantined row by number with its Spanish reason, and the
warnings on loaded rows (`raw.intake_warnings`). A file is acknowledged once.

Whose rows they are: the institution a row names, when the catalogue knows that name (matched
under the normalisation of codes); else the institution the catalogue makes responsible for the
row's milestone, or of most of its commitment's milestones (a measurement's indicator says which);
else the name as written. What names no institution (a file refused before any row was read, rows
without either) is acknowledged to the coordinating office, so no delivery goes unanswered."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import duckdb

from correspondence.messages import RECEIPT, Composed
from correspondence.render import render
from exports.labels import labels
from ingestion.indicators import VALUES_SPEC
from ingestion.institution_contacts import institution_key
from ingestion.progress_reports import FIELD_ALIASES as REPORT_FIELDS
from ingestion.progress_reports import SPEC as REPORTS_SPEC
from ingestion.tabular import normalize_header

# The files institutions send (the inbox and the forms); the catalogues and OGP's exports are not deliveries.
DELIVERY_SOURCES = (REPORTS_SPEC.name, VALUES_SPEC.name)
# Rows listed one by one per file and institution; the rest are counted (`ogp status` lists all).
ROWS_LISTED = 200
_INSTITUTION_HEADERS = set(REPORT_FIELDS["institution"]) | set(VALUES_SPEC.tabular.field_aliases.get("institution", ()))


@dataclass
class FileReceipt:
    name: str
    state: str
    reason: str | None
    loaded: int = 0
    quarantined: list[str] = field(default_factory=list)  # each row's reason, which names the row
    warnings: list[str] = field(default_factory=list)
    reporting_month: date | None = None

    @property
    def state_label(self) -> str:
        return labels("intake_states")["es"].get(self.state, self.state)  # receipts are written in Spanish


def _files_to_acknowledge(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        create or replace temp table _receipt_files as
        select file_id, file_name, state, reason, recorded_at
        from raw.intake_files f
        where superseded_at is null
          and source in {DELIVERY_SOURCES}
          -- an archive is acknowledged through its members
          and file_id not in (select archive_id from raw.intake_files where archive_id is not null)
          and file_id not in (select file_id from raw.outbound_message_files)
    """)


def _payload_institution_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Which key of a quarantined row's payload holds the institution, per file (the file's own
    header, as its tool wrote it)."""
    keys = con.execute("""
        select distinct q.landed_file_id, k.key
        from raw.quarantine q, unnest(json_keys(q.raw_payload)) as k(key)
        where q.landed_file_id in (select file_id from _receipt_files)""").fetchall()
    chosen = {}
    for file_id, key in keys:
        if normalize_header(key) in _INSTITUTION_HEADERS:
            chosen.setdefault(file_id, key)
    con.execute("create or replace temp table _payload_institution (file_id varchar, payload_key varchar)")
    if chosen:
        con.executemany("insert into _payload_institution values (?, ?)", list(chosen.items()))


VALIDATION_ISSUES = """
    select landed_file_id, source_row_number, string_agg(reason, '; ' order by rule_code) as reason
    from marts.fct_data_quality_issues
    where stage = 'validation' and landed_file_id in (select file_id from _receipt_files)
    group by all
"""
NO_VALIDATION_ISSUES = (
    "select cast(null as varchar) as landed_file_id, cast(null as bigint) as source_row_number, cast(null as "
    "varchar) as reason where false"
)

# Every delivered row of the files to acknowledge, with whose it is: `owner` is the institution,
# kept only when its name has a key contacts can be matched by.
ROWS_SQL = """
create or replace temp table _receipt_rows as
with validation_issues as ({validation}),
catalogue as (
    select milestone_code, commitment_id, responsible_institution from raw.plan_milestones
    where landed_file_id = (select arg_max(landed_file_id, loaded_at) from raw.plan_milestones)
),
catalogue_names as (
    select {key_of_responsible} as key, min(responsible_institution) as name
    from catalogue where responsible_institution is not null group by 1
),
-- A commitment's institution, for a row that names no milestone (most measurements): the one
-- responsible for most of its milestones.
commitment_owners as (
    select commitment_id, mode(responsible_institution) as responsible_institution from catalogue group by commitment_id
),
indicators as (
    select indicator_code, any_value(milestone_code) as milestone_code, any_value(commitment_id) as commitment_id
    from raw.indicator_catalogue
    where landed_file_id = (select arg_max(landed_file_id, loaded_at) from raw.indicator_catalogue)
    group by indicator_code
),
delivered_rows as (
    -- a loaded report the warehouse's validation rejected (unknown milestone, month outside the plan) carries its reason
    select r.landed_file_id as file_id, r.source_row_number, r.institution, r.milestone_code, r.commitment_code as commitment_id,
           r.reporting_month, v.reason
    from raw.progress_reports r
    left join validation_issues v on v.landed_file_id = r.landed_file_id and v.source_row_number = r.source_row_number
    where r.landed_file_id in (select file_id from _receipt_files)
    union all
    select v.landed_file_id, v.source_row_number, v.institution, i.milestone_code, i.commitment_id,
           cast(date_trunc('month', v.period_start) as date), null
    from raw.indicator_values v left join indicators i on i.indicator_code = v.indicator_code
    where v.landed_file_id in (select file_id from _receipt_files)
    union all
    select q.landed_file_id, q.source_row_number, nullif(trim(q.raw_payload ->> p.payload_key), ''), q.milestone_code, null,
           q.reporting_month, q.reason
    from raw.quarantine q left join _payload_institution p on p.file_id = q.landed_file_id
    where q.landed_file_id in (select file_id from _receipt_files)
),
-- Each name's key is worked out once, not once per row (a month of every member is a million rows).
reported_keys as (
    select institution, {key_of_institution} as key from (select distinct institution from delivered_rows)
),
attributed as (
    select r.file_id, r.source_row_number, r.reason, r.reporting_month,
           coalesce(named.name, owner.responsible_institution, commitment_owner.responsible_institution, r.institution) as institution
    from delivered_rows r
    left join reported_keys reported on reported.institution = r.institution
    left join catalogue_names named on named.key = reported.key
    left join catalogue owner on owner.milestone_code = r.milestone_code
    left join commitment_owners commitment_owner on commitment_owner.commitment_id = r.commitment_id
),
owner_keys as (
    select institution, {key_of_institution} as key from (select distinct institution from attributed)
)
select a.file_id, a.source_row_number, a.reason, a.reporting_month,
       case when k.key is not null then a.institution end as owner, k.key as owner_key
from attributed a
left join owner_keys k on k.institution = a.institution
"""

# Per file and institution: its rows loaded, each row set aside (its reason names the row), the
# latest month it reports, and the warnings on its rows.
RECEIPTS_SQL = """
select r.file_id, r.owner, any_value(r.owner_key),
       count(*) filter (where r.reason is null),
       coalesce(list(r.reason order by r.source_row_number nulls last) filter (where r.reason is not null), []),
       max(r.reporting_month),
       coalesce(any_value(w.messages), [])
from _receipt_rows r
left join (
    select rr.file_id, rr.owner, list(w.message order by w.source_row_number) as messages
    from raw.intake_warnings w
    join _receipt_rows rr on rr.file_id = w.landed_file_id and rr.source_row_number = w.source_row_number
    group by all
) w on w.file_id = r.file_id and w.owner is not distinct from r.owner
group by r.file_id, r.owner
"""


def _validated(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse has been built (its validation's rejections can be told)."""
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'fct_data_quality_issues'"
        ).fetchone()[0]
    )


def compose_receipts(con: duckdb.DuckDBPyConnection) -> list[Composed]:
    """One receipt per institution for the files not acknowledged yet."""
    _files_to_acknowledge(con)
    files = {
        row[0]: row[1:]
        for row in con.execute(
            "select file_id, file_name, state, reason from _receipt_files order by recorded_at, file_name"
        ).fetchall()
    }
    if not files:
        return []
    _payload_institution_keys(con)
    validation = VALIDATION_ISSUES if _validated(con) else NO_VALIDATION_ISSUES
    con.execute(
        ROWS_SQL.format(
            validation=validation,
            key_of_responsible=institution_key("responsible_institution"),
            key_of_institution=institution_key("institution"),
        )
    )
    by_institution: dict[str | None, dict[str, FileReceipt]] = defaultdict(dict)
    keys: dict[str, str] = {}
    for file_id, owner, key, loaded, set_aside, month, warnings in con.execute(RECEIPTS_SQL).fetchall():
        by_institution[owner][file_id] = FileReceipt(
            *files[file_id], loaded=loaded, quarantined=set_aside, warnings=warnings, reporting_month=month
        )
        if owner:
            keys[owner] = key
    # A file none of whose rows could be read names no institution: the coordinating office hears of it.
    for file_id, details in files.items():
        if not any(file_id in receipts for receipts in by_institution.values()):
            by_institution[None][file_id] = FileReceipt(*details)

    composed = []
    for institution, receipts in sorted(by_institution.items(), key=lambda item: item[0] or ""):
        listed = [receipts[f] for f in files if f in receipts]
        months = [r.reporting_month for r in listed if r.reporting_month]
        file_ids = tuple(f for f in files if f in receipts)
        subject = (
            f"Acuse de recibo: {len(listed)} archivo{'s' if len(listed) != 1 else ''} recibido{'s' if len(listed) != 1 else ''}"
            + (f" de {institution}" if institution else " sin institución identificada")
        )
        body = render("acuse_de_recibo.txt", institution=institution, files=listed, rows_listed=ROWS_LISTED)
        digest = hashlib.sha256(("receipt|" + (institution or "") + "|" + "|".join(file_ids)).encode()).hexdigest()[:24]
        composed.append(
            Composed(
                message_id=f"acuse-{digest}",
                kind=RECEIPT,
                institution=institution,
                institution_key=keys.get(institution) if institution else None,
                reporting_month=max(months) if months else None,
                copy_coordination=False,
                subject=subject,
                body=body,
                file_ids=file_ids,
            )
        )
    return composed
