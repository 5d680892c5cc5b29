from pydantic import BaseModel, Field

from tourism.schemas import MultilineText, Slug, StrictModel


class DishCreate(StrictModel):
    slug: Slug
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")
    description_vi: MultilineText | None = Field(default=None, max_length=1000)
    description_en: MultilineText | None = Field(default=None, max_length=1000)
    aliases: list[str] = Field(default_factory=list, max_length=30)


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
