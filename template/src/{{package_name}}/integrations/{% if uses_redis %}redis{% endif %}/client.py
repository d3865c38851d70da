"""A namespaced cache on one connection pool, and its readiness check."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import Connection, SSLConnection

from .settings import RedisSettings


class Cache:
    def __init__(self, client: Redis, *, key_prefix: str, default_ttl_seconds: int) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.default_ttl_seconds = default_ttl_seconds

    @classmethod
    def open(cls, settings: RedisSettings) -> Cache:
        """Create the pool; connections open on first use, so start-up never waits for them."""
        pool = BlockingConnectionPool(
            host=settings.host,
            port=settings.port,
            db=settings.db,
            username=settings.username,
            password=settings.password.get_secret_value() if settings.password else None,
            max_connections=settings.max_connections,
            # A full pool waits this long for a free connection, then raises.
            timeout=settings.socket_timeout_seconds,
            socket_timeout=settings.socket_timeout_seconds,
            socket_connect_timeout=settings.connect_timeout_seconds,
            # Connections idle this long are pinged before use, so a restart is not an error.
            health_check_interval=30,
            connection_class=SSLConnection if settings.tls else Connection,
        )
        client = Redis(connection_pool=pool, decode_responses=False)
        return cls(
            client,
            key_prefix=settings.key_prefix,
            default_ttl_seconds=settings.default_ttl_seconds,
        )

    def key(self, name: str) -> str:
        return f"{self.key_prefix}{name}"

    async def get(self, name: str) -> bytes | None:
        value = await self.client.get(self.key(name))
        return value if isinstance(value, bytes) else None

    async def set(self, name: str, value: bytes | str, *, ttl_seconds: int | None = None) -> None:
        await self.client.set(self.key(name), value, ex=ttl_seconds or self.default_ttl_seconds)

    async def delete(self, name: str) -> None:
        await self.client.delete(self.key(name))

    async def check(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()
        await self.client.connection_pool.disconnect()
