"""The official GBFS v3.0 schemas of the five files under /gbfs/v3/, as OpenAPI 3.1 components.

The schemas are MobilityData's draft-07 files, copied unchanged into `gbfs_schemas/` (Apache
License 2.0). OpenAPI 3.1 reads JSON Schema 2020-12, and the document must resolve without the
internet (schemathesis and the tests resolve it locally), so each is adapted as it loads:
its `$schema` and `$id` (a URL, which would rebase every reference) are dropped, the source kept
in `$comment`; draft-07 `dependencies` becomes `dependentRequired` / `dependentSchemas`. The
schemas hold no `$ref` or `definitions` of their own (checked here, so a new copy that does
cannot slip through unadapted).

The examples are real answers of the seeded system (two stations of each station file).
"""

from functools import cache
from importlib.resources import files
from typing import Any

import orjson

# file -> the component's name
COMPONENTS = {
    "gbfs": "GbfsDiscovery",
    "system_information": "GbfsSystemInformation",
    "vehicle_types": "GbfsVehicleTypes",
    "station_information": "GbfsStationInformation",
    "station_status": "GbfsStationStatus",
}


def _adapted(node: Any) -> Any:
    if isinstance(node, list):
        return [_adapted(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node or "definitions" in node:
        raise RuntimeError("a GBFS schema with references: adapt them to #/components/schemas")
    adapted: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$schema", "$id"):
            continue
        if key == "dependencies":
            required = {k: v for k, v in value.items() if isinstance(v, list)}
            schemas = {k: _adapted(v) for k, v in value.items() if not isinstance(v, list)}
            if required:
                adapted["dependentRequired"] = required
            if schemas:
                adapted["dependentSchemas"] = schemas
            continue
        # `properties` maps names to schemas: a property may be called anything
        adapted[key] = (
            {name: _adapted(schema) for name, schema in value.items()}
            if key == "properties"
            else _adapted(value)
        )
    return adapted


def official(name: str) -> dict[str, Any]:
    """The official schema of `name`.json, as published (draft-07)."""
    return orjson.loads((files(__package__) / "gbfs_schemas" / f"{name}.json").read_bytes())


@cache
def components() -> dict[str, dict[str, Any]]:
    """Every file's schema, adapted, by component name."""
    found = {}
    for name, component in COMPONENTS.items():
        schema = official(name)
        source = schema.get("$id", "")
        found[component] = {
            "$comment": f"GBFS v3.0 {name}.json, MobilityData (Apache-2.0): {source}",
            **_adapted(schema),
        }
    return found


def responses(name: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a GBFS file: its official schema and a real example, and 304."""
    return {
        200: {
            "description": f"The {name}.json file (GBFS v3.0, its official schema)",
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{COMPONENTS[name]}"},
                    "example": EXAMPLES[name],
                }
            },
            "headers": {
                "ETag": {"description": "The file's version", "schema": {"type": "string"}},
                "Cache-Control": {
                    "description": "`public, max-age=` the file's `ttl`",
                    "schema": {"type": "string"},
                },
            },
        },
        304: {"description": "Unchanged since the ETag sent in If-None-Match"},
    }


EXAMPLES: dict[str, dict[str, Any]] = {
    "gbfs": {
        "last_updated": "2026-12-02T06:10:56+07:00",
        "ttl": 3600,
        "version": "3.0",
        "data": {
            "feeds": [
                {
                    "name": "system_information",
                    "url": "https://api.haiphong-food.example/gbfs/v3/system_information.json",
                },
                {
                    "name": "vehicle_types",
                    "url": "https://api.haiphong-food.example/gbfs/v3/vehicle_types.json",
                },
                {
                    "name": "station_information",
                    "url": "https://api.haiphong-food.example/gbfs/v3/station_information.json",
                },
                {
                    "name": "station_status",
                    "url": "https://api.haiphong-food.example/gbfs/v3/station_status.json",
                },
            ]
        },
    },
    "system_information": {
        "last_updated": "2026-12-02T06:10:56+07:00",
        "ttl": 3600,
        "version": "3.0",
        "data": {
            "system_id": "vn-haiphong-bikeshare",
            "languages": ["vi", "en"],
            "name": [
                {"text": "Xe đạp công cộng Hải Phòng", "language": "vi"},
                {"text": "Hai Phong Public Bike Share", "language": "en"},
            ],
            "operator": [
                {"text": "TNGo Hải Phòng", "language": "vi"},
                {"text": "TNGo Hai Phong", "language": "en"},
            ],
            "opening_hours": "24/7",
            "feed_contact_email": "gbfs@foodtour.example.com",
            "timezone": "Asia/Ho_Chi_Minh",
            "license_id": "CC-BY-4.0",
            "attribution_organization_name": [
                {"text": "Sở Du lịch Hải Phòng", "language": "vi"},
                {"text": "Hai Phong Department of Tourism", "language": "en"},
            ],
        },
    },
    "vehicle_types": {
        "last_updated": "2026-12-02T06:10:56+07:00",
        "ttl": 3600,
        "version": "3.0",
        "data": {
            "vehicle_types": [
                {
                    "vehicle_type_id": "bicycle",
                    "form_factor": "bicycle",
                    "propulsion_type": "human",
                    "rider_capacity": 1,
                    "name": [
                        {"text": "Xe đạp", "language": "vi"},
                        {"text": "Bicycle", "language": "en"},
                    ],
                    "return_constraint": "any_station",
                }
            ]
        },
    },
    "station_information": {
        "last_updated": "2026-12-02T03:15:00+07:00",
        "ttl": 60,
        "version": "3.0",
        "data": {
            "stations": [
                {
                    "station_id": "hp-001",
                    "name": [
                        {"text": "Nhà hát Lớn Hải Phòng", "language": "vi"},
                        {"text": "Hai Phong Opera House", "language": "en"},
                    ],
                    "lat": 20.8579,
                    "lon": 106.6835,
                    "address": "Quảng trường Nhà hát Lớn, Hoàng Văn Thụ",
                    "capacity": 20,
                },
                {
                    "station_id": "hp-002",
                    "name": [
                        {"text": "Tượng đài Nữ tướng Lê Chân", "language": "vi"},
                        {"text": "Le Chan Statue", "language": "en"},
                    ],
                    "lat": 20.85893,
                    "lon": 106.68079,
                    "address": "Dải vườn hoa trung tâm, Quang Trung",
                    "capacity": 16,
                },
            ]
        },
    },
    "station_status": {
        "last_updated": "2026-12-02T03:15:00+07:00",
        "ttl": 60,
        "version": "3.0",
        "data": {
            "stations": [
                {
                    "station_id": "hp-001",
                    "num_vehicles_available": 12,
                    "vehicle_types_available": [{"vehicle_type_id": "bicycle", "count": 12}],
                    "num_docks_available": 8,
                    "is_installed": True,
                    "is_renting": True,
                    "is_returning": True,
                    "last_reported": "2026-12-02T03:15:00+07:00",
                },
                {
                    "station_id": "hp-002",
                    "num_vehicles_available": 9,
                    "vehicle_types_available": [{"vehicle_type_id": "bicycle", "count": 9}],
                    "num_docks_available": 7,
                    "is_installed": True,
                    "is_renting": True,
                    "is_returning": True,
                    "last_reported": "2026-12-02T03:15:00+07:00",
                },
            ]
        },
    },
}
