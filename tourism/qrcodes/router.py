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
from tourism.dependencies import ClientAddressDep, NowDep, SessionDep
from tourism.exceptions import Gone, NotFound, domain_error_response, error_page, status_of
from tourism.openapi import errors
from tourism.paging import Paging, paged
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
CodePath = Annotated[
    str,
    Path(
        min_length=7,
        max_length=16,
        pattern="^[0-9A-Za-z]+$",
        description="The code: 7 to 16 letters and digits, as in its short URL `/q/{code}`",
        examples=["Ab3dE9xQ"],
    ),
]
LevelQuery = Annotated[
    Literal["L", "M", "Q", "H"],
    Query(description="Error correction: L 7 %, M 15 %, Q 25 %, H 30 %", examples=["M"]),
]
SizeQuery = Annotated[
    int, Query(ge=128, le=4096, description="Width and height in pixels", examples=[512])
]
FromQuery = Annotated[
    Day | None,
    Query(
        alias="from",
        description="First day (Asia/Ho_Chi_Minh), included (default: 29 days before `to`)",
        examples=["2026-11-01"],
    ),
]
ToQuery = Annotated[
    Day | None,
    Query(description="Last day, included (default: today)", examples=["2026-11-30"]),
]
NO_STORE = {"Cache-Control": "no-store"}
# Images change only with what their ETag covers; they are private to the code's creator.
IMAGE_CACHE = "private, max-age=86400"


# -- the scan ---------------------------------------------------------------------------------


@scans.get(
    "/q/{code}",
    status_code=status.HTTP_302_FOUND,
    response_class=Response,
    responses={
        302: {
            "description": "To the deep link (`Location`)",
            "headers": {"Location": {"description": "The deep link", "schema": {"type": "string"}}},
        },
        **errors(404, 410),
    },
    summary="Scan a QR code: count it (a few times a minute per client) and go to its deep link",
    description="What a phone opens when it scans a poster: the scan is counted (at most 3 "
    "per client and code in a sliding window) and answered `302` to the code's deep link on "
    "the web app. Every answer is `Cache-Control: no-store`. A code that never existed "
    "answers 404 and a code turned off 410: as the one JSON error for an API client, and as "
    "an HTML page in the browser's language (with a search box, and for a code turned off a "
    "link to the page it pointed to) for a browser that accepts `text/html`.",
)
async def scan(
    request: Request,
    recorder: ScansDep,
    code: Annotated[
        str,
        Path(
            description="The code printed on the poster (7 to 16 letters and digits)",
            examples=["Ab3dE9xQ"],
        ),
    ],
    now: NowDep,
    address: ClientAddressDep,
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
    responses=errors(404, 409),
    summary="Make a QR code for a search, a dish, an eatery, a bike station or a food tour",
    description="Staff make codes for any target; a vendor for the eateries it manages only "
    "(another vendor's eatery answers 404, as a missing one). A target that does not exist, "
    "an eatery that is not active, or text the poster's font cannot print answer 422 naming "
    "the field. The code is random (8 base62 characters); 409 in the unlikely case no unused "
    "one could be drawn.",
)
async def create_code(session: SessionDep, user: QrUser, urls: UrlsDep, body: QrCodeCreate) -> dict:
    code = await service.create_code(session, data=body, creator=user)
    view = await service.code_view(session, code=code, user=user, urls=urls)
    await session.commit()
    return view


@router.get(
    "/qr-codes",
    response_model=QrCodesPublic,
    summary="My QR codes (staff: all)",
    description="The codes of the eateries a vendor manages (whoever made them), or every "
    "code for staff, newest first, with their all-time scans. Paged by `cursor` (a keyset on "
    "the code's id: stable while codes are made); `total` counts the whole list.",
)
async def list_codes(
    session: SessionDep,
    user: QrUser,
    urls: UrlsDep,
    response: Response,
    paging: Annotated[Paging, Depends(paged(int))],
    campaign: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Only the codes of this campaign",
            examples=["tet-2027"],
        ),
    ] = None,
) -> dict:
    rows, total = await service.list_codes(
        session,
        user=user,
        urls=urls,
        campaign=campaign,
        limit=paging.limit + 1,
        after_id=paging.after[0] if paging.after else None,
        offset=paging.offset,
    )
    next_cursor = paging.next_cursor(rows, key_of=lambda row: (row[0],))
    items = [view for _, view in paging.trim(rows)]
    return paging.answer(response, items, next_cursor=next_cursor, total=total)


