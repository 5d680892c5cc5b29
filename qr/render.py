"""QR codes as PNG (Pillow) and SVG (qrcode's path factory).

Level M by default; a centre logo covers part of the symbol, so it always uses level H, which
recovers up to 30 % of the codewords. The quiet zone is at least 4 modules on every side.
"""

import base64
import io
import xml.etree.ElementTree as ET
from typing import Literal

import qrcode
import qrcode.constants
from PIL import Image
from qrcode.image.svg import SvgPathImage

Level = Literal["L", "M", "Q", "H"]
LEVELS: dict[str, int] = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks
LOGO_SHARE = 0.22  # of the symbol's width: ~5 % of its area, well within level H's 30 %
# Part of every image's ETag: bump it when the drawing changes, so caches take the new one.
RENDER_VERSION = "1"


def effective_level(level: Level, logo: Image.Image | None) -> Level:
    if level not in LEVELS:
        raise ValueError(f"error correction is one of L, M, Q, H, not {level!r}")
    return "H" if logo is not None else level


def symbol(data: str, *, level: Level = "M", logo: Image.Image | None = None) -> qrcode.QRCode:
    """The smallest QR symbol for `data` at this level, with a 4-module quiet zone."""
    qr = qrcode.QRCode(
        error_correction=LEVELS[effective_level(level, logo)], box_size=1, border=QUIET_ZONE
    )
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def modules(qr: qrcode.QRCode) -> int:
    """Width of the symbol in modules, quiet zone included."""
    return qr.modules_count + 2 * QUIET_ZONE


def _box(qr: qrcode.QRCode, size: int) -> int:
    box = size // modules(qr)
    if box < 1:
        raise ValueError(f"size {size} is too small for this code: at least {modules(qr)}")
    return box


def _logo_square(logo: Image.Image, side: int) -> Image.Image:
    """The logo fitted into a white square of `side` pixels (a margin keeps modules clear)."""
    pad = Image.new("RGB", (side, side), "white")
    inner = max(1, int(side * 0.84))
    mark = logo.convert("RGBA")
    mark.thumbnail((inner, inner), Image.Resampling.LANCZOS)
    pad.paste(mark, ((side - mark.width) // 2, (side - mark.height) // 2), mark)
    return pad


def png(
    data: str, *, size: int = 512, level: Level = "M", logo: Image.Image | None = None
) -> bytes:
    """A `size` x `size` PNG: whole pixels per module, centred (extra pixels widen the margin)."""
    qr = symbol(data, level=level, logo=logo)
    box = _box(qr, size)
    qr.box_size = box
    code = qr.make_image().get_image()  # Pillow, mode "1"
    canvas = Image.new("RGB" if logo else "1", (size, size), "white")
    offset = (size - code.width) // 2
    canvas.paste(code, (offset, offset))
    if logo is not None:
        side = int(qr.modules_count * box * LOGO_SHARE)
        at = (size - side) // 2
        canvas.paste(_logo_square(logo, side), (at, at))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def svg(
    data: str, *, size: int = 512, level: Level = "M", logo: Image.Image | None = None
) -> bytes:
    """A vector SVG (one path), `size` pixels wide, on a white background."""
    qr = symbol(data, level=level, logo=logo)
    _box(qr, size)
    # box_size 10 makes one module one unit of the viewBox.
    qr.box_size = 10
    root = qr.make_image(image_factory=SvgPathImage).get_image()
    width = modules(qr)
    root.set("width", f"{size}px")
    root.set("height", f"{size}px")
    root.set("viewBox", f"0 0 {width} {width}")
    # Dark pages or transparent previews must not eat the light modules and the quiet zone.
    root.insert(0, ET.Element("rect", x="0", y="0", width="100%", height="100%", fill="#ffffff"))
    if logo is not None:
        side = qr.modules_count * LOGO_SHARE
        at = (width - side) / 2
        pixels = max(64, int(size * LOGO_SHARE))
        out = io.BytesIO()
        _logo_square(logo, pixels).save(out, format="PNG")
        href = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
        root.append(
            ET.Element(
                "image",
                x=f"{at:.3f}",
                y=f"{at:.3f}",
                width=f"{side:.3f}",
                height=f"{side:.3f}",
                href=href,
            )
        )
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
