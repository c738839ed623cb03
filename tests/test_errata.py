"""The errata of the source articles: one data file (book/errata.yml) behind every errata table, and each
correction linked to the section whose cell proves it."""
import re
import subprocess
import sys

import nbformat
import pytest

from nbscan import ROOT
from render_errata import heading_anchors, load_rows, slugify

ROWS = load_rows()


def test_pages_are_fresh():
    result = subprocess.run([sys.executable, "tools/render_errata.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_slug_is_myst_s():
    assert slugify("原文勘误：混合精度“显著降低内存”") == "原文勘误混合精度显著降低内存"
    assert slugify("2.4 显存: Train & Infer") == "24-显存-train--infer"


def section_markdown(path, anchor):
    """The Markdown from the heading with this anchor up to the next heading of the same or a higher level."""
    texts = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
    lines = "\n".join(texts).splitlines()
    seen, start, level = {}, None, None
    for i, line in enumerate(lines):
        m = re.match(r"^(#{1,6})\s+(.+?)\s*$", line)
        if not m:
            continue
        slug = base = slugify(m.group(2))
        k = 1
        while slug in seen:
            slug, k = f"{base}-{k}", k + 1
        seen[slug] = True
        if start is not None and len(m.group(1)) <= level:
            return "\n".join(lines[start:i])
        if slug == anchor:
            start, level = i, len(m.group(1))
    return "\n".join(lines[start:]) if start is not None else None


@pytest.mark.parametrize("row", [r for r in ROWS if r["evidence"]], ids=lambda r: f"ch{r['chapter']}:{r['claim'][:20]}")
def test_evidence_points_at_a_proof(row):
    target, _, anchor = row["evidence"].partition("#")
    path = ROOT / target
    assert path.is_file(), f"{target} does not exist"
    assert anchor in heading_anchors(path), f"{target} has no heading with anchor {anchor!r}"
    if path.suffix == ".ipynb":
        section = section_markdown(path, anchor)
        assert re.search(r"原文勘误|常见误区", section), f"{row['evidence']}: the section holds no 原文勘误 / 常见误区 box"


def test_every_chapter_with_errata_shows_them():
    chapters = {r["chapter"] for r in ROWS}
    pages = {int(m) for p in (ROOT / "book").rglob("*.md")
             for m in re.findall(r"<!-- errata:begin chapter=(\d+) -->", p.read_text(encoding="utf-8"))}
    assert chapters <= pages, f"chapters without an errata table on their landing page: {sorted(chapters - pages)}"


def test_bad_rows_are_rejected(tmp_path):
    bad = tmp_path / "e.yml"
    bad.write_text("- {chapter: 1, article: '000', kind: 代码, claim: x, correction: y, evidence: null}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="需要 evidence"):
        load_rows(bad)
    bad.write_text("- {chapter: 1, article: '000', kind: 猜测, claim: x, correction: y, evidence: a}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind='猜测'"):
        load_rows(bad)
