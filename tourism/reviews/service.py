"""Reviews: submitted by tourists, public once a moderator approves, counted exactly.

Every change that can move an eatery's rating first locks that eatery's row, then recomputes
its aggregates from the reviews themselves: concurrent approvals, edits and removals queue on
the lock, and each recomputation sees the others' committed work.
"""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts import service as accounts
from tourism.accounts.models import User
from tourism.accounts.ownership import manages
from tourism.audit import service as audit
from tourism.database import flush
from tourism.dishes.models import Dish
from tourism.eateries.models import Eatery
from tourism.exceptions import Conflict, InvalidInput, NotFound
from tourism.languages import Message, say
from tourism.limits import service as limits
from tourism.locks import lock_eatery
from tourism.menus.models import MenuItem
from tourism.paging import after as keyset_after
from tourism.reviews.models import Review, ReviewDishRating, ReviewFlag
from tourism.reviews.schemas import ReviewCreate

# Public and counted. A flag sends a review to moderators but does not hide it: otherwise
# anyone could take down any review by flagging it.
PUBLIC = ("approved", "flagged")
LINK = re.compile(r"https?://|www\.|\b[\w-]+\.(com|vn|net|org|info|biz)\b", re.IGNORECASE)
DUPLICATE_MIN_LENGTH = 30  # "Ngon!" twice is not spam
TEXT_DIGEST = func.md5(func.lower(func.btrim(Review.text)))  # ix_reviews_text_digest
# action -> (statuses it applies to, status it leads to, reason required)
DECISIONS = {
    "approve": (("pending",), "approved", False),
    "reject": (("pending",), "rejected", True),
    "restore": (("flagged",), "approved", False),
    "remove": (("flagged", "approved"), "removed", True),
}
ACTIONS_VI = {"approve": "duyệt", "reject": "từ chối", "restore": "khôi phục", "remove": "gỡ"}
STATUSES_VI = {
    "pending": "đang chờ duyệt",
    "approved": "đã được duyệt",
    "flagged": "đang bị báo cáo",
    "rejected": "đã bị từ chối",
    "removed": "đã bị gỡ",
}


def no_review(review_id: int) -> Message:
    return say(f"no review with id {review_id}", f"không tìm thấy đánh giá có mã {review_id}")


def no_eatery(eatery_id: int) -> Message:
    return say(f"no eatery with id {eatery_id}", f"không tìm thấy quán ăn có mã {eatery_id}")


def paged(
    query: Select,
    order: Sequence[tuple[Any, bool]],
    *,
    limit: int,
    after: tuple[Any, ...] | None,
    offset: int,
) -> Select:
    """`query` in `order` ((column, descending) pairs: a unique key), one page of it and one
    row more (to know whether there is a next page): after the keyset `after`, or the old
    `offset` (tourism.paging)."""
    query = query.order_by(*(c.desc() if descending else c for c, descending in order))
    if after is not None:
        query = query.where(keyset_after(order, after))
    elif offset:
        query = query.offset(offset)
    return query.limit(limit + 1)


RECOUNT_EATERY = text(
    """
UPDATE eateries SET rating_avg = s.avg, rating_count = s.n
FROM (SELECT round(avg(rating), 2) AS avg, count(*) AS n
      FROM reviews WHERE eatery_id = :eatery_id AND status IN ('approved', 'flagged')) AS s
WHERE eateries.id = :eatery_id
"""
)
RECOUNT_DISHES = text(
    """
UPDATE menu_items AS m SET rating_avg = s.avg, rating_count = s.n
FROM (SELECT mi.id, round(avg(x.rating), 2) AS avg, count(x.rating) AS n
      FROM menu_items AS mi
      LEFT JOIN (SELECT d.dish_id, d.rating
                 FROM review_dish_ratings AS d JOIN reviews AS r ON r.id = d.review_id
                 WHERE r.eatery_id = :eatery_id AND r.status IN ('approved', 'flagged')) AS x
             ON x.dish_id = mi.dish_id
      WHERE mi.eatery_id = :eatery_id
      GROUP BY mi.id) AS s
WHERE m.id = s.id
"""
)


async def recount(session: AsyncSession, eatery_id: int) -> None:
    """Ratings of the eatery and of each dish it serves, from its public reviews only."""
    await session.execute(RECOUNT_EATERY, {"eatery_id": eatery_id})
    await session.execute(RECOUNT_DISHES, {"eatery_id": eatery_id})


async def _dish_ratings(session: AsyncSession, review_ids: list[int]) -> dict[int, dict]:
    rows = await session.execute(
        select(ReviewDishRating.review_id, Dish.slug, ReviewDishRating.rating)
        .join(Dish, Dish.id == ReviewDishRating.dish_id)
        .where(ReviewDishRating.review_id.in_(review_ids))
        .order_by(Dish.slug)
    )
    ratings: dict[int, dict] = {review_id: {} for review_id in review_ids}
    for review_id, slug, stars in rows:
        ratings[review_id][slug] = stars
    return ratings


