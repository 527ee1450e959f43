"""Who receives an institution's receipts and reminders: a small table the coordinating office keeps
(`OGP_INSTITUTION_CONTACTS`, a CSV or workbook at a path or URL) with one row per address:
`institution`, `email` and `role`. `responsable` is an institution's liaison; `coordinacion` is the
coordinating office (institution empty), copied on escalations and told of files nobody can be
named for.

Addresses are personal data: they stay in this raw table's `email` column (exempt from the
redaction that clears free text, marked in the row's payload, never selected by staging, left out
of the postgres target's copy), and no reason, preview or check quotes one. An institution is
matched as reports and the catalogue write it, under the normalisation codes get
(`sql_expressions.code`: dashes, invisible characters, spaces, case)."""

from __future__ import annotations

import functools

from ingestion import sql_expressions as sx
from ingestion.personal_data import EMAIL_MARK
from ingestion.source_spec import RAW_BOOKKEEPING_COLUMNS, Domain, SourceSpec, canonical_select
from ingestion.tabular import sql_literal
from ingestion.tabular_source import TabularSource, source_column

SOURCE = "institution_contacts"
LIAISON, COORDINATION = "responsable", "coordinacion"
ROLES = {
    "responsable": LIAISON,
    "enlace": LIAISON,
    "liaison": LIAISON,
    "coordinacion": COORDINATION,
    "coordinación": COORDINATION,
    "coordination": COORDINATION,
}

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "institution": ("institution", "institucion", "entidad"),
    "email": ("email", "correo", "correo_electronico", "e_mail"),
    "role": ("role", "rol"),
}
REQUIRED_FIELDS = ("email", "role")
# An address as a mail server takes it: one @, no spaces, a dotted domain.
EMAIL_PATTERN = r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$"


def institution_key(expr: str) -> str:
    """The key an institution's name is matched by, wherever it is written."""
    return sx.code(expr)


def _canonical_select(mapping: dict[str, str], columns: list[str]) -> str:
    col = functools.partial(source_column, mapping)
    roles = " ".join(f"when '{written}' then '{role}'" for written, role in ROLES.items())
    # The row as received, its address marked: only the `email` column holds it (so a quarantined
    # row's payload holds none).
    payload = (
        f"json_merge_patch(to_json(b), json_object({sql_literal(mapping['email'])}, {sql_literal(EMAIL_MARK)}))"
        if "email" in mapping
        else "to_json(b)"
    )
    return canonical_select(
        f"""
            {sx.text(col("institution"))} as institution,
            {institution_key(sx.text(col("institution")))} as institution_key,
            lower({sx.text(col("email"))}) as email,
            case lower({sx.text(col("role"))}) {roles} end as role,
            {sx.text(col("role"))} as role_raw
        """,
        raw_payload=payload,
    )


# No reason quotes an address: the annex and the operator see the row, never the value.
RULES_SQL = f"""
    case
        when email is null then 'missing_email'
        when not regexp_matches(email, '{EMAIL_PATTERN}') then 'bad_email'
        when role is null then 'unknown_contact_role'
        when role = '{LIAISON}' and institution is null then 'liaison_without_institution'
        when row_number() over (partition by institution_key, email, role order by source_row_number) > 1 then 'duplicate_contact'
    end
"""

REASONS_SQL = """
    case rule
        when 'missing_email' then 'fila ' || source_row_number || ': falta la dirección de correo'
        when 'bad_email' then 'fila ' || source_row_number || ': la dirección de correo no es válida (una sola @, sin espacios, '
            || 'con dominio); no se muestra por ser un dato personal'
        when 'unknown_contact_role' then 'fila ' || source_row_number || ': el rol «' || coalesce(role_raw, '')
            || '» no es responsable ni coordinacion'
        when 'liaison_without_institution' then 'fila ' || source_row_number || ': un contacto responsable debe decir su institución'
        when 'duplicate_contact' then 'fila ' || source_row_number || ': el mismo contacto aparece dos veces'
    end
"""

INSTITUTION_CONTACTS = TabularSource(
    name=SOURCE,
    target_table="raw.institution_contacts",
    field_aliases=FIELD_ALIASES,
    required_fields=REQUIRED_FIELDS,
    canonical_select=_canonical_select,
    rules_sql=RULES_SQL,
    reasons_sql=REASONS_SQL,
    # The address is what this source is for: kept, not redacted (it never leaves this table).
    structured_fields=("email", "role"),
)

DDL = f"""
create table if not exists raw.institution_contacts (
    institution varchar,
    institution_key varchar,
    email varchar,                  -- personal data: read only by correspondence/, never by staging
    role varchar,
    role_raw varchar,
    {RAW_BOOKKEEPING_COLUMNS}
);
"""


def expectations(gx) -> list:
    # No expectation on the address itself: a failing one would quote it in the Data Docs.
    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="email"),
        e.ExpectColumnValuesToBeInSet(column="role", value_set=sorted(set(ROLES.values()))),
    ]


SPEC = SourceSpec(
    INSTITUTION_CONTACTS,
    ddl=DDL,
    # Whom to write to, not what is published: a bad row is set aside and counted, nothing waits for it.
    domain=Domain.CORRESPONDENCE,
    quarantine_blocks_publication=False,
    expectations=expectations,
    address_setting="institution_contacts_url",
    personal_columns=("email",),
    preview_columns="institution, role",
    description="Whom receipts and reminders go to (institution, e-mail, responsable or coordinacion), from "
    "OGP_INSTITUTION_CONTACTS. Addresses are personal data: they stay in the raw zone.",
)
