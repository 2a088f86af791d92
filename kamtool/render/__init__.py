"""Renderers: the console, records (JSON/CSV/Parquet) and Excel workbooks."""