def _snapshot(review: Review, dish_ratings: dict[str, int]) -> dict[str, Any]:
    return {
        "rating": review.rating,
        "text": review.text,
        "status": review.status,
        "dish_ratings": dish_ratings,
    }


async def submitted_view(session: AsyncSession, review: Review) -> dict[str, Any]:
    ratings = (await _dish_ratings(session, [review.id]))[review.id]
    return {
        "id": review.id,
        "eatery_id": review.eatery_id,
        "status": review.status,
        "rating": review.rating,
        "text": review.text,
        "dish_ratings": ratings,
        "moderation_reason": review.moderation_reason,
        "submitted_at": review.submitted_at,
    }


async def _auto_flags(session: AsyncSession, *, text_: str | None, review_id: int | None) -> list:
    flags = []
    if text_ and LINK.search(text_):
        flags.append("link")
    if text_ and len(text_) >= DUPLICATE_MIN_LENGTH:
        same = select(Review.id).where(
            TEXT_DIGEST == func.md5(func.lower(func.btrim(text_))),
            func.lower(func.btrim(Review.text)) == text_.strip().lower(),  # digests can collide
        )
        if review_id is not None:
            same = same.where(Review.id != review_id)
        if await session.scalar(same.limit(1)):
            flags.append("duplicate_text")
    return flags


async def submit(
    session: AsyncSession,
    *,
    eatery_id: int,
    author: User,
    data: ReviewCreate,
    now: datetime,
    rate_buckets: dict[str, int],
) -> tuple[Review, bool]:
    """Create or edit the author's review of the eatery; it waits for moderation either way."""
    await lock_eatery(session, eatery_id)
    await limits.spend(session, buckets=rate_buckets, now=now)
    served = dict(
        (
            await session.execute(
                select(Dish.slug, Dish.id)
                .join(MenuItem, MenuItem.dish_id == Dish.id)
                .where(MenuItem.eatery_id == eatery_id, Dish.slug.in_(list(data.dish_ratings)))
            )
        ).all()
    )
    if unknown := sorted(set(data.dish_ratings) - served.keys()):
        listed = ", ".join(unknown)
        raise InvalidInput(
            "dish_ratings",
            say(f"this eatery does not serve: {listed}", f"quán này không phục vụ: {listed}"),
        )
    body = (data.text or "").strip() or None
    review = await session.scalar(
        select(Review)
        .where(Review.eatery_id == eatery_id, Review.user_id == author.id)
        .with_for_update()
    )
    created = review is None
    before = None
    if created:
        review = Review(eatery_id=eatery_id, user_id=author.id, rating=data.rating)
        session.add(review)
        await session.flush()
    else:
        before = _snapshot(review, (await _dish_ratings(session, [review.id]))[review.id])
    flags = await _auto_flags(session, text_=body, review_id=review.id)
    was_public = review.status in PUBLIC
    review.rating = data.rating
    review.text = body
    # Auto-flagged or not, it waits for a moderator; the flags say why it needs a closer look.
    review.auto_flags = flags
    review.status = "pending"
    review.submitted_at = now
    review.moderation_reason = review.moderated_by = review.moderated_at = None
    await session.execute(delete(ReviewDishRating).where(ReviewDishRating.review_id == review.id))
    session.add_all(
        ReviewDishRating(review_id=review.id, dish_id=served[slug], rating=stars)
        for slug, stars in data.dish_ratings.items()
    )
    await session.flush()
    if was_public:
        await recount(session, eatery_id)
    await audit.record(
        session,
        actor_id=author.id,
        action="review.submit",
        entity="review",
        entity_id=review.id,
        before=before,
        after=_snapshot(review, dict(data.dish_ratings)),
    )
    return review, created


async def _review_for_change(session: AsyncSession, review_id: int) -> Review:
    """The review, locked after its eatery (always that order: no deadlock with submit)."""
    eatery_id = await session.scalar(select(Review.eatery_id).where(Review.id == review_id))
    if eatery_id is None:
        raise NotFound(no_review(review_id))
    await lock_eatery(session, eatery_id)
    return await session.scalar(select(Review).where(Review.id == review_id).with_for_update())


