"""6: the policy reviews held, recorded and listed by the Executive's users."""

from __future__ import annotations

from fastapi import APIRouter, status

from ombuds.kit.deps import AppSettings, DbSession
from ombuds.policy import service
from ombuds.policy.access import PolicyReviewer
from ombuds.policy.schemas import PolicyReviewIn, PolicyReviewOut

router = APIRouter(prefix="/api/policy-reviews", tags=["policy"])


@router.get("", response_model=list[PolicyReviewOut], name="list_reviews")
async def list_reviews(
    db: DbSession, settings: AppSettings, actor: PolicyReviewer
) -> list[PolicyReviewOut]:
    """The reviews of the policy held so far, the latest first, each with its period."""
    return await service.held(db, settings, actor)


@router.post(
    "",
    response_model=PolicyReviewOut,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "In the future, before implementation or the last one"}},
    name="record_review",
)
async def record_review(
    db: DbSession, settings: AppSettings, actor: PolicyReviewer, body: PolicyReviewIn
) -> PolicyReviewOut:
    """Record a review held: it meets the review due; the next is due three years on."""
    return await service.record(db, settings, actor, body)
