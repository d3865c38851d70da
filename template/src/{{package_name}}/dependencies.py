"""FastAPI dependencies: how routes reach settings and the clients opened in the lifespan."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from .llm.client import LLMClient
from .resources import Resources
from .settings import Settings


def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_resources(request: Request) -> Resources:
    return cast(Resources, request.app.state.resources)


def get_llm(resources: Annotated[Resources, Depends(get_resources)]) -> LLMClient:
    return resources.llm


SettingsDep = Annotated[Settings, Depends(get_settings)]
LLMDep = Annotated[LLMClient, Depends(get_llm)]
