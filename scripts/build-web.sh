#!/usr/bin/env bash
# Install the web pages' browser libraries from the npm registry (web/package-lock.json) and
# copy the files the page serves into tourism/web/static/vendor/ (gitignored), each with a
# gzip twin. Nothing is loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=tourism/web/static/vendor

command -v npm >/dev/null 2>&1 || {
  echo "npm is needed to build the web page's map and charts: sudo apt-get install -y nodejs npm" >&2
  exit 1
}
npm ci --prefix web --no-audit --no-fund --loglevel=error

dist=web/node_modules/maplibre-gl/dist
rm -rf "$VENDOR"
mkdir -p "$VENDOR"
# The CSP build: its worker is a file served by the app, not a blob: URL.
cp "$dist/maplibre-gl-csp.js" "$dist/maplibre-gl-csp-worker.js" "$dist/maplibre-gl.css" "$VENDOR/"
cp "$dist/LICENSE.txt" "$VENDOR/maplibre-gl-LICENSE.txt"
# The console's charts (uPlot): loaded as a classic script, like the map library.
uplot=web/node_modules/uplot
cp "$uplot/dist/uPlot.iife.min.js" "$uplot/dist/uPlot.min.css" "$VENDOR/"
cp "$uplot/LICENSE" "$VENDOR/uPlot-LICENSE.txt"
# The self-hosted street map: the PMTiles protocol for MapLibre and the Protomaps basemap
# style (classic scripts too: window.pmtiles, window.basemaps).
cp web/node_modules/pmtiles/dist/pmtiles.js "$VENDOR/"
cp web/node_modules/@protomaps/basemaps/dist/basemaps.js "$VENDOR/"
# Both packages are BSD-3-Clause (package.json) and ship no licence file of their own.
echo "pmtiles and @protomaps/basemaps: BSD-3-Clause, (c) Protomaps LLC; https://github.com/protomaps" \
  >"$VENDOR/protomaps-LICENSE.txt"
# The API documentation pages (/docs, /redoc) without a CDN.
swagger=web/node_modules/swagger-ui-dist
cp "$swagger/swagger-ui-bundle.js" "$swagger/swagger-ui.css" "$VENDOR/"
cp "$swagger/LICENSE" "$VENDOR/swagger-ui-LICENSE.txt"
# ReDoc's menu shows a logo from its CDN: an empty image instead, so nothing leaves the site.
sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEAAAAALAAAAAABAAEAAAIBAAA=#' \
  web/node_modules/redoc/bundles/redoc.standalone.js >"$VENDOR/redoc.standalone.js"
grep -q 'cdn.redoc.ly' "$VENDOR/redoc.standalone.js" && { echo "ReDoc still loads from its CDN" >&2; exit 1; }
cp web/node_modules/redoc/LICENSE "$VENDOR/redoc-LICENSE.txt"
# axe-core (web/package.json's devDependencies) stays in web/node_modules: only the browser
# tests read it, users never get it.
for file in "$VENDOR"/*.js "$VENDOR"/*.css; do
  gzip -9 -k -n -f "$file"
done
touch "$VENDOR/.installed"
