"""The food-tour planner: candidates from PostGIS, minutes between them on foot and by public
bike, the search (`tourism.tours.solver`), and the answer.

Travel, as OpenTripPlanner's defaults have it: walking 4.5 km/h, riding 12 km/h, a minute to
take a bike and half a minute to dock it. Without a street network the distance is the straight
line times a detour factor (walking 1.3, riding 1.35), `distance_source: "estimate"`; with one
(`foodtour import streets`), the shortest path on it, `"streets"`.

Modes: `walk` walks every leg; `bike` rides a leg when walking it would be over a kilometre
and a ride is possible (a renting station with a bike near the leg's start, a returning one
with a free dock near its end); `auto` rides a leg only when that is faster.
"""

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.eateries.card import PUBLIC_JSON
from tourism.exceptions import InvalidInput
from tourism.hours import TZ
from tourism.languages import current_language, name_in, say
from tourism.tours import streets
from tourism.tours.schemas import TourRequest
from tourism.tours.solver import Candidate, Problem, Tour, solve

WALK_KMH = 4.5
BIKE_KMH = 12.0
WALK_DETOUR = 1.3
BIKE_DETOUR = 1.35
TAKE_BIKE_MINUTES = 1.0
DOCK_BIKE_MINUTES = 0.5
RIDE_WHEN_WALK_OVER_M = 1000  # mode "bike"
STATIONS_PER_END = 3  # pick-up and drop-off stations weighed at each end of a leg
MAX_START_M = 50_000
NEAREST_PER_CANDIDATE = 4  # the nearest 4K open eateries serving a dish; the best-rated K
MAX_AHEAD = timedelta(days=7)
MAX_BEHIND = timedelta(hours=12)


def walk_minutes(metres: float) -> float:
    return metres / (WALK_KMH * 1000 / 60)


def ride_minutes(metres: float) -> float:
    return metres / (BIKE_KMH * 1000 / 60)


# -- what was asked -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dish:
    id: int
    slug: str
    name_vi: str
    name_en: str


DISHES = text("SELECT id, slug, name_vi, name_en FROM dishes WHERE slug = ANY(:slugs)")

# The most served dishes first, one per category (a surprise tour tastes different things).
POPULAR = text("""
SELECT d.id, d.slug, d.name_vi, d.name_en, d.category
  FROM dishes AS d
  JOIN LATERAL (SELECT count(*) AS n FROM menu_items AS m
                 WHERE m.dish_id = d.id AND m.is_available AND m.eatery_active) AS c ON true
 WHERE c.n > 0 AND NOT d.slug = ANY(:avoid)
 ORDER BY c.n DESC, d.slug
""")


DISHES_OR_SURPRISE = say(
    "give either dishes or surprise", "hãy cho hoặc dishes hoặc surprise, không cả hai"
)
LISTED_TWICE = say("a dish is listed twice", "một món ăn được liệt kê hai lần")
NO_EATERY_NEAR = say(
    "no eatery within 50 km of the start", "không có quán ăn nào trong vòng 50 km từ điểm xuất phát"
)
TOO_FAR_AHEAD = say(
    "a tour starts at most 7 days ahead", "chuyến đi chỉ được bắt đầu trong vòng 7 ngày tới"
)
IN_THE_PAST = say("a tour cannot start in the past", "chuyến đi không thể bắt đầu trong quá khứ")


async def wanted_dishes(session: AsyncSession, request: TourRequest) -> list[Dish]:
    if (request.dishes is None) == (request.surprise is None):
        raise InvalidInput("dishes", DISHES_OR_SURPRISE)
    if request.dishes is not None:
        if len(set(request.dishes)) != len(request.dishes):
            raise InvalidInput("dishes", LISTED_TWICE)
        rows = (await session.execute(DISHES, {"slugs": request.dishes})).all()
        found = {r.slug: Dish(r.id, r.slug, r.name_vi, r.name_en) for r in rows}
        if unknown := [s for s in request.dishes if s not in found]:
            listed = ", ".join(unknown)
            raise InvalidInput(
                "dishes", say(f"unknown dish: {listed}", f"không tìm thấy món ăn có mã: {listed}")
            )
        return [found[s] for s in request.dishes]
    chosen: list[Dish] = []
    categories: set[str] = set()
    for r in await session.execute(POPULAR, {"avoid": request.avoid_dishes}):
        if r.category not in categories:
            categories.add(r.category)
            chosen.append(Dish(r.id, r.slug, r.name_vi, r.name_en))
            if len(chosen) == request.surprise:
                break
    return chosen


