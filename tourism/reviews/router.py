from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tourism.accounts.dependencies import CurrentUser, StaffUser, TouristUser, VendorUser
from tourism.dependencies import (
    ClientAddressDep,
    IdPath,
    IdQuery,
    LimitQuery,
    NowDep,
    OffsetQuery,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
)
from tourism.limits.service import address_bucket
from tourism.reviews import service
from tourism.reviews.schemas import (
    DecisionCreate,
    FlagCreate,
    ModerationQueue,
    MyReviews,
    ResponseUpdate,
    ReviewCreate,
    ReviewsPublic,
    ReviewSubmitted,
)

router = APIRouter(tags=["reviews"])
moderation = APIRouter(prefix="/moderation", tags=["moderation"])


@router.post(
    "/eateries/{eatery_id}/reviews",
    response_model=ReviewSubmitted,
    responses={200: {"description": "Your earlier review, edited"}},
    status_code=status.HTTP_201_CREATED,
    summary="Rate and review an eatery (again: edits your review)",
)
async def submit_review(
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    address: ClientAddressDep,
    author: TouristUser,
    eatery_id: IdPath,
    body: ReviewCreate,
) -> dict:
    buckets = {
        f"review:user:{author.id}": settings.reviews_per_account_hour,
        address_bucket(
            "review", address, settings.secret_key.get_secret_value()
        ): settings.reviews_per_address_hour,
    }
    review, created = await service.submit(
        session, eatery_id=eatery_id, author=author, data=body, now=now, rate_buckets=buckets
    )
    view = await service.submitted_view(session, review)
    await session.commit()
    if not created:
        response.status_code = status.HTTP_200_OK
    return view


@router.get(
    "/eateries/{eatery_id}/reviews",
    response_model=ReviewsPublic,
    summary="Approved reviews, newest first",
)
async def eatery_reviews(
    session: ReadSessionDep,
    eatery_id: IdPath,
    limit: LimitQuery = 20,
    offset: OffsetQuery = 0,
) -> dict:
    items = await service.public_reviews(session, eatery_id=eatery_id, limit=limit, offset=offset)
    return {"items": items, "count": len(items)}


@router.get("/reviews/mine", response_model=MyReviews, summary="My reviews, with their status")
async def my_reviews(session: SessionDep, user: CurrentUser) -> dict:
    return {"items": await service.my_reviews(session, user=user)}


@router.post(
    "/reviews/{review_id}/flags",
    status_code=status.HTTP_201_CREATED,
    summary="Report a review to the moderators",
)
async def flag_review(
    session: SessionDep, user: CurrentUser, review_id: IdPath, body: FlagCreate
) -> dict:
    review = await service.flag(session, review_id=review_id, user=user, reason=body.reason)
    await session.commit()
    return {"id": review.id, "status": review.status}


@router.put("/reviews/{review_id}/response", summary="The eatery's public answer")
async def respond(
    session: SessionDep, now: NowDep, vendor: VendorUser, review_id: IdPath, body: ResponseUpdate
) -> dict:
    answer = await service.respond(
        session, review_id=review_id, vendor=vendor, text_=body.text, now=now
    )
    await session.commit()
    return answer


@moderation.get("/reviews", response_model=ModerationQueue, summary="The moderation queue")
async def review_queue(
    session: SessionDep,
    _: StaffUser,
    status_: Annotated[str, Query(alias="status", pattern="^(pending|flagged)$")] = "pending",
    eatery_id: IdQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> dict:
    items = await service.queue(
        session, status=status_, eatery_id=eatery_id, limit=limit, offset=offset
    )
    return {"items": items, "count": len(items)}


@moderation.post(
    "/reviews/{review_id}/decision",
    response_model=ReviewSubmitted,
    summary="Approve, reject, remove or restore a review",
)
async def decide(
    session: SessionDep, now: NowDep, moderator: StaffUser, review_id: IdPath, body: DecisionCreate
) -> dict:
    review = await service.decide(
        session,
        review_id=review_id,
        moderator=moderator,
        action=body.action,
        reason=body.reason,
        now=now,
    )
    view = await service.submitted_view(session, review)
    await session.commit()
    return view
