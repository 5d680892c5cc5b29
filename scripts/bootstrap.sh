#!/usr/bin/env bash
# Create .venv and install the project with its dev tools. On a fresh Debian/Ubuntu machine,
# as root, first install what Python needs (python3, venv); as a normal user, say what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

python_ok() {
  command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

if ! python_ok; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing python3 and python3-venv with apt-get ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip make ca-certificates
  fi
  python_ok || {
    echo "Python 3.11+ with venv is needed: sudo apt-get install -y python3 python3-venv" >&2
    exit 1
  }
fi

# System packages beyond Python: npm (fetches MapLibre for the web page), Debian's chromium (the
# browser tests, driven by Playwright; no browser download), a font with every Vietnamese glyph
# (QR posters), ZBar and cairo (the QR tests decode what we render). Installed as root;
# otherwise say what is missing.
SYSTEM_PACKAGES="fonts-dejavu-core libzbar0 libcairo2"
if command -v dpkg >/dev/null; then
  # npm may come with another nodejs build (NodeSource bundles it): look for the commands.
  missing=$(
    command -v npm >/dev/null 2>&1 || echo "nodejs npm"
    command -v chromium >/dev/null 2>&1 || echo chromium
    for p in $SYSTEM_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done
  )
  missing=$(echo $missing)
  if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
      echo "installing" $missing "with apt-get ..." >&2
      apt-get -o DPkg::Lock::Timeout=600 update -qq
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends $missing
    else
      echo "warning: the web page, QR posters and tests need: sudo apt-get install -y" $missing >&2
    fi
  fi
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]'
touch "$VENV/.installed"
