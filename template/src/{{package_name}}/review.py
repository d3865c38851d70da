"""Human review of AI decisions: read a decision, approve or reject it (managed by Keel)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from .auth import Principal, Scope
from .auth.dependencies import require_scope
from .decisions import Decision, DecisionLedger, ReviewRefused, SelfReviewRefused, Status

router = APIRouter(prefix="/v1/decisions", tags=["review"])


def get_ledger(request: Request) -> DecisionLedger:
    return cast(DecisionLedger, request.app.state.decisions)


LedgerDep = Annotated[DecisionLedger, Depends(get_ledger)]
ReviewerDep = Annotated[Principal, Depends(require_scope(Scope.REVIEW))]
InvokerDep = Annotated[Principal, Depends(require_scope(Scope.INVOKE))]


class DecisionView(BaseModel):
    decision_id: str
    status: Status
    automation_level: str
    model: str
    guardrail: str
    text: str | None = Field(description="The AI's output, once it may be released.")
    reviewer: str | None
    reviewed_at: str | None

    @classmethod
    async def of(cls, decision: Decision, ledger: DecisionLedger) -> DecisionView:
        return cls(
            decision_id=decision.decision_id,
            status=decision.status,
            automation_level=decision.automation_level,
            model=decision.model,
            guardrail=decision.guardrail,
            text=await ledger.released_output(decision),
            reviewer=decision.reviewer,
            reviewed_at=decision.reviewed_at,
        )


class Review(BaseModel):
    approve: bool = Field(description="true: approve (or accept the suggestion); false: reject.")
    note: str = Field(default="", max_length=500, description="Why; kept in the audit trail.")


async def _find(ledger: DecisionLedger, decision_id: str) -> Decision:
    try:
        return await ledger.get(decision_id)
    except KeyError:
        raise HTTPException(404, "no such decision") from None


@router.get("/{decision_id}")
async def read_decision(decision_id: str, ledger: LedgerDep, principal: InvokerDep) -> DecisionView:
    decision = await _find(ledger, decision_id)
    if decision.actor != principal.subject and not principal.has(Scope.REVIEW):
        raise HTTPException(404, "no such decision")
    return await DecisionView.of(decision, ledger)


@router.post("/{decision_id}/review")
async def review_decision(
    decision_id: str, body: Review, ledger: LedgerDep, reviewer: ReviewerDep
) -> DecisionView:
    try:
        reviewed = await ledger.review(decision_id, reviewer.subject, body.approve, body.note)
    except KeyError:
        raise HTTPException(404, "no such decision") from None
    except SelfReviewRefused as refused:
        raise HTTPException(403, str(refused)) from None
    except ReviewRefused as refused:
        raise HTTPException(409, str(refused)) from None
    return await DecisionView.of(reviewed, ledger)
