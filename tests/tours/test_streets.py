"""Street distances: OpenStreetMap ways read with the right modes, cut at their junctions,
imported idempotently from XML or PBF, and routed on by pgRouting, oneways and footways
respected, against distances worked out here from the fixture itself."""

import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from pathlib import Path

import osmium
import pytest
from sqlalchemy import text

from tourism.database import create_engine, create_session_factory, run_in_transaction
from tourism.hours import TZ
from tourism.maintenance import migrate
from tourism.tours.streets import (
    Modes,
    RawWay,
    build_network,
    import_streets,
    modes,
    street_matrix,
    street_path,
)

STREETS = Path(__file__).resolve().parents[1] / "fixtures" / "osm" / "streets.osm"
ROOT = ET.parse(STREETS).getroot()
NODES = {int(n.get("id")): (float(n.get("lat")), float(n.get("lon"))) for n in ROOT.iter("node")}
WAYS = {int(w.get("id")): [int(nd.get("ref")) for nd in w.iter("nd")] for w in ROOT.iter("way")}
ONEWAY, FOOTWAY = 9300000024, 9300000025  # Phố Lê Chân (oneway=yes), the Opera House walk
GRID_VERTICES, GRID_EDGES = 49, 90  # 7 x 7 junctions; 84 grid blocks' sides, 4 diagonal, 2 added


def node(n: int) -> tuple[float, float]:
    """(lat, lon) of fixture node 92000000nn."""
    return NODES[9200000000 + n]


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (map(math.radians, p) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def line_m(refs: list[int]) -> float:
    return sum(haversine_m(NODES[a], NODES[b]) for a, b in zip(refs, refs[1:], strict=False))


async def clear(session) -> None:
    for table in ("street_edges", "street_vertices", "street_networks"):
        await session.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(scope="module")
async def network(settings):
    """The fixture's streets in the session's database; taken out again afterwards, so other
    tests see the database without a street network, as they expect."""
    summary = await run_in_transaction(lambda s: import_streets(s, STREETS), settings)
    yield summary
    await run_in_transaction(clear, settings)


async def edge_m(session, a: int, b: int) -> float:
    """The length of the edge between fixture nodes a and b (either direction)."""
    a, b = 9200000000 + a, 9200000000 + b
    return await session.scalar(
        text("SELECT length_m FROM street_edges WHERE (source, target) IN ((:a, :b), (:b, :a))"),
        {"a": a, "b": b},
    )


async def snapshot(session) -> tuple[list, list]:
    edges = await session.execute(
        text(
            "SELECT id, source, target, length_m, foot, bike, bike_oneway, name, way_id, "
            "ST_AsText(geom) FROM street_edges ORDER BY id"
        )
    )
    vertices = await session.execute(
        text("SELECT id, ST_AsText(geom) FROM street_vertices ORDER BY id")
    )
    return [tuple(r) for r in edges], [tuple(r) for r in vertices]


# -- reading ways --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "primary"}, Modes(foot=True, bike=True)),
        ({"highway": "residential", "oneway": "yes"}, Modes(True, True, 1)),
        ({"highway": "residential", "oneway": "-1"}, Modes(True, True, -1)),
        ({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, Modes(True, True)),
        ({"highway": "tertiary", "junction": "roundabout"}, Modes(True, True, 1)),
        ({"highway": "footway"}, Modes(foot=True, bike=False)),
        ({"highway": "footway", "oneway": "yes"}, Modes(foot=True, bike=False)),
        ({"highway": "pedestrian", "bicycle": "designated"}, Modes(True, True)),
        ({"highway": "steps"}, Modes(foot=True, bike=False)),
        ({"highway": "cycleway", "foot": "no"}, Modes(foot=False, bike=True)),
        ({"highway": "motorway"}, None),
        ({"highway": "trunk"}, None),
        ({"highway": "trunk", "bicycle": "yes"}, Modes(foot=False, bike=True)),
        ({"highway": "service", "access": "private"}, None),
        ({"highway": "service", "access": "no", "foot": "yes"}, Modes(foot=True, bike=False)),
        ({"highway": "primary", "bicycle": "no"}, Modes(foot=True, bike=False)),
        ({"highway": "construction"}, None),
        ({"building": "yes"}, None),
    ],
)
def test_tags_decide_who_may_use_a_way(tags, expected):
    assert modes(tags) == expected


