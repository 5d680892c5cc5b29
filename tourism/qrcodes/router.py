"""QR codes: the public scan redirect at the root, and the management API under /api/v1.

Who may do what: moderators and admins make codes for any target and see every code;
a vendor makes codes for the eateries it manages and sees and manages the codes of those
eateries, whoever made them, for as long as it manages them. A code's images and statistics
are for them and staff; anyone else gets the 404 of a missing code.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from tourism.accounts.dependencies import require_role
from tourism.accounts.models import User
from tourism.conditional import not_modified
from tourism.dependencies import ClientAddressDep, LimitQuery, NowDep, OffsetQuery, SessionDep
from tourism.exceptions import Gone, NotFound, domain_error_response, error_page, status_of
from tourism.qrcodes import service
from tourism.qrcodes.dependencies import ScansDep, UrlsDep
from tourism.qrcodes.schemas import (
    CAMPAIGN_PATTERN,
    CampaignStats,
    CodeStats,
    QrCodeCreate,
    QrCodePublic,
    QrCodesPublic,
    QrCodeUpdate,
)
from tourism.schemas import Day

router = APIRouter(tags=["qr codes"])
scans = APIRouter(tags=["qr codes"])

QrUser = Annotated[User, Depends(require_role("vendor", "moderator", "admin"))]
CodePath = Annotated[str, Path(min_length=7, max_length=16, pattern="^[0-9A-Za-z]+$")]
LevelQuery = Annotated[
    Literal["L", "M", "Q", "H"],
    Query(description="Error correction: L 7 %, M 15 %, Q 25 %, H 30 %"),
]
SizeQuery = Annotated[int, Query(ge=128, le=4096, description="Width and height in pixels")]
FromQuery = Annotated[Day | None, Query(alias="from", description="First day (local)")]
ToQuery = Annotated[Day | None, Query(description="Last day, included (default: today)")]
NO_STORE = {"Cache-Control": "no-store"}
# Images change only with what their ETag covers; they are private to the code's creator.
IMAGE_CACHE = "private, max-age=86400"


# -- the scan ---------------------------------------------------------------------------------


@scans.get(
    "/q/{code}",
    status_code=status.HTTP_302_FOUND,
    response_class=Response,
    responses={302: {"description": "To the deep link"}, 404: {}, 410: {"description": "Off"}},
    summary="Scan a QR code: count it (a few times a minute per client) and go to its deep link",
)
async def scan(
    request: Request, recorder: ScansDep, code: str, now: NowDep, address: ClientAddressDep
) -> Response:
    # Every answer is no-store: each scan must reach us to be counted, and a code turned off
    # and on again must not stay "gone" in a cache.
    try:
        location = await recorder.scan(
            code,
            at=now,
            user_agent=request.headers.get("user-agent", ""),
            # The peer, or the client a trusted proxy names (TOURISM_TRUSTED_PROXIES);
            # none known (a Unix socket without proxy headers): one shared, limited client.
            client=address,
        )
    except (NotFound, Gone) as exc:
        # A phone's browser gets a page in its language with a search box (and, for a code
        # turned off, the page it pointed to); an API client gets the error.
        page = error_page(request, status_of(exc), target=getattr(exc, "page", None))
        if page is not None:
            page.headers.update(NO_STORE)
            return page
        return domain_error_response(exc, headers=NO_STORE)
    return Response(status_code=302, headers={"Location": location, **NO_STORE})


# -- managing codes ---------------------------------------------------------------------------


@router.post(
    "/qr-codes",
    response_model=QrCodePublic,
    status_code=status.HTTP_201_CREATED,
    summary="Make a QR code for a search, a dish, an eatery or a bike station",
)
async def create_code(session: SessionDep, user: QrUser, urls: UrlsDep, body: QrCodeCreate) -> dict:
    code = await service.create_code(session, data=body, creator=user)
    view = await service.code_view(session, code=code, user=user, urls=urls)
    await session.commit()
    return view


@router.get("/qr-codes", response_model=QrCodesPublic, summary="My QR codes (staff: all)")
async def list_codes(
    session: SessionDep,
    user: QrUser,
    urls: UrlsDep,
    campaign: Annotated[str | None, Query(max_length=64)] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> dict:
    items = await service.list_codes(
        session, user=user, urls=urls, campaign=campaign, limit=limit, offset=offset
    )
    return {"items": items, "count": len(items)}


async def code_view(session: SessionDep, user: QrUser, urls: UrlsDep, code: CodePath) -> dict:
    """The code, for its images: the 404 of a missing one to whoever may not see it."""
    return await service.code_view(session, code=code, user=user, urls=urls)


CodeViewDep = Annotated[dict, Depends(code_view)]
IMAGE_RESPONSES = {304: {"description": "Not modified (If-None-Match)"}}


async def _image(request: Request, view: dict, fmt: str, **options) -> Response:
    """The image, drawn off the event loop, or 304 when the client's copy is current."""
    etag = service.image_etag(view, fmt=fmt, **options)
    headers = {"ETag": etag, "Cache-Control": IMAGE_CACHE, "Vary": "Authorization"}
    if (unchanged := not_modified(request, etag, headers)) is not None:
        return unchanged
    if fmt == "pdf":
        name = f"qr-{view['code']}-{options['paper']}.pdf"
        headers["Content-Disposition"] = f'inline; filename="{name}"'
    body = await run_in_threadpool(service.draw, view, fmt, **options)
    return Response(body, media_type=service.MEDIA_TYPES[fmt], headers=headers)


