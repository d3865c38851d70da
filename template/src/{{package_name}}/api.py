"""The service's AI endpoint, managed by Keel. Add your own routes in routes.py."""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .auth import Scope
from .auth.dependencies import PrincipalDep, require_scope
from .decisions import Status
from .dependencies import LLMDep, SettingsDep
from .llm.base import ChatMessage
from .llm.errors import BudgetExceededError, LLMError, LLMTimeoutError
from .llm.prompts import packaged_prompts
from .review import LedgerDep

router = APIRouter(prefix="/v1", tags=["ai"], dependencies=[Depends(require_scope(Scope.INVOKE))])

# Pinned: a new wording is a new file, adopted here by a reviewed change. Read at import, so a
# missing prompt file stops the service from starting rather than failing its first request.
# Its ref is recorded with every decision, so an audit can tell which prompt produced it.
SYSTEM_PROMPT = packaged_prompts().get("assistant", version=1)


class CompletionRequest(BaseModel):
    prompt: str = Field(min_length=1, description="The user's question or instruction.")
    max_tokens: int = Field(default=256, ge=1, le=4096)


class CompletionResponse(BaseModel):
    decision_id: str
    status: Status = Field(description="What a person still has to do; see decisions.py.")
    text: str | None = Field(description="The output, once the review step allows it.")
    model: str
    input_tokens: int
    output_tokens: int
    prompt: str = Field(description="The versioned prompt used, as <id>.v<version>.")


@router.post("/completions")
async def create_completion(
    body: CompletionRequest,
    llm: LLMDep,
    settings: SettingsDep,
    ledger: LedgerDep,
    principal: PrincipalDep,
    response: Response,
) -> CompletionResponse:
    if len(body.prompt) > settings.llm.max_prompt_chars:
        await ledger.record(
            actor=principal.subject,
            prompt_version=SYSTEM_PROMPT.ref,
            model="none",
            prompt=body.prompt,
            output="",
            guardrail="blocked:prompt_too_long",
        )
        raise HTTPException(
            422,
            f"prompt is longer than {settings.llm.max_prompt_chars} characters",
        )
    messages = [ChatMessage("system", SYSTEM_PROMPT.text), ChatMessage("user", body.prompt)]
    result = await llm.chat(messages, max_tokens=body.max_tokens, prompt=SYSTEM_PROMPT)
    decision = await ledger.record(
        actor=principal.subject,
        prompt_version=SYSTEM_PROMPT.ref,
        model=result.model,
        prompt=body.prompt,
        output=result.text,
    )
    if decision.status is Status.PENDING:
        response.status_code = 202  # accepted: released once a reviewer approves
    return CompletionResponse(
        decision_id=decision.decision_id,
        status=decision.status,
        text=await ledger.released_output(decision),
        model=result.model,
        input_tokens=result.usage.input_tokens,
        output_tokens=result.usage.output_tokens,
        prompt=SYSTEM_PROMPT.ref,
    )


def llm_error_status(error: LLMError) -> int:
    """What a caller of this service sees when the model call fails."""
    if isinstance(error, BudgetExceededError):
        return 429
    if isinstance(error, LLMTimeoutError):
        return 504
    if error.retryable or error.kind == "circuit_open":
        return 503
    return 502


async def llm_error_response(_: Request, error: Exception) -> JSONResponse:
    """Registered in app.py for LLMError: a typed status, the error kind, never provider text."""
    if not isinstance(error, LLMError):
        raise TypeError(f"registered for LLMError, called with {type(error).__name__}")
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(math.ceil(error.retry_after), 1))
    return JSONResponse(
        {"detail": str(error), "error_type": error.kind},
        status_code=llm_error_status(error),
        headers=headers,
    )
