"""Dish search: typed text -> the eateries serving matching dishes, best first.

A search is two statements, and the first is usually skipped:

1. *Understanding the text* depends only on the text and on the names in the catalogue, so its
   answer is remembered per query string (`QueryCache`) until a dish, a dish name, or an
   eatery's name or status changes (`search_catalogue.version`, kept by triggers):
   - the query is folded (`foodtour_fold`: NFC, no diacritics, lower case) like every name;
   - dish names and aliases match it by trigram similarity, word similarity or prefix (GIN
     index on `dish_names.folded`), at most MAX_DISHES dishes;
   - unless it is a dish's very name, eateries whose own name matches it are looked up (GiST
     trigram index, word-similarity KNN), at most PER_NAME.
2. *Finding eateries*, one statement per query shape, with those dishes and names as
   parameters: per matched dish, the PER_DISH best candidate offers come straight from one
   index on `menu_items` (the nearest, by GiST on dish and location, with a position; else the
   best rated or cheapest, by B-trees); the eateries matched by name join them; hits are
   filtered, scored (README, "Search ranking"), cut by a keyset cursor and limited. It also
   reads the catalogue's version: an answer built on an outdated understanding is thrown away
   and the search runs again.
"""

import hashlib
import math
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

import asyncpg
import orjson

from tourism.database import Positional
from tourism.eateries.card import PUBLIC_JSON
from tourism.exceptions import InvalidInput
from tourism.languages import Language, current_language, name_in, say
from tourism.paging import NOT_A_CURSOR, sign, verified
from tourism.schemas import MAX_ID
from tourism.search.models import SearchCatalogue

Sort = Literal["relevance", "distance", "price", "rating"]

MAX_DISHES = 8
DISH_CUTOFF = 0.6  # dishes scoring under 60 % of the best match are not what was asked for
PER_DISH = 120
# A query that is a dish's name as typed (folded exact match) is not looked up among eatery
# names: those eateries serve the dish and are found through it.
DISH_AS_TYPED = 1.45
PER_NAME = 50
# Weights of the relevance score (README, "Search ranking").
W_PROXIMITY = 0.35
W_RATING = 0.15

HERE = "CAST(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS geography)"
# The query, folded like every stored name, and as typed in lower case. Spelled inline, not in
# a CTE: an expression of the parameter alone is what lets the trigram indexes take it.
QF = "foodtour_fold(CAST(:q AS text))"
QRAW = "lower(normalize(CAST(:q AS text), NFC))"

# How well one stored name matches the query, 0 to ~1.7.
NAME_SCORE = """
    greatest(similarity({folded}, {q}), word_similarity({q}, {folded}))
    + CASE WHEN {folded} = {q} THEN 0.5 WHEN {folded} LIKE {q} || '%' THEN 0.25 ELSE 0 END
    + CASE WHEN strpos(lower({name}), {raw}) > 0 THEN 0.2 ELSE 0 END
"""

# Moved by writes to tourism.changes.CATALOGUE_TABLES.
CATALOGUE = f"(SELECT version FROM {SearchCatalogue.__tablename__})"

# -- understanding the text ---------------------------------------------------------------------


@dataclass(frozen=True)
class Understood:
    """What a query string matches in the catalogue, best first: the same for everyone."""

    dish_ids: tuple[int, ...]
    dish_scores: tuple[float, ...]
    dishes: dict[int, tuple[str, str, str]]  # id -> slug, name_vi, name_en
    name_ids: tuple[int, ...]  # eateries matched by their own name
    name_scores: tuple[float, ...]
    catalogue: int


