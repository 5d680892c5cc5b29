"""What a browser asks the site for besides its pages: the pages for an unknown address or a
QR code turned off, the API documentation without a CDN, robots.txt, the favicon and the web
manifest."""

import html
import io
from collections.abc import Callable
from functools import lru_cache

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from PIL import Image, ImageDraw

BRAND = "#8f2418"
PAPER = "#fffdf8"
ICON_CACHE = "public, max-age=86400"
ROBOTS = """\
User-agent: *
Disallow: /api/
Disallow: /console
Disallow: /q/
"""


def error_page_renderer(
    template: str, headers: dict[str, str]
) -> Callable[[int, str | None], Response]:
    """render(status, target) -> the tourist page's shell answering `status`: the page itself
    says, in the visitor's language, what happened, with a search box, and for a QR code turned
    off (410) the page the code pointed to (`target`, a path of this site)."""

    def render(status: int, target: str | None) -> Response:
        safe_target = target if target and target.startswith("/") else ""
        page = template.replace("%ERROR%", str(status)).replace(
            "%ERROR_TARGET%", html.escape(safe_target, quote=True)
        )
        return HTMLResponse(
            page,
            status_code=status,
            headers={**headers, "Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
        )

    return render


@lru_cache(maxsize=4)
def icon_png(size: int) -> bytes:
    """icon.svg drawn with Pillow (a bowl and its steam on the brand's red disc), for the
    favicon.ico, apple-touch-icon and manifest sizes that need a bitmap."""
    scale = size * 4 / 32  # drawn 4x and shrunk: smooth edges
    big = round(32 * scale)
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [x0 * scale, y0 * scale, x1 * scale, y1 * scale]

    draw.ellipse(box(1, 1, 31, 31), fill=BRAND)
    draw.pieslice(box(7, 6, 25, 24), 0, 180, fill="#ffffff")  # the bowl: y 15..24
    width = max(1, round(1.6 * scale))
    for x in (12.5, 17.5, 22.5):  # the steam: an S of two half circles each
        top = 6 if x == 17.5 else 7
        draw.arc(box(x - 1.2, top, x + 1.2, top + 2.6), 90, 270, fill="#ffffff", width=width)
        draw.arc(box(x - 1.2, top + 2.4, x + 1.2, top + 5), 270, 90, fill="#ffffff", width=width)
    image = image.resize((size, size), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def manifest(assets: str) -> dict:
    return {
        "name": "Ẩm thực Hải Phòng · Hai Phong food tour",
        "short_name": "Ẩm thực HP",
        "description": "Tìm món ăn Hải Phòng, quán phục vụ, giá và xe đạp công cộng gần đó.",
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": PAPER,
        "theme_color": BRAND,
        "icons": [
            {"src": f"{assets}/icon.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": "/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/icon-512.png", "sizes": "512x512", "type": "image/png"},
        ],
    }


def install_pages(app: FastAPI, *, assets: str, error_template: str, headers: dict) -> None:
    """The routes above, and `app.state.error_page` for tourism.exceptions.error_page."""
    app.state.error_page = error_page_renderer(error_template, headers)
    routes = APIRouter(include_in_schema=False)
    title = app.title

    @routes.get("/docs")
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{title} · Swagger UI",
            swagger_js_url=f"{assets}/vendor/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/vendor/swagger-ui.css",
            swagger_favicon_url=f"{assets}/icon.svg",
            # no badge from validator.swagger.io: the page calls nobody else
            swagger_ui_parameters={"validatorUrl": None},
        )

    @routes.get("/redoc")
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url,
            title=f"{title} · ReDoc",
            redoc_js_url=f"{assets}/vendor/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/icon.svg",
            with_google_fonts=False,
        )

    @routes.get("/robots.txt")
    def robots() -> PlainTextResponse:
        return PlainTextResponse(ROBOTS, headers={"Cache-Control": ICON_CACHE})

    @routes.get("/manifest.webmanifest")
    def web_manifest() -> JSONResponse:
        return JSONResponse(
            manifest(assets),
            media_type="application/manifest+json",
            headers={"Cache-Control": "no-cache"},
        )

    def png(size: int) -> Callable[[], Response]:
        def icon() -> Response:
            return Response(
                icon_png(size), media_type="image/png", headers={"Cache-Control": ICON_CACHE}
            )

        return icon

    # PNG in a .ico: every browser that asks for /favicon.ico reads it.
    routes.add_api_route("/favicon.ico", png(32), methods=["GET", "HEAD"])
    routes.add_api_route("/icon-192.png", png(192), methods=["GET", "HEAD"])
    routes.add_api_route("/icon-512.png", png(512), methods=["GET", "HEAD"])
    app.include_router(routes)
