from sqlalchemy import Computed, ForeignKey, Identity, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import UniqueConstraint

from tourism.database import Base, Timestamps, check_in
from tourism.exceptions import on_violation
from tourism.languages import say

# What the department files a new dish under (GET /dishes/categories). Not a constraint of the
# table: dishes loaded before may name others, and keep them until edited.
CATEGORIES = (
    "noodle_soup",
    "noodles",
    "rice",
    "bread",
    "rolls",
    "street_snack",
    "seafood",
    "hotpot",
    "dumplings",
    "dessert",
    "drink",
    "grill",
)


class Dish(Timestamps, Base):
    __tablename__ = "dishes"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    description_vi: Mapped[str | None] = mapped_column(String(1000))
    description_en: Mapped[str | None] = mapped_column(String(1000))
    # Other spellings and names people type ("banh mi que", "Hai Phong baguette").
    aliases: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), server_default=text("'{}'::varchar[]")
    )


class DishName(Base):
    """Every name a dish is typed as (Vietnamese, English, aliases), folded for search."""

    __tablename__ = "dish_names"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    dish_id: Mapped[int] = mapped_column(Integer, ForeignKey("dishes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    folded: Mapped[str] = mapped_column(Text, Computed("foodtour_fold(name)", persisted=True))

    __table_args__ = (
        UniqueConstraint("dish_id", "name"),
        check_in("kind", ("vi", "en", "alias")),
        Index(
            "ix_dish_names_folded_trgm",
            "folded",
            postgresql_using="gin",
            postgresql_ops={"folded": "gin_trgm_ops"},
        ),
    )


on_violation(
    "uq_dishes_slug",
    say("a dish with this slug exists", "đã có món ăn với mã này"),
    field="slug",
    detail=say("already taken", "đã được dùng"),
)