UNDERSTAND = Positional.of(
    f"""
WITH dish_scores AS (
    SELECT dn.dish_id,
           max({NAME_SCORE.format(folded="dn.folded", name="dn.name", q=QF, raw=QRAW)})
               AS text_score
    FROM dish_names AS dn
    WHERE dn.folded % {QF} OR {QF} <% dn.folded OR dn.folded LIKE {QF} || '%'
    GROUP BY dn.dish_id
),
dish_match AS (
    SELECT dish_id, text_score FROM dish_scores
    WHERE text_score >= {DISH_CUTOFF} * (SELECT max(text_score) FROM dish_scores)
    ORDER BY text_score DESC, dish_id
    LIMIT {MAX_DISHES}
),
named AS (
    SELECT e.id,
           {NAME_SCORE.format(folded="e.name_folded", name="e.name_vi", q=QF, raw=QRAW)}
               AS text_score
    FROM eateries AS e
    WHERE e.status = 'active' AND {QF} <% e.name_folded
          AND coalesce((SELECT max(text_score) FROM dish_scores), 0) < {DISH_AS_TYPED}
    ORDER BY {QF} <<-> e.name_folded
    LIMIT {PER_NAME}
)
SELECT {CATALOGUE} AS catalogue,
       (SELECT array_agg(dish_id ORDER BY text_score DESC, dish_id) FROM dish_match) AS dish_ids,
       (SELECT array_agg(text_score ORDER BY text_score DESC, dish_id) FROM dish_match)
           AS dish_scores,
       (SELECT json_agg(json_build_array(d.id, d.slug, d.name_vi, d.name_en))
          FROM dish_match JOIN dishes AS d ON d.id = dish_match.dish_id) AS dishes,
       (SELECT array_agg(id ORDER BY text_score DESC, id) FROM named) AS name_ids,
       (SELECT array_agg(text_score ORDER BY text_score DESC, id) FROM named) AS name_scores
"""
)


# Not one class with the tiles' LayerCache, whose layers each carry the versions of their own
# tables and are checked against versions read before the cache: here the hot path reads the
# cache knowing no version, and the statement that answers reads the catalogue's (`search`
# throws away an answer built on an older one). Reading it first would cost a round trip,
# ~0.2 ms of a request at ~600 req/s; per-entry versions would only keep dead answers around.
class QueryCache:
    """The last `size` answers that depend only on a key (a query string) and on the names in
    the catalogue, all for one version of the catalogue: a new version forgets them all."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.catalogue: int | None = None
        self.hits = self.misses = 0  # /metrics (tourism.observability)

    def get(self, key: Hashable) -> Any | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, value: Any, *, catalogue: int) -> None:
        if catalogue != self.catalogue:
            self.clear(catalogue)
        self._entries[key] = value
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self, catalogue: int | None = None) -> None:
        self._entries.clear()
        self.catalogue = catalogue


async def understand(pool: asyncpg.Pool, q: str, cache: QueryCache | None) -> Understood:
    found = cache.get(q) if cache is not None else None
    if found is not None:
        return found
    (row,) = await UNDERSTAND.fetch(pool, {"q": q})
    understood = Understood(
        dish_ids=tuple(row["dish_ids"] or ()),
        dish_scores=tuple(row["dish_scores"] or ()),
        dishes={d[0]: (d[1], d[2], d[3]) for d in orjson.loads(row["dishes"] or "[]")},
        name_ids=tuple(row["name_ids"] or ()),
        name_scores=tuple(row["name_scores"] or ()),
        catalogue=row["catalogue"],
    )
    if cache is not None:
        cache.put(q, understood, catalogue=understood.catalogue)
    return understood


# -- finding eateries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What changes the SQL text (values are always bound)."""

    dishes: bool
    by_name: bool
    located: bool
    radius: bool
    open_now: bool
    max_price: bool
    min_rating: bool
    sort: Sort
    after: bool


def _candidate_order(shape: Shape) -> str:
    if shape.located and shape.sort != "price":
        # Planar KNN picks the candidates (twice as fast as on geography); the true distance
        # ranks them.
        return "m.location <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)"
    if shape.sort == "price":
        return "m.price_vnd, m.eatery_id"
    return "m.eatery_score DESC, m.eatery_id"


def _sort_key(shape: Shape) -> str:
    """Ascending key of the final order; ties broken by eatery id."""
    return {
        "relevance": "-score",
        "distance": "distance_m",
        "price": "coalesce(min_price, 1e12)",
        "rating": "-eatery_score",
    }[shape.sort]


def _open_now(eatery_id: str) -> str:
    """Open at :now, for the eatery whose id is the SQL `eatery_id`: its first interval not yet
    ended has begun (intervals do not overlap: tourism.hours.open_intervals merges them). One
    index tuple of ix_eatery_open_intervals_next per candidate, where `open_at`'s EXISTS reads
    every later interval of an eatery that is closed (docs/benchmarks.md, "Search with
    open_now")."""
    return (
        "(SELECT i.opens_at <= :now FROM eatery_open_intervals AS i "
        f"WHERE i.eatery_id = {eatery_id} AND i.closes_at > :now ORDER BY i.closes_at LIMIT 1)"
    )


