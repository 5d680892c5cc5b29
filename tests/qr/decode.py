"""A real QR decoder (ZBar) over every format we render; SVG and PDF are rasterised first."""

import io

import cairosvg
import pypdfium2
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode


def _decode(image: Image.Image) -> list[str]:
    found = decode(image.convert("L"), symbols=[ZBarSymbol.QRCODE])
    return [symbol.data.decode("utf-8") for symbol in found]


def png_text(data: bytes) -> list[str]:
    return _decode(Image.open(io.BytesIO(data)))


def svg_text(data: bytes) -> list[str]:
    return _decode(Image.open(io.BytesIO(cairosvg.svg2png(bytestring=data))))


def pdf_pages(data: bytes, dpi: int = 150) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(data)
    return [page.render(scale=dpi / 72).to_pil() for page in document]


def pdf_text(data: bytes) -> list[str]:
    """Every QR code on every page of the PDF."""
    return [text for page in pdf_pages(data) for text in _decode(page)]


def pdf_words(data: bytes) -> str:
    """The PDF's text as a reader extracts it (proves the glyphs map back to characters)."""
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


DECODERS = {"png": png_text, "svg": svg_text, "pdf": pdf_text}
