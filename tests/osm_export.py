"""A deterministic Overpass API JSON export of real-shaped elements, in memory or streamed."""

import json
import random
from collections.abc import Iterator
from pathlib import Path

NAMES = ("Quán", "Nhà hàng", "Cà phê", "Tiệm", "Quầy")
WORDS = ("Gió Biển", "Sương Sớm", "Bình Minh", "Cảng Cũ", "Hoa Phượng", "Sao Mai", "Đồi Thông")
HOURS = ("Mo-Su 06:00-22:00", "Mo-Sa 07:00-21:00; Su off", "24/7", "Mo-Su 17:00-02:00; PH off")
BAD_HOURS = ("sáng 6h - tối 10h", "Mo-Fr 7h-22h", "theo mùa")
FOOD = (("amenity", "restaurant"), ("amenity", "fast_food"), ("amenity", "cafe"),
        ("amenity", "food_court"), ("amenity", "ice_cream"), ("shop", "bakery"))  # fmt: skip
HEADER = {"version": 0.6, "generator": "Overpass API 0.7.62.1"}


def elements(count: int = 3000, *, seed: int = 7, renamed: frozenset[int] = frozenset()):
    """`count` elements near Hạ Long (far from the seeded city): nodes, ways and relations with
    `center`; about 1 in 25 without a name, 1 in 40 a way without `center`, 1 in 30 not an
    eatery, 1 in 20 with opening hours no parser understands. Elements whose index is in
    `renamed` get another name (a changed export)."""
    rng = random.Random(seed)
    for i in range(count):
        kind = ("node", "node", "node", "way", "way", "relation")[i % 6]
        key, value = FOOD[i % len(FOOD)] if i % 30 else ("amenity", "parking")
        name = f"{rng.choice(NAMES)} {rng.choice(WORDS)} {i}"
        if i in renamed:
            name += " (mới)"
        if i % 11 == 0:
            name = f'{name}, "Chi nhánh"\nTầng 2'  # commas, quotes and a newline
        tags = {key: value, "name": name, "addr:street": "Đường Hạ Long"}
        if i % 25 == 0:
            del tags["name"]
        if i % 3 == 0:
            tags["name:en"] = f"Test eatery {i}"
        if i % 20 == 0:
            tags["opening_hours"] = rng.choice(BAD_HOURS)
        elif i % 2 == 0:
            tags["opening_hours"] = rng.choice(HOURS)
        if i % 4 == 0:
            tags["phone"] = f"+84 203 {rng.randrange(1000000, 9999999)}"
        if i % 5 == 0:
            tags["website"] = f"https://quan-{i}.example.vn"
            tags["cuisine"] = "vietnamese;seafood"
        lat, lon = 21.0 + rng.random() * 0.1, 107.0 + rng.random() * 0.1
        element = {"type": kind, "id": 8_000_000_000 + i, "tags": tags}
        if kind == "node":
            element |= {"lat": round(lat, 7), "lon": round(lon, 7)}
        elif i % 40 != 1:
            element["center"] = {"lat": round(lat, 7), "lon": round(lon, 7)}
        yield element


def export(count: int = 3000, *, seed: int = 7, renamed: frozenset[int] = frozenset()) -> dict:
    """The whole export as one document (see `elements`)."""
    return HEADER | {"elements": list(elements(count, seed=seed, renamed=renamed))}


def write(path: Path, items: Iterator[dict]) -> int:
    """Write an export element by element (memory stays flat); returns the file's size."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(HEADER, ensure_ascii=False)[:-1] + ', "elements": [\n')
        for n, element in enumerate(items):
            f.write((",\n" if n else "") + json.dumps(element, ensure_ascii=False))
        f.write("\n]}\n")
        return f.tell()