def test_ways_are_cut_where_they_meet_and_oneways_point_the_way_bikes_ride():
    coords = {i: (106.68 + i / 1000, 20.85) for i in range(1, 10)}
    both, against = Modes(True, True), Modes(True, True, -1)
    ways = [
        RawWay(1, (1, 2, 3, 4), both, "A"),
        RawWay(2, (5, 3, 6), against, "B"),  # oneway=-1: bikes ride 6 -> 3 -> 5
        RawWay(3, (4, 7, 99, 8, 9), both, None),  # node 99 is outside the extract
    ]
    network = build_network(ways, coords)
    cut = {(e.way_id, e.source, e.target, e.bike_oneway) for e in network.edges}
    assert cut == {
        (1, 1, 3, False),
        (1, 3, 4, False),
        (2, 3, 5, True),
        (2, 6, 3, True),
        (3, 4, 7, False),
        (3, 8, 9, False),
    }
    first = next(e for e in network.edges if (e.source, e.target) == (1, 3))
    assert first.points == (coords[1], coords[2], coords[3])
    assert set(network.vertices) == {1, 3, 4, 5, 6, 7, 8, 9}


# -- the imported network ------------------------------------------------------------------------


async def test_the_fixture_imports_as_its_junctions_and_blocks(network, session):
    assert (network.source, network.vertices, network.edges) == (
        "streets.osm",
        GRID_VERTICES,
        GRID_EDGES,
    )
    # The sum of every way's segments, on the sphere: geography's ellipsoid differs by < 0.5 %.
    assert network.length_m == pytest.approx(sum(line_m(r) for r in WAYS.values()), rel=5e-3)
    row = (await session.execute(text("SELECT * FROM street_networks"))).one()
    assert (row.vertices, row.edges, row.source) == (GRID_VERTICES, GRID_EDGES, "streets.osm")
    counts = (
        await session.execute(
            text(
                "SELECT count(*) FILTER (WHERE foot) AS foot, count(*) FILTER (WHERE bike) AS bike,"
                " count(*) FILTER (WHERE bike_oneway) AS oneway FROM street_edges"
            )
        )
    ).one()
    assert tuple(counts) == (GRID_EDGES, GRID_EDGES - 1, 1)  # the footway; Phố Lê Chân
    assert await session.scalar(text("SELECT count(*) FROM street_vertices")) == GRID_VERTICES


async def test_a_street_distance_is_the_edges_along_its_route(network, session):
    # From node 8 to node 10 along Phố Tô Hiệu (row 2), through junction 9; a start 30 m off
    # node 8 walks there straight first.
    aside = (node(8)[0] + 0.00027, node(8)[1])
    matrix = await street_matrix(session, [node(8), node(10), aside], profile="foot")
    along = await edge_m(session, 8, 9) + await edge_m(session, 9, 10)
    assert matrix[0][1] == pytest.approx(along, abs=0.01)
    assert matrix[1][0] == pytest.approx(along, abs=0.01)
    assert matrix[0][1] >= haversine_m(node(8), node(10))
    assert matrix[2][1] == pytest.approx(haversine_m(aside, node(8)) + along, rel=5e-3)
    assert matrix[0][0] == matrix[1][1] == 0
    for i, row in enumerate(matrix):
        for j, metres in enumerate(row):
            assert (
                metres
                >= haversine_m([node(8), node(10), aside][i], [node(8), node(10), aside][j]) - 0.5
            )


async def test_bikes_keep_to_a_oneway_and_walkers_do_not(network, session):
    ends = [node(1), node(9)]  # Phố Lê Chân runs from 1 to 9, oneway
    oneway = await session.scalar(
        text("SELECT length_m FROM street_edges WHERE way_id = :w"), {"w": ONEWAY}
    )
    walk = await street_matrix(session, ends, profile="foot")
    ride = await street_matrix(session, ends, profile="bike")
    assert walk[0][1] == pytest.approx(oneway) and walk[1][0] == pytest.approx(oneway)
    assert ride[0][1] == pytest.approx(oneway)
    # Back from 9 to 1 by bike: round the block, by 8 or by 2.
    around = min(
        await edge_m(session, 9, 8) + await edge_m(session, 8, 1),
        await edge_m(session, 9, 2) + await edge_m(session, 2, 1),
    )
    assert ride[1][0] == pytest.approx(around)
    assert ride[1][0] > oneway + 100


async def test_bikes_stay_off_a_footway(network, session):
    ends = [node(3), node(11)]
    footway = await session.scalar(
        text("SELECT length_m FROM street_edges WHERE way_id = :w"), {"w": FOOTWAY}
    )
    walk = await street_matrix(session, ends, profile="foot")
    ride = await street_matrix(session, ends, profile="bike")
    assert walk[0][1] == pytest.approx(footway)
    around = min(
        await edge_m(session, 3, 4) + await edge_m(session, 4, 11),
        await edge_m(session, 3, 10) + await edge_m(session, 10, 11),
    )
    assert ride[0][1] == pytest.approx(around) and ride[1][0] == pytest.approx(around)


