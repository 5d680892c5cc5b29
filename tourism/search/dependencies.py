"""The search's bare pool and per-worker caches, from the app's resources (tourism.resources)."""

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from tourism.openapi import uses_database
from tourism.search.service import QueryCache


@uses_database
async def search_pool(request: Request) -> asyncpg.Pool:
    """The bare read-only pool of search and suggest (the rule: tourism.database); with
    replicas, one that runs each statement on a replica (tourism.replicas)."""
    resources = request.app.state.resources
    if resources.replicas is None:
        return resources.search_pool
    return resources.replicas.search_pool(request)


async def query_cache(request: Request) -> QueryCache:
    """What query strings match, per worker."""
    return request.app.state.resources.query_cache


async def suggest_cache(request: Request) -> QueryCache:
    """The completions of a text, per worker."""
    return request.app.state.resources.suggest_cache


SearchPoolDep = Annotated[asyncpg.Pool, Depends(search_pool)]
QueryCacheDep = Annotated[QueryCache, Depends(query_cache)]
SuggestCacheDep = Annotated[QueryCache, Depends(suggest_cache)]
