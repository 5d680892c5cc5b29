"""The web pages: the tourist's page (one HTML shell for every page a QR code can open), the
staff console (a second shell for /console/...), and their assets.

The pages are plain HTML, CSS and JavaScript modules that call the JSON API. Assets are served
under ``/static/<version>/`` where the version is a digest of their contents, so browsers may
keep them for a year and a new release still reaches them at once.
"""

import hashlib
import html
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from tourism.config import Settings
from tourism.web.basemap import BASEMAP_URL, install_basemap
from tourism.web.pages import install_pages

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
SHELL = HERE / "index.html"
CONSOLE_SHELL = HERE / "console.html"
# Each shell's entry module: it and the modules it imports are the shell's to preload.
ENTRY = "app.js"
CONSOLE_ENTRY = "console/app.js"
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


# `import ... from './x.js'`, `import './x.js'`, `export ... from './x.js'`, `import('./x.js')`
_IMPORT = re.compile(r"""\b(?:from|import)\s*\(?\s*['"](\.{1,2}/[^'"]+\.js)['"]""")


def module_closure(entry: str, directory: Path = STATIC_DIR) -> list[str]:
    """`entry` and every module it imports (statically or by a literal `import()`), as paths
    under `directory`; a module that is not there (not built, not written yet) is left out."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        path = directory / name
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        for target in _IMPORT.findall(path.read_text(encoding="utf-8")):
            resolved = (path.parent / target).resolve()
            if resolved.is_relative_to(directory):
                todo.append(resolved.relative_to(directory).as_posix())
    return sorted(name for name in seen if "vendor" not in Path(name).parts)


def render_shell(
    settings: Settings,
    version: str,
    *,
    has_map: bool,
    shell: Path = SHELL,
    entry: str = ENTRY,
) -> str:
    assets = f"/static/{version}"
    values = {
        "ASSETS": assets,
        "MAP_STYLE_URL": settings.map_style_url,
        "BASEMAP": BASEMAP_URL if settings.basemap_pmtiles else "",
        "MAP": "on" if has_map else "off",
    }
    page = shell.read_text(encoding="utf-8")
    for name, value in values.items():
        page = page.replace(f"%{name}%", html.escape(value, quote=True))
    # Every module of this page at once, not import after import: one round trip instead of
    # three. Only this page's: the tourist's phone does not fetch the console, nor the reverse.
    preload = "".join(
        f'  <link rel="modulepreload" href="{assets}/{m}">\n' for m in module_closure(entry)
    )
    return page.replace("  <!-- modules -->\n", preload)


def install_web(app: FastAPI, settings: Settings) -> None:
    """Serve the tourist page at every address a QR code or a shared link can open, and the
    staff console at /console/..."""
    has_map = MAP_LIBRARY.is_file()
    if not has_map:
        log.warning("the map library is not built (run `make web`); the page shows lists only")
    version = asset_version()
    headers = security_headers(settings)
    # The error pages are this shell saying 404 or 410 (tourism.web.pages).
    error_template = render_shell(settings, version, has_map=has_map)
    page = error_template.replace("%ERROR%", "").replace("%ERROR_TARGET%", "")
    console_page = render_shell(
        settings, version, has_map=has_map, shell=CONSOLE_SHELL, entry=CONSOLE_ENTRY
    )

    def shell() -> HTMLResponse:
        # Unknown query parameters (utm_source, utm_medium, ...) are the page's to ignore.
        return HTMLResponse(page, headers={**headers, "Cache-Control": REVALIDATE})

    def console_shell() -> HTMLResponse:
        # Every /console/... address: the console's own router says found, not found or not
        # allowed; the API behind it enforces the roles whatever the page shows.
        return HTMLResponse(console_page, headers={**headers, "Cache-Control": REVALIDATE})

    pages = APIRouter(include_in_schema=False)
    for path in (
        "/",
        "/search",
        "/tours",
        "/privacy",
        "/eateries/{eatery_id}",
        "/stations/{station_id}",
    ):
        pages.add_api_route(path, shell, methods=["GET", "HEAD"], response_class=HTMLResponse)
    for path in ("/console", "/console/{path:path}"):
        pages.add_api_route(
            path, console_shell, methods=["GET", "HEAD"], response_class=HTMLResponse
        )
    app.include_router(pages)
    install_pages(app, assets=f"/static/{version}", error_template=error_template, headers=headers)
    install_basemap(app, settings)
    app.mount("/static", Assets(version=version, headers=headers), name="static")