async def test_a_leg_is_drawn_along_the_streets(network, session):
    line = await street_path(session, node(8), node(10), profile="foot")
    lonlat = [(lon, lat) for lat, lon in (node(n) for n in (8, 56, 9, 57, 10))]
    assert line == lonlat  # the ends sit on vertices: nothing added, nothing doubled
    aside = (node(9)[0] + 0.0003, node(9)[1])
    back = await street_path(session, node(9), aside, profile="bike")
    assert back == [lonlat[2], (aside[1], aside[0])]  # both ends snap to the same junction
    ride = await street_path(session, node(9), node(1), profile="bike")
    assert ride[0] == (node(9)[1], node(9)[0]) and ride[-1] == (node(1)[1], node(1)[0])
    assert (node(138)[1], node(138)[0]) not in ride  # not against the oneway
    assert len(ride) == 5  # 9, a middle node, a corner, a middle node, 1


async def test_importing_again_changes_nothing(network, session, settings):
    before = await snapshot(session)
    await session.rollback()
    again = await run_in_transaction(lambda s: import_streets(s, STREETS), settings)
    assert again == network
    assert await snapshot(session) == before


async def test_a_pbf_of_the_same_streets_imports_to_the_same_network(
    network, session, settings, tmp_path
):
    pbf = tmp_path / "streets.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for entity in osmium.FileProcessor(str(STREETS)):
            writer.add(entity)
    before = await snapshot(session)
    await session.rollback()
    try:
        summary = await run_in_transaction(lambda s: import_streets(s, pbf), settings)
        assert (summary.source, summary.vertices, summary.edges) == (
            "streets.osm.pbf",
            GRID_VERTICES,
            GRID_EDGES,
        )
        assert summary.length_m == pytest.approx(network.length_m)
        assert await snapshot(session) == before
    finally:
        await run_in_transaction(lambda s: import_streets(s, STREETS), settings)


@pytest.fixture(scope="module")
def empty_database(fresh_database) -> str:
    """Migrated, without pgRouting and without streets."""
    url = fresh_database("foodtour_streets")
    migrate(url)
    return url


async def test_no_street_network_means_no_street_distances(empty_database):
    engine = create_engine(url=empty_database)
    points = [node(1), node(9)]
    try:
        async with create_session_factory(engine)() as session:
            assert await street_matrix(session, points, profile="foot") is None  # no pgRouting
            await session.execute(text("CREATE EXTENSION IF NOT EXISTS pgrouting"))
            assert await street_matrix(session, points, profile="bike") is None  # no network
            assert await street_path(session, *points, profile="foot") is None
            with pytest.raises(ValueError, match="profile"):
                await street_matrix(session, points, profile="car")
    finally:
        await engine.dispose()


# -- the command ---------------------------------------------------------------------------------


def _command(database_url: str, path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TOURISM_DATABASE_URL": database_url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": "x" * 40,
    }
    return subprocess.run(
        [sys.executable, "-m", "tourism.cli", "import", "streets", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_prints_one_line(network, database_url, tmp_path):
    done = _command(database_url, STREETS)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        r"streets from streets\.osm: 49 vertices, 90 edges, (\d+\.\d) km\n", done.stdout
    ), done.stdout
    assert float(done.stdout.split(", ")[-1].split()[0]) == round(network.km, 1)

    missing = _command(database_url, tmp_path / "haiphong.osm.pbf")
    assert missing.returncode == 1
    assert missing.stderr == f"Error: {tmp_path / 'haiphong.osm.pbf'}: no such file\n"
    for name, content in (("broken.osm", "<osm><node id="), ("broken.osm.pbf", "not a pbf")):
        (tmp_path / name).write_text(content)
        broken = _command(database_url, tmp_path / name)
        assert broken.returncode == 1 and broken.stdout == ""
        assert broken.stderr.startswith(f"Error: {tmp_path / name}: not ")
        assert broken.stderr.count("\n") == 1, broken.stderr


async def test_the_planner_walks_the_streets_when_they_are_imported(network, client, session):
    """With a street network the tour's legs are street distances (`distance_source`), each
    the street matrix's metres between its two ends."""
    day = datetime.now(TZ).date() + timedelta(days=1)
    body = {
        "start": {"lat": 20.8577, "lon": 106.6839},
        "start_at": datetime.combine(day, time(15), tzinfo=TZ).isoformat(),
        "minutes": 240,
        "dishes": ["banh-da-cua", "che-thap-cam"],
    }
    r = await client.post("/api/v1/tours/plan", json=body)
    assert r.status_code == 200, r.text
    tour = r.json()
    assert tour["distance_source"] == "streets"
    assert tour["legs"]
    for leg in tour["legs"]:
        ends = [(leg[side]["lat"], leg[side]["lon"]) for side in ("from", "to")]
        matrix = await street_matrix(session, ends, profile="foot")
        assert leg["distance_m"] == round(matrix[0][1])
        assert leg["distance_m"] >= haversine_m(*ends) - 1
