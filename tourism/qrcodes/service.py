"""QR codes: create them for a validated target, list, deactivate, render, and count scans."""

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from PIL import Image
from sqlalchemy import Date, Row, Select, cast, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

import qr.links as links
from qr import poster, render
from qr.fonts import FontNotFound, find_font, missing_glyphs
from qr.poster import Paper
from qr.render import RENDER_VERSION, Level
from tourism.accounts.models import User
from tourism.accounts.ownership import manages
from tourism.audit import service as audit
from tourism.bikeshare.models import BikeStation
from tourism.bikeshare.schemas import no_station
from tourism.config import Settings
from tourism.dishes import service as dishes
from tourism.dishes.models import Dish
from tourism.eateries.models import Eatery
from tourism.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from tourism.hours import LOCAL_TZ, TZ
from tourism.languages import Message, say
from tourism.qrcodes.models import QrCode, QrScan
from tourism.qrcodes.schemas import QrCodeCreate

STAFF = ("moderator", "admin")
SOURCES = {"vendor": "vendor", "staff": "tourism-department"}
MAX_STATS_DAYS = 366
DEFAULT_STATS_DAYS = 30
MAX_CAMPAIGN_CODES = 1000
CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class PublicUrls:
    """Where scans land (the web app) and where the short scan URL points (this API)."""

    web: str
    api: str

    @classmethod
    def of(cls, settings: Settings) -> "PublicUrls":
        return cls(web=settings.public_web_url, api=settings.public_api_url)


def no_code(code: str) -> Message:
    return say(f"no QR code {code!r}", f"không tìm thấy mã QR {code!r}")


def no_eatery(eatery_id: int) -> Message:
    return say(f"no eatery with id {eatery_id}", f"không tìm thấy quán ăn có mã {eatery_id}")


# -- creating ---------------------------------------------------------------------------------


def _printable_on_posters(text: str, *, field: str) -> None:
    """Refuse text that the poster's font would print as boxes (emoji, scripts it lacks)."""
    try:
        font = find_font("bold")
    except FontNotFound:
        return  # no font on this server: posters fail on their own, saying what to install
    if missing := missing_glyphs(font, text):
        raise InvalidInput(
            field,
            say(
                f"posters cannot print these characters: {missing}",
                f"áp phích không in được các ký tự này: {missing}",
            ),
        )


async def _target_columns(
    session: AsyncSession, *, data: QrCodeCreate, creator: User | None
) -> dict[str, Any]:
    """The target's columns, after checking it exists and that this creator may point to it."""
    target = data.target
    vendor = creator is not None and creator.role == "vendor"
    if vendor and target.kind != "eatery":
        raise Forbidden(
            say(
                "vendors make codes for their own eateries only",
                "chủ quán chỉ tạo mã cho quán ăn của mình",
            )
        )
    match target.kind:
        case "search":
            query = unicodedata.normalize("NFC", target.query)
            _printable_on_posters(query, field="target.query")
            return {"target_query": query}
        case "dish":
            dish_id = await dishes.dish_id(session, target.slug)
            if dish_id is None:
                raise InvalidInput(
                    "target.slug",
                    say(
                        f"no dish with slug {target.slug!r}",
                        f"không tìm thấy món ăn có mã {target.slug!r}",
                    ),
                )
            return {"dish_id": dish_id}
        case "eatery":
            query = select(Eatery.status).where(Eatery.id == target.id)
            if vendor:
                # Another vendor's eatery answers as a missing one does (API1).
                query = query.where(manages(creator.id, Eatery.id))
            status = await session.scalar(query)
            if status is None and vendor:
                raise NotFound(no_eatery(target.id))
            if status is None:
                raise InvalidInput("target.id", no_eatery(target.id))
            if status != "active":
                raise InvalidInput(
                    "target.id",
                    say(
                        f"eatery {target.id} is {status}",
                        f"quán ăn {target.id} đang ở trạng thái {status}",
                    ),
                )
            return {"eatery_id": target.id}
        case "station":
            station = await session.scalar(
                select(BikeStation.id).where(BikeStation.station_id == target.id)
            )
            if station is None:
                raise InvalidInput("target.id", no_station(target.id))
            return {"station_id": station}
        case "tour":
            if len(set(target.dishes)) != len(target.dishes):
                raise InvalidInput(
                    "target.dishes",
                    say("a dish is listed twice", "một món ăn được liệt kê hai lần"),
                )
            rows = (
                await session.execute(
                    select(Dish.slug, Dish.name_vi).where(Dish.slug.in_(target.dishes))
                )
            ).all()
            names = dict(rows)
            if unknown := [slug for slug in target.dishes if slug not in names]:
                raise InvalidInput(
                    "target.dishes",
                    say(
                        f"unknown dish: {', '.join(unknown)}",
                        f"món ăn không có: {', '.join(unknown)}",
                    ),
                )
            tour = {
                "dishes": target.dishes,
                "names": [names[slug] for slug in target.dishes],
                "minutes": target.minutes,
                "mode": target.mode,
            }
            _printable_on_posters(_tour_title(tour), field="target.dishes")
            return {"target_tour": tour}
    raise InvalidInput(
        "target.kind",
        say(
            f"unknown target kind {target.kind!r}",
            f"loại đích không hợp lệ {target.kind!r}",
        ),
    )


