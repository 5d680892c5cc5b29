"""The tourist's web page: one HTML shell for every page a QR code can open, and its assets.

The page is plain HTML, CSS and JavaScript modules that call the JSON API. Assets are served
under ``/static/<version>/`` where the version is a digest of their contents, so browsers may
keep them for a year and a new release still reaches them at once.
"""

import hashlib
import html
import logging
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from tourism.config import Settings

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
SHELL = HERE / "index.html"
MAP_LIBRARY = STATIC_DIR / "vendor" / "maplibre-gl-csp.js"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def asset_version(directory: Path = STATIC_DIR) -> str:
    """A digest of every asset's name and contents: changes whenever any file does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def content_security_policy(settings: Settings) -> str:
    """Only this server's scripts, styles and data; the base map's origin when one is set."""
    map_origin = ""
    if settings.map_style_url.startswith(("http://", "https://")):
        parts = urlsplit(settings.map_style_url)
        map_origin = f" {parts.scheme}://{parts.netloc}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob:{map_origin}",
            f"connect-src 'self'{map_origin}",
            "worker-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    }


class Assets(StaticFiles):
    """Static files under a version prefix, with a gzip twin where the build made one."""

    def __init__(self, *, version: str, headers: dict[str, str]) -> None:
        super().__init__(directory=STATIC_DIR)
        self.version = version
        self.extra_headers = headers

    async def get_response(self, path: str, scope: Scope) -> Response:
        version, _, rest = path.partition("/")
        if not rest:
            raise HTTPException(status_code=404)
        response = await self._gzip_twin(rest, scope) or await super().get_response(rest, scope)
        response.headers["Vary"] = "Accept-Encoding"
        # An old page asking for an old version gets today's file, but must not keep it.
        response.headers["Cache-Control"] = IMMUTABLE if version == self.version else REVALIDATE
        response.headers.update(self.extra_headers)
        return response

    async def _gzip_twin(self, path: str, scope: Scope) -> Response | None:
        """The build's gzip copy of a script or stylesheet, when the browser takes gzip."""
        media_type = _media_type(path)
        if not media_type or "gzip" not in Headers(scope=scope).get("accept-encoding", ""):
            return None
        _, found = self.lookup_path(path + ".gz")
        if found is None:
            return None
        response = await super().get_response(path + ".gz", scope)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Type"] = media_type
        return response


def _media_type(path: str) -> str | None:
    return {
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
    }.get(Path(path).suffix)


def render_shell(settings: Settings, version: str, *, has_map: bool) -> str:
    assets = f"/static/{version}"
    values = {
        "ASSETS": assets,
        "MAP_STYLE_URL": settings.map_style_url,
        "MAP": "on" if has_map else "off",
    }
    page = SHELL.read_text(encoding="utf-8")
    for name, value in values.items():
        page = page.replace(f"%{name}%", html.escape(value, quote=True))
    # Every module at once, not import after import: one round trip instead of three.
    modules = sorted(
        p.relative_to(STATIC_DIR).as_posix()
        for p in STATIC_DIR.rglob("*.js")
        if "vendor" not in p.relative_to(STATIC_DIR).parts
    )
    preload = "".join(f'  <link rel="modulepreload" href="{assets}/{m}">\n' for m in modules)
    return page.replace("  <!-- modules -->\n", preload)


def install_web(app: FastAPI, settings: Settings) -> None:
    """Serve the page at every address a QR code or a shared link can open."""
    has_map = MAP_LIBRARY.is_file()
    if not has_map:
        log.warning("the map library is not built (run `make web`); the page shows lists only")
    version = asset_version()
    headers = security_headers(settings)
    page = render_shell(settings, version, has_map=has_map)

    def shell() -> HTMLResponse:
        # Unknown query parameters (utm_source, utm_medium, ...) are the page's to ignore.
        return HTMLResponse(page, headers={**headers, "Cache-Control": REVALIDATE})

    pages = APIRouter(include_in_schema=False)
    for path in ("/", "/search", "/eateries/{eatery_id}", "/stations/{station_id}"):
        pages.add_api_route(path, shell, methods=["GET", "HEAD"], response_class=HTMLResponse)
    app.include_router(pages)
    app.mount("/static", Assets(version=version, headers=headers), name="static")
