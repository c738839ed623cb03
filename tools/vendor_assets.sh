#!/usr/bin/env bash
# Vendor the JavaScript the site needs into book/_static/vendor/ so the built
# book works without internet (workshop venues, CI machines): MathJax 3 (math),
# Mermaid 11 (diagrams) and the ipywidgets HTML manager (widgets saved in the
# notebooks). All come from the npm registry via `npm pack`.
#
# Idempotent: a package whose version marker already matches is skipped.
# Without npm (or without registry access) this fails with a clear message:
# we do NOT fall back to CDNs, because a site that silently needs the internet
# is exactly what offline workshops cannot use.
#
# The versions below must match the paths in _config.yml (mathjax_path,
# mermaid_use_local, nb_ipywidgets_js). Mermaid's version is the default of
# sphinxcontrib-mermaid 2.1.1; html-manager's the one myst-nb 1.4 would load.
set -euo pipefail

MATHJAX_VERSION=3.2.2
MERMAID_VERSION=11.12.1
WIDGETS_VERSION=1.0.6   # @jupyter-widgets/html-manager (ipywidgets 8)
# What the vendored Mermaid folder holds: the ES module (http) and the IIFE build that
# book/_static/mermaid-file-fallback.js loads when the site is opened from a folder (file://).
MERMAID_STAMP="$MERMAID_VERSION esm+iife"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/book/_static/vendor"
mkdir -p "$VENDOR"

# already_have NAME VERSION: true when $VENDOR/NAME/.version holds VERSION.
already_have() {
  [[ -f "$VENDOR/$1/.version" && "$(cat "$VENDOR/$1/.version")" == "$2" ]]
}

if already_have mathjax "$MATHJAX_VERSION" && already_have mermaid "$MERMAID_STAMP" \
   && already_have html-manager "$WIDGETS_VERSION"; then
  echo "vendor_assets: mathjax@$MATHJAX_VERSION, mermaid@$MERMAID_VERSION," \
       "html-manager@$WIDGETS_VERSION already in $VENDOR"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<MSG
vendor_assets: ERROR: 'npm' was not found, so MathJax and Mermaid cannot be vendored.
  Install Node.js/npm (e.g. 'apt-get install npm'), or copy an existing
  book/_static/vendor/ folder from a machine that has it, then re-run.
  (The book loads these files locally so that it works offline.)
MSG
  exit 1
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# fetch DIR PACKAGE VERSION: unpack the npm tarball of PACKAGE@VERSION into $TMP/DIR/package.
fetch() {
  mkdir -p "$TMP/$1"
  if ! (cd "$TMP/$1" && npm pack --silent "$2@$3" >/dev/null 2>"$TMP/$1.err"); then
    echo "vendor_assets: ERROR: 'npm pack $2@$3' failed (is the npm registry reachable?):" >&2
    grep -v "npm warn" "$TMP/$1.err" >&2 || true
    exit 1
  fi
  tar xzf "$TMP/$1"/*.tgz -C "$TMP/$1"
}

if ! already_have mathjax "$MATHJAX_VERSION"; then
  echo "vendor_assets: fetching mathjax@$MATHJAX_VERSION"
  fetch mathjax mathjax "$MATHJAX_VERSION"
  rm -rf "$VENDOR/mathjax" && mkdir -p "$VENDOR/mathjax"
  src="$TMP/mathjax/package/es5"
  # tex-chtml.js plus the components it loads at run time, resolved relative to
  # its own URL: fonts (output/chtml/fonts), TeX extensions (input/tex/extensions),
  # the context menu (ui) and its accessibility tools (a11y, sre).
  cp "$src/tex-chtml.js" "$VENDOR/mathjax/"
  cp -r "$src/input" "$src/output" "$src/ui" "$src/a11y" "$src/sre" "$src/adaptors" "$VENDOR/mathjax/"
  cp "$TMP/mathjax/package/LICENSE" "$VENDOR/mathjax/LICENSE"
  echo "$MATHJAX_VERSION" > "$VENDOR/mathjax/.version"
fi

if ! already_have mermaid "$MERMAID_STAMP"; then
  echo "vendor_assets: fetching mermaid@$MERMAID_VERSION"
  fetch mermaid mermaid "$MERMAID_VERSION"
  rm -rf "$VENDOR/mermaid" && mkdir -p "$VENDOR/mermaid/chunks"
  dist="$TMP/mermaid/package/dist"
  # The ES module entry point imports its chunks by relative path; mermaid.min.js is the
  # self-contained classic-script build for file:// (browsers block ES modules there).
  cp "$dist/mermaid.esm.min.mjs" "$dist/mermaid.min.js" "$VENDOR/mermaid/"
  cp -r "$dist/chunks/mermaid.esm.min" "$VENDOR/mermaid/chunks/"
  find "$VENDOR/mermaid" -name '*.map' -delete
  cp "$TMP/mermaid/package/LICENSE" "$VENDOR/mermaid/LICENSE"
  echo "$MERMAID_STAMP" > "$VENDOR/mermaid/.version"
fi

if ! already_have html-manager "$WIDGETS_VERSION"; then
  echo "vendor_assets: fetching @jupyter-widgets/html-manager@$WIDGETS_VERSION"
  fetch html-manager @jupyter-widgets/html-manager "$WIDGETS_VERSION"
  rm -rf "$VENDOR/html-manager" && mkdir -p "$VENDOR/html-manager"
  dist="$TMP/html-manager/package/dist"
  # embed.js is the standalone bundle (no RequireJS); it loads its numbered
  # chunks and icon fonts from its own folder.
  cp "$dist"/embed.js "$dist"/[0-9]*.embed.js "$dist"/embed.js.LICENSE.txt "$VENDOR/html-manager/"
  find "$dist" -maxdepth 1 -regextype posix-extended -regex '.*/[0-9a-f]{20}\.(woff2?|ttf|eot|svg)' \
    -exec cp {} "$VENDOR/html-manager/" \;
  cp "$TMP/html-manager/package/LICENSE" "$VENDOR/html-manager/LICENSE" 2>/dev/null || true
  echo "$WIDGETS_VERSION" > "$VENDOR/html-manager/.version"
fi

echo "vendor_assets: done ($(du -sh "$VENDOR" | cut -f1) in $VENDOR)"