async def decide(
    session: AsyncSession,
    *,
    review_id: int,
    moderator: User,
    action: str,
    reason: str | None,
    now: datetime,
) -> Review:
    review = await _review_for_change(session, review_id)
    applies_to, outcome, needs_reason = DECISIONS[action]
    if review.status not in applies_to:
        raise Conflict(
            say(
                f"cannot {action} a review that is {review.status}",
                f"không thể {ACTIONS_VI[action]} một đánh giá {STATUSES_VI[review.status]}",
            )
        )
    if needs_reason and not (reason and reason.strip()):
        raise InvalidInput(
            "reason",
            say(
                f"say why: the author reads it ({action})",
                f"hãy nêu lý do: tác giả sẽ đọc nó ({ACTIONS_VI[action]})",
            ),
        )
    before = {"status": review.status, "moderation_reason": review.moderation_reason}
    counted_before = review.status in PUBLIC
    review.status = outcome
    review.moderation_reason = reason.strip() if reason else None
    review.moderated_by = moderator.id
    review.moderated_at = now
    if outcome == "approved":
        await session.execute(delete(ReviewFlag).where(ReviewFlag.review_id == review.id))
    await session.flush()
    if counted_before != (outcome in PUBLIC):
        await recount(session, review.eatery_id)
    await audit.record(
        session,
        actor_id=moderator.id,
        action=f"review.{action}",
        entity="review",
        entity_id=review.id,
        before=before,
        after={"status": review.status, "moderation_reason": review.moderation_reason},
    )
    return review


async def flag(session: AsyncSession, *, review_id: int, user: User, reason: str) -> Review:
    """Any logged-in user sends a public review back to the moderators, once."""
    review = await session.get(Review, review_id)
    if review is None or review.status not in PUBLIC:
        raise NotFound(no_review(review_id))
    session.add(ReviewFlag(review_id=review_id, user_id=user.id, reason=reason.strip()))
    await flush(session)  # uq_review_flags_review_id_user_id: once per user
    review.status = "flagged"
    await audit.record(
        session,
        actor_id=user.id,
        action="review.flag",
        entity="review",
        entity_id=review_id,
        after={"reason": reason.strip()},
    )
    return review


async def respond(session: AsyncSession, *, review_id: int, vendor: User, text_: str, now) -> dict:
    """The eatery's one public answer (a second call replaces it).

    Locked like a moderator's decision (the eatery, then the review), so two replies or a reply
    and a removal happen one after the other, and the status is checked under the lock.
    """
    eatery_id = await session.scalar(
        select(Review.eatery_id).where(Review.id == review_id, manages(vendor.id, Review.eatery_id))
    )
    row = await _review_for_change(session, review_id) if eatery_id is not None else None
    if row is None or row.status not in PUBLIC:
        # not public, or not this vendor's eatery: the same answer, no leak
        raise NotFound(no_review(review_id))
    before = {"response": row.response_text}
    row.response_text, row.response_at = text_.strip(), now
    await audit.record(
        session,
        actor_id=vendor.id,
        action="review.respond",
        entity="review",
        entity_id=review_id,
        before=before,
        after={"response": row.response_text},
    )
    return {"id": row.id, "response": row.response_text, "response_at": row.response_at}


PUBLIC_ORDER = ((Review.submitted_at, True), (Review.id, True))  # newest first
QUEUE_ORDER = ((Review.submitted_at, False), (Review.id, False))  # oldest first


def _public_view(review: Review, author: str | None, ratings: dict[str, int]) -> dict[str, Any]:
    return {
        "id": review.id,
        "author": author,
        "rating": review.rating,
        "text": review.text,
        "dish_ratings": ratings,
        "submitted_at": review.submitted_at,
        "response": review.response_text,
        "response_at": review.response_at,
    }


async def public_reviews(
    session: AsyncSession,
    *,
    eatery_id: int,
    limit: int,
    after: tuple[Any, ...] | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the eatery's public reviews, newest first (one more than `limit` when there
    is a next page), and how many it has."""
    if await session.get(Eatery, eatery_id) is None:
        raise NotFound(no_eatery(eatery_id))
    public = (Review.eatery_id == eatery_id) & Review.status.in_(PUBLIC)
    rows = (
        await session.execute(
            paged(
                select(Review, User.display_name)
                # outer: a deleted account's public reviews stay, with no author
                .outerjoin(User, User.id == Review.user_id)
                .where(public),
                PUBLIC_ORDER,
                limit=limit,
                after=after,
                offset=offset,
            )
        )
    ).all()
    total = await session.scalar(select(func.count()).select_from(Review).where(public))
    ratings = await _dish_ratings(session, [r.Review.id for r in rows])
    items = [_public_view(r.Review, r.display_name, ratings[r.Review.id]) for r in rows]
    return items, total or 0


async def my_reviews(
    session: AsyncSession,
    *,
    user: User,
    eatery_id: int | None = None,
    limit: int,
    after: tuple[Any, ...] | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the user's reviews (of one eatery, when given), newest first, whatever their
    status (one more than `limit` when there is a next page), and how many there are."""
    mine = Review.user_id == user.id  # ix_reviews_user_id
    if eatery_id is not None:
        mine = mine & (Review.eatery_id == eatery_id)
    reviews = (
        await session.scalars(
            paged(
                select(Review).where(mine),
                PUBLIC_ORDER,
                limit=limit,
                after=after,
                offset=offset,
            )
        )
    ).all()
    total = await session.scalar(select(func.count()).select_from(Review).where(mine))
    ratings = await _dish_ratings(session, [r.id for r in reviews])
    items = [
        {
            "id": r.id,
            "eatery_id": r.eatery_id,
            "status": r.status,
            "rating": r.rating,
            "text": r.text,
            "dish_ratings": ratings[r.id],
            "moderation_reason": r.moderation_reason,
            "submitted_at": r.submitted_at,
        }
        for r in reviews
    ]
    return items, total or 0


