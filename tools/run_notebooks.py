"""Regenerate the stored outputs of the book's notebooks at CPU scale (what nbval then checks).

Usage: python tools/run_notebooks.py [NOTEBOOK ...]     (default: every notebook)
"""
from __future__ import annotations

import sys

import nbformat

from nbexec import ROOT, execute, resolve

CPU_ENV = {"OMP_WAIT_POLICY": "PASSIVE", "LMBOOK_SCALE": "cpu", "LMBOOK_ONLINE": "0", "HF_HUB_OFFLINE": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def main(argv: list[str]) -> int:
    for path in resolve(argv):
        nb, seconds = execute(path, CPU_ENV)
        nbformat.write(nb, path)
        print(f"{path.relative_to(ROOT)}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
