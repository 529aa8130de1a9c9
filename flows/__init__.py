"""wiretrace flows: Prefect flows and tasks, ingestion and the CLI."""
