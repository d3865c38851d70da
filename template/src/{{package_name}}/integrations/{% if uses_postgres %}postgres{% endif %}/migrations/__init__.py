"""Alembic migrations: `make migrate` applies them; `alembic revision -m "..."` adds one."""
