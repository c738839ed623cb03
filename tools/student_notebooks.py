"""Student versions of the book's notebooks: the exercises stay, their solutions go.

A solution is, by the book's convention (tools/templates/notebook.ipynb, tests/test_notebooks.py):

* in a Markdown cell, a MyST directive block whose title names an answer, e.g.
  ```` ```{admonition} 参考答案 ```` with ``:class: dropdown`` (also ``:::{admonition}``, ``{dropdown}``,
  ``{toggle}``; titles with 答案 / 解答 / 题解 / solution);
* any cell tagged ``solution`` (typically a code cell that computes an answer).

Each is replaced by a short note (``（答案见教师版）``); nothing else changes, so every kept code cell is
the full notebook's cell, which nbval runs. The tool refuses to write a student notebook in which a kept
cell uses a name that only a removed cell defines (it would fail with NameError). Output goes to a separate
folder, never over the notebooks. Usage:
    python tools/student_notebooks.py [--out _build/student] [--clear-outputs] [NOTEBOOK ...]
"""
from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nbexec import NOTEBOOKS, ROOT, resolve

SOLUTION_TAG = "solution"
NOTE = "（答案见教师版）"
TITLE_RE = re.compile(r"^(参考答案|参考解答|答案|解答|题解|提示与答案|solution)", re.I)  # at the start of the title
DIRECTIVES = ("admonition", "dropdown", "toggle", "hint", "tip", "note")
OPEN_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<title>.*)$")
DEFAULT_OUT = ROOT / "_build" / "student"


@dataclass
class Stripped:
    """A student notebook and what was taken out of it."""

    nb: nbformat.NotebookNode
    removed_blocks: list[str] = field(default_factory=list)  # Markdown solution blocks, verbatim
    removed_cells: list[nbformat.NotebookNode] = field(default_factory=list)  # cells tagged `solution`


def _is_solution_open(match: re.Match) -> bool:
    name = match["name"].split(":")[-1]
    return name in DIRECTIVES and bool(TITLE_RE.search(match["title"]))


def strip_markdown(text: str) -> tuple[str, list[str]]:
    """``text`` with every solution directive block replaced by :data:`NOTE`; and the removed blocks."""
    lines = text.split("\n")
    out: list[str] = []
    removed: list[str] = []
    i = 0
    while i < len(lines):
        m = OPEN_RE.match(lines[i])
        if not (m and _is_solution_open(m)):
            out.append(lines[i])
            i += 1
            continue
        fence = m["fence"]
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        removed.append("\n".join(lines[i:j + 1]))
        out.append(m["indent"] + NOTE)
        i = j + 1
    return "\n".join(out), removed


def strip_solutions(nb: nbformat.NotebookNode, *, clear_outputs: bool = False) -> Stripped:
    """A copy of ``nb`` without solutions (see the module docstring); ``nb`` itself is not changed."""
    student = copy.deepcopy(nb)
    result = Stripped(student)
    cells = []
    for cell in student.cells:
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            result.removed_cells.append(cell)
            if not (cells and cells[-1].cell_type == "markdown" and cells[-1].source.strip() == NOTE):
                cells.append(nbformat.v4.new_markdown_cell(NOTE))
            continue
        if cell.cell_type == "markdown":
            cell.source, blocks = strip_markdown(cell.source)
            result.removed_blocks += blocks
        elif cell.cell_type == "code" and clear_outputs:
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    student.cells = cells
    student.metadata.setdefault("lmbook", {})["edition"] = "student"
    return result


# ----------------------------------------------------------------------------- checks
def _tree(source: str) -> ast.Module:
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def defined_names(source: str) -> set[str]:
    """Names a code cell binds at top level (assignments, defs, classes, imports, for/with targets)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(_tree(source).body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)  # its body is another scope
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return names


def used_names(source: str) -> set[str]:
    return {n.id for n in ast.walk(_tree(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def dependency_problems(full: nbformat.NotebookNode) -> list[str]:
    """Kept code cells that use a name only a removed (``solution``-tagged) cell defines earlier."""
    problems = []
    defined_by_kept: set[str] = set()
    only_in_solutions: dict[str, str] = {}
    for cell in full.cells:
        if cell.cell_type != "code":
            continue
        names = defined_names(cell.source)
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            for name in names - defined_by_kept:
                only_in_solutions[name] = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            continue
        missing = (used_names(cell.source) - names) & set(only_in_solutions)
        for name in sorted(missing):
            problems.append(f"保留的单元格用到 {name!r}，而它只在被删去的答案单元格（{only_in_solutions[name]!r}）里定义")
        defined_by_kept |= names
        for name in names:
            only_in_solutions.pop(name, None)
    return problems


def kept_code_sources(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def surviving_solution_text(full: nbformat.NotebookNode, stripped: Stripped) -> list[str]:
    """Lines that only solutions contain (not the rest of the full notebook) but the student notebook still has."""
    solution_text = "\n".join(stripped.removed_blocks + [c.source for c in stripped.removed_cells])
    removed_sources = {c.source for c in stripped.removed_cells}
    rest = "\n".join(strip_markdown(c.source)[0] for c in full.cells if c.source not in removed_sources)
    lines = {line.strip() for line in solution_text.splitlines()}
    own = {line for line in lines if len(line) >= 12 and line not in rest and not OPEN_RE.match(line)
           and not line.startswith(":")}
    student_text = "\n".join(c.source for c in stripped.nb.cells)
    return sorted(line for line in own if line in student_text)


# ----------------------------------------------------------------------------- command line
def student_path(path: Path, out: Path) -> Path:
    return out / path.resolve().relative_to(ROOT)


def write_student(path: Path, out: Path = DEFAULT_OUT, *, clear_outputs: bool = False) -> tuple[Path, Stripped]:
    """Write the student version of the notebook ``path`` under ``out`` (same relative path)."""
    full = nbformat.read(path, as_version=4)
    problems = dependency_problems(full)
    if problems:
        raise SystemExit(f"{path.relative_to(ROOT)}：\n  " + "\n  ".join(problems))
    stripped = strip_solutions(full, clear_outputs=clear_outputs)
    target = student_path(path, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(stripped.nb, target)
    return target, stripped


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--clear-outputs", action="store_true", help="drop stored outputs (students run every cell)")
    args = parser.parse_args(argv)
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    if out.resolve() == ROOT or NOTEBOOKS.resolve() in [out.resolve(), *out.resolve().parents]:
        raise SystemExit("student_notebooks：--out 不能是仓库根目录或 notebooks/ 本身（学生版从不覆盖原笔记本）")
    total = 0
    for path in resolve(args.notebooks):
        target, stripped = write_student(path, out, clear_outputs=args.clear_outputs)
        n = len(stripped.removed_blocks) + len(stripped.removed_cells)
        total += n
        print(f"{target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target}：删去 {n} 处答案")
    print(f"student_notebooks：共删去 {total} 处答案 → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
