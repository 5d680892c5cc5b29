from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts import service as accounts
from tourism.accounts.dependencies import CurrentUser, StaffUser, TouristUser, VendorUser
from tourism.accounts.models import User
from tourism.accounts.schemas import UserAdmin
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


# Disabling an account is moderation (of the people who write reviews) and is audited; the
# routes live here because the accounts domain imports nothing above it, the audit log included.
ACCOUNT_SWITCH = (
    "Admins: any account but their own (422 naming `user_id`). Moderators: tourist accounts "
    "only (403 for any other). 404 for no such account. Doing it twice changes nothing and is "
    "audited once. A disabled account cannot log in and its tokens answer 401 at once (they "
    "stay ended when it is enabled again); its pending and flagged reviews leave the "
    "moderation queue (and come back when it is enabled); its public reviews stay public and "
    "counted. Audited as `user.disable` / `user.enable` (entity `user`)."
)


@router.post(
    "/admin/users/{user_id}/disable",
    response_model=UserAdmin,
    tags=["administration"],
    summary="Disable an account",
    description=ACCOUNT_SWITCH,
)
async def disable_account(session: SessionDep, staff: StaffUser, user_id: IdPath) -> dict:
    return await _switch(session, staff, user_id, active=False)


@router.post(
    "/admin/users/{user_id}/enable",
    response_model=UserAdmin,
    tags=["administration"],
    summary="Enable a disabled account again",
    description=ACCOUNT_SWITCH,
)
async def enable_account(session: SessionDep, staff: StaffUser, user_id: IdPath) -> dict:
    return await _switch(session, staff, user_id, active=True)


async def _switch(session: AsyncSession, staff: User, user_id: int, *, active: bool) -> dict:
    user = await service.set_account_active(session, user_id=user_id, active=active, actor=staff)
    view = await accounts.admin_view(session, user)
    await session.commit()
    return view
