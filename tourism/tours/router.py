from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from tourism.dependencies import NowDep, ReadSessionDep, SettingsDep
from tourism.tours import service
from tourism.tours.schemas import MAX_DISHES, Mode, TourPlan, TourRequest

router = APIRouter(tags=["tours"])

SUMMARY = "Plan a food tour: which eatery for each dish, in which order, on foot or by bike"
DESCRIPTION = """\
Every stop is open from arrival until it is left; bike legs use only stations renting with a
bike now and returning with a free dock. `optimal` says whether the search proved the tour best
(README, "The tour planner": the objective, the candidates, the travel model). A dish the tour
cannot include is in `uncovered` with the reason. `GET` takes the same fields as query
parameters, so a plan is a link."""


async def _plan(
    request: TourRequest,
    session: ReadSessionDep,
    settings: SettingsDep,
    now: datetime,
    response: Response,
) -> dict[str, Any]:
    answer = await service.plan(
        session,
        request=request,
        now=now,
        candidates_per_dish=settings.tour_candidates,
        solve_ms=settings.tour_solve_ms,
        fare=(settings.bike_fare_first_30_min_vnd, settings.bike_fare_next_30_min_vnd),
    )
    timing = answer.pop("timing")
    response.headers["Server-Timing"] = ", ".join(
        f"{name};dur={ms:.1f}" for name, ms in timing.items()
    )
    return answer


@router.post("/tours/plan", response_model=TourPlan, summary=SUMMARY, description=DESCRIPTION)
async def plan_tour(
    body: TourRequest,
    session: ReadSessionDep,
    settings: SettingsDep,
    now: NowDep,
    response: Response,
) -> dict[str, Any]:
    return await _plan(body, session, settings, now, response)


def _listed(value: str | None) -> list[str] | None:
    return None if value is None else [item.strip() for item in value.split(",")]


@router.get(
    "/tours/plan",
    response_model=TourPlan,
    summary=SUMMARY + " (as a link)",
    description=DESCRIPTION,
)
async def plan_tour_link(
    response: Response,
    session: ReadSessionDep,
    settings: SettingsDep,
    now: NowDep,
    lat: Annotated[
        float | None,
        Query(ge=-90, le=90, description="Start latitude (WGS84), with `lon`", examples=[20.8561]),
    ] = None,
    lon: Annotated[
        float | None,
        Query(
            ge=-180, le=180, description="Start longitude (WGS84), with `lat`", examples=[106.6822]
        ),
    ] = None,
    station_id: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Instead of lat/lon: start at this bike station",
            examples=["hp-001"],
        ),
    ] = None,
    start_at: Annotated[
        datetime | None,
        Query(
            description="When the tour starts (RFC 3339; default now, at most 7 days ahead)",
            examples=["2026-12-02T16:00:00+07:00"],
        ),
    ] = None,
    minutes: Annotated[
        int, Query(description="How long the tour may take, 30 to 720", examples=[180])
    ] = 180,
    dishes: Annotated[
        str | None,
        Query(
            max_length=1000,
            description=f"Up to {MAX_DISHES} dish slugs, comma-separated (or `surprise`)",
            examples=["banh-da-cua,nem-cua-be,che-thap-cam"],
        ),
    ] = None,
    surprise: Annotated[
        int | None,
        Query(description=f"Instead of `dishes`: 1 to {MAX_DISHES} popular dishes", examples=[3]),
    ] = None,
    mode: Annotated[
        Mode,
        Query(
            description="`walk`, `bike` (public bikes) or `auto` (bike a leg when it saves time)",
            examples=["walk"],
        ),
    ] = "walk",
    eat_minutes: Annotated[
        int, Query(description="Minutes per dish eaten, 5 to 120", examples=[25])
    ] = 25,
    max_total_vnd: Annotated[
        int | None, Query(description="Budget for the food, VND", examples=[200000])
    ] = None,
    avoid_dishes: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="Dish slugs never chosen, comma-separated",
            examples=["bun-ca"],
        ),
    ] = None,
    end_lat: Annotated[
        float | None,
        Query(
            ge=-90,
            le=90,
            description="Be at this latitude when the time is up, with `end_lon`",
            examples=[20.8449],
        ),
    ] = None,
    end_lon: Annotated[
        float | None,
        Query(
            ge=-180,
            le=180,
            description="Be at this longitude when the time is up, with `end_lat`",
            examples=[106.6881],
        ),
    ] = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "start": {
            k: v
            for k, v in (("lat", lat), ("lon", lon), ("station_id", station_id))
            if v is not None
        },
        "minutes": minutes,
        "mode": mode,
        "eat_minutes": eat_minutes,
    }
    optional = {
        "start_at": start_at,
        "dishes": _listed(dishes),
        "surprise": surprise,
        "max_total_vnd": max_total_vnd,
        "avoid_dishes": _listed(avoid_dishes),
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    if end_lat is not None or end_lon is not None:
        fields["end"] = {"lat": end_lat, "lon": end_lon}
    try:
        request = TourRequest.model_validate(fields)
    except ValidationError as exc:
        # the same 422 as the body's, each error located at the parameter it came from
        raise RequestValidationError(
            [{**e, "loc": ("query", *_query_loc(e["loc"]))} for e in exc.errors()]
        ) from exc
    return await _plan(request, session, settings, now, response)


def _query_loc(loc: tuple) -> tuple:
    """start.lat -> lat, end.lon -> end_lon: the parameter's own name."""
    if loc[:1] == ("start",):
        return loc[1:] or ("lat",)
    if loc[:1] == ("end",):
        return (f"end_{loc[1]}",) if len(loc) > 1 else ("end_lat",)
    return loc
