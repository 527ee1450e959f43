"""Dagster wiring: assets, checks, schedules, sensors and resources around the plain-Python
`ingestion`, `quality` and `exports` packages and the dbt project. Nothing here computes figures."""
