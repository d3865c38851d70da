"""PostgreSQL through SQLAlchemy 2 (async) and psycopg 3, with Alembic migrations."""
