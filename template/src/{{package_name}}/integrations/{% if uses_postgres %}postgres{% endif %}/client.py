"""The database engine, its session factory and its readiness check."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from .settings import PostgresSettings


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, settings: PostgresSettings) -> Database:
        """Create the pool; connections open on first use, so start-up never waits for them."""
        engine = create_async_engine(
            settings.url(),
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_timeout=settings.pool_timeout_seconds,
            # A connection the server dropped (restart, failover) is replaced, not handed out.
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": settings.connect_timeout_seconds,
                "options": f"-c statement_timeout={settings.statement_timeout_ms}",
            },
        )
        return cls(engine)

    def session(self) -> AsyncSession:
        return self.sessions()

    async def check(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
