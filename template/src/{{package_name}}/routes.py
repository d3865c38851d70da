"""Routes this team owns.

Keel renders this file once and never touches it again on `copier update`. The app factory
includes `router` from here, so new endpoints need no change to Keel-managed files.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from .dependencies import SettingsDep

router = APIRouter(tags=["service"])


class Greeting(BaseModel):
    message: str


@router.get("/v1/hello/{name}")
async def hello(name: str, settings: SettingsDep) -> Greeting:
    return Greeting(message=f"{settings.app.greeting}, {name}")
