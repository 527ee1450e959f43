"""The tables the loop writes, created with the raw schema (`orchestration.resources` opens the
warehouse through it), so the warehouse's staging finds them before any message was sent."""

from __future__ import annotations

import duckdb

DDL = """
create schema if not exists raw;
create table if not exists raw.outbound_messages (
    message_id varchar primary key,    -- a hash of what it is about: composing it again adds nothing
    kind varchar not null,             -- receipt | reminder | escalation
    institution varchar,               -- as the catalogue or the report names it; null: the coordinating office alone
    institution_key varchar,           -- the name under the normalisation of codes (how contacts are matched)
    institution_id varchar,            -- as dim_institutions keys it
    reporting_month date,
    copy_coordination boolean not null,
    subject varchar not null,
    body varchar not null,
    state varchar not null,            -- pending | sent | written | failed | no_contact
    attempts integer not null,
    last_error varchar,                -- in Spanish, by the failure's type; never an address
    recipients_to varchar,             -- personal data: raw zone only
    recipients_cc varchar,
    composed_at timestamptz not null,
    composed_on date not null,         -- the day it was due (a reminder's escalation counts from it)
    delivered_at timestamptz,
    run_id varchar
);
create table if not exists raw.outbound_message_files (
    message_id varchar not null,
    file_id varchar not null,
    institution_key varchar not null   -- '' for the coordinating office
);
"""

# Personal data in these tables: never selected outside the raw zone, nor copied to the server target.
PERSONAL_COLUMNS = ("recipients_to", "recipients_cc")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)
