"""The BI contract of the served marts, read from the dbt manifest: each table's and column's
description (as comments BI tools show), and the keys and NOT NULLs the warehouse's own tests
guarantee (so Metabase, Superset or Power BI propose the joins). Only error-severity tests over
whole tables become constraints: a warning, or a test limited by `where`, guarantees nothing; and
the serving copies are published only when every error-severity test passed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class TableContract:
    name: str
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # column -> description
    not_null: set[str] = field(default_factory=set)
    keys: list[tuple[str, ...]] = field(default_factory=list)  # unique column sets, the first is the primary key
    foreign_keys: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (column, referenced table, referenced column)


def ref_name(text: str) -> str:
    """The model a dbt test argument names: "ref('dim_commitments')" -> dim_commitments."""
    return text.split("'")[1] if "'" in text else text


def contracts_from_manifest(manifest: Mapping[str, Any], tables: set[str]) -> dict[str, TableContract]:
    """Contracts for the models among `tables` (their names as served)."""
    contracts = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "snapshot") and node["name"] in tables:
            contracts[node["name"]] = TableContract(
                node["name"],
                (node.get("description") or "").strip(),
                {name: (column.get("description") or "").strip() for name, column in node.get("columns", {}).items()},
            )
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        attached = (node.get("attached_node") or "").rsplit(".", 1)[-1]
        if node["resource_type"] != "test" or attached not in contracts:
            continue
        config = node.get("config") or {}
        if str(config.get("severity", "error")).lower() != "error" or config.get("where"):
            continue
        kwargs = metadata.get("kwargs") or {}
        column = node.get("column_name") or kwargs.get("column_name")
        contract = contracts[attached]
        name = metadata.get("name")
        if name == "not_null" and column:
            contract.not_null.add(column)
        elif name == "unique" and column:
            contract.keys.append((column,))
        elif name == "unique_combination":
            contract.keys.append(tuple(kwargs.get("columns", [])))
        elif name == "relationships" and column:
            contract.foreign_keys.append((column, ref_name(str(kwargs.get("to", ""))), str(kwargs.get("field"))))
    for contract in contracts.values():
        # A primary key is a unique set of columns that are all NOT NULL; the narrowest first.
        contract.keys.sort(key=lambda key: (not set(key) <= contract.not_null, len(key), key))
        contract.foreign_keys.sort()
    return contracts


def load_contracts(manifest_path: Path, tables: set[str]) -> dict[str, TableContract]:
    return contracts_from_manifest(json.loads(manifest_path.read_text(encoding="utf-8")), tables)


def contract_statements(
    schema: str, contracts: Mapping[str, TableContract], present: Mapping[str, set[str]]
) -> list[tuple[str, tuple]]:
    """The SQL that applies the contracts in PostgreSQL `schema` (identifiers quoted, texts as
    parameters), for the tables and columns `present` there; keys before the foreign keys that
    reference them."""
    from psycopg import sql

    statements, keyed = [], {}
    for name, contract in sorted(contracts.items()):
        columns = present.get(name)
        if columns is None:
            continue
        table = sql.Identifier(schema, name)
        if contract.description:
            statements.append(
                (sql.SQL("comment on table {} is {}").format(table, sql.Literal(contract.description)), ())
            )
        for column, description in sorted(contract.columns.items()):
            if column in columns and description:
                statements.append(
                    (
                        sql.SQL("comment on column {}.{} is {}").format(
                            table, sql.Identifier(column), sql.Literal(description)
                        ),
                        (),
                    )
                )
        for column in sorted(contract.not_null & columns):
            statements.append(
                (sql.SQL("alter table {} alter column {} set not null").format(table, sql.Identifier(column)), ())
            )
        keys = [key for key in contract.keys if key and set(key) <= columns]
        for position, key in enumerate(dict.fromkeys(keys)):
            kind = "primary key" if position == 0 and set(key) <= contract.not_null else "unique"
            statements.append(
                (
                    sql.SQL("alter table {} add " + kind + " ({})").format(
                        table, sql.SQL(", ").join(map(sql.Identifier, key))
                    ),
                    (),
                )
            )
            keyed.setdefault(name, set()).add(key)
    for name, contract in sorted(contracts.items()):
        if name not in present:
            continue
        for column, referenced, referenced_column in contract.foreign_keys:
            # Only to a served table whose referenced column is a key there (PostgreSQL requires it).
            if column in present[name] and (referenced_column,) in keyed.get(referenced, set()):
                statements.append(
                    (
                        sql.SQL("alter table {} add foreign key ({}) references {} ({})").format(
                            sql.Identifier(schema, name),
                            sql.Identifier(column),
                            sql.Identifier(schema, referenced),
                            sql.Identifier(referenced_column),
                        ),
                        (),
                    )
                )
    return statements
