-- The warehouse database beside Dagster's (compose.yaml): the dbt postgres target and BI serving.
create database warehouse owner ogp;
