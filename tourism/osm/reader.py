"""OpenStreetMap exports read one element at a time: Overpass JSON (ijson) or .osm.pbf (osmium).

Neither reads the file whole: memory stays flat however large the export.
"""

import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import ijson

CHUNK = 64 * 1024
# The tags that can make an eatery (elements.AMENITY_KINDS, SHOP_KINDS): PBF nodes without
# any of them are not even turned into dicts.
EATERY_KEYS = ("amenity", "shop")


class UnreadableExport(ValueError):
    """The file is not an export we can read; the message is one line."""


class CountingFile:
    """A binary file that counts the bytes read from it (and reports them to `on_read`)."""

    def __init__(self, file: BinaryIO, on_read: Callable[[int], None] = lambda n: None) -> None:
        self.file, self.on_read, self.bytes_read, self.last_read = file, on_read, 0, 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        if data:  # where a parse error is: within the last piece read (EOF reads nothing)
            self.bytes_read += len(data)
            self.last_read = len(data)
        self.on_read(len(data))
        return data


def _first_line(exc: Exception) -> str:
    message = str(exc)
    if message.startswith(("b'", 'b"')):  # yajl's message of a non-UTF-8 file, as bytes
        message = message[2:].replace("\\n", "\n")
    return re.sub(r"\s+", " ", message.strip().splitlines()[0]).strip().rstrip(".")


def json_elements(file: CountingFile, *, name: str) -> Iterator[dict[str, Any]]:
    """The items of an Overpass export's `elements` list, as they are parsed.

    Raises UnreadableExport for broken JSON (where it broke) or a document without that list.
    """
    found = False
    try:
        for element in ijson.items(file, "elements.item", use_float=True, buf_size=CHUNK):
            found = True
            yield element
    except ijson.JSONError as exc:
        raise UnreadableExport(
            f"{name}: not valid JSON ({_first_line(exc)}) within bytes "
            f"{file.bytes_read - file.last_read}-{file.bytes_read}"
        ) from exc
    if not found and not _has_elements_list(file.file):
        raise UnreadableExport(f"{name}: no `elements` list (is it an Overpass JSON export?)")


def _has_elements_list(file: BinaryIO) -> bool:
    """An empty export still has `"elements": []` (a second look only when nothing was read)."""
    file.seek(0)
    return any(
        prefix == "elements" and event == "start_array" for prefix, event, _ in ijson.parse(file)
    )


def pbf_elements(path: str) -> Iterator[dict[str, Any]]:
    """The nodes of an .osm.pbf file tagged amenity or shop, as Overpass JSON elements.

    Ways and relations (buildings drawn as areas) are not read: they need their centres, which
    an Overpass export gives with `out center`.
    """
    import osmium

    nodes = osmium.FileProcessor(path, osmium.osm.NODE).with_filter(
        osmium.filter.KeyFilter(*EATERY_KEYS)
    )
    try:
        for node in nodes:
            if not node.location.valid():
                continue
            yield {
                "type": "node",
                "id": node.id,
                "lat": node.location.lat,
                "lon": node.location.lon,
                "tags": {tag.k: tag.v for tag in node.tags},
            }
    except RuntimeError as exc:  # libosmium's errors: not a PBF file, truncated...
        raise UnreadableExport(f"{path}: not a readable OSM PBF file ({_first_line(exc)})") from exc
