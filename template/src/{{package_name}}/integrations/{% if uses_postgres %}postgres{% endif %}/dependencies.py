"""The session dependency: one session per request, closed when the response is sent.

A route takes `session: SessionDep` and uses it, e.g. `await session.get(Document, 1)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from ...dependencies import get_resources
from ...resources import Resources


async def get_session(
    resources: Annotated[Resources, Depends(get_resources)],
) -> AsyncIterator[AsyncSession]:
    async with resources.integrations.database.session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
