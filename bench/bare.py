"""The reference for nearby: a bare FastAPI + asyncpg KNN endpoint (id, name, metres; orjson).

uvicorn bench.bare:app --port 8766   (TOURISM_DATABASE_URL names the database)
"""

import os
from contextlib import asynccontextmanager

import asyncpg
import orjson
from fastapi import FastAPI, Response

KNN = """
SELECT id, name_vi AS name, ST_Distance(location::geography, here::geography, false) AS metres
FROM eateries, ST_SetSRID(ST_MakePoint($2, $1), 4326) AS here
ORDER BY location <-> here LIMIT 20
"""


@asynccontextmanager
async def lifespan(app: FastAPI):
    dsn = os.environ["TOURISM_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    async with asyncpg.create_pool(dsn, min_size=2, max_size=10) as app.state.pool:
        yield


app = FastAPI(lifespan=lifespan)


@app.get("/readyz")
async def readyz() -> Response:
    return Response(b"ready")


@app.get("/nearby")
async def nearby(lat: float, lon: float) -> Response:
    rows = await app.state.pool.fetch(KNN, lat, lon)
    return Response(orjson.dumps([dict(r) for r in rows]), media_type="application/json")
