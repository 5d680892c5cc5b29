from typing import Literal

from pydantic import BaseModel, Field

from tourism.eateries.schemas import EateryPublic


class MatchedDish(BaseModel):
    slug: str
    name_vi: str
    name_en: str
    price_vnd: int


class SearchHit(BaseModel):
    eatery: EateryPublic
    dishes: list[MatchedDish] = Field(description="The matched dishes it serves, best first")
    distance_m: float | None = Field(description="Metres, when lat/lon are given")
    score: float = Field(description="Relevance (README, 'Search ranking'); higher is better")


class SearchResults(BaseModel):
    items: list[SearchHit]
    count: int
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end")
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
    id: int | None = Field(description="The eatery's id (eateries only)")


class Suggestions(BaseModel):
    items: list[Suggestion]
