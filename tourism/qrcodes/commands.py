"""`foodtour qr make`: a code made from the command line, with its poster written to a file."""

import asyncio
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import ValidationError
from sqlalchemy import select

from tourism.accounts.models import User
from tourism.config import Settings
from tourism.database import run_in_transaction
from tourism.exceptions import DomainError
from tourism.languages import say
from tourism.qrcodes import service
from tourism.qrcodes.schemas import QrCodeCreate

FORMATS = {".pdf": "pdf", ".png": "png", ".svg": "svg"}


def _body(target: str, kind: str, campaign: str, placement: str | None) -> QrCodeCreate:
    key = {"search": "query", "dish": "slug"}.get(kind, "id")
    value: Any = int(target) if kind == "eatery" and target.isdigit() else target
    try:
        return QrCodeCreate(
            target={"kind": kind, key: value}, campaign=campaign, placement=placement
        )
    except ValidationError as exc:
        raise ValueError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from exc


def make_code(
    settings: Settings,
    *,
    target: str,
    kind: str,
    campaign: str,
    placement: str | None,
    out: str | None,
    paper: str,
    level: str,
    size: int,
    logo: str | None,
    by_email: str | None,
) -> tuple[dict[str, Any], Path]:
    """Create the code (as the `by_email` account, or as "cli" with no account) and write its
    image; ValueError with a message for anything wrong."""
    body = _body(target, kind, campaign, placement)
    suffix = Path(out).suffix.lower() if out else ".pdf"
    if suffix not in FORMATS:
        raise ValueError(
            say(
                f"--out must end in .pdf, .png or .svg, not {suffix!r}",
                f"--out phải có đuôi .pdf, .png hoặc .svg, không phải {suffix!r}",
            )
        )
    urls = service.PublicUrls.of(settings)
    image = Image.open(logo) if logo else None

    async def work(session) -> tuple[dict[str, Any], Path]:
        creator = None
        if by_email:
            creator = await session.scalar(
                select(User).where(User.email == by_email.lower(), User.is_active)
            )
            if creator is None:
                raise ValueError(
                    say(
                        f"no active account {by_email}",
                        f"không có tài khoản đang hoạt động {by_email}",
                    )
                )
            if creator.role not in service.STAFF:
                raise ValueError(
                    say(
                        f"{by_email} is a {creator.role}: use a moderator or admin",
                        f"{by_email} là {creator.role}: hãy dùng tài khoản kiểm duyệt viên "
                        "hoặc quản trị viên",
                    )
                )
        code = await service.create_code(session, data=body, creator=creator, origin="cli")
        view = await service.code_view(session, code=code, user=creator, urls=urls)
        # Written before the commit: a poster that cannot be written leaves no code behind.
        path = Path(out or f"qr-{code}.pdf")
        drawn = service.draw(view, FORMATS[suffix], size=size, level=level, paper=paper, logo=image)
        path.write_bytes(drawn)
        return view, path

    try:
        return asyncio.run(run_in_transaction(work, settings))
    except DomainError as exc:
        details = "; ".join(f"{d['field']}: {d['message']}" for d in exc.details or [])
        raise ValueError(details or exc.message) from exc
