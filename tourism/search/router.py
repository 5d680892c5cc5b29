from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tourism.dependencies import MAX_RADIUS_M, PRINTABLE, NowDep
from tourism.paging import DEFAULT_LIMIT, MAX_CURSOR, MAX_LIMIT, Paging, secrets_of
from tourism.responses import model_json
from tourism.search import service
from tourism.search.dependencies import QueryCacheDep, SearchPoolDep, SuggestCacheDep
from tourism.search.schemas import SearchResults, Suggestions

router = APIRouter(prefix="/search", tags=["search"])

MAX_QUERY = 100
MAX_SUGGESTIONS = 10

SEARCH_DESCRIPTION = """\
For tourists and the map page: the eateries serving the dishes that `q` names (typed with or
without diacritics, or an eatery's own name), each with the matched dishes and their prices.
Ordered by `sort`, ties by eatery id: `relevance` (README, "Search ranking"), `distance` (needs
`lat`/`lon`), `price` (cheapest matched dish) or `rating`. `open_now` keeps the eateries open
at the instant of the first page (Hai Phong time, from their opening hours; unknown hours are
left out), and every later page of the same search keeps that instant.

Paged by `cursor`: pass the previous page's `next_cursor` (also in the `Link: <...>;
rel="next"` header) with the same filters; a cursor lives a day. `total` counts every match on
every page (`total_exact: false` when it is a lower bound). Dish and eatery names come in both
languages plus `name` in the request's language."""

SUGGEST_DESCRIPTION = """\
Completions for a search box while the tourist types: matching dishes first, then eateries by
name, at most `limit` in all, best first. Not paged: it answers the best few, never a next page.
Answers are remembered per text until the catalogue's names change."""


@router.get(
    "",
    response_model=SearchResults,
    summary="Eateries serving the dish you typed",
    description=SEARCH_DESCRIPTION,
)
async def search(
    request: Request,
    pool: SearchPoolDep,
    cache: QueryCacheDep,
    now: NowDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY,
            pattern=PRINTABLE,
            description="A dish (or an eatery's name), with or without diacritics",
            examples=["banh da cua"],
        ),
    ],
    lat: Annotated[
        float | None,
        Query(
            ge=-90,
            le=90,
            description="WGS84 latitude of the tourist, with `lon`: distances and proximity",
            examples=[20.8561],
        ),
    ] = None,
    lon: Annotated[
        float | None,
        Query(ge=-180, le=180, description="WGS84 longitude, with `lat`", examples=[106.6822]),
    ] = None,
    radius_m: Annotated[
        int | None,
        Query(
            gt=0,
            le=MAX_RADIUS_M,
            description=f"Only eateries within this many metres of lat/lon (at most "
            f"{MAX_RADIUS_M})",
            examples=[1500],
        ),
    ] = None,
    open_now: Annotated[
        bool,
        Query(
            description="Only eateries open at the first page's instant (by their opening "
            "hours, Hai Phong time)",
            examples=[True],
        ),
    ] = False,
    max_price_vnd: Annotated[
        int | None,
        Query(
            gt=0,
            le=100_000_000,
            description="Only matched dishes at most this price (VND); eateries matched by "
            "name alone are left out",
            examples=[50000],
        ),
    ] = None,
    min_rating: Annotated[
        float | None,
        Query(ge=1, le=5, description="Only eateries rated at least this (stars)", examples=[4]),
    ] = None,
    sort: Annotated[
        service.Sort,
        Query(
            description="`relevance`, `distance` (needs lat/lon), `price` or `rating`",
            examples=["relevance"],
        ),
    ] = "relevance",
    limit: Annotated[
        int,
        Query(ge=1, le=MAX_LIMIT, description=f"Hits per page, 1 to {MAX_LIMIT}", examples=[20]),
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR,
            description="The previous page's `next_cursor`, for the page after it; omit it for "
            "the first page. Opaque, valid for a day, and only with the same filters.",
            examples=["eyJrIjotMS43MzIxLCJpIjoxMiwidCI6IjIwMjYtMTItMDEifQ.gk2XWz1bq3Yd8r0QmVZ7aA"],
        ),
    ] = None,
) -> Response:
    secrets = secrets_of(request)
    results = await service.search(
        pool,
        q=q,
        now=now,
        limit=limit,
        cursor_secret=secrets[0],
        previous_cursor_secrets=secrets[1:],
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
    # The search keeps its own cursor (tourism.search.service); the Link header is every list's.
    answer = model_json(results)
    answer.headers.update(Paging(request, limit, None, 0, "").headers(results["next_cursor"]))
    return answer


@router.get(
    "/suggest",
    response_model=Suggestions,
    summary="Completions as you type",
    description=SUGGEST_DESCRIPTION,
)
async def suggest(
    pool: SearchPoolDep,
    cache: SuggestCacheDep,
    q: Annotated[
        str,
        Query(
            min_length=2,
            max_length=MAX_QUERY,
            pattern=PRINTABLE,
            description="What has been typed so far, at least 2 characters",
            examples=["banh d"],
        ),
    ],
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_SUGGESTIONS,
            description=f"At most this many completions, 1 to {MAX_SUGGESTIONS}",
            examples=[8],
        ),
    ] = 8,
) -> Response:
    return model_json({"items": await service.suggest(pool, q=q, limit=limit, cache=cache)})