def _tour_title(tour: dict[str, Any]) -> str:
    return "Food tour: " + ", ".join(tour["names"])


async def create_code(
    session: AsyncSession,
    *,
    data: QrCodeCreate,
    creator: User | None,
    origin: str = "api",
) -> str:
    """A new active code for the target; `creator` None is the command line. Returns the code."""
    values = {
        **await _target_columns(session, data=data, creator=creator),
        "target_kind": data.target.kind,
        "campaign": data.campaign,
        "placement": unicodedata.normalize("NFC", data.placement) if data.placement else None,
        "utm_source": SOURCES["vendor" if creator and creator.role == "vendor" else "staff"],
        "created_by": creator.id if creator else None,
        "origin": origin,
    }
    for _ in range(CODE_ATTEMPTS):
        code = links.random_code()
        # A collision (one in ~10^14 per pair) inserts nothing and draws again; the unique
        # constraint decides, so two requests can never share a code.
        statement = (
            insert(QrCode)
            .values(code=code, **values)
            .on_conflict_do_nothing(index_elements=[QrCode.code])
            .returning(QrCode.id)
        )
        code_id = await session.scalar(statement)
        if code_id is not None:
            await audit.record(
                session,
                actor_id=values["created_by"],
                action="qr_code.create",
                entity="qr_code",
                entity_id=code,
                after={k: v for k, v in values.items() if v is not None} | {"code": code},
            )
            return code
    raise Conflict(
        say(
            "could not draw an unused code; try again",
            "không tạo được mã chưa dùng; vui lòng thử lại",
        )
    )


# -- reading ----------------------------------------------------------------------------------

_scans = (
    select(func.count())
    .select_from(QrScan)
    .where(QrScan.code_id == QrCode.id)
    .scalar_subquery()
    .label("scans")
)
_VIEW = (
    select(
        QrCode,
        Dish.slug.label("dish_slug"),
        Dish.name_vi.label("dish_name"),
        Eatery.name_vi.label("eatery_name"),
        BikeStation.station_id.label("station_code"),
        BikeStation.name_vi.label("station_name"),
        _scans,
    )
    .outerjoin(Dish, Dish.id == QrCode.dish_id)
    .outerjoin(Eatery, Eatery.id == QrCode.eatery_id)
    .outerjoin(BikeStation, BikeStation.id == QrCode.station_id)
)


def link_target(
    kind: str,
    *,
    query: str | None,
    dish_slug: str | None,
    dish_name: str | None,
    eatery_id: int | None,
    station_code: str | None,
    tour: dict[str, Any] | None = None,
) -> links.Target:
    """The library's target for a stored code and the names joined to it."""
    match kind:
        case "tour":
            return links.Tour(tuple(tour["dishes"]), tour["minutes"], tour["mode"])
        case "search":
            return links.Search(query)
        case "dish":
            return links.Dish(dish_slug, dish_name)
        case "eatery":
            return links.Eatery(eatery_id)
        case "station":
            return links.Station(station_code)
    raise ValueError(say(f"unknown target kind {kind!r}", f"loại đích không hợp lệ {kind!r}"))


def _target_view(code: QrCode, row: Row) -> dict[str, Any]:
    match code.target_kind:
        case "search":
            return {"kind": "search", "query": code.target_query, "name": code.target_query}
        case "dish":
            return {"kind": "dish", "slug": row.dish_slug, "name": row.dish_name}
        case "eatery":
            return {"kind": "eatery", "id": code.eatery_id, "name": row.eatery_name}
        case "tour":
            tour = code.target_tour
            return {
                "kind": "tour",
                "dishes": tour["dishes"],
                "minutes": tour["minutes"],
                "mode": tour["mode"],
                "name": _tour_title(tour),
            }
        case _:
            return {"kind": "station", "id": row.station_code, "name": row.station_name}


