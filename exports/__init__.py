"""Publication: the monthly snapshot (open-data package, report) and the serving copies that BI
tools and the national portal read. Plain Python and DuckDB; no Dagster import."""
