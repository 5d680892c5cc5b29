"""Finding an installed font that has every Vietnamese glyph (no missing-glyph boxes on posters)."""

import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFontFile

TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # ` ´ hook ~ dot below
VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
# Every letter of the Vietnamese alphabet with every tone, both cases: 134 precomposed letters
# plus the plain ones.
VIETNAMESE = "".join(
    sorted(
        {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES}
        | set("bcdđghklmnpqrstvx")
    )
)
VIETNAMESE += VIETNAMESE.upper()

# Debian's packages, most likely first: fonts-dejavu-core, fonts-noto-core, fonts-liberation2.
CANDIDATES = {
    "regular": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ),
    "bold": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
}
INSTALL_HINT = "install one: apt-get install fonts-dejavu-core (or fonts-noto-core)"


class FontNotFound(RuntimeError):
    """No installed font can write Vietnamese."""


@lru_cache
def _codepoints(path: str) -> frozenset[int]:
    return frozenset(TTFontFile(path).charToGlyph)


def missing_glyphs(path: str | Path, text: str) -> str:
    """The characters of `text` (composed, NFC) that the font at `path` cannot draw."""
    have = _codepoints(str(path))
    text = unicodedata.normalize("NFC", text)
    return "".join(dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in have))


def _fontconfig(weight: str) -> list[str]:
    """What fontconfig offers for a Vietnamese sans-serif, when it is installed."""
    if not shutil.which("fc-match"):
        return []
    pattern = f"sans-serif:lang=vi{':bold' if weight == 'bold' else ''}"
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return []
    return [out] if out.lower().endswith(".ttf") else []


@lru_cache
def find_font(weight: str = "regular") -> Path:
    """The first installed TrueType font of this weight (`regular` or `bold`) that has every
    Vietnamese letter; `FontNotFound`, saying what to install, when there is none."""
    tried = []
    for candidate in (*CANDIDATES[weight], *_fontconfig(weight)):
        path = Path(candidate)
        if not path.is_file():
            continue
        tried.append(candidate)
        try:
            if not missing_glyphs(path, VIETNAMESE):
                return path
        except Exception:  # noqa: BLE001 - an unreadable font is simply not a candidate
            continue
    found = f" (found without every Vietnamese glyph: {', '.join(tried)})" if tried else ""
    raise FontNotFound(f"no {weight} font with every Vietnamese glyph{found}; {INSTALL_HINT}")
