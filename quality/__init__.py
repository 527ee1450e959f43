"""Data-quality suites as code and the helper that runs them (great-expectations 1.x, called
directly). No Dagster import: orchestration turns the results into asset checks."""
