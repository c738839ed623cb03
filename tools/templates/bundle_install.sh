#!/usr/bin/env bash
# 《大模型，小团队》 {{version}}: install into .venv next to this file (Linux, macOS incl. Apple silicon).
# Offline when wheels/ is present (made by `make bundle WHEELS=1` on the same kind of machine).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "需要 Python 3.10 以上（推荐 3.11）：PYTHON=/path/to/python3.11 bash install.sh"; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
SRC=()
if [ -d wheels ]; then SRC=(--no-index --find-links wheels); echo "从 wheels/ 离线安装"; fi
CONSTRAINTS=(-c constraints.txt)
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || CONSTRAINTS=()  # the pins are for Python 3.11
.venv/bin/python -m pip install -q "${SRC[@]}" "${CONSTRAINTS[@]}" -e ".[{{extras}}]"
.venv/bin/python -m pip install -q "${SRC[@]}" --no-deps "${CONSTRAINTS[@]}" {{no_deps}}
.venv/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lmbook)" >/dev/null
.venv/bin/python -m lmbook.doctor --no-gpu || true
echo "打开笔记本：.venv/bin/jupyter lab student/notebooks   （教师版在 notebooks/）"
