"""Stores embeddings and finds the nearest ones; its readiness check looks for the extension."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, text

from ...health import CheckResult, Status
from ..postgres.client import Database
from .models import EMBEDDING_DIMENSIONS, Embedding
from .settings import PgvectorSettings


@dataclass(frozen=True)
class Match:
    id: int
    document_id: int | None
    content: str
    distance: float  # cosine distance: 0 is identical, 2 is opposite


def _validated(embedding: Sequence[float]) -> list[float]:
    if len(embedding) != EMBEDDING_DIMENSIONS:
        raise ValueError(
            f"embedding has {len(embedding)} dimensions; the embeddings table holds "
            f"{EMBEDDING_DIMENSIONS}"
        )
    return [float(x) for x in embedding]


class VectorStore:
    def __init__(self, database: Database, settings: PgvectorSettings) -> None:
        self.database = database
        self.settings = settings

    async def add(
        self,
        content: str,
        embedding: Sequence[float],
        *,
        model: str,
        document_id: int | None = None,
    ) -> int:
        row = Embedding(
            content=content,
            embedding=_validated(embedding),
            model=model,
            document_id=document_id,
        )
        async with self.database.session() as session:
            session.add(row)
            await session.commit()
            return row.id

    async def search(self, embedding: Sequence[float], *, limit: int = 5) -> list[Match]:
        """The `limit` nearest rows by cosine distance, nearest first, through the HNSW index."""
        if not 1 <= limit <= self.settings.max_results:
            raise ValueError(f"limit must be between 1 and {self.settings.max_results}")
        distance = Embedding.embedding.cosine_distance(_validated(embedding)).label("distance")
        query = (
            select(Embedding.id, Embedding.document_id, Embedding.content, distance)
            .order_by(distance)
            .limit(limit)
        )
        async with self.database.session() as session, session.begin():
            # SET LOCAL lasts for this transaction only, so pooled connections stay clean.
            ef_search = int(self.settings.hnsw_ef_search)
            await session.execute(text(f"SET LOCAL hnsw.ef_search = {ef_search}"))
            rows = (await session.execute(query)).all()
        return [Match(row.id, row.document_id, row.content, float(row.distance)) for row in rows]

    async def check(self) -> CheckResult | None:
        async with self.database.engine.connect() as connection:
            installed = await connection.scalar(
                text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            )
        if installed is None:
            return CheckResult(Status.FAIL, "the vector extension is not installed")
        return None
