"""The service's AI endpoint, managed by Keel. Add your own routes in routes.py."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from .dependencies import LLMDep, SettingsDep
from .llm.base import ChatMessage

router = APIRouter(prefix="/v1", tags=["ai"])


class CompletionRequest(BaseModel):
    prompt: str = Field(min_length=1, description="The user's question or instruction.")
    max_tokens: int = Field(default=256, ge=1, le=4096)


class CompletionResponse(BaseModel):
    text: str
    model: str
    input_tokens: int
    output_tokens: int


@router.post("/completions")
async def create_completion(
    body: CompletionRequest, llm: LLMDep, settings: SettingsDep
) -> CompletionResponse:
    if len(body.prompt) > settings.llm.max_prompt_chars:
        raise HTTPException(
            422,
            f"prompt is longer than {settings.llm.max_prompt_chars} characters",
        )
    result = await llm.chat([ChatMessage("user", body.prompt)], max_tokens=body.max_tokens)
    return CompletionResponse(
        text=result.text,
        model=result.model,
        input_tokens=result.usage.input_tokens,
        output_tokens=result.usage.output_tokens,
    )
