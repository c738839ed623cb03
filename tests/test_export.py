"""Code is taught once (BOOK_DESIGN §8): the library is generated from the notebooks that teach it, is never
stale, and no notebook defines again what another notebook taught or what the library already has."""
import ast
import importlib
import re
import subprocess
import sys
from collections import defaultdict

import nbformat
import pytest

from export_lessons import MODULES, ExportError, collect, render
from nbscan import ROOT, code_cells, normalised_lines

CELLS = code_cells()

#: deliberate "write it yourself once more" definitions, each with its reason (name → reason)
ALLOWED_REDEFINITIONS: dict[str, str] = {}


def generated_names() -> dict[str, str]:
    """Every top-level name defined by an exported cell → the module it lives in."""
    names = {}
    for block in collect():
        for node in ast.parse(block.source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names[node.name] = block.module
            elif isinstance(node, ast.Assign):
                names.update({t.id: block.module for t in node.targets if isinstance(t, ast.Name)})
    return names


def test_generated_modules_are_fresh():
    result = subprocess.run([sys.executable, "tools/export_lessons.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + "\nrun `make export`"


def test_generated_modules_import_and_name_their_teacher():
    for module in {b.module for b in collect()}:
        text = (ROOT / "src" / "lmbook" / f"{module}.py").read_text(encoding="utf-8")
        assert text.count("# ── 出自 notebooks/") >= 1 and "请勿直接修改" in text
        importlib.import_module(f"lmbook.{module}")


def notebook(tmp_path, source):
    path = tmp_path / "demo.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## 1 示例"),
                                                   nbformat.v4.new_code_cell(source)]), path)
    return path


@pytest.mark.parametrize("source, message", [
    ("#| export lmbook.sizing\ndef f():\n    return 1", "缺少文档字符串"),
    ("#| export lmbook.sizing\nprint('hi')", "只能有 import、定义和常量"),
    ("#| export lmbook.nowhere\nX = 1", "未知模块 lmbook.nowhere"),
    ("#| exprt lmbook.sizing\nX = 1", "导出标记写错了"),
])
def test_exporter_rejects_bad_cells(tmp_path, source, message):
    with pytest.raises(ExportError, match=message):
        collect([notebook(tmp_path, source)])


def test_exporter_renders_provenance_and_drops_self_imports(tmp_path):
    src = '#| export lmbook.text\nfrom lmbook.text import CharVocab\n\n\ndef g() -> int:\n    """示例。"""\n    return 1'
    text = render(collect([notebook(tmp_path, src)]))["text"]
    assert "# ── 出自 notebooks/demo.ipynb ·「1 示例」" in text and "from lmbook.text import" not in text
    assert text.startswith('"""' + MODULES["text"])


def test_every_definition_is_taught_in_one_notebook():
    where = defaultdict(set)
    for cell in CELLS:
        for name in cell.top_level_definitions():
            where[name].add(cell.notebook)
    repeated = {n: sorted(nbs) for n, nbs in where.items() if len(nbs) > 1 and n not in ALLOWED_REDEFINITIONS}
    assert not repeated, f"defined in more than one notebook (teach once, import after): {repeated}"


def test_no_notebook_redefines_library_code():
    exported = generated_names()
    offenders = [f"{c.notebook} 单元格 {c.index}: {name}（在 lmbook.{exported[name]}）"
                 for c in CELLS if not c.exported for name in c.top_level_definitions()
                 if name in exported and name not in ALLOWED_REDEFINITIONS]
    assert not offenders, "import these from lmbook instead of defining them again:\n" + "\n".join(offenders)


ASSUMED = re.compile(r"PRICE|PEAK_FLOPS|GPU_MEMORY|COST_PER|PER_KWH|POWER_KW|UTILI[SZ]ATION|MFU")


def test_assumed_numbers_come_from_lmbook_assumptions():
    offenders = [f"{c.notebook} 单元格 {c.index}: {name}" for c in CELLS for name in c.top_level_assignments()
                 if ASSUMED.search(name)]
    assert not offenders, "assumed prices / peaks live in lmbook.assumptions:\n" + "\n".join(offenders)


def test_no_weight_copy_sampler_or_scheduled_loop_outside_the_teaching_cell():
    problems = []
    for c in (c for c in CELLS if not c.exported):
        for node in ast.walk(c.tree):
            if isinstance(node, ast.FunctionDef):
                body = ast.unparse(node)
                if re.search(r"^copy_|_to_keras$|_to_torch$|_to_tf$|_to_pt$", node.name):
                    problems.append(f"{c.notebook} 单元格 {c.index}: 权重复制函数 {node.name}（用 lmbook.interop.copy_weights）")
                if ".backward()" in body and re.search(r"sched\w*\.step\(\)", body):
                    problems.append(f"{c.notebook} 单元格 {c.index}: 带学习率调度的训练循环 {node.name}（用 lmbook.training.fit）")
        if "torch.multinomial(" in c.source:
            problems.append(f"{c.notebook} 单元格 {c.index}: 采样器（用 lmbook.text.sample_next）")
        if re.search(r"\.set_weights\(\[[^\n]*(\.T\b|detach\(\)|\.numpy\(\))", c.source):
            problems.append(f"{c.notebook} 单元格 {c.index}: 手写的 PyTorch → Keras 权重复制（用 lmbook.interop.copy_weights）")
    assert not problems, "\n".join(problems)


def test_no_block_of_six_lines_repeats_across_notebooks_and_src():
    """The same six meaningful lines in two files is code that belongs in the library (generated modules excepted:
    they are the exported cells themselves)."""
    generated = {f"{m}.py" for m in {b.module for b in collect()}}
    sources = [(f"{c.notebook}#{c.index}", c.notebook, c.source) for c in CELLS if not c.exported]
    sources += [(p.name, p.name, p.read_text(encoding="utf-8")) for p in (ROOT / "src" / "lmbook").glob("*.py")
                if p.name not in generated]
    seen: dict[tuple[str, ...], tuple[str, str]] = {}
    repeats = set()
    for where, owner, text in sources:
        lines = normalised_lines(text)
        for i in range(len(lines) - 5):
            window = tuple(lines[i:i + 6])
            if window in seen and seen[window][1] != owner:
                repeats.add(f"{seen[window][0]} ~ {where}: {window[0][:60]}")
            seen.setdefault(window, (where, owner))
    assert not repeats, "repeated blocks (move them into lmbook):\n" + "\n".join(sorted(repeats))
