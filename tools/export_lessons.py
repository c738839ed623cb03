"""Turn the code the notebooks teach into the library: one source for every piece of lesson code.

A code cell whose first line is

    #| export lmbook.<module>

is *taught* in that notebook (it runs there, readable top to bottom) and is *exported*: this tool
writes every such cell, in reading order, into ``src/lmbook/<module>.py``, under a comment naming
the notebook and section that teaches it. Later notebooks import it from ``lmbook``; they never
define it again. Exported cells hold only imports, definitions and constants (no prints, no
training), and every function or class in them has a docstring.

Usage:
    python tools/export_lessons.py           write the generated modules
    python tools/export_lessons.py --check   exit 1 if a generated module is stale (the tests run this)
"""
from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nbexec import NOTEBOOKS, ROOT, all_notebooks

PACKAGE = ROOT / "src" / "lmbook"
MARKER = re.compile(r"^#\|\s*export\s+lmbook\.(\w+)\s*$")

#: the generated modules and what each is for (a cell may only export into one of these)
MODULES = {
    "sizing": "规模的算术：MLP/LSTM/GPT/BERT 的参数量、训练计算量、GPU 小时与费用、训练状态与 KV 缓存的显存、计算最优的 N 与 D、算力利用率（MFU）。",
    "text": "文本工具：字符词表、语言模型的窗口与批次、80/10/10 掩码、一元与二元基线、困惑度与每字符比特、采样、句向量。",
    "torch_blocks": "PyTorch 的模型积木（同名的 Keras 版本在 lmbook.keras_blocks）。",
    "keras_blocks": "Keras 3 的模型积木，每一个都是 lmbook.torch_blocks 里同名积木的孪生版本。",
    "interop": "在 PyTorch 与 Keras 之间复制权重：一个函数 copy_weights(src, dst)，覆盖全书用到的每一对层。",
    "training": "全书的 PyTorch 训练循环与评估工具。",
    "evaluation": "诚实的评估：带置信区间的指标、按代价选阈值、校准。",
    "product": "产品的算术：自建还是买 API 的盈亏平衡、每次请求的成本与延迟。",
    "gpt": "从零实现的 decoder-only GPT（PyTorch 与 Keras），以及它的训练与生成工具。",
    "serving": "把模型放到 HTTP API 后面提供服务。",
}
HEADER = '''"""{doc}

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.{module}` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations
'''


@dataclass
class Block:
    module: str
    notebook: str  # id under notebooks/, e.g. ch01_resources/01_resources_and_costs
    section: str
    source: str
    cell_index: int


class ExportError(Exception):
    pass


def _heading(markdown: str) -> str | None:
    found = [m.group(2).strip() for m in re.finditer(r"^(#{1,4})\s+(.+)$", markdown, flags=re.M)]
    return found[-1] if found else None


def _check_cell(block: Block, tree: ast.Module) -> None:
    where = f"{block.notebook}.ipynb 第 {block.cell_index} 个单元格"
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue  # imports only the type checker sees
        if not isinstance(node, allowed):
            raise ExportError(f"{where}：导出的单元格只能有 import、定义和常量，第 {node.lineno} 行是 {type(node).__name__}。"
                              "把演示代码移到下一个单元格。")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not ast.get_docstring(node):
            raise ExportError(f"{where}：{node.name} 缺少文档字符串（docstring）；导出的函数和类都要有。")


def notebook_id(path: Path) -> str:
    """``chNN_x/NN_name`` for a book notebook; the bare stem for any other file (tests)."""
    try:
        return path.resolve().relative_to(NOTEBOOKS).with_suffix("").as_posix()
    except ValueError:
        return path.stem


def exported_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of the cells of ``nb`` that start with an export marker."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and MARKER.match(c.source.partition("\n")[0].strip())]


def collect(notebooks: list[Path] | None = None) -> list[Block]:
    """Every exported cell, in reading order."""
    blocks = []
    for path in notebooks or all_notebooks():
        nb = nbformat.read(path, as_version=4)
        notebook = notebook_id(path)
        section = "（开头）"
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                section = _heading(cell.source) or section
                continue
            if cell.cell_type != "code":
                continue
            first, _, rest = cell.source.partition("\n")
            match = MARKER.match(first.strip())
            if not match:
                if first.lstrip().startswith("#|") and ("exp" in first or "lmbook." in first):
                    raise ExportError(f"{notebook}.ipynb 第 {index} 个单元格：导出标记写错了：{first!r}，"
                                      "应为 `#| export lmbook.<模块名>`。")
                continue
            module = match.group(1)
            if module not in MODULES:
                raise ExportError(f"{notebook}.ipynb 第 {index} 个单元格：未知模块 lmbook.{module}；"
                                  f"可选：{', '.join(sorted(MODULES))}（新模块先加进 tools/export_lessons.py 的 MODULES）。")
            lines = [line for line in rest.splitlines() if not re.match(rf"^from lmbook\.{module} import ", line)]
            block = Block(module, notebook, section, "\n".join(lines).strip("\n"), index)
            _check_cell(block, ast.parse(block.source))
            blocks.append(block)
    return blocks


def render(blocks: list[Block]) -> dict[str, str]:
    """Module name → the text of ``src/lmbook/<module>.py``."""
    texts: dict[str, str] = {}
    for block in blocks:
        if block.module not in texts:
            texts[block.module] = HEADER.format(doc=MODULES[block.module], module=block.module)
        texts[block.module] += f"\n\n# ── 出自 notebooks/{block.notebook}.ipynb ·「{block.section}」\n{block.source}\n"
    return texts


def main(argv: list[str]) -> int:
    check = "--check" in argv
    try:
        texts = render(collect())
    except ExportError as err:
        print(f"导出失败：{err}", file=sys.stderr)
        return 1
    stale = []
    for module, text in sorted(texts.items()):
        path = PACKAGE / f"{module}.py"
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(ROOT).as_posix())
        if not check:
            path.write_text(text, encoding="utf-8")
    orphans = [f"src/lmbook/{m}.py" for m in MODULES if m not in texts and (PACKAGE / f"{m}.py").exists()
               and "由 tools/export_lessons.py 从笔记本中" in (PACKAGE / f"{m}.py").read_text(encoding="utf-8")]
    if check:
        if stale or orphans:
            print("生成的库模块与笔记本不一致（运行 `make export`）：" + ", ".join(stale + orphans), file=sys.stderr)
            return 1
        print(f"{len(texts)} 个生成的模块与笔记本一致")
        return 0
    for orphan in orphans:
        (ROOT / orphan).unlink()
    print(f"已生成 {len(texts)} 个模块（更新 {len(stale)} 个，删除 {len(orphans)} 个）")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
