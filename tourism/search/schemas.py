from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tourism.eateries.schemas import CARD_EXAMPLE, NAME_IN_LANGUAGE, EateryPublic
from tourism.paging import Page


class MatchedDish(BaseModel):
    slug: str
    name_vi: str
    name_en: str
    name: str = Field(description=NAME_IN_LANGUAGE)
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
    name: str = Field(description=NAME_IN_LANGUAGE)


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