async def code_view(session: SessionDep, user: QrUser, urls: UrlsDep, code: CodePath) -> dict:
    """The code, for its images: the 404 of a missing one to whoever may not see it."""
    return await service.code_view(session, code=code, user=user, urls=urls)


CodeViewDep = Annotated[dict, Depends(code_view)]
IMAGE_RESPONSES: dict[int | str, dict] = {
    304: {"description": "Not modified (If-None-Match)"},
    **errors(404),
}
BINARY = {"schema": {"type": "string", "format": "binary"}}


def _image_responses(media_type: str, what: str) -> dict[int | str, dict]:
    return {
        200: {"description": what, "content": {media_type: BINARY}},
        **IMAGE_RESPONSES,
    }


IMAGE_NOTE = (
    " For the code's creator's side (staff, or a vendor of its eatery; others get 404). "
    "Answers carry an `ETag` (the code, its target and the drawing options) and "
    "`Cache-Control: private, max-age=86400`; `If-None-Match` with it answers 304."
)


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
    responses=_image_responses("image/png", "The QR code, `size` pixels square"),
    summary="The QR code as a PNG",
    description="The code's short URL as a square PNG image." + IMAGE_NOTE,
)
async def code_png(
    request: Request, view: CodeViewDep, size: SizeQuery = 512, ec: LevelQuery = "M"
) -> Response:
    return await _image(request, view, "png", size=size, level=ec)


@router.get(
    "/qr-codes/{code}.svg",
    response_class=Response,
    responses=_image_responses("image/svg+xml", "The QR code as vectors"),
    summary="The QR code as an SVG (vectors)",
    description="The code's short URL as an SVG image, for print at any size." + IMAGE_NOTE,
)
async def code_svg(
    request: Request, view: CodeViewDep, size: SizeQuery = 512, ec: LevelQuery = "M"
) -> Response:
    return await _image(request, view, "svg", size=size, level=ec)


@router.get(
    "/qr-codes/{code}.pdf",
    response_class=Response,
    responses=_image_responses("application/pdf", "The poster, one page"),
    summary="A printable poster (A6 or A4) with the code, its title and a Vietnamese line",
    description="A one-page PDF poster: the code, what it leads to, a Vietnamese line and an "
    "English one, named `qr-{code}-{paper}.pdf`." + IMAGE_NOTE,
)
async def code_pdf(
    request: Request,
    view: CodeViewDep,
    paper: Annotated[Literal["a6", "a4"], Query(description="Page size", examples=["a6"])] = "a6",
    ec: LevelQuery = "M",
) -> Response:
    return await _image(request, view, "pdf", paper=paper, level=ec)


@router.get(
    "/qr-codes/{code}",
    response_model=QrCodePublic,
    responses=errors(404),
    summary="One QR code",
    description="A code with its short URL, deep link, target and all-time scans, for staff "
    "and the vendors of its eatery; anyone else gets the 404 of a missing code.",
)
async def get_code(session: SessionDep, user: QrUser, urls: UrlsDep, code: CodePath) -> dict:
    return await service.code_view(session, code=code, user=user, urls=urls)


@router.patch(
    "/qr-codes/{code}",
    response_model=QrCodePublic,
    responses=errors(404),
    summary="Turn a code off (or on again)",
    description="A code turned off answers scans with 410 Gone (a browser gets a page "
    "pointing to what it led to); turned on again it counts and redirects as before. "
    "Audited. Staff and the vendors of its eatery only (others: 404).",
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
    responses=errors(404),
    summary="Scans of a code per day (Asia/Ho_Chi_Minh)",
    description="Counted scans of one code for each day from `from` to `to` (local days, "
    "the last 30 by default, at most a year), per kind of client, and its all-time total. "
    "`from` after `to` is a 422.",
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
    responses=errors(404),
    summary="Scans of a campaign's codes per day (Asia/Ho_Chi_Minh), and per code",
    description="Scans of every code of the campaign the caller may see (a vendor: those of "
    "its eateries) per local day and kind of client, and each code's all-time total, most "
    "scanned first. 404 when the caller sees no code of that campaign.",
)
async def campaign_stats(
    session: SessionDep,
    user: QrUser,
    now: NowDep,
    name: Annotated[
        str,
        Path(
            max_length=64,
            pattern=CAMPAIGN_PATTERN,
            description="The campaign's name, as given when its codes were made",
            examples=["tet-2027"],
        ),
    ],
    from_: FromQuery = None,
    to: ToQuery = None,
) -> dict:
    start, end = service.stats_range(start=from_, end=to, now=now)
    return await service.campaign_stats(session, campaign=name, user=user, start=start, end=end)
