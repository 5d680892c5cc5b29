"""The dish catalogue: the seeds' upserts, and the department's own dishes and edits."""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.audit import service as audit
from tourism.database import flush, upsert_returning_id
from tourism.dishes.models import Dish, DishName
from tourism.dishes.schemas import DishAdminCreate, DishAdminUpdate, DishCreate
from tourism.exceptions import InvalidInput, NotFound
from tourism.languages import say

MAX_SLUG = 120
# Paths beside /dishes/{slug}: a dish may not be named like one.
RESERVED_SLUGS = frozenset({"categories"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str, *, max_length: int = MAX_SLUG) -> str:
    """A name as a slug, without diacritics: "Bánh đa cua" -> "banh-da-cua"; "" if none is left.

    NFD splits each letter from its marks, which are dropped; đ has no decomposition of its own.
    Anything else that is not a-z or 0-9 separates words.
    """
    letters = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in letters if not unicodedata.combining(c)).lower()
    return _NOT_SLUG.sub("-", plain)[:max_length].strip("-")


async def upsert_dish(session: AsyncSession, *, data: DishCreate) -> int:
    values = data.model_dump()
    dish_id = await upsert_returning_id(session, Dish, key=Dish.slug, values=values)
    await _replace_names(
        session, dish_id=dish_id, name_vi=data.name_vi, name_en=data.name_en, aliases=data.aliases
    )
    return dish_id


async def _names_of(session: AsyncSession, dish: Dish) -> None:
    await _replace_names(
        session, dish_id=dish.id, name_vi=dish.name_vi, name_en=dish.name_en, aliases=dish.aliases
    )


async def _replace_names(
    session: AsyncSession, *, dish_id: int, name_vi: str, name_en: str, aliases: Iterable[str]
) -> None:
    """The names search matches: Vietnamese, English and every alias, once each."""
    names = {name_vi: "vi"}
    names.setdefault(name_en, "en")
    for alias in aliases:
        names.setdefault(alias, "alias")
    await session.execute(delete(DishName).where(DishName.dish_id == dish_id))
    await session.execute(
        insert(DishName),
        [{"dish_id": dish_id, "name": name, "kind": kind} for name, kind in names.items()],
    )


async def dish_ids(session: AsyncSession, slugs: Iterable[str]) -> dict[str, int]:
    """The ids of the dishes with these slugs; an unknown slug is simply absent."""
    rows = await session.execute(select(Dish.slug, Dish.id).where(Dish.slug.in_(list(slugs))))
    return dict(rows.all())


async def dish_id(session: AsyncSession, slug: str) -> int | None:
    return (await dish_ids(session, [slug])).get(slug)


# -- the department's edits (audited; search sees them at once: the catalogue's triggers) ------

EDITABLE = ("slug", "name_vi", "name_en", "category", "aliases", "description_vi", "description_en")


def _checked_slug(slug: str) -> str:
    if slug in RESERVED_SLUGS:
        raise InvalidInput(
            "slug",
            say(
                f"{slug!r} is a path of the API: choose another slug",
                f"{slug!r} là một đường dẫn của API: hãy chọn mã khác",
            ),
        )
    return slug


def _view(dish: Dish) -> dict[str, Any]:
    return {k: getattr(dish, k) for k in EDITABLE}


async def create_dish(session: AsyncSession, *, data: DishAdminCreate, actor_id: int) -> Dish:
    """Add a dish to the catalogue; a slug taken already is a Conflict naming `slug`."""
    values = data.model_dump()
    if data.slug is None:
        values["slug"] = slugify(data.name_vi)
        if not values["slug"]:
            raise InvalidInput(
                "slug",
                say(
                    "the name makes no slug: give one (a-z, 0-9 and -)",
                    "tên này không tạo được mã: hãy nhập một mã (a-z, 0-9 và -)",
                ),
            )
    _checked_slug(values["slug"])
    values["aliases"] = list(dict.fromkeys(data.aliases))
    dish = Dish(**values)
    session.add(dish)
    await flush(session)
    await _names_of(session, dish)
    await audit.record(
        session,
        actor_id=actor_id,
        action="dish.create",
        entity="dish",
        entity_id=dish.id,
        after=_view(dish),
    )
    return dish


async def update_dish(
    session: AsyncSession, *, slug: str, data: DishAdminUpdate, actor_id: int
) -> Dish:
    """Change the fields sent, under the dish's row lock; NotFound for an unknown slug."""
    dish = await session.scalar(
        select(Dish).where(Dish.slug == slug).with_for_update(key_share=True),
        execution_options={"populate_existing": True},
    )
    if dish is None:
        raise NotFound(say(f"no dish with slug {slug!r}", f"không tìm thấy món ăn có mã {slug!r}"))
    changes = data.model_dump(exclude_unset=True)
    if "slug" in changes:
        _checked_slug(changes["slug"])
    if "aliases" in changes:
        changes["aliases"] = list(dict.fromkeys(changes["aliases"]))
    before = {k: getattr(dish, k) for k in changes}
    for key, value in changes.items():
        setattr(dish, key, value)
    await flush(session)
    if {"name_vi", "name_en", "aliases"} & changes.keys():
        await _names_of(session, dish)
    await audit.record(
        session,
        actor_id=actor_id,
        action="dish.update",
        entity="dish",
        entity_id=dish.id,
        before=before,
        after=changes,
    )
    return dish
