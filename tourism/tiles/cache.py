"""A bounded in-process LRU of rendered tile layers, each exact for one data version and span."""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import blake2b
from typing import Any


@dataclass(frozen=True)
class Layer:
    """One rendered MVT layer: its bytes and what they depend on."""

    data: bytes
    version: tuple[int, ...]  # the data versions it was rendered from
    rendered_at: datetime
    # Open-now attributes change with time: the first opening or closing after `rendered_at`
    # among the tile's eateries (None: nothing in the layer depends on the clock).
    valid_until: datetime | None
    digest: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", blake2b(self.data, digest_size=16).digest())

    def fresh(self, version: tuple[int, ...], now: datetime) -> bool:
        if version != self.version or now < self.rendered_at:
            return False
        return self.valid_until is None or now < self.valid_until


class LayerCache:
    """Least recently used layers, at most `max_bytes` of tile data in all.

    Each layer is checked against the versions of its own tables (tourism.changes), read before
    the cache, and against the clock: live bike counts leave the eatery layers alone. Search's
    QueryCache keeps one version for all its entries instead (why: see there).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Any, Layer] = OrderedDict()

    def get(self, key: Any, version: tuple[int, ...], now: datetime) -> Layer | None:
        layer = self._entries.get(key)
        if layer is None or not layer.fresh(version, now):
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return layer

    def put(self, key: Any, layer: Layer) -> None:
        # One huge layer must not flush everything else.
        if len(layer.data) > self.max_bytes // 8:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= len(old.data)
        self._entries[key] = layer
        self.bytes += len(layer.data)
        while self.bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= len(evicted.data)

    def __len__(self) -> int:
        return len(self._entries)