@dataclass(frozen=True)
class Origin:
    lat: float
    lon: float
    station_id: str | None = None
    name: str | None = None


STATION = text("""
SELECT station_id, name_vi, name_en, ST_Y(location) AS lat, ST_X(location) AS lon
  FROM bike_stations WHERE station_id = :station_id AND is_installed
""")
NEAREST_EATERY = text("""
SELECT ST_Distance(e.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)
  FROM eateries AS e WHERE e.status = 'active'
 ORDER BY e.location <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 1
""")


async def origin(session: AsyncSession, request: TourRequest) -> Origin:
    start = request.start
    if start.station_id is not None:
        row = (await session.execute(STATION, {"station_id": start.station_id})).first()
        if row is None:
            raise InvalidInput(
                "start.station_id",
                say(
                    f"no bike station {start.station_id!r}",
                    f"không có trạm xe đạp {start.station_id!r}",
                ),
            )
        place = Origin(row.lat, row.lon, row.station_id, name_in(row.name_vi, row.name_en))
    else:
        place = Origin(start.lat, start.lon)
    nearest = (await session.execute(NEAREST_EATERY, {"lat": place.lat, "lon": place.lon})).scalar()
    if nearest is None or nearest > MAX_START_M:
        raise InvalidInput("start", NO_EATERY_NEAR)
    return place


def window(request: TourRequest, now: datetime) -> tuple[datetime, datetime]:
    start_at = request.start_at or now
    if start_at.tzinfo is None:
        start_at = start_at.replace(tzinfo=TZ)
    if start_at > now + MAX_AHEAD:
        raise InvalidInput("start_at", TOO_FAR_AHEAD)
    if start_at < now - MAX_BEHIND:
        raise InvalidInput("start_at", IN_THE_PAST)
    return start_at, start_at + timedelta(minutes=request.minutes)


# -- candidates ---------------------------------------------------------------------------------

# Per dish, the nearest eateries serving it within reach that have an opening long enough for
# a meal inside the window (walked in distance order on the GiST index of menu_items (dish_id,
# location)), `:pool` of them; of those, the best-rated `:k` (then the nearer).
CANDIDATES = text("""
SELECT d.dish_id, c.eatery_id
  FROM unnest(CAST(:dish_ids AS int[])) AS d(dish_id)
  CROSS JOIN LATERAL (
      SELECT near.eatery_id FROM (
          SELECT m.eatery_id, m.eatery_score, m.location,
                 m.location <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS degrees
            FROM menu_items AS m
           WHERE m.dish_id = d.dish_id AND m.is_available AND m.eatery_active
             AND EXISTS (
                 SELECT 1 FROM eatery_open_intervals AS i
                  WHERE i.eatery_id = m.eatery_id AND i.closes_at > :start_at
                    AND i.opens_at < :ends
                    AND least(i.closes_at, :ends) - greatest(i.opens_at, :start_at) >= :meal)
           ORDER BY m.location <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
           LIMIT :pool
      ) AS near
       WHERE ST_DWithin(near.location::geography,
                        ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :reach_m, false)
       ORDER BY near.eatery_score DESC, near.degrees, near.eatery_id
       LIMIT :k
  ) AS c
""")

