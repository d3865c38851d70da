"""Redis through redis-py's asyncio client and one connection pool."""
