from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from tourism.dependencies import ReadSessionDep, SessionsDep, SettingsDep
from tourism.exceptions import NotFound
from tourism.opendata import service
from tourism.opendata.schemas import OpenDataCatalogue

router = APIRouter(prefix="/open-data", tags=["open data"])
FileName = Annotated[str, Path(max_length=40, pattern=r"^[a-z]+\.(csv|geojson)$")]


@router.get("", response_model=OpenDataCatalogue, summary="The open data sets and their licences")
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
    responses={200: {"content": {service.MEDIA["csv"]: {}, service.MEDIA["geojson"]: {}}}},
    summary="One data set as a file, streamed",
)
async def open_data_file(
    session: ReadSessionDep, sessions: SessionsDep, settings: SettingsDep, file: FileName
):
    """`eateries.geojson`, `eateries.csv`, `dishes.csv`, `menu.csv`, `stations.geojson`."""
    dataset = service.BY_FILE.get(file)
    if dataset is None:
        raise NotFound(f"no open data file {file!r}; see /api/v1/open-data")
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
