"""Web Mercator XYZ tiles (the scheme MapLibre, Leaflet and OpenStreetMap use)."""

import math


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The (x, y) of the zoom-`z` tile containing a WGS84 point."""
    side = 2**z
    x = int((lon + 180) / 360 * side)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * side)
    return min(max(x, 0), side - 1), min(max(y, 0), side - 1)