CANDIDATE_DETAILS = text(f"""
SELECT e.id, {PUBLIC_JSON.format(e="e")} AS card, ST_Y(e.location) AS lat,
       ST_X(e.location) AS lon, foodtour_rating_score(e.rating_avg, e.rating_count) AS score,
       ARRAY(SELECT ARRAY[extract(epoch FROM i.opens_at), extract(epoch FROM i.closes_at)]
               FROM eatery_open_intervals AS i
              WHERE i.eatery_id = e.id AND i.closes_at > :start_at AND i.opens_at < :ends
              ORDER BY i.opens_at) AS intervals,
       ARRAY(SELECT ARRAY[m.dish_id, m.price_vnd] FROM menu_items AS m
              WHERE m.eatery_id = e.id AND m.dish_id = ANY(CAST(:dish_ids AS int[]))
                AND m.is_available
              ORDER BY m.dish_id) AS prices
  FROM eateries AS e
 WHERE e.id = ANY(CAST(:ids AS bigint[]))
 ORDER BY e.id
""")

# Why a dish is not in the tour: nobody serves it, nobody serving it is open in the window, or
# nobody open is within reach (else the time or the budget ran out).
COVERAGE = text("""
SELECT m.dish_id,
       count(*) AS served,
       count(*) FILTER (WHERE o.open) AS open,
       count(*) FILTER (WHERE o.open AND ST_DWithin(
           m.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography,
           :reach_m, false)) AS reachable
  FROM menu_items AS m
  CROSS JOIN LATERAL (SELECT EXISTS (
      SELECT 1 FROM eatery_open_intervals AS i
       WHERE i.eatery_id = m.eatery_id AND i.closes_at > :start_at AND i.opens_at < :ends
         AND least(i.closes_at, :ends) - greatest(i.opens_at, :start_at) >= :meal) AS open) AS o
 WHERE m.dish_id = ANY(CAST(:dish_ids AS int[])) AND m.is_available AND m.eatery_active
 GROUP BY m.dish_id
""")


@dataclass
class Place:
    lat: float
    lon: float


@dataclass
class Eatery(Place):
    id: int
    card: str  # JSON, as PostgreSQL built it
    name: str


@dataclass
class Station(Place):
    station_id: str
    name_vi: str
    name_en: str | None
    bikes: int
    docks: int
    renting: bool
    returning: bool


STATIONS = text("""
SELECT s.station_id, s.name_vi, s.name_en, ST_Y(s.location) AS lat, ST_X(s.location) AS lon,
       st.num_bikes_available AS bikes, st.num_docks_available AS docks,
       st.is_renting AS renting, st.is_returning AS returning
  FROM bike_stations AS s JOIN bike_station_status AS st ON st.station_pk = s.id
 WHERE s.is_installed
   AND ((st.is_renting AND st.num_bikes_available > 0)
        OR (st.is_returning AND st.num_docks_available > 0))
   AND ST_DWithin(s.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography,
                  :reach_m, false)
 ORDER BY s.station_id
""")


def reach_m(request: TourRequest) -> float:
    """How far from the start a stop can be and still be reached in the time given."""
    kmh, detour = (WALK_KMH, WALK_DETOUR) if request.mode == "walk" else (BIKE_KMH, BIKE_DETOUR)
    return kmh * 1000 * request.minutes / 60 / detour


# -- travel -------------------------------------------------------------------------------------


@dataclass
class Ride:
    pick_up: Station
    drop_off: Station
    walk_to_m: float
    ride_m: float
    walk_from_m: float

    @property
    def minutes(self) -> float:
        return (
            walk_minutes(self.walk_to_m)
            + TAKE_BIKE_MINUTES
            + ride_minutes(self.ride_m)
            + DOCK_BIKE_MINUTES
            + walk_minutes(self.walk_from_m)
        )


@dataclass
class Rides:
    """The fastest ride between every two points: `minutes[i, j]` (inf: none), made of the
    pick-up `stations[pick[i, j]]` and drop-off `stations[drop[i, j]]`."""

    minutes: np.ndarray
    pick: np.ndarray
    drop: np.ndarray
    walk_to: np.ndarray  # metres, point -> station in `stations`
    ride: np.ndarray  # metres, station -> station
    stations: list[Station]

    def between(self, i: int, j: int) -> Ride | None:
        if not np.isfinite(self.minutes[i, j]):
            return None
        s, t = int(self.pick[i, j]), int(self.drop[i, j])
        return Ride(
            self.stations[s],
            self.stations[t],
            float(self.walk_to[i, s]),
            float(self.ride[s, t]),
            float(self.walk_to[j, t]),
        )


