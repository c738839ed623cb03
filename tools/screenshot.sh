#!/usr/bin/env bash
# Screenshot one page of the built site, served over http (ES modules such as
# Mermaid do not load from file:// URLs), with headless Chromium.
# Usage: tools/screenshot.sh PAGE OUT.png [WIDTH,HEIGHT]
#   PAGE: path under _build/html, e.g. notebooks/ch00_preface/01_quickstart.html
#         (may carry #anchor); default window size 1280,1600.
# Needs: chromium (Debian: apt-get install chromium fonts-noto-cjk) and a built site.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 PAGE OUT.png [WIDTH,HEIGHT]" >&2; exit 2
fi
PAGE="$1"; OUT="$2"; SIZE="${3:-1280,1600}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SITE="$ROOT/_build/html"
[[ -f "$SITE/${PAGE%%#*}" ]] || { echo "screenshot: $SITE/${PAGE%%#*} not found (build first)" >&2; exit 1; }
CHROME="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$CHROME" ]] || { echo "screenshot: chromium not found (apt-get install chromium fonts-noto-cjk)" >&2; exit 1; }
PY="$ROOT/.venv/bin/python"; [[ -x "$PY" ]] || PY=python3

# Serve the site on a free local port; stop exactly that server on exit.
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$PY" -m http.server "$PORT" --bind 127.0.0.1 --directory "$SITE" >/dev/null 2>&1 &
SERVER_PID=$!
PROFILE="$(mktemp -d)"
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$PROFILE"' EXIT
for _ in $(seq 50); do
  "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/')" 2>/dev/null && break
  sleep 0.1
done

"$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$PROFILE" --virtual-time-budget=10000 \
  --window-size="$SIZE" --screenshot="$OUT" "http://127.0.0.1:$PORT/$PAGE" 2>/dev/null
echo "screenshot: $OUT"
