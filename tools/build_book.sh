#!/usr/bin/env bash
# Build the whole site of 《大模型，小团队》 from a fresh clone, from the outputs
# stored in the notebooks (nothing is executed). Usage: tools/build_book.sh
#   1. creates .venv with tools/install.sh if jupyter-book is not installed there;
#   2. vendors MathJax and Mermaid into book/_static/vendor/ (offline-first site);
#   3. runs `jupyter-book build . --all -W -n --keep-going`: every Sphinx warning
#      (broken reference, missing citation, ...) fails the build.
# Always a full build (--all): an incremental build neither re-reports the warnings
# of unchanged pages nor re-copies changed static files. Budget: <= 3 minutes.
# Extra arguments are passed to jupyter-book.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
start=$SECONDS

if [[ ! -x .venv/bin/jupyter-book ]]; then
  echo "build_book: .venv/bin/jupyter-book missing; running tools/install.sh"
  bash tools/install.sh
fi

bash tools/vendor_assets.sh

# --all: rebuild every page; -W: warnings are errors; -n: nitpicky (missing
# references); --keep-going: report all warnings before failing.
.venv/bin/jupyter-book build . --all -W -n --keep-going "$@"

echo "build_book: done in $((SECONDS - start)) s"
echo "build_book: open $ROOT/_build/html/index.html"
echo "build_book: (diagrams need http, not file://: python -m http.server -d _build/html 8000)"