@dataclass
class Travel:
    """Minutes and the way between every two points (start, candidates, end)."""

    walk_m: np.ndarray
    rides: Rides | None
    mode: str
    source: str

    def ride(self, i: int, j: int) -> Ride | None:
        """The ride this mode takes from i to j, or None to walk."""
        if self.rides is None or self.mode == "walk" or i == j:
            return None
        riding = float(self.rides.minutes[i, j])
        if not math.isfinite(riding):
            return None
        if self.mode == "auto":
            return self.rides.between(i, j) if riding < walk_minutes(self.walk_m[i, j]) else None
        return self.rides.between(i, j) if self.walk_m[i, j] > RIDE_WHEN_WALK_OVER_M else None

    def minutes_matrix(self) -> list[list[float]]:
        walking = self.walk_m / (WALK_KMH * 1000 / 60)
        if self.rides is None or self.mode == "walk":
            return walking.tolist()
        riding = self.rides.minutes
        if self.mode == "auto":
            chosen = np.minimum(walking, riding)
        else:
            chosen = np.where(
                (self.walk_m > RIDE_WHEN_WALK_OVER_M) & np.isfinite(riding), riding, walking
            )
        np.fill_diagonal(chosen, 0.0)
        return chosen.tolist()

    def minutes(self, i: int, j: int) -> float:
        ride = self.ride(i, j)
        return ride.minutes if ride else walk_minutes(float(self.walk_m[i, j]))


EARTH_M = 6_371_008.8


def straight_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle metres between every row of `a` and every row of `b` ((lat, lon) pairs)."""
    lat1, lon1 = np.radians(a[:, 0])[:, None], np.radians(a[:, 1])[:, None]
    lat2, lon2 = np.radians(b[:, 0])[None, :], np.radians(b[:, 1])[None, :]
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def _nearest(distances: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per row, the columns of the STATIONS_PER_END nearest allowed stations (fewer: -1)."""
    masked = np.where(allowed[None, :], distances, np.inf)
    count = min(STATIONS_PER_END, masked.shape[1])
    order = np.argsort(masked, axis=1)[:, :count]
    return np.where(np.isfinite(np.take_along_axis(masked, order, axis=1)), order, -1)


