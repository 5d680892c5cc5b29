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
# axe-core (web/package.json's devDependencies) stays in web/node_modules: only the browser
# tests read it, users never get it.
for file in "$VENDOR"/*.js "$VENDOR"/*.css; do
  gzip -9 -k -n -f "$file"
done
touch "$VENDOR/.installed"
