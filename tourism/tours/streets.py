"""Street distances for the tour planner: an OpenStreetMap extract imported as a routing graph
(`foodtour import streets`), and distances along it computed by pgRouting.

The graph: every way with a `highway` tag that someone may walk or cycle, cut at the nodes
two or more ways share (the junctions, pgRouting's vertices) and at its ends. Vertices keep
their OSM node ids; an edge knows whether it may be walked, cycled, and whether bikes may ride
it only from source to target (a `oneway=-1` way is stored turned round). Walking ignores
oneways. Lengths are metres on the geography.

The tables need no pgRouting; routing does. Without an imported network or without the
extension, `street_matrix` and `street_path` answer None and the planner estimates instead.
"""

import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from tourism.languages import say

Profile = Literal["foot", "bike"]
Executor = AsyncSession | AsyncConnection

YES = {"yes", "designated", "permissive", "official"}
NO = {"no", "private", "use_sidepath", "dismount"}
# Roads for cars only unless foot=* / bicycle=* say otherwise.
MOTOR_ROADS = {"motorway", "motorway_link", "trunk", "trunk_link"}
# Paths for people on foot; bikes only where bicycle=yes/designated.
FOOT_PATHS = {"footway", "pedestrian", "steps", "corridor", "bridleway"}
# highway=* values that are not (yet, or any more) a way one can use.
NOT_WAYS = set(
    "proposed construction abandoned disused razed platform bus_stop raceway rest_area services "
    "elevator emergency_bay".split()
)
CHUNK = 5000  # rows per INSERT: arrays of this size are a few hundred kB
# The graph a distance is computed on: the points' bounding box with this margin (degrees,
# about 2 km). A shortest path across a city seldom strays further from its ends' box, and
# loading the whole city's graph on every call costs more than the search itself.
MARGIN_DEG = 0.02
SNAP_CANDIDATES = 8  # KNN on degrees, then the nearest of these in metres


class StreetsError(Exception):
    """The streets cannot be imported; the message says why, in one line."""


# -- tags ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Modes:
    """Who may use a way: on foot, by bike, and bikes' direction (1 along the way's node
    order, -1 against it, 0 both ways)."""

    foot: bool
    bike: bool
    bike_direction: int = 0


def modes(tags: Mapping[str, str]) -> Modes | None:
    """How a way with these tags may be used, or None when not on foot nor by bike."""
    highway = tags.get("highway")
    if not highway or highway in NOT_WAYS:
        return None
    if tags.get("area") == "yes" and highway != "pedestrian":
        return None  # a square or a parking lot drawn as an area: its outline is no street
    foot = bike = highway not in MOTOR_ROADS
    if highway in FOOT_PATHS:
        bike = False
    if tags.get("access") in NO:
        foot = bike = False
    if tags.get("vehicle") in NO:
        bike = False
    foot = _allowed(tags.get("foot"), foot)
    bike = _allowed(tags.get("bicycle"), bike)
    if not (foot or bike):
        return None
    return Modes(foot=foot, bike=bike, bike_direction=_bike_direction(tags) if bike else 0)


def _allowed(value: str | None, default: bool) -> bool:
    if value in YES:
        return True
    if value in NO:
        return False
    return default


def _bike_direction(tags: Mapping[str, str]) -> int:
    oneway = tags.get("oneway:bicycle") or tags.get("oneway")
    if oneway is None and tags.get("junction") in ("roundabout", "circular"):
        oneway = "yes"
    if tags.get("oneway:bicycle") == "no" or tags.get("cycleway", "").startswith("opposite"):
        return 0
    return {"yes": 1, "true": 1, "1": 1, "-1": -1, "reverse": -1}.get(oneway or "no", 0)


# -- reading a file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RawWay:
    id: int
    refs: tuple[int, ...]
    modes: Modes
    name: str | None


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    foot: bool
    bike: bool
    bike_oneway: bool
    name: str | None
    way_id: int
    points: tuple[tuple[float, float], ...]  # (lon, lat) from source to target


@dataclass(frozen=True)
class Network:
    vertices: dict[int, tuple[float, float]]  # OSM node id -> (lon, lat)
    edges: list[Edge]