async def travel_between(
    session: AsyncSession, points: list[Place], stations: list[Station], mode: str
) -> Travel:
    """Walking metres between the points (streets when imported), and for bike modes the
    fastest ride between each two: a pick-up among the few renting stations with a bike
    nearest the first point, a drop-off among the few returning ones with a dock nearest the
    second (nearest as the crow flies)."""
    here = np.array([(p.lat, p.lon) for p in points], dtype=float)
    n = len(points)
    near_pick = near_drop = np.empty((n, 0), dtype=int)
    used: list[int] = []
    if mode != "walk" and stations:
        at = np.array([(s.lat, s.lon) for s in stations], dtype=float)
        crow = straight_m(here, at)
        near_pick = _nearest(crow, np.array([s.renting and s.bikes > 0 for s in stations]))
        near_drop = _nearest(crow, np.array([s.returning and s.docks > 0 for s in stations]))
        used = sorted({int(k) for k in np.concatenate([near_pick, near_drop]).ravel() if k >= 0})
    chosen = [stations[k] for k in used]
    everything = [(p.lat, p.lon) for p in points] + [(s.lat, s.lon) for s in chosen]
    on_foot = await streets.street_matrix(session, everything, profile="foot")
    source = "streets" if on_foot is not None else "estimate"
    if on_foot is None:
        whole = np.array(everything, dtype=float)
        foot = straight_m(whole, whole) * WALK_DETOUR
    else:
        foot = np.array(on_foot, dtype=float)
    walk_m = foot[:n, :n]
    if not chosen:
        return Travel(walk_m, None, mode, source)

    by_bike = None
    if source == "streets":
        by_bike = await streets.street_matrix(
            session, [(s.lat, s.lon) for s in chosen], profile="bike"
        )
    if by_bike is None:
        spots = np.array([(s.lat, s.lon) for s in chosen], dtype=float)
        ride = straight_m(spots, spots) * BIKE_DETOUR
    else:
        ride = np.array(by_bike, dtype=float)
    walk_to = foot[:n, n:]  # point -> chosen station
    position = {k: i for i, k in enumerate(used)}
    pick = np.vectorize(lambda k: position.get(int(k), -1))(near_pick)
    drop = np.vectorize(lambda k: position.get(int(k), -1))(near_drop)
    # minutes[i, j, a, b]: walk to pick-up a of i, ride, walk from drop-off b of j
    to = np.where(pick >= 0, np.take_along_axis(walk_to, np.maximum(pick, 0), axis=1), np.inf)
    fro = np.where(drop >= 0, np.take_along_axis(walk_to, np.maximum(drop, 0), axis=1), np.inf)
    legs = ride[np.maximum(pick, 0)[:, None, :, None], np.maximum(drop, 0)[None, :, None, :]]
    same = pick[:, None, :, None] == drop[None, :, None, :]
    total = (
        to[:, None, :, None] / (WALK_KMH * 1000 / 60)
        + np.where(same, np.inf, legs) / (BIKE_KMH * 1000 / 60)
        + fro[None, :, None, :] / (WALK_KMH * 1000 / 60)
        + TAKE_BIKE_MINUTES
        + DOCK_BIKE_MINUTES
    )
    flat = total.reshape(n, n, -1)
    best = np.argmin(flat, axis=2)
    minutes = np.take_along_axis(flat, best[..., None], axis=2)[..., 0]
    width = drop.shape[1]
    a, b = best // width, best % width
    rows = np.arange(n)
    rides = Rides(
        minutes=minutes,
        pick=pick[rows[:, None], a],
        drop=drop[rows[None, :], b],
        walk_to=walk_to,
        ride=ride,
        stations=chosen,
    )
    return Travel(walk_m, rides, mode, source)


# -- the plan ----------------------------------------------------------------------------------


def _minutes_since(start_at: datetime, epoch: float) -> float:
    return (float(epoch) - start_at.timestamp()) / 60


async def plan(
    session: AsyncSession,
    *,
    request: TourRequest,
    now: datetime,
    candidates_per_dish: int,
    solve_ms: int,
    fare: tuple[int, int],
) -> dict[str, Any]:
    clock = Stopwatch()
    dishes = await wanted_dishes(session, request)
    start = await origin(session, request)
    start_at, ends = window(request, now)
    reach = reach_m(request)
    meal = timedelta(minutes=request.eat_minutes)
    params = {
        "dish_ids": [d.id for d in dishes],
        "lat": start.lat,
        "lon": start.lon,
        "reach_m": reach,
        "start_at": start_at,
        "ends": ends,
        "meal": meal,
        "k": candidates_per_dish,
        "pool": candidates_per_dish * NEAREST_PER_CANDIDATE,
        "now": now,
    }
    found = (await session.execute(CANDIDATES, params)).all()
    ids = sorted({r.eatery_id for r in found})
    rows = (
        (
            await session.execute(
                CANDIDATE_DETAILS, {**params, "ids": ids, "lang": current_language()}
            )
        ).all()
        if ids
        else []
    )
    index_of = {d.id: i for i, d in enumerate(dishes)}
    eateries = [Eatery(r.lat, r.lon, r.id, r.card, orjson.loads(r.card)["name"]) for r in rows]
    candidates = [
        Candidate(
            key=r.id,
            prices={index_of[d]: p for d, p in r.prices},
            score=float(r.score),
            intervals=tuple(
                (_minutes_since(start_at, o), _minutes_since(start_at, c)) for o, c in r.intervals
            ),
        )
        for r in rows
    ]
    clock.lap("candidates")
    stations: list[Station] = []
    if request.mode != "walk":
        stations = [
            Station(**r._asdict())
            for r in await session.execute(STATIONS, {**params, "reach_m": reach + 2000})
        ]
    here = Place(start.lat, start.lon)
    points: list[Place] = [here, *eateries]
    if request.end is not None:
        points.append(Place(request.end.lat, request.end.lon))
    travel = await travel_between(session, points, stations, request.mode)
    clock.lap("matrix")
    problem = Problem(
        dishes=len(dishes),
        candidates=candidates,
        travel=travel.minutes_matrix(),
        deadline=float(request.minutes),
        eat_minutes=float(request.eat_minutes),
        budget=request.max_total_vnd,
        has_end=request.end is not None,
    )
    tour = solve(problem, budget_ms=solve_ms)
    clock.lap("search")
    answer = _answer(
        request, dishes, start, start_at, ends, eateries, candidates, travel, tour, fare
    )
    answer["uncovered"] = await _reasons(session, params, dishes, tour, candidates, request)
    clock.lap("answer")
    answer["timing"] = clock.laps
    return answer


