"""Bounding boxes as `minLon,minLat,maxLon,maxLat` (RFC 7946 order)."""

from dataclasses import dataclass


class BBoxError(ValueError):
    """The text is not a valid, small enough bounding box; the message says why, and `kind`
    which rule it broke (for a caller that words it in another language)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @classmethod
    def parse(cls, text: str, *, max_span_deg: float) -> "BBox":
        parts = text.split(",")
        if len(parts) != 4:
            raise BBoxError("bbox must be four numbers: minLon,minLat,maxLon,maxLat", "shape")
        try:
            min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
        except ValueError as exc:
            raise BBoxError(
                "bbox must be four numbers: minLon,minLat,maxLon,maxLat", "shape"
            ) from exc
        box = cls(min_lon, min_lat, max_lon, max_lat)
        box.check(max_span_deg=max_span_deg)
        return box

    def check(self, *, max_span_deg: float) -> None:
        if not all(-180 <= x <= 180 for x in (self.min_lon, self.max_lon)):
            raise BBoxError("bbox longitudes must be within [-180, 180]", "longitude")
        if not all(-90 <= y <= 90 for y in (self.min_lat, self.max_lat)):
            raise BBoxError("bbox latitudes must be within [-90, 90]", "latitude")
        if self.min_lon >= self.max_lon or self.min_lat >= self.max_lat:
            raise BBoxError(
                "bbox is inverted or empty: need minLon < maxLon and minLat < maxLat", "empty"
            )
        if self.max_lon - self.min_lon > max_span_deg or self.max_lat - self.min_lat > max_span_deg:
            raise BBoxError(f"bbox may span at most {max_span_deg} degrees each way", "span")