def _offers(shape: Shape) -> str:
    """Per matched dish, its best candidate offers."""
    filters = ["m.dish_id = dm.dish_id", "m.is_available", "m.eatery_active"]
    if shape.radius:
        filters.append(f"ST_DWithin(m.location::geography, {HERE}, :radius_m, false)")
    if shape.open_now:
        filters.append(_open_now("m.eatery_id"))
    if shape.max_price:
        filters.append("m.price_vnd <= :max_price_vnd")
    if shape.min_rating:
        filters.append(
            "EXISTS (SELECT 1 FROM eateries AS r WHERE r.id = m.eatery_id "
            "AND r.rating_avg >= :min_rating)"
        )
    return f"""
    SELECT c.eatery_id, dm.dish_id, dm.text_score, c.price_vnd, c.location, c.eatery_score
    FROM unnest(CAST(:dish_ids AS int[]), CAST(:dish_scores AS float8[]))
         AS dm(dish_id, text_score)
    CROSS JOIN LATERAL (
        SELECT m.eatery_id, m.price_vnd, m.location, m.eatery_score
        FROM menu_items AS m
        WHERE {" AND ".join(filters)}
        ORDER BY {_candidate_order(shape)}
        LIMIT {PER_DISH}
    ) AS c"""


def _named(shape: Shape) -> str:
    """The eateries matched by their own name, as they are now."""
    filters = ["e.status = 'active'"]
    if shape.radius:
        filters.append(f"ST_DWithin(e.location::geography, {HERE}, :radius_m, false)")
    if shape.open_now:
        filters.append(_open_now("e.id"))
    if shape.min_rating:
        filters.append("e.rating_avg >= :min_rating")
    return f"""
    SELECT e.id AS eatery_id, NULL::int AS dish_id, n.text_score, NULL::int AS price_vnd,
           e.location, foodtour_rating_score(e.rating_avg, e.rating_count) AS eatery_score
    FROM unnest(CAST(:name_ids AS bigint[]), CAST(:name_scores AS float8[]))
         AS n(eatery_id, text_score)
    JOIN eateries AS e ON e.id = n.eatery_id
    WHERE {" AND ".join(filters)}"""


@lru_cache(maxsize=512)
def search_statement(shape: Shape) -> Positional:
    sources = []
    if shape.dishes:
        sources.append(f"SELECT * FROM ({_offers(shape)}) AS offers")
    if shape.by_name:
        sources.append(f"SELECT * FROM ({_named(shape)}) AS named")
    if not sources:  # nothing can match, but the catalogue's version is still read
        sources.append(
            "SELECT NULL::int AS eatery_id, NULL::int AS dish_id, NULL::float8 AS text_score, "
            "NULL::int AS price_vnd, NULL::geometry AS location, NULL::float8 AS eatery_score "
            "WHERE false"
        )
    distance = f"ST_Distance(location::geography, {HERE}, false)" if shape.located else "NULL"
    proximity = f"{W_PROXIMITY} / (1 + {distance} / 1000)" if shape.located else "0"
    after = "(CAST(:after_key AS float8), :after_id)"
    keyset = (
        f"WHERE (CAST({_sort_key(shape)} AS float8), eatery_id) > {after}" if shape.after else ""
    )
    sql = f"""
WITH hits AS (
    SELECT eatery_id,
           max(text_score) AS text_score,
           array_agg(dish_id ORDER BY text_score DESC, dish_id)
               FILTER (WHERE dish_id IS NOT NULL) AS dish_ids,
           array_agg(price_vnd ORDER BY text_score DESC, dish_id)
               FILTER (WHERE dish_id IS NOT NULL) AS prices,
           min(price_vnd) AS min_price,
           (array_agg(location))[1] AS location,
           max(eatery_score) AS eatery_score
    FROM ({" UNION ALL ".join(sources)}) AS u
    GROUP BY eatery_id
),
scored AS (
    SELECT hits.*, {distance} AS distance_m,
           text_score + {W_RATING} * (eatery_score - 3) / 2 + {proximity} AS score
    FROM hits
),
page AS (
    SELECT scored.*, CAST({_sort_key(shape)} AS float8) AS sort_key
    FROM scored
    {keyset}
    ORDER BY sort_key, eatery_id
    LIMIT :limit
)
SELECT v.catalogue, v.total, v.capped, r.* FROM (
    SELECT {CATALOGUE} AS catalogue,
           (SELECT count(*) FROM hits) AS total,
           -- a dish whose candidates reached PER_DISH may have more eateries than counted
           (SELECT coalesce(max(n), 0) >= {PER_DISH} FROM (
                SELECT count(*) AS n FROM hits, unnest(hits.dish_ids) AS d GROUP BY d
           ) AS per_dish) AS capped
) AS v
LEFT JOIN LATERAL (
    SELECT e.id, {PUBLIC_JSON.format(e="e")} AS eatery,
           page.distance_m, page.score, page.sort_key, page.dish_ids, page.prices
    FROM page JOIN eateries AS e ON e.id = page.eatery_id
) AS r ON true
ORDER BY r.sort_key, r.id
"""
    return Positional.of(sql)


