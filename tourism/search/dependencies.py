"""The search's bare pool and per-worker caches, from the app's resources (tourism.resources)."""

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from tourism.search.service import QueryCache


async def search_pool(request: Request) -> asyncpg.Pool:
    """The bare read-only pool of search and suggest (the rule: tourism.database)."""
    return request.app.state.resources.search_pool


async def query_cache(request: Request) -> QueryCache:
    """What query strings match, per worker."""
    return request.app.state.resources.query_cache


async def suggest_cache(request: Request) -> QueryCache:
    """The completions of a text, per worker."""
    return request.app.state.resources.suggest_cache


SearchPoolDep = Annotated[asyncpg.Pool, Depends(search_pool)]
QueryCacheDep = Annotated[QueryCache, Depends(query_cache)]
SuggestCacheDep = Annotated[QueryCache, Depends(suggest_cache)]
