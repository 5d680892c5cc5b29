"""Deep links into the public web app, with UTM parameters, and the short scan URL."""

import secrets
import string
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlencode

BASE62 = string.digits + string.ascii_letters
CODE_LENGTH = 8  # 62**8 ≈ 2.2e14: not guessable, still a version 2-4 QR code with the scan URL
UTM_MEDIUM = "qr"


def random_code(length: int = CODE_LENGTH) -> str:
    """A random base62 identifier from the OS's cryptographic generator."""
    if length < 7:
        raise ValueError("codes have at least 7 characters")
    return "".join(secrets.choice(BASE62) for _ in range(length))


def is_code(text: str) -> bool:
    return 7 <= len(text) <= 16 and all(c in BASE62 for c in text)


@dataclass(frozen=True)
class Search:
    """A dish search as typed: `/search?q=...`."""

    query: str


@dataclass(frozen=True)
class Dish:
    """One dish: the search for its Vietnamese name, narrowed to the dish by its slug."""

    slug: str
    name: str


@dataclass(frozen=True)
class Eatery:
    id: int


@dataclass(frozen=True)
class Station:
    """A bike-share station, by its operator's id (GBFS `station_id`)."""

    id: str


@dataclass(frozen=True)
class Tour:
    """A food tour of these dishes, planned from where the code is scanned."""

    dishes: tuple[str, ...]
    minutes: int
    mode: str


Target = Search | Dish | Eatery | Station | Tour


def _nfc(text: str) -> str:
    # "bánh" typed with combining accents (NFD) must give the same link as the composed form.
    return unicodedata.normalize("NFC", text)


def _path_and_query(target: Target) -> tuple[str, list[tuple[str, str]]]:
    match target:
        case Search(query=query):
            return "/search", [("q", _nfc(query))]
        case Dish(slug=slug, name=name):
            return "/search", [("q", _nfc(name)), ("dish", slug)]
        case Eatery(id=eatery_id):
            return f"/eateries/{int(eatery_id)}", []
        case Station(id=station_id):
            return f"/stations/{quote(station_id, safe='')}", []
        case Tour(dishes=dishes, minutes=minutes, mode=mode):
            return "/tours", [
                ("dishes", ",".join(dishes)),
                ("minutes", str(int(minutes))),
                ("mode", mode),
                ("from", "here"),
            ]
    raise TypeError(f"not a QR target: {target!r}")


def deep_link(
    web_url: str,
    target: Target,
    *,
    campaign: str,
    placement: str | None = None,
    source: str,
) -> str:
    """`{web_url}/search?q=...&utm_source=...`: UTF-8 percent-encoded, spaces as %20."""
    path, params = _path_and_query(target)
    params += [("utm_source", source), ("utm_medium", UTM_MEDIUM), ("utm_campaign", campaign)]
    if placement:
        params.append(("utm_content", _nfc(placement)))
    return f"{web_url.rstrip('/')}{path}?{urlencode(params, quote_via=quote, safe='')}"


def page_path(target: Target) -> str:
    """The target's page on the web site, without campaign parameters: `/search?q=...`."""
    path, params = _path_and_query(target)
    return f"{path}?{urlencode(params, quote_via=quote, safe='')}" if params else path


def short_url(api_url: str, code: str) -> str:
    """What the QR image encodes: short, so the code stays small and every scan reaches us."""
    if not is_code(code):
        raise ValueError(f"not a code: {code!r}")
    return f"{api_url.rstrip('/')}/q/{code}"