# -- cursors ------------------------------------------------------------------------------------


def _fingerprint(params: dict[str, Any]) -> str:
    blob = orjson.dumps({k: params[k] for k in sorted(params)})
    return hashlib.sha256(blob).hexdigest()[:16]


# A cursor is signed like every list's (tourism.paging: `sign`, `verified`), in a context of its
# own: the payload is the last hit's sort key and eatery id, the first page's instant and the
# query's fingerprint, so that a client can hand back only what it was given. Its key is not
# tourism.paging's (one sort key per `sort`, a float and an id, and the first page's instant
# that `open_now` keeps for every page). The instant is bounded all the same: paging stays
# within a day of the first page.
CURSOR_CONTEXT = b"foodtour search cursor\x00"  # the secret signs other things too
CURSOR_LIFETIME = timedelta(days=1)
CLOCK_SKEW = timedelta(minutes=1)
OTHER_QUERY = say(
    "the cursor belongs to another query", "con trỏ trang thuộc về một lượt tìm kiếm khác"
)
EXPIRED = say("the cursor has expired; search again", "con trỏ trang đã hết hạn; hãy tìm kiếm lại")


def encode_cursor(
    *, key: float, eatery_id: int, at: datetime, fingerprint: str, secret: bytes
) -> str:
    payload = orjson.dumps({"k": key, "i": eatery_id, "t": at.isoformat(), "h": fingerprint})
    return sign(payload, secret=secret, context=CURSOR_CONTEXT)


def decode_cursor(
    cursor: str,
    *,
    fingerprint: str,
    secret: bytes,
    now: datetime,
    previous_secrets: Sequence[bytes] = (),
) -> tuple[float, int, datetime]:
    """(key, eatery id, instant of the first page), or InvalidInput naming `cursor`.

    Signed with `secret` or, during a key rotation, one of `previous_secrets`.
    """
    payload = verified(cursor, secrets=(secret, *previous_secrets), context=CURSOR_CONTEXT)
    try:
        data = orjson.loads(payload)
        key, eatery_id, at = data["k"], data["i"], datetime.fromisoformat(data["t"])
        same_query = data["h"] == fingerprint
    except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
        raise InvalidInput("cursor", NOT_A_CURSOR) from exc
    # Signed by us, so these hold; checked anyway, as a leaked secret must not mean a 500.
    if not (
        type(key) in (int, float)
        and math.isfinite(key)
        and type(eatery_id) is int
        and 0 < eatery_id <= MAX_ID
        and at.tzinfo is not None
    ):
        raise InvalidInput("cursor", NOT_A_CURSOR)
    if not same_query:
        raise InvalidInput("cursor", OTHER_QUERY)
    if not now - CURSOR_LIFETIME <= at <= now + CLOCK_SKEW:
        raise InvalidInput("cursor", EXPIRED)
    return float(key), eatery_id, at


# -- the search -----------------------------------------------------------------------------

TOGETHER = say("give lat and lon together", "hãy cho cả lat và lon")
DISTANCE_NEEDS_A_PLACE = say("sort=distance needs lat and lon", "sort=distance cần có lat và lon")
RADIUS_NEEDS_A_PLACE = say("radius_m needs lat and lon", "radius_m cần có lat và lon")


