"""The bare read pool of the eateries' hot lists (nearby), from the app's resources."""

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from tourism.openapi import uses_database


@uses_database
async def read_pool(request: Request) -> asyncpg.Pool:
    """The bare read-only pool (rule 1 of tourism.database: search's, shared); with replicas,
    one that runs each statement on a replica (tourism.replicas)."""
    resources = request.app.state.resources
    if resources.replicas is None:
        return resources.search_pool
    return resources.replicas.search_pool(request)


ReadPoolDep = Annotated[asyncpg.Pool, Depends(read_pool)]
