"""The self-hosted base map: one PMTiles archive, read by the page in HTTP byte ranges.

No tile server: the browser's PMTiles reader asks for the header, the directories and each tile
as a range of the one file. Starlette's FileResponse answers Range (206, 416, multipart) and
If-Range; this adds the strong ETag the reader checks between requests, If-None-Match and a
long cache.
"""

import os
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response

from tourism.config import Settings

BASEMAP_URL = "/basemap.pmtiles"
MEDIA_TYPE = "application/vnd.pmtiles"
# A day: the archive changes when an operator replaces it, and the ETag says when it did.
CACHE_CONTROL = "public, max-age=86400"


def entity_tag(stat: os.stat_result) -> str:
    """Strong: a replaced file (new size or modification time) never matches an old tag."""
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'


def _matches(if_none_match: str, etag: str) -> bool:
    # If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def basemap_response(path: Path, request: Request) -> Response:
    stat = path.stat()  # per request: the file may be replaced while the server runs
    etag = entity_tag(stat)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Accept-Ranges": "bytes"}
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, stat_result=stat, media_type=MEDIA_TYPE, headers=headers)


def install_basemap(app: FastAPI, settings: Settings) -> None:
    """Serve `settings.basemap_pmtiles` at BASEMAP_URL; nothing there (404) when it is unset."""
    path = settings.basemap_pmtiles
    if path is None:
        return
    router = APIRouter(include_in_schema=False)

    def basemap(request: Request) -> Response:
        return basemap_response(path, request)

    router.add_api_route(BASEMAP_URL, basemap, methods=["GET", "HEAD"])
    app.include_router(router)
