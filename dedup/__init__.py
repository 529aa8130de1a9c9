"""wiretrace detection: pure functions over text (no I/O, no Prefect, no SQL)."""
