"""AI decisions in PostgreSQL: every replica reads and reviews the same decisions, and a restart
loses none (managed by Keel; the table is created by migration 0003).

The table holds the AI's output next to its digests, because an `approve` decision releases it
only after review; the audit trail keeps the digests alone.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, Text, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ...decisions import Decision, Status
from ...retention import PurgeResult
from .client import Database
from .models import Base
from .settings import PostgresSettings


class DecisionRecord(Base):
    __tablename__ = "ai_decisions"

    decision_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    trace_id: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(Text)
    prompt_version: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text)
    input_sha256: Mapped[str] = mapped_column(String(64))
    output_sha256: Mapped[str] = mapped_column(String(64))
    guardrail: Mapped[str] = mapped_column(Text)
    automation_level: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    output: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    reviewer: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)

    @classmethod
    def of(cls, decision: Decision, output: str) -> DecisionRecord:
        # Decision's fields map one to one onto columns; only the types of three differ.
        return cls(
            **asdict(decision)
            | {
                "status": decision.status.value,
                "created_at": datetime.fromisoformat(decision.created_at),
                "reviewed_at": _parsed(decision.reviewed_at),
            },
            output=output,
        )

    def held(self) -> tuple[Decision, str]:
        columns = {field.name: getattr(self, field.name) for field in fields(Decision)}
        decision = Decision(
            **columns
            | {
                "status": Status(self.status),
                "created_at": _iso(self.created_at),
                "reviewed_at": None if self.reviewed_at is None else _iso(self.reviewed_at),
            }
        )
        return decision, self.output


class PostgresDecisionStore:
    """The `DecisionStore` every replica shares."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def put(self, decision: Decision, output: str) -> None:
        async with self._database.session() as session:
            session.add(DecisionRecord.of(decision, output))
            await session.commit()

    async def get(self, decision_id: str) -> tuple[Decision, str] | None:
        async with self._database.session() as session:
            record = await session.get(DecisionRecord, decision_id)
        return None if record is None else record.held()

    async def review(self, reviewed: Decision) -> bool:
        # One conditional UPDATE: of two concurrent reviews, only the first matches the row.
        statement = (
            update(DecisionRecord)
            .where(
                DecisionRecord.decision_id == reviewed.decision_id,
                DecisionRecord.reviewer.is_(None),
            )
            .values(
                status=reviewed.status.value,
                reviewer=reviewed.reviewer,
                reviewed_at=_parsed(reviewed.reviewed_at),
                review_note=reviewed.review_note,
            )
        )
        async with self._database.engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount == 1

    async def purge(self, older_than: datetime) -> tuple[int, int]:
        """Delete decisions made before `older_than`, reviewed or not; (removed, kept)."""
        async with self._database.engine.begin() as connection:
            deleted = await connection.execute(
                delete(DecisionRecord).where(DecisionRecord.created_at < older_than)
            )
            kept = await connection.scalar(select(func.count()).select_from(DecisionRecord))
        return deleted.rowcount, int(kept or 0)


async def purge_decisions(
    settings: PostgresSettings, days: int, now: datetime | None = None
) -> PurgeResult:
    """What `purge` runs: decisions and their outputs older than the retention period go."""
    database = Database.open(settings)
    try:
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        removed, kept = await PostgresDecisionStore(database).purge(cutoff)
    finally:
        await database.close()
    return PurgeResult(f"PostgreSQL table {DecisionRecord.__tablename__}", kept, removed)


def _parsed(timestamp: str | None) -> datetime | None:
    return None if timestamp is None else datetime.fromisoformat(timestamp)


def _iso(timestamp: datetime) -> str:
    # The server returns its session time zone; decisions carry UTC, as when they were made.
    return timestamp.astimezone(UTC).isoformat()
