"""Printable PDF posters (A6, A4): a title, the QR code as vectors, a Vietnamese line under it
and an English one under that.

Text is real text in an embedded TrueType font that has every Vietnamese glyph, so it prints
sharp and stays searchable; the code is one filled path, so it prints at any resolution.
"""

import io
import unicodedata
from functools import lru_cache
from typing import Literal

from PIL import Image
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from qr.fonts import find_font, missing_glyphs
from qr.render import LOGO_SHARE, Level, modules, symbol

Paper = Literal["a6", "a4"]
PAPERS: dict[str, tuple[float, float]] = {"a6": A6, "a4": A4}
MARGIN_SHARE = 0.07  # of the page's width, on every side
LEADING = 1.25


class UnprintableText(ValueError):
    """Text with characters the poster's font cannot draw."""


@lru_cache
def _fonts() -> tuple[str, str]:
    """Register the regular and bold fonts with reportlab (once) and return their names."""
    names = []
    for weight in ("regular", "bold"):
        name = f"FoodtourSans-{weight}"
        pdfmetrics.registerFont(TTFont(name, str(find_font(weight))))
        names.append(name)
    return names[0], names[1]


def _check(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    for weight in ("regular", "bold"):
        if missing := missing_glyphs(find_font(weight), text):
            raise UnprintableText(f"the poster font cannot draw: {missing}")
    return text


def _fitted(text: str, font: str, start: float, width: float, max_lines: int) -> tuple:
    """The largest size from `start` down at which `text` fits in `max_lines`: (size, lines)."""
    size = start
    while len(lines := simpleSplit(text, font, size, width)) > max_lines and size > 6:
        size *= 0.92
    return size, lines


def _draw_lines(canvas: Canvas, block: tuple, font: str, *, top: float, centre: float) -> float:
    """Draw a fitted block centred, first line just below `top`; returns the block's bottom."""
    size, lines = block
    canvas.setFont(font, size)
    for line in lines:
        top -= size * LEADING
        canvas.drawCentredString(centre, top, line)
    return top


def _height(block: tuple) -> float:
    size, lines = block
    return size * LEADING * len(lines)


def _draw_code(
    canvas: Canvas, matrix: list[list[bool]], *, left: float, top: float, module: float
) -> None:
    """The symbol as one filled path, a rectangle per run of dark modules: no seams."""
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            run = c
            while run < len(row) and row[run]:
                run += 1
            path.rect(left + c * module, top - (r + 1) * module, (run - c) * module, module)
            c = run
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, fill=1, stroke=0)


def _draw_logo(canvas: Canvas, logo: Image.Image, *, side: float, x: float, y: float) -> None:
    """The logo in a white square of `side` centred on (x, y)."""
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x - side / 2, y - side / 2, side, side, fill=1, stroke=0)
    inner = side * 0.84
    canvas.drawImage(
        ImageReader(logo.convert("RGBA")),
        x - inner / 2,
        y - inner / 2,
        inner,
        inner,
        mask="auto",
        preserveAspectRatio=True,
        anchor="c",
    )
    canvas.setFillColorRGB(0, 0, 0)


def pdf(
    data: str,
    *,
    title: str,
    line: str,
    english: str | None = None,
    caption: str | None = None,
    paper: Paper = "a6",
    level: Level = "M",
    logo: Image.Image | None = None,
) -> bytes:
    """One page: `title` on top, the code for `data`, `line` under it, then optionally the
    `english` line, smaller, and a small `caption` (the URL, for phones without a camera).
    Output is byte-for-byte reproducible."""
    if paper not in PAPERS:
        raise ValueError(f"paper is a6 or a4, not {paper!r}")
    title, line = _check(title), _check(line)
    caption = _check(caption) if caption else None
    english = _check(english) if english else None
    regular, bold = _fonts()
    page_w, page_h = PAPERS[paper]
    margin = page_w * MARGIN_SHARE
    text_w = page_w - 2 * margin
    scale = page_w / A6[0]  # A4 draws everything twice as large

    title_block = _fitted(title, bold, 22 * scale, text_w, 2)
    line_block = _fitted(line, regular, 12 * scale, text_w, 3)
    english_block = _fitted(english, regular, 10 * scale, text_w, 2) if english else (0, [])
    caption_block = _fitted(caption, regular, 8 * scale, text_w, 1) if caption else (0, [])
    gap = 3 * mm * scale
    blocks = (title_block, line_block, english_block, caption_block)
    text_h = sum(_height(block) for block in blocks) + 2 * gap
    # The code, quiet zone included, as wide as the text column when the page is tall enough.
    qr = symbol(data, level=level, logo=logo)
    side = min(text_w, page_h - 2 * margin - text_h)
    module = side / modules(qr)

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(page_w, page_h), invariant=True, pageCompression=1)
    canvas.setTitle(title)
    canvas.setSubject(line)
    centre = page_w / 2
    top = (page_h + text_h + side) / 2  # the whole block centred on the page

    top = _draw_lines(canvas, title_block, bold, top=top, centre=centre) - gap
    _draw_code(canvas, qr.get_matrix(), left=centre - side / 2, top=top, module=module)
    if logo is not None:
        _draw_logo(
            canvas, logo, side=qr.modules_count * module * LOGO_SHARE, x=centre, y=top - side / 2
        )
    top = _draw_lines(canvas, line_block, regular, top=top - side, centre=centre)
    if english:
        canvas.setFillColorRGB(0.2, 0.2, 0.2)
        top = _draw_lines(canvas, english_block, regular, top=top, centre=centre)
    top -= gap
    if caption:
        canvas.setFillColorRGB(0.3, 0.3, 0.3)
        _draw_lines(canvas, caption_block, regular, top=top, centre=centre)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
