from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts import service as accounts
from tourism.accounts.dependencies import CurrentUser, StaffUser, TouristUser, VendorUser
from tourism.accounts.models import User
from tourism.accounts.schemas import UserAdmin
from tourism.dependencies import (
    ClientAddressDep,
    IdPath,
    NowDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
)
from tourism.limits.service import address_bucket
from tourism.openapi import errors
from tourism.paging import Paging, paged
from tourism.reviews import service
from tourism.reviews.schemas import (
    DecisionCreate,
    FlagAnswer,
    FlagCreate,
    ModerationQueue,
    MyReviews,
    ResponseAnswer,
    ResponseUpdate,
    ReviewCreate,
    ReviewsPublic,
    ReviewSubmitted,
)
from tourism.schemas import MAX_ID

router = APIRouter(tags=["reviews"])
moderation = APIRouter(prefix="/moderation", tags=["moderation"])

# Reviews page by (submitted_at, id): newest first in public and for their author, oldest first
# in the moderation queue.
ReviewPaging = Annotated[Paging, Depends(paged(datetime, int))]
EateryQuery = Annotated[
    int | None,
    Query(gt=0, le=MAX_ID, description="Only the reviews of this eatery", examples=[12]),
]


def _key(item: dict) -> tuple:
    return (item["submitted_at"], item["id"])


@router.post(
    "/eateries/{eatery_id}/reviews",
    response_model=ReviewSubmitted,
    responses={
        200: {
            "model": ReviewSubmitted,
            "description": "The caller had reviewed this eatery before: that review, edited "
            "and waiting for moderation again",
        },
        201: {"description": "A new review, waiting for moderation"},
        **errors(404, 429),
    },
    status_code=status.HTTP_201_CREATED,
    summary="Rate and review an eatery (again: edits your review)",
    description="For tourists. One review per eatery and author: the first call creates it "
    "(201), a later one replaces its rating, dish ratings and text (200). Either way it waits "
    "for a moderator (`status: pending`) and, if it was public, leaves the eatery's rating "
    "until approved again. Dish ratings name dishes on the eatery's menu (422 naming "
    "`dish_ratings` otherwise). Texts with links or copied from another review are flagged "
    "for the moderators. Rate-limited per account and per address (429 with `Retry-After`).",
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
    responses=errors(404),
    summary="Approved reviews, newest first",
    description="Anyone. The eatery's public reviews (approved, and flagged ones still "
    "waiting for a moderator), newest first, with the eatery's answer to each; `total` is how "
    "many there are (the eatery's `rating_count`). Paged by `cursor`; 404 for no such eatery.",
)
async def eatery_reviews(
    session: ReadSessionDep, response: Response, eatery_id: IdPath, paging: ReviewPaging
) -> dict:
    items, total = await service.public_reviews(
        session,
        eatery_id=eatery_id,
        limit=paging.limit,
        after=paging.after,
        offset=paging.offset,
    )
    next_cursor = paging.next_cursor(items, key_of=_key)
    return paging.answer(response, paging.trim(items), next_cursor=next_cursor, total=total)


@router.get(
    "/reviews/mine",
    response_model=MyReviews,
    summary="My reviews, with their status",
    description="Any logged-in account. The caller's own reviews, newest first, whatever their "
    "status (pending, approved, flagged, rejected or removed, with the moderator's reason); "
    "`eatery_id` keeps the one of an eatery. Paged by `cursor`, with `total`.",
)
async def my_reviews(
    session: SessionDep,
    response: Response,
    user: CurrentUser,
    paging: ReviewPaging,
    eatery_id: EateryQuery = None,
) -> dict:
    items, total = await service.my_reviews(
        session,
        user=user,
        eatery_id=eatery_id,
        limit=paging.limit,
        after=paging.after,
        offset=paging.offset,
    )
    next_cursor = paging.next_cursor(items, key_of=_key)
    return paging.answer(response, paging.trim(items), next_cursor=next_cursor, total=total)


@router.post(
    "/reviews/{review_id}/flags",
    response_model=FlagAnswer,
    status_code=status.HTTP_201_CREATED,
    responses=errors(404, 409),
    summary="Report a review to the moderators",
    description="Any logged-in account, once per review (409 the second time). The review "
    "goes to the moderation queue as `flagged` but stays public (and counted) until a "
    "moderator removes it, so a flag alone cannot take a review down. 404 for a review that "
    "is not public.",
)
async def flag_review(
    session: SessionDep, user: CurrentUser, review_id: IdPath, body: FlagCreate
) -> dict:
    review = await service.flag(session, review_id=review_id, user=user, reason=body.reason)
    await session.commit()
    return {"id": review.id, "status": review.status}


@router.put(
    "/reviews/{review_id}/response",
    response_model=ResponseAnswer,
    responses=errors(404),
    summary="The eatery's public answer",
    description="For the vendor who manages the review's eatery: the eatery's one public "
    "answer, shown under the review; calling it again replaces it. 404 for a review that is "
    "not public or not of the vendor's eatery (the same answer: nothing leaks).",
)
async def respond(
    session: SessionDep, now: NowDep, vendor: VendorUser, review_id: IdPath, body: ResponseUpdate
) -> dict:
    answer = await service.respond(
        session, review_id=review_id, vendor=vendor, text_=body.text, now=now
    )
    await session.commit()
    return answer


@moderation.get(
    "/reviews",
    response_model=ModerationQueue,
    summary="The moderation queue",
    description="For moderators and admins. Reviews waiting for a decision, oldest first: "
    "`pending` (new and edited reviews) or `flagged` (flagged by users, or pending with "
    "automatic flags), with the author's history and the flags' reasons. Reviews of disabled "
    "accounts are left out. Paged by `cursor` (a decision does not move the next page), "
    "with `total`.",
)
async def review_queue(
    session: SessionDep,
    response: Response,
    _: StaffUser,
    paging: ReviewPaging,
    status_: Annotated[
        str,
        Query(
            alias="status",
            pattern="^(pending|flagged)$",
            description="Which queue: `pending` or `flagged`",
            examples=["flagged"],
        ),
    ] = "pending",
    eatery_id: EateryQuery = None,
) -> dict:
    items, total = await service.queue(
        session,
        status=status_,
        eatery_id=eatery_id,
        limit=paging.limit,
        after=paging.after,
        offset=paging.offset,
    )
    next_cursor = paging.next_cursor(items, key_of=_key)
    return paging.answer(response, paging.trim(items), next_cursor=next_cursor, total=total)


@moderation.post(
    "/reviews/{review_id}/decision",
    response_model=ReviewSubmitted,
    responses=errors(404, 409),
    summary="Approve, reject, remove or restore a review",
    description="For moderators and admins. `approve` or `reject` a pending review, `remove` "
    "an approved or flagged one, `restore` a flagged one (409 for any other status: someone "
    "decided first). Rejecting and removing need a `reason`, which the author reads. The "
    "eatery's and its dishes' ratings follow at once; audited.",
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
    responses=errors(404),
    summary="Disable an account",
    description=ACCOUNT_SWITCH,
)
async def disable_account(session: SessionDep, staff: StaffUser, user_id: IdPath) -> dict:
    return await _switch(session, staff, user_id, active=False)


@router.post(
    "/admin/users/{user_id}/enable",
    response_model=UserAdmin,
    tags=["administration"],
    responses=errors(404),
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
