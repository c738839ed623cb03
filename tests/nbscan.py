"""Read the book's notebooks as Python for the hygiene tests: which cell defines what, which cells are exported."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
from export_lessons import MARKER  # noqa: E402
from nbexec import NOTEBOOKS, all_notebooks  # noqa: E402


@dataclass
class CodeCell:
    notebook: str  # chNN_x/NN_name
    index: int
    source: str
    exported: bool

    @property
    def tree(self) -> ast.Module:
        """The cell parsed as Python (IPython magics and shell lines blanked out)."""
        lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in self.source.splitlines()]
        try:
            return ast.parse("\n".join(lines))
        except SyntaxError:
            return ast.Module(body=[], type_ignores=[])

    def top_level_definitions(self) -> list[str]:
        return [n.name for n in self.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]

    def top_level_assignments(self) -> list[str]:
        names = []
        for node in self.tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            for t in targets:
                names += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
        return names


def notebook_id(path: Path) -> str:
    return path.relative_to(NOTEBOOKS).with_suffix("").as_posix()


def code_cells(paths: list[Path] | None = None) -> list[CodeCell]:
    cells = []
    for path in paths or all_notebooks():
        nb = nbformat.read(path, as_version=4)
        for i, c in enumerate(nb.cells):
            if c.cell_type == "code" and c.source.strip():
                cells.append(CodeCell(notebook_id(path), i, c.source, bool(MARKER.match(c.source.partition("\n")[0].strip()))))
    return cells


def normalised_lines(source: str) -> list[str]:
    """Code lines that carry meaning: no blanks, comments, imports, magics or lone brackets; spaces folded."""
    out = []
    for line in source.splitlines():
        s = re.sub(r"\s+", " ", line.split("  #")[0]).strip()
        if not s or s.startswith(("#", "%", "!", "import ", "from ")) or re.fullmatch(r"[\])}(\[{,:]+", s):
            continue
        out.append(s)
    return out
