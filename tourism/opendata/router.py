from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from tourism.dependencies import ReadSessionDep, SessionsDep, SettingsDep
from tourism.exceptions import NotFound
from tourism.languages import say
from tourism.openapi import errors
from tourism.opendata import service
from tourism.opendata.schemas import (
    CSV_EXAMPLE,
    GEOJSON_EXAMPLE,
    GEOJSON_SCHEMA,
    OpenDataCatalogue,
)

router = APIRouter(prefix="/open-data", tags=["open data"])
FileName = Annotated[
    str,
    Path(
        max_length=40,
        pattern=r"^[a-z]+\.(csv|geojson)$",
        description="`eateries.geojson`, `eateries.csv`, `dishes.csv`, `menu.csv` or "
        "`stations.geojson`",
        examples=["dishes.csv"],
    ),
]


@router.get(
    "",
    response_model=OpenDataCatalogue,
    summary="The open data sets and their licences",
    description="Every data set published under an open licence (eateries, dishes, prices, "
    "bike stations): its title, what it holds, its licence and attribution, when it last "
    "changed and the URL of each format. A fixed short list, not paged.",
)
async def catalogue(request: Request, session: ReadSessionDep, settings: SettingsDep) -> dict:
    return await service.catalogue(
        session,
        base_url=str(request.url_for("open_data_file", file="x")).rsplit("/", 1)[0],
        default_licence=settings.open_data_licence,
        publisher=settings.open_data_publisher,
    )


@router.get(
    "/{file}",
    name="open_data_file",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file, as an attachment",
            "content": {
                service.MEDIA["csv"]: {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
                service.MEDIA["geojson"]: {"schema": GEOJSON_SCHEMA, "example": GEOJSON_EXAMPLE},
            },
        },
        **errors(404),
    },
    summary="One data set as a file, streamed",
    description="One data set as CSV (UTF-8 with a byte order mark, for spreadsheets) or "
    "GeoJSON, streamed from the database as it is read, so any size answers in constant "
    'memory. `Link: <licence>; rel="license"` names its licence; an unknown file is a 404.',
)
async def open_data_file(
    session: ReadSessionDep, sessions: SessionsDep, settings: SettingsDep, file: FileName
):
    """`eateries.geojson`, `eateries.csv`, `dishes.csv`, `menu.csv`, `stations.geojson`."""
    dataset = service.BY_FILE.get(file)
    if dataset is None:
        raise NotFound(
            say(
                f"no open data file {file!r}; see /api/v1/open-data",
                f"không có tệp dữ liệu mở {file!r}; xem /api/v1/open-data",
            )
        )
    licence = service.licence(
        dataset,
        default=settings.open_data_licence,
        publisher=settings.open_data_publisher,
        has_osm_rows=await service.has_osm_rows(session),
    )
    export = service.EXPORTS[dataset.id]
    # The rows stream on write-engine sessions of their own: asyncpg opens a server-side cursor
    # only in a transaction, and the stream outlives the request's session.
    if file.endswith(".csv"):
        body = service.csv_stream(sessions, export.query(), export.csv_columns)
        media_type = service.MEDIA["csv"]
    else:
        body = service.geojson_stream(
            sessions,
            export.query(),
            export.columns,
            key=export.key,
            members={"name": dataset.id, "licence": licence},
        )
        media_type = service.MEDIA["geojson"]
    headers = {
        "Content-Disposition": f'attachment; filename="{file}"',
        "Link": f'<{licence["url"]}>; rel="license"',
    }
    return StreamingResponse(body, media_type=media_type, headers=headers)
