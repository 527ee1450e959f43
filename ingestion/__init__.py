"""Ingestion: fetch, land unchanged, and load each institutional source into the warehouse's raw
schema as one canonical record per kind of source. Plain Python and DuckDB; no Dagster import."""