async def queue(
    session: AsyncSession,
    *,
    status: str,
    eatery_id: int | None,
    limit: int,
    after: tuple[Any, ...] | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Oldest first (one more than `limit` when there is a next page), and how many the queue
    holds. `flagged`: flagged by users, or pending with automatic flags.

    Only reviews by active accounts: a disabled author's reviews leave the queue and come back
    if the account is enabled again. Their statuses do not change, so the ratings (public
    reviews only) stay what they were: an approved or flagged review stays public. A deleted
    account's flagged reviews stay in the queue, with no author.
    """
    if status == "flagged":
        waiting = (Review.status == "flagged") | (
            (Review.status == "pending") & (func.cardinality(Review.auto_flags) > 0)
        )
    else:
        waiting = Review.status == "pending"
    if eatery_id is not None:
        waiting = waiting & (Review.eatery_id == eatery_id)
    waiting = waiting & (Review.user_id.is_(None) | User.is_active)
    query = (
        select(Review, User.display_name, Eatery.name_vi)
        .outerjoin(User, User.id == Review.user_id)
        .join(Eatery, Eatery.id == Review.eatery_id)
        .where(waiting)
    )
    rows = (
        await session.execute(paged(query, QUEUE_ORDER, limit=limit, after=after, offset=offset))
    ).all()
    total = await session.scalar(
        select(func.count())
        .select_from(Review)
        .outerjoin(User, User.id == Review.user_id)
        .where(waiting)
    )
    flags = dict(
        (
            await session.execute(
                select(ReviewFlag.review_id, func.array_agg(ReviewFlag.reason))
                .where(ReviewFlag.review_id.in_([r.Review.id for r in rows]))
                .group_by(ReviewFlag.review_id)
            )
        ).all()
    )
    history = await _author_histories(session, {r.Review.user_id for r in rows})
    items = [
        {
            "id": r.Review.id,
            "eatery_id": r.Review.eatery_id,
            "eatery_name": r.name_vi,
            "author": r.display_name,
            "author_id": r.Review.user_id,
            "author_history": history.get(r.Review.user_id),
            "status": r.Review.status,
            "rating": r.Review.rating,
            "text": r.Review.text,
            "auto_flags": r.Review.auto_flags,
            "flags": flags.get(r.Review.id, []),
            "submitted_at": r.Review.submitted_at,
        }
        for r in rows
    ]
    return items, total or 0


async def _author_histories(session: AsyncSession, user_ids: set[int]) -> dict[int, dict]:
    """Per author: how many reviews they wrote, and how many were rejected or removed."""
    rows = await session.execute(
        select(
            Review.user_id,
            func.count(),
            func.count().filter(Review.status == "rejected"),
            func.count().filter(Review.status == "removed"),
        )
        .where(Review.user_id.in_(user_ids))  # ix_reviews_user_id
        .group_by(Review.user_id)
    )
    return {
        user_id: {"reviews": n, "rejected": rejected, "removed": removed}
        for user_id, n, rejected, removed in rows
    }


async def set_account_active(
    session: AsyncSession, *, user_id: int, active: bool, actor: User
) -> User:
    """Disable or enable an account (accounts.service.set_active: who may), audited.

    Here rather than in accounts, which imports no domain above it (the audit log). The
    reviews of a disabled author keep their status: `queue` leaves them out.
    """
    user, change = await accounts.set_active(session, user_id=user_id, active=active, actor=actor)
    if change is not None:
        await audit.record(
            session,
            actor_id=actor.id,
            action="user.enable" if active else "user.disable",
            entity="user",
            entity_id=user.id,
            before={"is_active": not active},
            after=change,
        )
    return user


async def histogram(session: AsyncSession, eatery_id: int) -> dict[str, int]:
    """How many public reviews gave 1, 2, 3, 4 and 5 stars."""
    counts = dict(
        (
            await session.execute(
                select(Review.rating, func.count())
                .where(Review.eatery_id == eatery_id, Review.status.in_(PUBLIC))
                .group_by(Review.rating)
            )
        ).all()
    )
    return {str(stars): counts.get(stars, 0) for stars in range(1, 6)}
