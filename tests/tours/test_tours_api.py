"""`/api/v1/tours/plan` on the seeded city: the plan's promises checked independently (every stop
open through its meal by opening-hours-py, bikes and docks at the stations it uses), the link
form equal to the body form, and bad input named."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from opening_hours import OpeningHours, State
from sqlalchemy import text

from tests.helpers import local, tomorrow
from tourism.hours import TZ

OPERA_HOUSE = {"lat": 20.8577, "lon": 106.6839}
THREE = ["banh-da-cua", "nem-cua-be", "che-thap-cam"]


def afternoon() -> datetime:
    return local(tomorrow(), 15)


async def plan(client, **body):
    r = await client.post("/api/v1/tours/plan", json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def opening_hours_of(client, eatery_id: int) -> str:
    r = await client.get(f"/api/v1/eateries/{eatery_id}")
    return r.json()["opening_hours"]


async def check_open_through_meals(client, tour: dict, eat_minutes: int) -> None:
    """Each stop is open from the start of its meal until it is left, read from the eatery's
    own opening_hours by the library, not from the planner's precomputed intervals."""
    for stop in tour["stops"]:
        leave = datetime.fromisoformat(stop["leave_at"])
        begin = leave - timedelta(minutes=eat_minutes * len(stop["dishes"]))
        assert begin >= datetime.fromisoformat(stop["arrive_at"])
        assert leave <= datetime.fromisoformat(stop["closes_at"])
        assert leave <= datetime.fromisoformat(tour["ends_by"])
        hours = OpeningHours(await opening_hours_of(client, stop["eatery"]["id"]), timezone=TZ)
        naive = [t.astimezone(TZ).replace(tzinfo=None) for t in (begin, leave)]
        states = {state for _, _, state, _ in hours.intervals(*naive)}
        assert states == {State.OPEN}, (stop["eatery"]["name_vi"], stop["arrive_at"])


async def test_a_walking_afternoon_covers_three_dishes_open_all_the_way(client):
    tour = await plan(
        client, start=OPERA_HOUSE, start_at=afternoon().isoformat(), minutes=240, dishes=THREE
    )
    eaten = [d["slug"] for stop in tour["stops"] for d in stop["dishes"]]
    assert sorted(eaten) == sorted(THREE) and tour["uncovered"] == []
    assert tour["optimal"] is True and tour["distance_source"] == "estimate"
    assert all(leg["mode"] == "walk" for leg in tour["legs"])
    assert len(tour["legs"]) == len(tour["stops"])  # start -> 1 -> 2 -> 3
    assert tour["legs"][0]["from"]["kind"] == "start"
    assert [leg["to"]["id"] for leg in tour["legs"]] == [s["eatery"]["id"] for s in tour["stops"]]
    assert tour["totals"]["food_vnd"] == sum(
        d["price_vnd"] for stop in tour["stops"] for d in stop["dishes"]
    )
    assert tour["stops"][0]["arrive_at"].endswith("+07:00")
    await check_open_through_meals(client, tour, eat_minutes=25)


async def test_the_link_gives_the_same_plan_as_the_body(client):
    body = {
        "start": OPERA_HOUSE,
        "start_at": afternoon().isoformat(),
        "minutes": 180,
        "dishes": THREE,
        "mode": "auto",
    }
    posted = await plan(client, **body)
    query = {
        **OPERA_HOUSE,
        "start_at": body["start_at"],
        "minutes": 180,
        "dishes": ",".join(THREE),
        "mode": "auto",
    }
    r = await client.get(f"/api/v1/tours/plan?{urlencode(query)}")
    assert r.status_code == 200, r.text
    linked = r.json()
    assert linked == posted


