"""wiretrace storage: SQLAlchemy models, migrations, views and queries (the only place that speaks SQL)."""
