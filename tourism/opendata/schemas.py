from pydantic import BaseModel, ConfigDict, Field

from tourism.schemas import LocalDatetime


class Licence(BaseModel):
    id: str = Field(examples=["ODbL-1.0"], description="SPDX identifier")
    name: str
    url: str
    attribution: str = Field(description="What a re-user must credit")


class DataFormat(BaseModel):
    format: str = Field(examples=["csv"])
    media_type: str
    url: str


class DatasetPublic(BaseModel):
    id: str
    title: str
    description: str
    licence: Licence
    updated_at: LocalDatetime = Field(description="When the data last changed")
    formats: list[DataFormat]


LICENCE_EXAMPLE = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Hai Phong Department of Tourism",
}


class OpenDataCatalogue(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "publisher": "Hai Phong Department of Tourism",
                    "datasets": [
                        {
                            "id": "dishes",
                            "title": "Hai Phong dishes",
                            "description": "The dish catalogue: slug, Vietnamese and English "
                            "names, category, descriptions and the other names people use.",
                            "licence": LICENCE_EXAMPLE,
                            "updated_at": "2026-12-02T03:15:00+07:00",
                            "formats": [
                                {
                                    "format": "csv",
                                    "media_type": "text/csv; charset=utf-8",
                                    "url": "https://api.haiphong-food.example/api/v1/open-data/"
                                    "dishes.csv",
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )

    publisher: str
    datasets: list[DatasetPublic]


# The files' shapes, for the OpenAPI document (they stream, so no model builds them).
CSV_EXAMPLE = (
    "\ufeffslug,name_vi,name_en,category,description_vi,description_en,aliases\r\n"
    "banh-cuon,Bánh cuốn,Steamed rice rolls,rolls,Bánh cuốn nhân thịt mộc nhĩ.,"
    "Silky rice rolls with pork and mushroom.,bánh cuốn nóng; steamed rice rolls\r\n"
)
GEOJSON_SCHEMA = {
    "type": "object",
    "description": "A GeoJSON FeatureCollection (RFC 7946) with the foreign members `name` "
    "(the data set) and `licence`; each feature's `properties` are the data set's columns",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "name": {"type": "string"},
        "licence": {"type": "object"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "id": {"type": ["string", "integer"]},
                    "geometry": {
                        "type": ["object", "null"],
                        "properties": {
                            "type": {"const": "Point"},
                            "coordinates": {
                                "type": "array",
                                "items": {"type": "number"},
                                "minItems": 2,
                                "maxItems": 2,
                            },
                        },
                    },
                    "properties": {"type": "object"},
                },
            },
        },
    },
}
GEOJSON_EXAMPLE = {
    "type": "FeatureCollection",
    "name": "stations",
    "licence": LICENCE_EXAMPLE,
    "features": [
        {
            "type": "Feature",
            "id": "hp-001",
            "geometry": {"type": "Point", "coordinates": [106.6835, 20.8579]},
            "properties": {
                "station_id": "hp-001",
                "name_vi": "Nhà hát Lớn Hải Phòng",
                "name_en": "Hai Phong Opera House",
                "capacity": 20,
            },
        }
    ],
}