async def test_bike_legs_use_only_stations_with_a_bike_and_a_dock(client, session):
    body = {
        "start": {"station_id": "hp-028"},  # 5 km out: the food is a ride away
        "start_at": afternoon().isoformat(),
        "minutes": 240,
        "dishes": THREE,
        "mode": "bike",
    }
    tour = await plan(client, **body)
    rides = [leg for leg in tour["legs"] if leg["mode"] == "bike"]
    assert rides, "a bike plan over the city rides somewhere"
    for i, leg in enumerate(tour["legs"]):
        if leg["mode"] != "bike":
            continue
        # the walks to and from the stations are legs of their own
        assert tour["legs"][i - 1]["to"]["station_id"] == leg["pick_up"]["station_id"]
        assert tour["legs"][i + 1]["from"]["station_id"] == leg["drop_off"]["station_id"]
        assert leg["pick_up"]["is_renting"] and leg["pick_up"]["num_bikes_available"] > 0
        assert leg["drop_off"]["is_returning"] and leg["drop_off"]["num_docks_available"] > 0
    assert tour["totals"]["bike_fare_vnd"] >= 5000 * len(rides)
    await check_open_through_meals(client, tour, eat_minutes=25)

    # The first pick-up runs out of bikes and the last drop-off fills up: neither is used now.
    empty, full = rides[0]["pick_up"]["station_id"], rides[-1]["drop_off"]["station_id"]
    async with session.begin():
        saved = (
            await session.execute(
                text(
                    "SELECT s.station_id, st.num_bikes_available, st.num_docks_available "
                    "FROM bike_station_status st JOIN bike_stations s ON s.id = st.station_pk "
                    "WHERE s.station_id IN (:a, :b)"
                ),
                {"a": empty, "b": full},
            )
        ).all()
    try:
        async with session.begin():
            await session.execute(
                text(
                    "UPDATE bike_station_status SET num_bikes_available = 0 WHERE station_pk = "
                    "(SELECT id FROM bike_stations WHERE station_id = :a)"
                ),
                {"a": empty},
            )
            await session.execute(
                text(
                    "UPDATE bike_station_status SET num_docks_available = 0 WHERE station_pk = "
                    "(SELECT id FROM bike_stations WHERE station_id = :b)"
                ),
                {"b": full},
            )
        again = await plan(client, **body)
        for leg in again["legs"]:
            if leg["mode"] == "bike":
                assert leg["pick_up"]["station_id"] != empty
                assert leg["drop_off"]["station_id"] != full
                assert leg["pick_up"]["num_bikes_available"] > 0
                assert leg["drop_off"]["num_docks_available"] > 0
    finally:
        async with session.begin():
            for station_id, bikes, docks in saved:
                await session.execute(
                    text(
                        "UPDATE bike_station_status SET num_bikes_available = :bikes, "
                        "num_docks_available = :docks WHERE station_pk = "
                        "(SELECT id FROM bike_stations WHERE station_id = :id)"
                    ),
                    {"bikes": bikes, "docks": docks, "id": station_id},
                )


async def test_a_window_with_nothing_open_lists_every_dish_and_why(client):
    night = local(tomorrow(), 3)
    tour = await plan(
        client, start=OPERA_HOUSE, start_at=night.isoformat(), minutes=30, dishes=THREE
    )
    assert tour["stops"] == [] and tour["legs"] == []
    assert {u["slug"]: u["reason"] for u in tour["uncovered"]} == dict.fromkeys(THREE, "not_open")
    assert tour["totals"]["minutes"] == 0


async def test_a_budget_leaves_out_what_it_cannot_pay(client):
    tour = await plan(
        client,
        start=OPERA_HOUSE,
        start_at=afternoon().isoformat(),
        minutes=240,
        dishes=THREE,
        max_total_vnd=40_000,
    )
    assert tour["totals"]["food_vnd"] <= 40_000
    assert tour["uncovered"] and {u["reason"] for u in tour["uncovered"]} == {"over_budget"}


async def test_a_surprise_picks_popular_dishes_of_different_categories(client):
    tour = await plan(
        client,
        start=OPERA_HOUSE,
        start_at=afternoon().isoformat(),
        minutes=300,
        surprise=3,
        avoid_dishes=["banh-da-cua"],
    )
    slugs = [d["slug"] for s in tour["stops"] for d in s["dishes"]]
    slugs += [u["slug"] for u in tour["uncovered"]]
    assert len(slugs) == 3 and "banh-da-cua" not in slugs
    dishes = {d["slug"]: d for d in (await client.get("/api/v1/dishes?limit=100")).json()["items"]}
    assert len({dishes[s]["category"] for s in slugs}) == 3


