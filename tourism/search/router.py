from typing import Annotated

from fastapi import APIRouter, Query, Response

from tourism.dependencies import (
    PRINTABLE,
    LatQuery,
    LonQuery,
    NowDep,
    RadiusQuery,
    SettingsDep,
)
from tourism.responses import model_json
from tourism.search import service
from tourism.search.dependencies import QueryCacheDep, SearchPoolDep, SuggestCacheDep
from tourism.search.schemas import SearchResults, Suggestions

router = APIRouter(prefix="/search", tags=["search"])

MAX_QUERY = 100


@router.get("", response_model=SearchResults, summary="Eateries serving the dish you typed")
async def search(
    pool: SearchPoolDep,
    cache: QueryCacheDep,
    settings: SettingsDep,
    now: NowDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY, pattern=PRINTABLE)],
    lat: LatQuery | None = None,
    lon: LonQuery | None = None,
    radius_m: RadiusQuery | None = None,
    open_now: bool = False,
    max_price_vnd: Annotated[int | None, Query(gt=0, le=100_000_000)] = None,
    min_rating: Annotated[float | None, Query(ge=1, le=5)] = None,
    sort: service.Sort = "relevance",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> Response:
    results = await service.search(
        pool,
        q=q,
        now=now,
        limit=limit,
        cursor_secret=settings.secret_key.get_secret_value().encode(),
        previous_cursor_secrets=[key.encode() for key in settings.verification_keys[1:]],
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        open_now=open_now,
        max_price_vnd=max_price_vnd,
        min_rating=min_rating,
        sort=sort,
        cursor=cursor,
        cache=cache,
    )
    return model_json(results)


@router.get("/suggest", response_model=Suggestions, summary="Completions as you type")
async def suggest(
    pool: SearchPoolDep,
    cache: SuggestCacheDep,
    q: Annotated[str, Query(min_length=2, max_length=MAX_QUERY, pattern=PRINTABLE)],
    limit: Annotated[int, Query(ge=1, le=10)] = 8,
) -> Response:
    return model_json({"items": await service.suggest(pool, q=q, limit=limit, cache=cache)})