def read_streets(path: str | Path) -> Network:
    """The routing graph of an OSM XML (`.osm`) or PBF (`.osm.pbf`) file."""
    path = Path(path)
    if not path.is_file():
        raise StreetsError(f"{path}: no such file")
    name = path.name.lower()
    try:
        if name.endswith(".pbf"):
            ways, coords = _read_pbf(path)
        elif name.endswith((".osm", ".xml")):
            ways, coords = _read_xml(path)
        else:
            raise StreetsError(f"{path}: expected an OSM XML (.osm) or PBF (.osm.pbf) file")
    except OSError as exc:
        raise StreetsError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (TypeError, ValueError) as exc:  # a missing or non-numeric id, ref, lat or lon
        raise StreetsError(f"{path}: a node or way without a valid id or position") from exc
    network = build_network(ways, coords)
    if not network.edges:
        raise StreetsError(f"{path}: no street one can walk or cycle on")
    return network


def _read_xml(path: Path) -> tuple[list[RawWay], dict[int, tuple[float, float]]]:
    # Two streaming passes (ways, then only their nodes): a city's XML holds millions of nodes
    # that are not on a street.
    ways: list[RawWay] = []
    for element in _top_level(path, "way"):
        tags = {t.get("k"): t.get("v") for t in element.iter("tag")}
        if (use := modes(tags)) is not None:
            refs = tuple(int(nd.get("ref")) for nd in element.iter("nd"))
            ways.append(RawWay(int(element.get("id")), refs, use, tags.get("name")))
    needed = {ref for way in ways for ref in way.refs}
    coords: dict[int, tuple[float, float]] = {}
    for element in _top_level(path, "node"):
        node_id = int(element.get("id"))
        if node_id in needed:
            coords[node_id] = (float(element.get("lon")), float(element.get("lat")))
    return ways, coords


def _top_level(path: Path, tag: str) -> Iterator[ET.Element]:
    """The complete `<tag>` children of `<osm>`, each dropped once seen (constant memory)."""
    root = None
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if root is None:
                root = element
                if root.tag != "osm":
                    raise StreetsError(f"{path}: not OSM XML (root <{root.tag}>, not <osm>)")
            elif event == "end" and element.tag in ("node", "way", "relation"):
                if element.tag == tag:
                    yield element
                root.clear()
    except ET.ParseError as exc:
        raise StreetsError(f"{path}: not well-formed XML ({exc})") from exc


def _read_pbf(path: Path) -> tuple[list[RawWay], dict[int, tuple[float, float]]]:
    import osmium

    ways: list[RawWay] = []
    coords: dict[int, tuple[float, float]] = {}
    try:
        # libosmium keeps every node's position in its own compact index and hands each way its
        # nodes' positions: only the streets' nodes reach Python.
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            tags = {tag.k: tag.v for tag in way.tags}
            if (use := modes(tags)) is None:
                continue
            refs = []
            for node in way.nodes:
                refs.append(node.ref)
                if node.location.valid():
                    coords[node.ref] = (node.location.lon, node.location.lat)
            ways.append(RawWay(way.id, tuple(refs), use, tags.get("name")))
    except RuntimeError as exc:  # libosmium's "PBF error: ...", "invalid BlobHeader", ...
        raise StreetsError(f"{path}: not a readable OSM PBF file ({exc})") from exc
    return ways, coords


def build_network(ways: Sequence[RawWay], coords: Mapping[int, tuple[float, float]]) -> Network:
    """Cut the ways into edges at the nodes they share and at their ends."""
    pieces: list[tuple[RawWay, list[int]]] = []
    for way in ways:
        # A node outside the extract breaks the way there; repeated nodes collapse.
        run: list[int] = []
        for ref in (*way.refs, None):
            if ref is not None and ref in coords:
                if not run or run[-1] != ref:
                    run.append(ref)
                continue
            if len(run) >= 2:
                pieces.append((way, run))
            run = []
    uses = Counter(ref for _, refs in pieces for ref in refs)
    junctions = {ref for ref, n in uses.items() if n >= 2}
    junctions |= {refs[i] for _, refs in pieces for i in (0, -1)}

    edges: list[Edge] = []
    for way, refs in pieces:
        start = 0
        for i in range(1, len(refs)):
            if refs[i] not in junctions:
                continue
            part = refs[start : i + 1]
            start = i
            if part[0] == part[-1]:
                continue  # a loop back to where it began never shortens a path
            if way.modes.bike_direction < 0:
                part = part[::-1]
            edges.append(
                Edge(
                    source=part[0],
                    target=part[-1],
                    foot=way.modes.foot,
                    bike=way.modes.bike,
                    bike_oneway=way.modes.bike_direction != 0,
                    name=way.name,
                    way_id=way.id,
                    points=tuple(coords[ref] for ref in part),
                )
            )
    ends = {ref for edge in edges for ref in (edge.source, edge.target)}
    return Network(vertices={ref: coords[ref] for ref in sorted(ends)}, edges=edges)