async def test_an_end_point_is_reached_in_time(client):
    start_at = afternoon()
    end = {"lat": 20.8650, "lon": 106.6800}
    tour = await plan(
        client,
        start=OPERA_HOUSE,
        start_at=start_at.isoformat(),
        minutes=120,
        dishes=THREE,
        end=end,
    )
    assert tour["legs"][-1]["to"]["kind"] == "end"
    assert tour["totals"]["minutes"] <= 120
    last = tour["legs"][-1]
    if tour["stops"]:
        leave = datetime.fromisoformat(tour["stops"][-1]["leave_at"])
        assert leave + timedelta(minutes=last["minutes"]) <= start_at + timedelta(minutes=121)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dishes": ["banh-da-cua", "khong-co-mon-nay"]}, "dishes"),
        ({"dishes": [f"d{i}" for i in range(9)]}, "dishes"),
        ({"dishes": THREE, "minutes": 29}, "minutes"),
        ({"dishes": THREE, "minutes": 721}, "minutes"),
        ({"dishes": THREE, "start": {"lat": 10.77, "lon": 106.70}}, "start"),
        ({"dishes": THREE, "start": {"station_id": "no-such-station"}}, "start.station_id"),
        ({"dishes": THREE, "start": {"lat": 20.85}}, "start"),
        ({}, "dishes"),
        ({"dishes": THREE, "surprise": 2}, "dishes"),
        ({"dishes": ["che-thap-cam", "che-thap-cam"]}, "dishes"),
        ({"dishes": THREE, "mode": "car"}, "mode"),
        ({"dishes": THREE, "start_at": "later"}, "start_at"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(client, body, field):
    r = await client.post("/api/v1/tours/plan", json={"start": OPERA_HOUSE, **body})
    assert r.status_code == 422, r.text
    fields = [d["field"] for d in r.json()["error"]["details"]]
    assert any(f == field or f.startswith(field + ".") for f in fields), fields


async def test_a_start_more_than_7_days_ahead_is_refused(client):
    later = (datetime.now(TZ) + timedelta(days=8)).isoformat()
    r = await client.post(
        "/api/v1/tours/plan", json={"start": OPERA_HOUSE, "dishes": THREE, "start_at": later}
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "start_at"


async def test_the_link_names_its_own_parameters(client):
    r = await client.get("/api/v1/tours/plan", params={"lat": 20.85, "dishes": "banh-da-cua"})
    assert r.status_code == 422
    r = await client.get(
        "/api/v1/tours/plan", params={**OPERA_HOUSE, "dishes": "banh-da-cua", "minutes": 5}
    )
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["minutes"]


async def test_names_follow_the_language(client):
    body = {"start": OPERA_HOUSE, "start_at": afternoon().isoformat(), "dishes": THREE}
    english = (await client.post("/api/v1/tours/plan?lang=en", json=body)).json()
    r = await client.post("/api/v1/tours/plan", json=body, headers={"Accept-Language": "vi"})
    assert r.status_code == 200 and r.headers["content-language"] == "vi"
    vietnamese = r.json()
    for tour, lang in ((english, "en"), (vietnamese, "vi")):
        dishes = [d for stop in tour["stops"] for d in stop["dishes"]]
        assert dishes and all(d["name"] == d[f"name_{lang}"] for d in dishes)
        cards = [stop["eatery"] for stop in tour["stops"]]
        assert all(
            c["name"] == (c["name_en"] or c["name_vi"] if lang == "en" else c["name_vi"])
            for c in cards
        )
        # the legs name each stop as its card does
        to_eateries = [leg["to"] for leg in tour["legs"] if leg["to"]["kind"] == "eatery"]
        assert [p["name"] for p in to_eateries] == [c["name"] for c in cards]
    assert {d["name"] for s in english["stops"] for d in s["dishes"]} != {
        d["name"] for s in vietnamese["stops"] for d in s["dishes"]
    }


@pytest.mark.parametrize(
    ("body", "field", "vietnamese"),
    [
        ({"dishes": ["no-such-dish"]}, "dishes", "không tìm thấy món ăn có mã: no-such-dish"),
        ({"dishes": ["che-thap-cam", "che-thap-cam"]}, "dishes", "một món ăn được liệt kê hai lần"),
        ({"dishes": THREE, "start": {"lat": 20.85}}, "start", "hãy cho cả lat và lon"),
        (
            {"dishes": THREE, "start": {"station_id": "no-such-station"}},
            "start.station_id",
            "không có trạm xe đạp 'no-such-station'",
        ),
    ],
)
async def test_errors_are_worded_in_vietnamese(client, body, field, vietnamese):
    for ask in ({"params": {"lang": "vi"}}, {"headers": {"Accept-Language": "vi-VN,vi;q=0.9"}}):
        r = await client.post("/api/v1/tours/plan", json={"start": OPERA_HOUSE, **body}, **ask)
        assert r.status_code == 422, r.text
        assert r.headers["content-language"] == "vi"
        details = r.json()["error"]["details"]
        assert any(d["field"].startswith(field) and vietnamese in d["message"] for d in details), (
            details
        )
    english = await client.post("/api/v1/tours/plan", json={"start": OPERA_HOUSE, **body})
    assert english.headers["content-language"] == "en"
    assert vietnamese not in english.text
