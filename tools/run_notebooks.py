"""Regenerate the stored outputs of the book's notebooks at CPU scale (what nbval then checks).

Usage: python tools/run_notebooks.py [--no-write] [NOTEBOOK ...]     (default: every notebook)
Prints each notebook's wall time and the peak memory of its kernel (budget: 4 GiB at CPU scale).
When it writes, it also records the measured time and the machine in the notebook's metadata
(``metadata.lmbook``) and rewrites the title cell's **预计用时** line from it (tools/nbtiming.py).
--no-write only measures, leaving the stored outputs as they are.
"""
from __future__ import annotations

import sys

import nbformat

from lmbook.env import CPU_TEST_ENV, machine_description
from lmbook.timing import RssPeak
from nbexec import ROOT, execute, resolve
from nbtiming import load_gpu_results, notebook_id, record_cpu_run, stamp

CPU_ENV = {**CPU_TEST_ENV, "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


MEMORY_BUDGET_BYTES = 4 * 2**30


def main(argv: list[str]) -> int:
    write = "--no-write" not in argv
    over = []
    machine = machine_description() if write else ""
    results = load_gpu_results() if write else None
    for path in resolve([a for a in argv if a != "--no-write"]):
        with RssPeak(0.2, children=True) as mem:  # the kernel is a child process
            nb, seconds = execute(path, CPU_ENV)
        if write:
            record_cpu_run(nb, seconds, machine, mem.peak_rss)
            stamp(nb, notebook_id(path), results)
            nbformat.write(nb, path)
        print(f"{path.relative_to(ROOT)}: {seconds:.1f} s, 内核峰值内存 {mem.peak_rss / 2**30:.2f} GiB")
        if mem.peak_rss > MEMORY_BUDGET_BYTES:
            over.append(path.name)
    if over:
        print(f"超出 4 GiB 内存预算：{', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
