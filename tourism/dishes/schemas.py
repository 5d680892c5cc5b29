from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tourism.dishes.models import CATEGORIES
from tourism.paging import Page, page_example
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
    """The categories the department files a new dish under."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": ["noodle_soup", "noodles", "rice", "bread"]}]}
    )

    items: list[str] = Field(description="Category codes, as `category` in a dish takes them")


DISH_EXAMPLE = {
    "slug": "banh-da-cua",
    "name_vi": "Bánh đa cua",
    "name_en": "Crab noodle soup",
    "name": "Crab noodle soup",
    "category": "noodle_soup",
    "description_vi": "Bánh đa đỏ trong nước riêu cua đồng, đặc sản Hải Phòng.",
    "description_en": "Red rice noodles in a field-crab broth, Hai Phong's own.",
    "description": "Red rice noodles in a field-crab broth, Hai Phong's own.",
    "aliases": ["banh da do"],
    "eatery_count": 14,
    "price_min_vnd": 30000,
    "price_max_vnd": 50000,
}


class DishPublic(BaseModel):
    slug: str
    name_vi: str
    name_en: str
    name: str = Field(
        description="The name in the request's language: `name_en` in English, `name_vi` in "
        "Vietnamese"
    )
    category: str
    description_vi: str | None
    description_en: str | None
    description: str | None = Field(
        description="The description in the request's language, else in the other one; null "
        "when there is none"
    )
    aliases: list[str]
    eatery_count: int = Field(description="Active eateries serving it now")
    price_min_vnd: int | None = Field(description="The lowest price there; null when none")
    price_max_vnd: int | None = Field(description="The highest price there; null when none")


class DishesPublic(Page[DishPublic]):
    """The dish catalogue by slug, a page at a time."""

    model_config = page_example(DISH_EXAMPLE, total=48)
