"""The warehouse as dbt builds it, seen from plain Python: which nodes a build must run."""
