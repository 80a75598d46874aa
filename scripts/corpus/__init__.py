"""The corpus: every session of a campaign in Parquet tables, queried with DuckDB."""
