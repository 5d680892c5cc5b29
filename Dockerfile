# syntax=docker/dockerfile:1
# The food-tour API and its web pages in one image: `docker compose up` (compose.yaml) runs it
# with PostGIS and a TLS proxy. Three stages: the browser libraries from npm, the Python
# environment, and a slim runtime that runs as an unprivileged user.

# 1. The web pages' libraries (MapLibre, PMTiles, Swagger UI, ...) from the npm registry.
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY web/package.json web/package-lock.json web/
COPY scripts/build-web.sh scripts/
COPY tourism/web/static tourism/web/static
RUN bash scripts/build-web.sh

# 2. The Python environment, built where a compiler may be needed.
FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY alembic alembic
COPY tourism tourism
COPY geo geo
COPY qr qr
COPY seeds seeds
COPY bench bench
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -e .

# 3. The runtime: the code, the environment, the built libraries; no compiler, no npm.
FROM python:3.11-slim-bookworm
# fonts for QR posters; pg_dump/pg_restore for `foodtour backup` and `restore`
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/foodtour --create-home foodtour
COPY --from=python /opt/venv /opt/venv
COPY --from=python /app /app
COPY --from=web /app/tourism/web/static/vendor /app/tourism/web/static/vendor
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TOURISM_ENVIRONMENT=production \
    TOURISM_DATA_DIR=/var/lib/foodtour
WORKDIR /app
USER foodtour
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"
# Migrations first (idempotent; an advisory lock keeps two containers from racing), then serve.
CMD ["sh", "-c", "foodtour migrate && exec foodtour run --host 0.0.0.0 --port 8000 --workers ${TOURISM_WORKERS:-2}"]
