from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tourism.languages import say
from tourism.paging import Page
from tourism.schemas import LocalDatetime, MultilineText, Slug, StrictModel

Stars = int

# Examples give every field a value: FastAPI leaves nulls out of the OpenAPI document.
SUBMITTED = {
    "id": 41,
    "eatery_id": 12,
    "status": "rejected",
    "rating": 1,
    "text": "Giảm giá 50% tại www.example.com",
    "dish_ratings": {"banh-da-cua": 1},
    "moderation_reason": "Quảng cáo, không phải đánh giá",
    "submitted_at": "2026-03-14T08:05:00+07:00",
}
PUBLIC = {
    "id": 41,
    "author": "Lan Nguyễn",
    "rating": 5,
    "text": "Bánh đa cua đậm vị, chả lá lốt giòn. Quán đông vào buổi sáng.",
    "dish_ratings": {"banh-da-cua": 5},
    "submitted_at": "2026-03-14T08:05:00+07:00",
    "response": "Cảm ơn bạn, hẹn gặp lại!",
    "response_at": "2026-03-15T10:00:00+07:00",
}
QUEUED = {
    "id": 42,
    "eatery_id": 12,
    "eatery_name": "Bánh đa cua bà Cụ",
    "author": "Minh",
    "author_id": 7,
    "author_history": {"reviews": 3, "rejected": 0, "removed": 1},
    "status": "pending",
    "rating": 1,
    "text": "Xem thêm ở www.example.com",
    "auto_flags": ["link"],
    "flags": [],
    "submitted_at": "2026-03-14T09:30:00+07:00",
}
NEXT = "eyJrIjpbIjIwMjYtMDMtMTRUMDE6MDU6MDArMDA6MDAiLDQxXX0.q1Vd9mZ0mK3nQ2Vx"


def _page(item: dict) -> dict:
    return {"items": [item], "count": 1, "next_cursor": NEXT, "total": 27, "total_exact": True}


class ReviewCreate(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={
            "examples": [
                {
                    "rating": 5,
                    "dish_ratings": {"banh-da-cua": 5},
                    "text": "Bánh đa cua đậm vị, chả lá lốt giòn. Quán đông vào buổi sáng.",
                }
            ]
        },
    )

    rating: int = Field(ge=1, le=5, description="Stars for the eatery, 1 to 5")
    dish_ratings: dict[Slug, int] = Field(
        default_factory=dict,
        max_length=30,
        description="Stars (1 to 5) for dishes this eatery serves, by dish slug",
    )
    text: MultilineText | None = Field(
        default=None, max_length=2000, description="The review's text; moderators read it first"
    )

    @field_validator("dish_ratings")
    @classmethod
    def _stars(cls, ratings: dict[str, int]) -> dict[str, int]:
        if any(not 1 <= stars <= 5 for stars in ratings.values()):
            raise ValueError(
                say("every dish rating is 1 to 5 stars", "mỗi món chỉ được chấm từ 1 đến 5 sao")
            )
        return ratings


class ReviewSubmitted(BaseModel):
    """A review as its author (and a moderator deciding it) sees it."""

    model_config = ConfigDict(json_schema_extra={"examples": [SUBMITTED]})

    id: int
    eatery_id: int
    status: str = Field(description="pending, approved, flagged, rejected or removed")
    rating: int
    text: str | None
    dish_ratings: dict[str, int] = Field(description="Stars by dish slug")
    moderation_reason: str | None = Field(description="Why it was rejected or removed")
    submitted_at: LocalDatetime


class ReviewPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PUBLIC]})

    id: int
    author: str | None = Field(
        description="The author's display name; null once the author deleted their account "
        "(shown as a former visitor)"
    )
    rating: int
    text: str | None
    dish_ratings: dict[str, int] = Field(description="Stars by dish slug")
    submitted_at: LocalDatetime
    response: str | None = Field(description="The eatery's public answer")
    response_at: LocalDatetime | None


class ReviewsPublic(Page[ReviewPublic]):
    """A page of an eatery's public reviews, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [_page(PUBLIC)]})


class MyReviews(Page[ReviewSubmitted]):
    """A page of the caller's own reviews, newest first, whatever their status."""

    model_config = ConfigDict(json_schema_extra={"examples": [_page(SUBMITTED)]})


class FlagCreate(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={"examples": [{"reason": "Quảng cáo cho quán khác, không phải review"}]},
    )

    reason: MultilineText = Field(
        min_length=3, max_length=500, description="Why the moderators should look at it"
    )


class FlagAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 41, "status": "flagged"}]})

    id: int = Field(description="The review's id")
    status: Literal["flagged"] = Field(description="The review's status now")


class ResponseUpdate(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={"examples": [{"text": "Cảm ơn bạn, hẹn gặp lại!"}]},
    )

    text: MultilineText = Field(
        min_length=1, max_length=2000, description="The eatery's answer, shown under the review"
    )


class ResponseAnswer(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "response": "Cảm ơn bạn, hẹn gặp lại!",
                    "response_at": "2026-03-15T10:00:00+07:00",
                }
            ]
        }
    )

    id: int = Field(description="The review's id")
    response: str = Field(description="The eatery's answer as saved (trimmed)")
    response_at: LocalDatetime


class DecisionCreate(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={
            "examples": [
                {"action": "approve"},
                {"action": "remove", "reason": "Chứa liên kết quảng cáo"},
            ]
        },
    )

    action: Literal["approve", "reject", "remove", "restore"] = Field(
        description="approve or reject a pending review; remove an approved or flagged one; "
        "restore a flagged one"
    )
    reason: MultilineText | None = Field(
        default=None,
        max_length=500,
        description="Required to reject or remove: the author reads it",
    )


class AuthorHistory(BaseModel):
    """What became of every review the author wrote (this one included)."""

    reviews: int
    rejected: int
    removed: int


class QueuedReview(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [QUEUED]})

    id: int
    eatery_id: int
    eatery_name: str = Field(description="The eatery's Vietnamese name")
    author: str | None = Field(description="null: the author deleted their account")
    author_id: int | None
    author_history: AuthorHistory | None
    status: str
    rating: int
    text: str | None
    auto_flags: list[str] = Field(
        description="Why the system sent it to moderators: `link`, `duplicate_text`"
    )
    flags: list[str] = Field(description="Reasons given by users who flagged it")
    submitted_at: datetime


class ModerationQueue(Page[QueuedReview]):
    """A page of the moderation queue, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [_page(QUEUED)]})
