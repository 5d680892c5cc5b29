import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from qr import fonts, poster, render
from tests.qr.decode import pdf_pages, pdf_text, pdf_words, png_text, svg_text

URL = "https://api.amthuc.haiphong.example/q/Xy7Kp2Qa"
LOGO = Image.new("RGB", (120, 80), (200, 30, 30))


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_png_decodes_at_every_level(level):
    data = render.png(URL, size=400, level=level)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (400, 400)
    assert png_text(data) == [URL]


def test_higher_levels_make_bigger_symbols():
    counts = [render.symbol(URL, level=level).modules_count for level in "LMQH"]
    assert counts == sorted(counts) and counts[0] < counts[-1]


def test_quiet_zone_is_at_least_four_modules_of_white():
    data = render.png(URL, size=300)
    image = Image.open(io.BytesIO(data)).convert("L")
    module = 300 // render.modules(render.symbol(URL))
    edge = 4 * module
    for box in ((0, 0, 300, edge), (0, 300 - edge, 300, 300), (0, 0, edge, 300)):
        assert image.crop(box).getextrema() == (255, 255)


def test_size_too_small_for_the_code_is_refused():
    with pytest.raises(ValueError, match="too small"):
        render.png(URL, size=20)
    with pytest.raises(ValueError, match="L, M, Q, H"):
        render.png(URL, level="X")


def test_svg_is_one_path_on_white_and_decodes():
    data = render.svg(URL, size=256, level="Q")
    root = ET.fromstring(data)
    assert root.get("width") == "256px"
    paths = [e for e in root.iter() if e.tag.endswith("path")]
    assert len(paths) == 1
    assert svg_text(data) == [URL]


def test_a_logo_forces_level_h_and_still_decodes():
    assert render.effective_level("L", LOGO) == "H"
    assert render.symbol(URL, level="L", logo=LOGO).error_correction == render.LEVELS["H"]
    assert png_text(render.png(URL, size=500, level="L", logo=LOGO)) == [URL]
    assert svg_text(render.svg(URL, size=500, logo=LOGO)) == [URL]
    # The logo is really there: red pixels in the centre.
    image = Image.open(io.BytesIO(render.png(URL, size=500, logo=LOGO))).convert("RGB")
    assert image.getpixel((250, 250)) == (200, 30, 30)


@pytest.mark.parametrize(("paper", "points"), [("a6", (297.6, 419.5)), ("a4", (595.3, 841.9))])
def test_poster_pages_decode_and_keep_their_vietnamese_text(paper, points):
    data = poster.pdf(
        URL,
        title="Bánh đa cua",
        line="Quét mã để xem các quán bán món này gần bạn",
        caption=URL,
        paper=paper,
    )
    assert data.startswith(b"%PDF")
    (page,) = pdf_pages(data, dpi=72)
    assert page.size == pytest.approx(points, abs=1.5)
    assert pdf_text(data) == [URL]
    words = pdf_words(data)
    assert "Bánh đa cua" in words
    assert "Quét mã để xem các quán bán món này" in words.replace("\r", "").replace("\n", " ")
    # Reproducible bytes: the ETag of a poster can be computed without drawing it.
    assert data == poster.pdf(
        URL,
        title="Bánh đa cua",
        line="Quét mã để xem các quán bán món này gần bạn",
        caption=URL,
        paper=paper,
    )


def test_poster_with_a_logo_decodes():
    data = poster.pdf(URL, title="Nem cua bể", line="Quét mã", paper="a6", logo=LOGO)
    assert pdf_text(data) == [URL]


def test_the_poster_font_has_every_vietnamese_letter():
    assert len(fonts.VIETNAMESE) == 2 * (12 * 6 + 17)
    for weight in ("regular", "bold"):
        assert fonts.missing_glyphs(fonts.find_font(weight), fonts.VIETNAMESE) == ""


def test_text_the_font_cannot_draw_is_refused_not_boxed():
    with pytest.raises(poster.UnprintableText, match="𓀀"):
        poster.pdf(URL, title="Bánh 𓀀", line="Quét mã")