async def search(
    pool: asyncpg.Pool,
    *,
    q: str,
    now: datetime,
    limit: int,
    cursor_secret: bytes,
    previous_cursor_secrets: Sequence[bytes] = (),
    lat: float | None = None,
    lon: float | None = None,
    radius_m: int | None = None,
    open_now: bool = False,
    max_price_vnd: int | None = None,
    min_rating: float | None = None,
    sort: Sort = "relevance",
    cursor: str | None = None,
    cache: QueryCache | None = None,
) -> dict[str, Any]:
    located = lat is not None and lon is not None
    if (lat is None) != (lon is None):
        raise InvalidInput("lon" if lon is None else "lat", TOGETHER)
    if sort == "distance" and not located:
        raise InvalidInput("sort", DISTANCE_NEEDS_A_PLACE)
    if radius_m is not None and not located:
        raise InvalidInput("radius_m", RADIUS_NEEDS_A_PLACE)
    query = {
        "q": q,
        "lat": lat,
        "lon": lon,
        "radius_m": radius_m,
        "open_now": open_now,
        "max_price_vnd": max_price_vnd,
        "min_rating": min_rating,
        "sort": sort,
    }
    fingerprint = _fingerprint(query)
    params: dict[str, Any] = {"limit": limit + 1, "now": now, "lang": current_language()}
    if cursor is not None:
        after_key, after_id, now = decode_cursor(
            cursor,
            fingerprint=fingerprint,
            secret=cursor_secret,
            now=now,
            previous_secrets=previous_cursor_secrets,
        )
        params.update(after_key=after_key, after_id=after_id, now=now)
    for name in ("lat", "lon", "radius_m", "max_price_vnd", "min_rating"):
        if query[name] is not None:
            params[name] = query[name]
    for _ in range(2):
        understood = await understand(pool, q, cache)
        shape = Shape(
            dishes=bool(understood.dish_ids),
            # a name match has no dish price to compare with max_price_vnd
            by_name=bool(understood.name_ids) and max_price_vnd is None,
            located=located,
            radius=radius_m is not None,
            open_now=open_now,
            max_price=max_price_vnd is not None,
            min_rating=min_rating is not None,
            sort=sort,
            after=cursor is not None,
        )
        params.update(
            dish_ids=list(understood.dish_ids),
            dish_scores=list(understood.dish_scores),
            name_ids=list(understood.name_ids),
            name_scores=list(understood.name_scores),
        )
        rows = await search_statement(shape).fetch(pool, params)
        if rows[0]["catalogue"] == understood.catalogue or cache is None:
            break
        cache.clear(rows[0]["catalogue"])  # the dishes changed since the text was understood
    summary = rows[0]  # every row carries the catalogue and the totals, even with no hit
    rows = [r for r in rows if r["id"] is not None]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor(
            key=rows[-1]["sort_key"],
            eatery_id=rows[-1]["id"],
            at=now,
            fingerprint=fingerprint,
            secret=cursor_secret,
        )
        if more
        else None
    )
    language = current_language()
    items = [_hit(r, understood.dishes, language) for r in rows]
    return {
        "items": items,
        "count": len(rows),
        "next_cursor": next_cursor,
        "total": summary["total"],
        "total_exact": not summary["capped"],
    }


def _hit(
    row: asyncpg.Record, dishes: dict[int, tuple[str, str, str]], language: Language
) -> dict[str, Any]:
    """One hit; the matched dishes' names come from what the query was understood as (the
    statement confirmed that catalogue version), only their prices from the row."""
    matched = []
    for dish_id, price in zip(row["dish_ids"] or (), row["prices"] or (), strict=True):
        slug, name_vi, name_en = dishes[dish_id]
        matched.append(
            {
                "slug": slug,
                "name_vi": name_vi,
                "name_en": name_en,
                "name": name_in(name_vi, name_en, language),
                "price_vnd": price,
            }
        )
    return {
        "eatery": orjson.Fragment(row["eatery"]),
        "dishes": matched,
        "distance_m": round(row["distance_m"], 1) if row["distance_m"] is not None else None,
        "score": round(row["score"], 4),
    }


# -- suggestions as you type ----------------------------------------------------------------------

