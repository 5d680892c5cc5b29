from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tourism.eateries.schemas import EateryPublic
from tourism.paging import Page

NAME = "The name in the request's language: `name_en` in English when there is one, else `name_vi`"

# An eatery card as the answers give it (tourism.eateries.card).
CARD_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "slug": "banh-da-cua-ba-cu",
    "name_vi": "Bánh đa cua Bà Cụ",
    "name_en": "Grandma's crab noodle soup",
    "name": "Grandma's crab noodle soup",
    "kind": "restaurant",
    "address": "179 Cầu Đất, Ngô Quyền",
    "ward": "Cầu Đất",
    "district": "Ngô Quyền",
    "location": {"type": "Point", "coordinates": [106.6858, 20.8561]},
    "rating": 4.6,
    "rating_count": 128,
    "open_now": True,
    "next_change": "2026-12-01T21:00:00+07:00",
}


class MatchedDish(BaseModel):
    slug: str
    name_vi: str
    name_en: str
    name: str = Field(description=NAME)
    price_vnd: int


class SearchHit(BaseModel):
    eatery: EateryPublic
    dishes: list[MatchedDish] = Field(description="The matched dishes it serves, best first")
    distance_m: float | None = Field(description="Metres, when lat/lon are given")
    score: float = Field(description="Relevance (README, 'Search ranking'); higher is better")


class SearchResults(Page[SearchHit]):
    """A page of hits, best first in the order `sort` names (ties by eatery id)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "eatery": CARD_EXAMPLE,
                            "dishes": [
                                {
                                    "slug": "banh-da-cua",
                                    "name_vi": "Bánh đa cua",
                                    "name_en": "Crab noodle soup",
                                    "name": "Crab noodle soup",
                                    "price_vnd": 35000,
                                }
                            ],
                            "distance_m": 412.5,
                            "score": 1.7321,
                        }
                    ],
                    "count": 1,
                    "next_cursor": "eyJrIjotMS43MzIxLCJpIjoxMiwidCI6IjIwMjYtMTItMDFUMTE6MDA6MDAr"
                    "MDA6MDAiLCJoIjoiOWYyYzQxZDBhYjEyMzQ1NiJ9.gk2XWz1bq3Yd8r0QmVZ7aA",
                    "total": 37,
                    "total_exact": True,
                }
            ]
        }
    )

    total: int = Field(description="Eateries matching the whole query, on every page")
    total_exact: bool = Field(
        description="False when a matched dish is served by more eateries than the search weighs"
        " (README, 'Search ranking'): `total` is then a lower bound"
    )


class Suggestion(BaseModel):
    kind: Literal["dish", "eatery"]
    slug: str
    name_vi: str
    name_en: str | None
    id: int | None = Field(default=None, description="The eatery's id (null for dishes)")
    name: str = Field(description=NAME)


class Suggestions(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "kind": "dish",
                            "slug": "banh-da-cua",
                            "name_vi": "Bánh đa cua",
                            "name_en": "Crab noodle soup",
                            "id": None,
                            "name": "Crab noodle soup",
                        },
                        {
                            "kind": "eatery",
                            "slug": "banh-da-cua-ba-cu",
                            "name_vi": "Bánh đa cua Bà Cụ",
                            "name_en": "Grandma's crab noodle soup",
                            "id": 12,
                            "name": "Grandma's crab noodle soup",
                        },
                    ]
                }
            ]
        }
    )

    items: list[Suggestion] = Field(description="Dishes first, then eateries, best first")