# -- the database -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreetNetwork:
    """What an import left in the database."""

    source: str
    vertices: int
    edges: int
    length_m: float

    @property
    def km(self) -> float:
        return self.length_m / 1000


async def ensure_pgrouting(session: AsyncSession) -> None:
    """CREATE EXTENSION pgrouting, or a StreetsError saying how to get it."""
    try:
        async with session.begin_nested():
            await session.execute(text("CREATE EXTENSION IF NOT EXISTS pgrouting"))
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if state == "58P01":  # the control file is missing: not installed on the server
            raise StreetsError(
                "pgRouting is not installed on the database server: "
                "apt-get install postgresql-15-pgrouting (or your PostgreSQL's version)"
            ) from exc
        if state == "42501":
            raise StreetsError(
                "not allowed to CREATE EXTENSION pgrouting: ask the database's owner to run it"
            ) from exc
        raise


async def import_streets(session: AsyncSession, path: str | Path) -> StreetNetwork:
    """Replace the street network with the one in `path`, in the session's transaction.

    Reads the file before touching the database; creates the pgrouting extension. Importing
    the same file again gives the same rows (vertex ids are OSM node ids, edge ids numbered
    in file order).
    """
    network = read_streets(path)
    await ensure_pgrouting(session)
    return await replace_network(session, network, source=Path(path).name)


async def replace_network(session: AsyncSession, network: Network, *, source: str) -> StreetNetwork:
    # Readers keep routing on the old network until commit; a second import waits here.
    await session.execute(text("LOCK TABLE street_networks IN EXCLUSIVE MODE"))
    await session.execute(text("DELETE FROM street_edges"))
    await session.execute(text("DELETE FROM street_vertices"))
    vertices = list(network.vertices.items())
    for chunk in _chunks(vertices):
        await session.execute(
            text(
                "INSERT INTO street_vertices (id, geom) "
                "SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) FROM unnest("
                "CAST(:ids AS bigint[]), CAST(:lons AS float8[]), CAST(:lats AS float8[])"
                ") AS v(id, lon, lat)"
            ),
            {
                "ids": [v[0] for v in chunk],
                "lons": [v[1][0] for v in chunk],
                "lats": [v[1][1] for v in chunk],
            },
        )
    numbered = list(enumerate(network.edges, start=1))
    for chunk in _chunks(numbered):
        await session.execute(
            text(
                "INSERT INTO street_edges "
                "(id, source, target, length_m, foot, bike, bike_oneway, name, way_id, geom) "
                "SELECT id, source, target, ST_Length(g::geography), foot, bike, bike_oneway, "
                "name, way_id, g FROM ("
                "  SELECT e.*, ST_GeomFromText(wkt, 4326) AS g FROM unnest("
                "    CAST(:ids AS bigint[]), CAST(:sources AS bigint[]),"
                "    CAST(:targets AS bigint[]), CAST(:foot AS boolean[]),"
                "    CAST(:bike AS boolean[]), CAST(:oneway AS boolean[]),"
                "    CAST(:names AS text[]), CAST(:ways AS bigint[]), CAST(:wkts AS text[])"
                "  ) AS e(id, source, target, foot, bike, bike_oneway, name, way_id, wkt)"
                ") AS e"
            ),
            {
                "ids": [i for i, _ in chunk],
                "sources": [e.source for _, e in chunk],
                "targets": [e.target for _, e in chunk],
                "foot": [e.foot for _, e in chunk],
                "bike": [e.bike for _, e in chunk],
                "oneway": [e.bike_oneway for _, e in chunk],
                "names": [e.name for _, e in chunk],
                "ways": [e.way_id for _, e in chunk],
                "wkts": [_wkt(e.points) for _, e in chunk],
            },
        )
    # Ids were given explicitly: later default ids start after them.
    await session.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('street_edges', 'id'), "
            "greatest((SELECT max(id) FROM street_edges), 1))"
        )
    )
    row = (
        await session.execute(
            text(
                "INSERT INTO street_networks (id, source, imported_at, vertices, edges, length_m) "
                "SELECT 1, :source, now(), (SELECT count(*) FROM street_vertices), count(*), "
                "coalesce(sum(length_m), 0) FROM street_edges "
                "ON CONFLICT (id) DO UPDATE SET source = excluded.source, "
                "imported_at = excluded.imported_at, vertices = excluded.vertices, "
                "edges = excluded.edges, length_m = excluded.length_m "
                "RETURNING source, vertices, edges, length_m"
            ),
            {"source": source},
        )
    ).one()
    # Fresh statistics, so the first routing after an import plans with the new sizes.
    await session.execute(text("ANALYZE street_vertices, street_edges"))
    return StreetNetwork(
        source=row.source, vertices=row.vertices, edges=row.edges, length_m=row.length_m
    )


