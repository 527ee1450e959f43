"""Similar commitments worldwide: which commitments of other OGP members resemble a draft, and how
the IRM judged them. Retrieval, not generation: a consultation aid for co-creation.

Plain Python (no Dagster import): `encoder` embeds text, `index` keeps the vectors in DuckDB,
`search` ranks commitments for a text, `brief` writes the co-creation brief."""
