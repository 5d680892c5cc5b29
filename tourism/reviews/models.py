from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text  # `text` is a column name below
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base, Timestamps, check_in
from tourism.exceptions import on_violation
from tourism.languages import say

STATUSES = ("pending", "approved", "rejected", "flagged", "removed")


class Review(Timestamps, Base):
    """One tourist's stars and words for one eatery; public only once approved."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    eatery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("eateries.id", ondelete="CASCADE")
    )
    # None once the author deleted their account: a public review stays, by a former visitor.
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    rating: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    # Why the system sent it to moderators on its own ("link", "duplicate_text").
    auto_flags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    moderation_reason: Mapped[str | None] = mapped_column(String(500))
    moderated_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    moderated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response_text: Mapped[str | None] = mapped_column(String(2000))
    response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the current version was submitted (an edit resubmits).
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        UniqueConstraint("eatery_id", "user_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        Index(
            "ix_reviews_public",
            "eatery_id",
            "submitted_at",
            postgresql_where=sql_text("status = 'approved'"),
        ),
        Index(
            "ix_reviews_queue",
            "status",
            "submitted_at",
            postgresql_where=sql_text("status IN ('pending', 'flagged')"),
        ),
        Index("ix_reviews_user_id", "user_id"),
        Index(
            "ix_reviews_text_digest",
            sql_text("md5(lower(btrim(text)))"),
            postgresql_where=sql_text("text IS NOT NULL"),
        ),
        check_in("status", STATUSES),
    )


class ReviewDishRating(Base):
    __tablename__ = "review_dish_ratings"

    review_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    dish_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dishes.id", ondelete="CASCADE"), primary_key=True
    )
    rating: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)


class ReviewFlag(Base):
    __tablename__ = "review_flags"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    review_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("reviews.id", ondelete="CASCADE"))
    # None once the flagger deleted their account: the report stays, anonymous.
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("review_id", "user_id"),)


on_violation(
    "uq_review_flags_review_id_user_id",
    say("you have flagged this review already", "bạn đã báo cáo đánh giá này rồi"),
)