def _chunks(rows: list) -> Iterator[list]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _wkt(points: Sequence[tuple[float, float]]) -> str:
    return "LINESTRING(" + ", ".join(f"{lon!r} {lat!r}" for lon, lat in points) + ")"


# -- distances ---------------------------------------------------------------------------------

# pgRouting's edges for each profile: cost forwards, reverse_cost backwards (-1: not allowed).
EDGES_SQL = {
    "foot": "SELECT id, source, target, length_m AS cost, length_m AS reverse_cost "
    "FROM street_edges WHERE foot AND geom && ST_MakeEnvelope({w}, {s}, {e}, {n}, 4326)",
    "bike": "SELECT id, source, target, length_m AS cost, "
    "CASE WHEN bike_oneway THEN -1 ELSE length_m END AS reverse_cost "
    "FROM street_edges WHERE bike AND geom && ST_MakeEnvelope({w}, {s}, {e}, {n}, 4326)",
}

SNAP_SQL = """
SELECT p.i, s.id, s.snap_m, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
  FROM unnest(CAST(:lats AS float8[]), CAST(:lons AS float8[])) WITH ORDINALITY AS t(lat, lon, i)
 CROSS JOIN LATERAL (SELECT t.i, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) AS g) AS p
 CROSS JOIN LATERAL (
       SELECT c.id, c.geom, ST_Distance(c.geom::geography, p.g::geography) AS snap_m
         FROM (SELECT v.id, v.geom
                 FROM street_vertices v
                WHERE EXISTS (SELECT FROM street_edges e WHERE e.source = v.id AND e.{profile})
                   OR EXISTS (SELECT FROM street_edges e WHERE e.target = v.id AND e.{profile})
                ORDER BY v.geom <-> p.g
                LIMIT {candidates}) AS c
        ORDER BY snap_m
        LIMIT 1) AS s
 ORDER BY p.i
"""


@dataclass(frozen=True)
class _Snap:
    vertex: int
    snap_m: float


async def has_street_network(db: Executor) -> bool:
    """Whether pgRouting is installed in the database and a network has been imported."""
    return bool(
        await db.scalar(
            text(
                "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'pgrouting') "
                "AND EXISTS (SELECT FROM street_networks WHERE edges > 0)"
            )
        )
    )


async def _snap(
    db: Executor, points: Sequence[tuple[float, float]], profile: Profile
) -> list[_Snap] | None:
    """Each point's nearest vertex on an edge the profile may use (None: no such vertex)."""
    column = {"foot": "foot", "bike": "bike"}[profile]
    rows = (
        await db.execute(
            text(SNAP_SQL.format(profile=column, candidates=SNAP_CANDIDATES)),
            {"lats": [float(p[0]) for p in points], "lons": [float(p[1]) for p in points]},
        )
    ).all()
    if len(rows) != len(points):
        return None
    return [_Snap(vertex=row.id, snap_m=row.snap_m) for row in rows]


