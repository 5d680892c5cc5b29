from typing import Annotated, Literal

from pydantic import BaseModel, Field

from tourism.dishes.models import CATEGORIES
from tourism.schemas import MultilineText, Slug, StrictModel

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
DishNameText = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[MultilineText, Field(max_length=1000)]
MAX_ALIASES = 30


class DishCreate(StrictModel):
    slug: Slug
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")
    description_vi: MultilineText | None = Field(default=None, max_length=1000)
    description_en: MultilineText | None = Field(default=None, max_length=1000)
    aliases: list[str] = Field(default_factory=list, max_length=30)


class DishAdminCreate(StrictModel):
    """A dish the tourism department adds to the catalogue."""

    slug: Slug | None = Field(
        default=None,
        description='Made from name_vi when absent, without diacritics: "Bánh đa cua" -> '
        '"banh-da-cua"',
    )
    name_vi: DishNameText
    name_en: DishNameText
    category: Category = Field(description="One of GET /dishes/categories")
    aliases: list[DishNameText] = Field(
        default_factory=list,
        max_length=MAX_ALIASES,
        description="Other names people type; each is searched like the names",
    )
    description_vi: Description | None = None
    description_en: Description | None = None


class DishAdminUpdate(StrictModel):
    """The fields to change; those left out stay. Names, category and slug cannot be null."""

    # Not-null fields default to None only to mean "unchanged": a null sent is a 422.
    slug: Slug = Field(default=None)
    name_vi: DishNameText = Field(default=None)
    name_en: DishNameText = Field(default=None)
    category: Category = Field(default=None, description="One of GET /dishes/categories")
    aliases: list[DishNameText] = Field(default=None, max_length=MAX_ALIASES)
    description_vi: Description | None = None
    description_en: Description | None = None


class DishCategories(BaseModel):
    items: list[str]


class DishPublic(BaseModel):
    slug: str
    name_vi: str
    name_en: str
    category: str
    description_vi: str | None
    description_en: str | None
    aliases: list[str]
    eatery_count: int
    price_min_vnd: int | None
    price_max_vnd: int | None


class DishesPublic(BaseModel):
    items: list[DishPublic]
    count: int
