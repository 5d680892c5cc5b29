from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from tourism.schemas import LocalDatetime, MultilineText, Slug, StrictModel

Stars = int


class ReviewCreate(StrictModel):
    rating: int = Field(ge=1, le=5)
    dish_ratings: dict[Slug, int] = Field(default_factory=dict, max_length=30)
    text: MultilineText | None = Field(default=None, max_length=2000)

    @field_validator("dish_ratings")
    @classmethod
    def _stars(cls, ratings: dict[str, int]) -> dict[str, int]:
        if any(not 1 <= stars <= 5 for stars in ratings.values()):
            raise ValueError("every dish rating is 1 to 5 stars")
        return ratings


class ReviewSubmitted(BaseModel):
    id: int
    eatery_id: int
    status: str
    rating: int
    text: str | None
    dish_ratings: dict[str, int]
    moderation_reason: str | None
    submitted_at: LocalDatetime


class ReviewPublic(BaseModel):
    id: int
    author: str | None = Field(
        description="The author's display name; null once the author deleted their account "
        "(shown as a former visitor)"
    )
    rating: int
    text: str | None
    dish_ratings: dict[str, int]
    submitted_at: LocalDatetime
    response: str | None = Field(description="The eatery's public answer")
    response_at: LocalDatetime | None


class ReviewsPublic(BaseModel):
    items: list[ReviewPublic]
    count: int


class MyReviews(BaseModel):
    items: list[ReviewSubmitted]


class FlagCreate(StrictModel):
    reason: MultilineText = Field(min_length=3, max_length=500)


class ResponseUpdate(StrictModel):
    text: MultilineText = Field(min_length=1, max_length=2000)


class DecisionCreate(StrictModel):
    action: Literal["approve", "reject", "remove", "restore"]
    reason: MultilineText | None = Field(default=None, max_length=500)


class AuthorHistory(BaseModel):
    """What became of every review the author wrote (this one included)."""

    reviews: int
    rejected: int
    removed: int


class QueuedReview(BaseModel):
    id: int
    eatery_id: int
    eatery_name: str
    author: str | None = Field(description="null: the author deleted their account")
    author_id: int | None
    author_history: AuthorHistory | None
    status: str
    rating: int
    text: str | None
    auto_flags: list[str]
    flags: list[str] = Field(description="Reasons given by users who flagged it")
    submitted_at: datetime


class ModerationQueue(BaseModel):
    items: list[QueuedReview]
    count: int