SUGGEST_DISHES = Positional.of(
    f"""
SELECT d.slug, d.name_vi, d.name_en,
       max({NAME_SCORE.format(folded="dn.folded", name="dn.name", q=QF, raw=QRAW)}) AS score
FROM dish_names AS dn JOIN dishes AS d ON d.id = dn.dish_id
WHERE dn.folded LIKE {QF} || '%' OR dn.folded LIKE '% ' || {QF} || '%' OR {QF} <% dn.folded
GROUP BY d.id
ORDER BY score DESC, d.slug
LIMIT :limit
"""
)


def _suggest_eateries(typing_a_word: bool) -> Positional:
    """Eateries for completions, best first.

    Whole-name prefixes walk a "C"-collated B-tree (works from the second letter). Word matches
    inside names use the trigram GiST, which needs three letters to say anything; so when the
    text ends in a word of one letter ("bun c"), the words before it (:words) walk the index
    and the whole text must appear in the name (otherwise the walk over every "bun ..." name
    costs ~900 index pages).
    """
    words = "foodtour_fold(CAST(:words AS text))" if typing_a_word else QF
    inside = f"AND e.name_folded LIKE '%' || {QF} || '%'" if typing_a_word else ""
    return Positional.of(
        f"""
SELECT id, slug, name_vi, name_en, score FROM (
    (SELECT e.id, e.slug, e.name_vi, e.name_en,
            {NAME_SCORE.format(folded="e.name_folded", name="e.name_vi", q=QF, raw=QRAW)} AS score
     FROM eateries AS e
     WHERE e.status = 'active'
       AND (e.name_folded COLLATE "C") >= {QF}
       AND (e.name_folded COLLATE "C") < {QF} || chr(1114111)
     ORDER BY (e.name_folded COLLATE "C")
     LIMIT :limit)
    UNION
    (SELECT e.id, e.slug, e.name_vi, e.name_en,
            {NAME_SCORE.format(folded="e.name_folded", name="e.name_vi", q=QF, raw=QRAW)} AS score
     FROM eateries AS e
     WHERE e.status = 'active' AND length({words}) >= 3 AND {words} <% e.name_folded {inside}
     ORDER BY {words} <<-> e.name_folded
     LIMIT :limit)
) AS s
ORDER BY score DESC, id
LIMIT :limit
"""
    )


SUGGEST_EATERIES = _suggest_eateries(typing_a_word=False)
SUGGEST_EATERIES_TYPING = _suggest_eateries(typing_a_word=True)


CATALOGUE_VERSION = Positional.of(f"SELECT {CATALOGUE} AS version")


async def suggest(
    pool: asyncpg.Pool, *, q: str, limit: int, cache: QueryCache | None = None
) -> list[dict[str, Any]]:
    """Completions: matching dishes first, then eateries, `limit` in all.

    They depend only on the text and the catalogue's names, so with a `cache` they are
    remembered per (text, limit) for the catalogue version read first: everyone types the same
    first letters. A change between that read and the statements stores newer completions under
    the older version, which the next request drops.
    """
    if cache is not None:
        ((catalogue,),) = await CATALOGUE_VERSION.fetch(pool, {})
        if catalogue != cache.catalogue:
            cache.clear(catalogue)
        found = cache.get((q, limit))
        if found is not None:
            return _named_in(found, current_language())
    dishes = await SUGGEST_DISHES.fetch(pool, {"q": q, "limit": limit})
    items = [{"kind": "dish", **_names(d), "id": None} for d in dishes]
    if len(items) < limit:
        params = {"q": q, "limit": limit - len(items)}
        words = q.split()  # Unicode whitespace too: "\u00a0\u00a0" is printable, no words
        if len(words) > 1 and len(words[-1]) == 1:
            statement = SUGGEST_EATERIES_TYPING
            params["words"] = " ".join(words[:-1])
        else:
            statement = SUGGEST_EATERIES
        eateries = await statement.fetch(pool, params)
        items += [{"kind": "eatery", **_names(e), "id": e["id"]} for e in eateries]
    if cache is not None:
        cache.put((q, limit), items, catalogue=catalogue)
    return _named_in(items, current_language())


def _named_in(items: list[dict[str, Any]], language: Language) -> list[dict[str, Any]]:
    """Completions with `name` in `language` (the cache keeps them for both)."""
    return [{**item, "name": name_in(item["name_vi"], item["name_en"], language)} for item in items]


def _names(row: asyncpg.Record) -> dict[str, Any]:
    return {"slug": row["slug"], "name_vi": row["name_vi"], "name_en": row["name_en"]}