@router.get(
    "/qr-codes/{code}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **IMAGE_RESPONSES},
    summary="The QR code as a PNG",
)
async def code_png(
    request: Request, view: CodeViewDep, size: SizeQuery = 512, ec: LevelQuery = "M"
) -> Response:
    return await _image(request, view, "png", size=size, level=ec)


@router.get(
    "/qr-codes/{code}.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **IMAGE_RESPONSES},
    summary="The QR code as an SVG (vectors)",
)
async def code_svg(
    request: Request, view: CodeViewDep, size: SizeQuery = 512, ec: LevelQuery = "M"
) -> Response:
    return await _image(request, view, "svg", size=size, level=ec)


@router.get(
    "/qr-codes/{code}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **IMAGE_RESPONSES},
    summary="A printable poster (A6 or A4) with the code, its title and a Vietnamese line",
)
async def code_pdf(
    request: Request,
    view: CodeViewDep,
    paper: Annotated[Literal["a6", "a4"], Query(description="Page size")] = "a6",
    ec: LevelQuery = "M",
) -> Response:
    return await _image(request, view, "pdf", paper=paper, level=ec)


@router.get("/qr-codes/{code}", response_model=QrCodePublic, summary="One QR code")
async def get_code(session: SessionDep, user: QrUser, urls: UrlsDep, code: CodePath) -> dict:
    return await service.code_view(session, code=code, user=user, urls=urls)


@router.patch(
    "/qr-codes/{code}", response_model=QrCodePublic, summary="Turn a code off (or on again)"
)
async def update_code(
    session: SessionDep, user: QrUser, urls: UrlsDep, code: CodePath, body: QrCodeUpdate
) -> dict:
    view = await service.set_active(session, code=code, user=user, active=body.active, urls=urls)
    await session.commit()
    return view


# -- statistics -------------------------------------------------------------------------------


@router.get(
    "/qr-codes/{code}/stats",
    response_model=CodeStats,
    summary="Scans of a code per day (Asia/Ho_Chi_Minh)",
)
async def code_stats(
    session: SessionDep,
    user: QrUser,
    now: NowDep,
    code: CodePath,
    from_: FromQuery = None,
    to: ToQuery = None,
) -> dict:
    start, end = service.stats_range(start=from_, end=to, now=now)
    return await service.code_stats(session, code=code, user=user, start=start, end=end)


@router.get(
    "/campaigns/{name}/stats",
    response_model=CampaignStats,
    summary="Scans of a campaign's codes per day (Asia/Ho_Chi_Minh), and per code",
)
async def campaign_stats(
    session: SessionDep,
    user: QrUser,
    now: NowDep,
    name: Annotated[str, Path(max_length=64, pattern=CAMPAIGN_PATTERN, examples=["tet-2027"])],
    from_: FromQuery = None,
    to: ToQuery = None,
) -> dict:
    start, end = service.stats_range(start=from_, end=to, now=now)
    return await service.campaign_stats(session, campaign=name, user=user, start=start, end=end)