def _edges_sql(profile: Profile, points: Sequence[tuple[float, float]]) -> str:
    lats = [float(p[0]) for p in points]
    lons = [float(p[1]) for p in points]
    return EDGES_SQL[profile].format(
        w=min(lons) - MARGIN_DEG,
        s=min(lats) - MARGIN_DEG,
        e=max(lons) + MARGIN_DEG,
        n=max(lats) + MARGIN_DEG,
    )


# A caller's mistake, never a client's: the profiles are this module's own.
UNKNOWN_PROFILE = say(
    "unknown profile: 'foot' or 'bike'", "không có kiểu đường này: 'foot' hoặc 'bike'"
)


async def street_matrix(
    db: Executor, points: list[tuple[float, float]], *, profile: Profile
) -> list[list[float]] | None:
    """Metres along the streets from every point to every other, `points` as (lat, lon).

    Each point joins the network at its nearest vertex usable by `profile` ("foot": oneways
    both ways; "bike": oneways one way), the straight distance to it added at both ends.
    `math.inf` where no street path leads; None when no network has been imported, pgRouting
    is missing, or the profile has no street at all.
    """
    if profile not in EDGES_SQL:
        raise ValueError(UNKNOWN_PROFILE)
    if not points:
        return []
    if not await has_street_network(db):
        return None
    snaps = await _snap(db, points, profile)
    if snaps is None:
        return None
    vertices = sorted({s.vertex for s in snaps})
    costs: dict[tuple[int, int], float] = {}
    if len(vertices) > 1:
        rows = await db.execute(
            text(
                "SELECT start_vid, end_vid, agg_cost "
                "FROM pgr_dijkstraCostMatrix(:edges, CAST(:vids AS bigint[]), directed => true)"
            ),
            {"edges": _edges_sql(profile, points), "vids": vertices},
        )
        costs = {(r.start_vid, r.end_vid): r.agg_cost for r in rows}
    matrix: list[list[float]] = []
    for i, a in enumerate(snaps):
        row = []
        for j, b in enumerate(snaps):
            if i == j or points[i] == points[j]:
                row.append(0.0)
                continue
            between = 0.0 if a.vertex == b.vertex else costs.get((a.vertex, b.vertex), math.inf)
            row.append(a.snap_m + between + b.snap_m)
        matrix.append(row)
    return matrix


async def street_path(
    db: Executor, a: tuple[float, float], b: tuple[float, float], *, profile: Profile
) -> list[tuple[float, float]] | None:
    """The line of the shortest street path from `a` to `b` (both (lat, lon)), as (lon, lat)
    points from `a` to `b` (GeoJSON order), for drawing a leg. None when there is no network
    (as `street_matrix`) or no street path between them."""
    if profile not in EDGES_SQL:
        raise ValueError(UNKNOWN_PROFILE)
    if not await has_street_network(db):
        return None
    snaps = await _snap(db, [a, b], profile)
    if snaps is None:
        return None
    start, end = snaps[0].vertex, snaps[1].vertex
    line: list[tuple[float, float]] = [(float(a[1]), float(a[0]))]
    if start == end:
        row = (
            await db.execute(
                text(
                    "SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat "
                    "FROM street_vertices WHERE id = :id"
                ),
                {"id": start},
            )
        ).one()
        line.append((row.lon, row.lat))
    else:
        rows = (
            await db.execute(
                text(
                    "SELECT ST_X(d.geom) AS lon, ST_Y(d.geom) AS lat "
                    "FROM pgr_dijkstra(:edges, CAST(:start AS bigint), CAST(:end AS bigint), "
                    "directed => true) AS r "
                    "JOIN street_edges e ON e.id = r.edge "
                    "CROSS JOIN LATERAL ST_DumpPoints(CASE WHEN e.source = r.node THEN e.geom "
                    "ELSE ST_Reverse(e.geom) END) AS d "
                    "ORDER BY r.seq, d.path[1]"
                ),
                {"edges": _edges_sql(profile, [a, b]), "start": start, "end": end},
            )
        ).all()
        if not rows:
            return None
        line.extend((row.lon, row.lat) for row in rows)
    line.append((float(b[1]), float(b[0])))
    # Consecutive edges share their joining vertex; the ends may sit on a vertex.
    return [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]]