class Stopwatch:
    """Milliseconds spent in each phase of a plan (the Server-Timing header)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + (now - self._last) * 1000
        self._last = now


def _at(start_at: datetime, minutes: float) -> datetime:
    return (start_at + timedelta(minutes=minutes)).astimezone(TZ)


def _fare(minutes: float, fare: tuple[int, int]) -> int:
    first, each_next = fare
    return first + math.ceil(max(0.0, minutes - 30) / 30) * each_next


def _leg(mode: str, origin: dict, to: dict, metres: float, minutes: float) -> dict:
    return {
        "mode": mode,
        "from": origin,
        "to": to,
        "distance_m": round(metres),
        "minutes": max(1, round(minutes)) if metres > 0 else 0,
    }


def _answer(
    request: TourRequest,
    dishes: list[Dish],
    start: Origin,
    start_at: datetime,
    ends: datetime,
    eateries: list[Eatery],
    candidates: list[Candidate],
    travel: Travel,
    tour: Tour,
    fare: tuple[int, int],
) -> dict[str, Any]:
    def place(point: int) -> dict:
        if point == 0:
            return {"kind": "start", "lat": start.lat, "lon": start.lon, "name": start.name}
        if point <= len(eateries):
            e = eateries[point - 1]
            return {"kind": "eatery", "lat": e.lat, "lon": e.lon, "id": e.id, "name": e.name}
        end = request.end
        return {"kind": "end", "lat": end.lat, "lon": end.lon}

    def station_place(s: Station) -> dict:
        return {
            "kind": "station",
            "lat": s.lat,
            "lon": s.lon,
            "station_id": s.station_id,
            "name": name_in(s.name_vi, s.name_en),
        }

    legs: list[dict] = []
    bike_fare = 0
    route = [0, *(stop.candidate + 1 for stop in tour.stops)]
    if request.end is not None:
        route.append(len(eateries) + 1)
    for a, b in zip(route, route[1:], strict=False):
        ride = travel.ride(a, b)
        if ride is None:
            metres = float(travel.walk_m[a, b])
            legs.append(_leg("walk", place(a), place(b), metres, walk_minutes(metres)))
            continue
        pick, drop = station_place(ride.pick_up), station_place(ride.drop_off)
        riding = TAKE_BIKE_MINUTES + ride_minutes(ride.ride_m) + DOCK_BIKE_MINUTES
        legs.append(_leg("walk", place(a), pick, ride.walk_to_m, walk_minutes(ride.walk_to_m)))
        bike = _leg("bike", pick, drop, ride.ride_m, riding)
        s, t = ride.pick_up, ride.drop_off
        bike["pick_up"] = {
            "station_id": s.station_id,
            "name_vi": s.name_vi,
            "name_en": s.name_en,
            "name": name_in(s.name_vi, s.name_en),
            "lat": s.lat,
            "lon": s.lon,
            "num_bikes_available": s.bikes,
            "is_renting": s.renting,
        }
        bike["drop_off"] = {
            "station_id": t.station_id,
            "name_vi": t.name_vi,
            "name_en": t.name_en,
            "name": name_in(t.name_vi, t.name_en),
            "lat": t.lat,
            "lon": t.lon,
            "num_docks_available": t.docks,
            "is_returning": t.returning,
        }
        legs.append(bike)
        legs.append(_leg("walk", drop, place(b), ride.walk_from_m, walk_minutes(ride.walk_from_m)))
        bike_fare += _fare(riding, fare)

    stops = []
    for stop in tour.stops:
        eatery = eateries[stop.candidate]
        stops.append(
            {
                "eatery": orjson.loads(eatery.card),
                "dishes": [
                    {
                        "slug": dishes[d].slug,
                        "name_vi": dishes[d].name_vi,
                        "name_en": dishes[d].name_en,
                        "name": name_in(dishes[d].name_vi, dishes[d].name_en),
                        "price_vnd": candidates[stop.candidate].prices[d],
                    }
                    for d in stop.dishes
                ],
                "arrive_at": _at(start_at, stop.arrive),
                "meal_at": _at(start_at, stop.start),
                "leave_at": _at(start_at, stop.leave),
                "closes_at": _at(start_at, stop.closes),
                "slack_minutes": math.floor(stop.closes - stop.leave),
            }
        )
    finish = tour.stops[-1].leave if tour.stops else 0.0
    if request.end is not None:
        finish += travel.minutes(route[-2], route[-1])
    return {
        "start": {
            "lat": start.lat,
            "lon": start.lon,
            "station_id": start.station_id,
            "name": start.name,
        },
        "start_at": start_at.astimezone(TZ),
        "ends_by": ends.astimezone(TZ),
        "mode": request.mode,
        "stops": stops,
        "legs": legs,
        "uncovered": [],
        "totals": {
            "minutes": math.ceil(finish),
            "travel_minutes": round(tour.travel),
            "distance_m": round(sum(leg["distance_m"] for leg in legs)),
            "food_vnd": sum(d["price_vnd"] for stop in stops for d in stop["dishes"]),
            "bike_fare_vnd": bike_fare,
        },
        "objective": {
            "dishes": tour.covered,
            "score": round(tour.score, 3),
            "travel_minutes": round(tour.travel, 1),
        },
        "optimal": tour.optimal,
        "distance_source": travel.source,
    }


async def _reasons(
    session: AsyncSession,
    params: dict[str, Any],
    dishes: list[Dish],
    tour: Tour,
    candidates: list[Candidate],
    request: TourRequest,
) -> list[dict[str, str]]:
    """Why each wanted dish the tour does not cover is left out."""
    covered = {d for stop in tour.stops for d in stop.dishes}
    missing = [(i, d) for i, d in enumerate(dishes) if i not in covered]
    if not missing:
        return []
    # A dish with candidates had eateries open and within reach: the time or the money ran out.
    # Only for one without them does the database say which.
    weighed = {d for c in candidates for d in c.prices}
    ids = [d.id for i, d in missing if i not in weighed]
    counts = {}
    if ids:
        rows = await session.execute(COVERAGE, {**params, "dish_ids": ids})
        counts = {r.dish_id: r for r in rows}
    reasons = []
    for position, dish in missing:
        row = counts.get(dish.id)
        if position in weighed:
            reason = "no_time"
            if request.max_total_vnd is not None and _over_budget(
                position, tour, candidates, request.max_total_vnd
            ):
                reason = "over_budget"
        elif row is None or row.served == 0:
            reason = "not_served"
        elif row.open == 0:
            reason = "not_open"
        else:
            reason = "too_far"
        reasons.append({"slug": dish.slug, "reason": reason})
    return reasons


def _over_budget(position: int, tour: Tour, candidates: list[Candidate], budget: int) -> bool:
    """Even the dish's cheapest candidate does not fit in what the tour left of the budget."""
    prices = [c.prices[position] for c in candidates if position in c.prices]
    return not prices or tour.cost + min(prices) > budget
