"""Shared pytest set-up: the CPU test environment (lmbook.env.CPU_TEST_ENV, its one definition) for unit
tests and for the nbval kernels, which inherit this process's environment when they start."""
import os
import sys
from pathlib import Path

from lmbook.env import CPU_TEST_ENV

os.environ.update(CPU_TEST_ENV)  # `make test` is always the CPU scale, whatever the shell says

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))  # tests import the tools (nbexec, export_lessons…)
