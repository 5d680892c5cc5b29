"""The rendered-layer cache, from the app's resources (tourism.resources)."""

from typing import Annotated

from fastapi import Depends, Request

from tourism.tiles.cache import LayerCache


async def tile_cache(request: Request) -> LayerCache:
    """The worker's cache of rendered layers, each exact for one data version."""
    return request.app.state.resources.tile_cache


TileCacheDep = Annotated[LayerCache, Depends(tile_cache)]
