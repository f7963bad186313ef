"""Alembic migrations: the only source of Dyadic's schema, on SQLite and PostgreSQL alike."""
