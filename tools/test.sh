#!/usr/bin/env bash
# The whole test suite: unit tests of lmbook + notebook hygiene + nbval over every notebook
# (each notebook re-run on a fresh kernel at CPU scale, outputs compared with the stored ones).
# Usage: tools/test.sh [extra pytest args]     Creates .venv first if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/pytest ] || bash tools/install.sh
# The CPU test environment (LMBOOK_SCALE=cpu, offline, quiet TF, …) has one definition, lmbook.env.CPU_TEST_ENV,
# which conftest.py applies before any test or nbval kernel starts.
exec .venv/bin/python -m pytest tests notebooks \
  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  --nbval-cell-timeout=300 -p no:cacheprovider "$@"