def _view(urls: PublicUrls, row: Row) -> dict[str, Any]:
    code: QrCode = row.QrCode
    target = link_target(
        code.target_kind,
        query=code.target_query,
        dish_slug=row.dish_slug,
        dish_name=row.dish_name,
        eatery_id=code.eatery_id,
        station_code=row.station_code,
        tour=code.target_tour,
    )
    return {
        "code": code.code,
        "short_url": links.short_url(urls.api, code.code),
        "deep_link": links.deep_link(
            urls.web,
            target,
            campaign=code.campaign,
            placement=code.placement,
            source=code.utm_source,
        ),
        "target": _target_view(code, row),
        "campaign": code.campaign,
        "placement": code.placement,
        "active": code.active,
        "origin": code.origin,
        "created_by": code.created_by,
        "created_at": code.created_at,
        "scans": row.scans,
    }


def _visible(query: Select, user: User | None) -> Select:
    """`query` narrowed to the codes `user` may see and manage: every code for staff and the
    command line (None); for a vendor, the codes of the eateries it manages now, whoever made
    them. A code a vendor made for an eatery it no longer manages is as missing to it."""
    if user is None or user.role in STAFF:
        return query
    return query.where(manages(user.id, QrCode.eatery_id))


async def code_view(
    session: AsyncSession, *, code: str, user: User | None, urls: PublicUrls
) -> dict[str, Any]:
    """One code as staff or a vendor of its eatery sees it; the same 404 as a missing one for
    others. `user` None is the command line, which sees every code."""
    query = _visible(_VIEW.where(QrCode.code == code), user)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(no_code(code))
    return _view(urls, row)


async def list_codes(
    session: AsyncSession,
    *,
    user: User,
    urls: PublicUrls,
    campaign: str | None,
    limit: int,
    after_id: int | None = None,
    offset: int = 0,
) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    """Up to `limit` (id, code) pairs of the vendor's eateries' codes (all of them for staff),
    newest first (by id, a keyset: those before `after_id`, or the deprecated `offset`), and
    how many the whole list holds (a count on a small table, with the same filters)."""
    query = _visible(_VIEW.order_by(QrCode.id.desc()).limit(limit), user)
    counted = _visible(select(func.count()).select_from(QrCode), user)
    if campaign:
        query = query.where(QrCode.campaign == campaign)
        counted = counted.where(QrCode.campaign == campaign)
    if after_id is not None:
        query = query.where(QrCode.id < after_id)
    elif offset:
        query = query.offset(offset)
    items = [(row.QrCode.id, _view(urls, row)) for row in await session.execute(query)]
    return items, await session.scalar(counted) or 0


async def set_active(
    session: AsyncSession, *, code: str, user: User, active: bool, urls: PublicUrls
) -> dict[str, Any]:
    view = await code_view(session, code=code, user=user, urls=urls)
    if view["active"] != active:
        await session.execute(
            update(QrCode).where(QrCode.code == code).values(active=active, updated_at=func.now())
        )
        await audit.record(
            session,
            actor_id=user.id,
            action="qr_code.update",
            entity="qr_code",
            entity_id=code,
            before={"active": view["active"]},
            after={"active": active},
        )
        view["active"] = active
    return view


# -- images -----------------------------------------------------------------------------------

POSTER_LINES = {
    "search": "Quét mã để xem các quán bán món này gần bạn",
    "dish": "Quét mã để xem các quán bán món này gần bạn",
    "eatery": "Quét mã để xem thực đơn, giá và giờ mở cửa",
    "station": "Quét mã để tìm quán ngon quanh trạm xe đạp",
    "tour": "Quét mã để lên lịch food tour từ chỗ bạn đứng",
}


# Under the Vietnamese line, for the visitors who do not read it.
POSTER_LINES_EN = {
    "search": "Scan to see the eateries near you that serve this dish",
    "dish": "Scan to see the eateries near you that serve this dish",
    "eatery": "Scan for the menu, prices and opening hours",
    "station": "Scan to find good food around this bike station",
    "tour": "Scan to plan a food tour from where you stand",
}


def poster_text(view: dict[str, Any]) -> tuple[str, str, str]:
    """The poster's title (what the code leads to), its Vietnamese line and the English one."""
    kind, name = view["target"]["kind"], view["target"]["name"]
    title = f"Trạm xe đạp {name}" if kind == "station" else name
    return title[:1].upper() + title[1:], POSTER_LINES[kind], POSTER_LINES_EN[kind]


MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def draw(
    view: dict[str, Any],
    fmt: str,
    *,
    size: int = 512,
    level: Level = "M",
    paper: Paper = "a6",
    logo: Image.Image | None = None,
) -> bytes:
    """The code's image: PNG or SVG of `size` pixels, or a PDF poster on `paper` (CPU-bound:
    call it off the event loop)."""
    data = view["short_url"]
    if fmt == "pdf":
        title, line, english = poster_text(view)
        return poster.pdf(
            data,
            title=title,
            line=line,
            english=english,
            caption=data,
            paper=paper,
            level=level,
            logo=logo,
        )
    return {"png": render.png, "svg": render.svg}[fmt](data, size=size, level=level, logo=logo)


def image_etag(view: dict[str, Any], *, fmt: str, **options: Any) -> str:
    """A strong ETag from what the image depends on: known before anything is drawn."""
    parts = [RENDER_VERSION, fmt, view["short_url"], *poster_text(view)]
    parts += [f"{k}={options[k]}" for k in sorted(options)]
    return '"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + '"'


# -- statistics -------------------------------------------------------------------------------


def stats_range(*, start: date | None, end: date | None, now: datetime) -> tuple[date, date]:
    """The days asked for, in Hai Phong's calendar: by default the last 30 days up to today."""
    end = end or now.astimezone(TZ).date()
    start = start or end - timedelta(days=DEFAULT_STATS_DAYS - 1)
    if start > end:
        raise InvalidInput("from", say("`from` is after `to`", "`from` nằm sau `to`"))
    if (end - start).days + 1 > MAX_STATS_DAYS:
        raise InvalidInput(
            "from",
            say(
                f"at most {MAX_STATS_DAYS} days at once",
                f"tối đa {MAX_STATS_DAYS} ngày một lần",
            ),
        )
    return start, end


def _codes(*, user: User, **where: Any) -> Select:
    """The ids of the codes matching `where` that this user may see."""
    return _visible(select(QrCode.id).filter_by(**where), user)


# Days of the Asia/Ho_Chi_Minh calendar, whatever the server's or the session's zone.
_LOCAL_DAY = cast(func.timezone(LOCAL_TZ, QrScan.scanned_at), Date).label("day")


async def _scan_stats(
    session: AsyncSession, *, codes: Select, start: date, end: date
) -> dict[str, Any]:
    """Scans per local day and per kind of client from `start` to `end`, counted in SQL; the
    bounds are local midnights, so the (code_id, scanned_at) index serves the range."""
    midnight = time(0, tzinfo=TZ)
    in_range = (
        select(_LOCAL_DAY, QrScan.client, func.count().label("scans"))
        .where(
            QrScan.code_id.in_(codes),
            QrScan.scanned_at >= datetime.combine(start, midnight),
            QrScan.scanned_at < datetime.combine(end + timedelta(days=1), midnight),
        )
        .group_by(_LOCAL_DAY, QrScan.client)
    )
    days = {start + timedelta(days=i): 0 for i in range((end - start).days + 1)}
    clients: dict[str, int] = {}
    for row in await session.execute(in_range):
        days[row.day] += row.scans
        clients[row.client] = clients.get(row.client, 0) + row.scans
    total = select(func.count()).select_from(QrScan).where(QrScan.code_id.in_(codes))
    return {
        "total": await session.scalar(total),
        "in_range": sum(days.values()),
        "from_": start,
        "to": end,
        "by_day": [{"date": day, "scans": n} for day, n in days.items()],
        "by_client": clients,
    }


async def code_stats(
    session: AsyncSession, *, code: str, user: User, start: date, end: date
) -> dict[str, Any]:
    codes = _codes(user=user, code=code)
    if await session.scalar(codes) is None:
        raise NotFound(no_code(code))
    return {"code": code, **await _scan_stats(session, codes=codes, start=start, end=end)}


async def campaign_stats(
    session: AsyncSession, *, campaign: str, user: User, start: date, end: date
) -> dict[str, Any]:
    """Scans of every code of the campaign (for a vendor, those of its eateries), with each
    code's all-time total, most scanned first."""
    codes = _codes(user=user, campaign=campaign)
    per_code = (
        select(QrCode.code, QrCode.placement, QrCode.active, func.count(QrScan.id).label("total"))
        .outerjoin(QrScan, QrScan.code_id == QrCode.id)
        .where(QrCode.id.in_(codes))
        .group_by(QrCode.id)
        .order_by(literal_column("total").desc(), QrCode.code)
        .limit(MAX_CAMPAIGN_CODES)
    )
    rows = (await session.execute(per_code)).all()
    if not rows:
        raise NotFound(
            say(
                f"no QR codes in campaign {campaign!r}",
                f"không có mã QR nào trong chiến dịch {campaign!r}",
            )
        )
    stats = await _scan_stats(session, codes=codes, start=start, end=end)
    return {"campaign": campaign, **stats, "codes": [r._asdict() for r in rows]}
