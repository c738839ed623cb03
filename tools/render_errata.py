"""Render the errata of the source articles from their one data file, book/errata.yml.

Every correction the book makes to the five articles is one row of book/errata.yml. This tool writes the
rows as Markdown tables into every page that asks for them with a pair of markers:

    <!-- errata:begin chapter=3 -->   …generated table…   <!-- errata:end -->
    <!-- errata:begin all -->         (the appendix: every chapter)

so a chapter's landing page and the appendix can never disagree. Usage:
    python tools/render_errata.py           rewrite the tables
    python tools/render_errata.py --check   exit 1 if a page is stale (the tests run this)
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "book" / "errata.yml"
BLOCK = re.compile(r"(<!-- errata:begin (?P<scope>all|chapter=\d+) -->\n)(?P<body>.*?)(<!-- errata:end -->)", re.S)
KINDS = ("代码", "公式", "事实", "数字", "引用", "表述")  # what kind of error the row corrects
FIELDS = ("chapter", "article", "kind", "claim", "correction", "evidence")
#: kinds that may have no proof cell (a removed reference or an unsourced figure is not repeated; the row says so)
NO_PROOF_NEEDED = ("引用", "数字")


def load_rows(path: Path = DATA) -> list[dict[str, Any]]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for i, row in enumerate(rows):
        missing = [f for f in FIELDS if f not in row]
        if missing:
            raise ValueError(f"book/errata.yml 第 {i + 1} 条缺少字段 {missing}（需要 {', '.join(FIELDS)}）")
        if row["kind"] not in KINDS:
            raise ValueError(f"book/errata.yml 第 {i + 1} 条的 kind={row['kind']!r} 不在 {KINDS} 中")
        if not row["evidence"] and row["kind"] not in NO_PROOF_NEEDED:
            raise ValueError(f"book/errata.yml 第 {i + 1} 条（{row['kind']}）需要 evidence：证明单元格所在的笔记本#标题锚点")
    return rows


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def slugify(title: str) -> str:
    """MyST's anchor of a heading made of plain text: lower case, spaces → '-', punctuation dropped."""
    from myst_parser.mdit_to_docutils.base import default_slugify

    return default_slugify(title)


HEADING_ANCHORS = 4  # myst_heading_anchors in _config.yml: headings down to #### get an anchor


def _md_parser():  # the parser MyST builds the site with (same extensions as _config.yml), so anchors match exactly
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    extensions = set(config.get("parse", {}).get("myst_enable_extensions", []))
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


def heading_anchors(path: Path) -> dict[str, str]:
    """Anchor → heading text (Markdown source) of every heading a link can target in a notebook or page, computed as
    MyST computes them (myst_parser's ``compute_unique_slug``): the slug is made from the heading's text and inline
    code only — inline math and roles are left out — and repeated slugs get ``-1``, ``-1-2`` … appended."""
    import nbformat
    from myst_parser.mdit_to_docutils.base import default_slugify

    if path.suffix == ".ipynb":
        sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
    else:
        sources = [path.read_text(encoding="utf-8")]
    md, anchors = _md_parser(), {}
    for source in sources:
        tokens = md.parse(source)
        for i, tok in enumerate(tokens):
            if tok.type != "heading_open" or int(tok.tag[1]) > HEADING_ANCHORS:
                continue
            inline = tokens[i + 1]
            slug = default_slugify("".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline")))
            k = 1
            while slug in anchors:
                slug, k = f"{slug}-{k}", k + 1
            anchors[slug] = inline.content
    return anchors


def _link(evidence: str | None, page: Path) -> str:
    if not evidence:
        return "不再引用（见更正）"
    target, _, anchor = evidence.partition("#")
    rel = Path("../" * (len(page.relative_to(ROOT).parts) - 1)) / target
    title = heading_anchors(ROOT / target).get(anchor, anchor) if anchor else Path(target).stem
    return f"[{_cell(title)}]({rel.as_posix()}{'#' + anchor if anchor else ''})"


def table(rows: list[dict[str, Any]], page: Path, *, with_chapter: bool) -> str:
    head = ("| 章 " if with_chapter else "") + "| 类别 | 原文的问题（转述） | 更正 | 证据 |\n"
    head += ("| --- " if with_chapter else "") + "| --- | --- | --- | --- |\n"
    lines = [("| " + str(r["chapter"]) + " " if with_chapter else "")
             + f"| {r['kind']} | {_cell(r['claim'])} | {_cell(r['correction'])} | {_link(r['evidence'], page)} |"
             for r in rows]
    return head + "\n".join(lines) + "\n" if rows else "（本章暂无勘误条目。）\n"


def render_page(text: str, page: Path, rows: list[dict[str, Any]]) -> str:
    def replace(match: re.Match[str]) -> str:
        scope = match.group("scope")
        picked = rows if scope == "all" else [r for r in rows if r["chapter"] == int(scope.split("=")[1])]
        return match.group(1) + table(picked, page, with_chapter=scope == "all") + match.group(4)

    return BLOCK.sub(replace, text)


def pages() -> list[Path]:
    return sorted(p for p in (ROOT / "book").rglob("*.md") if "<!-- errata:begin" in p.read_text(encoding="utf-8"))


def refresh(pages: list[Path], render: Callable[[str, Path], str], *, check: bool, root: Path = ROOT) -> list[str]:
    """Render every page; write the changed ones (unless ``check``). Returns the stale pages, relative to ``root``."""
    stale = []
    for page in pages:
        old = page.read_text(encoding="utf-8")
        new = render(old, page)
        if new != old:
            stale.append(page.relative_to(root).as_posix())
            if not check:
                page.write_text(new, encoding="utf-8")
    return stale


def main(argv: list[str]) -> int:
    check = "--check" in argv
    rows = load_rows()
    stale = refresh(pages(), lambda text, page: render_page(text, page, rows), check=check)
    if check and stale:
        print("勘误表与 book/errata.yml 不一致（运行 python tools/render_errata.py）：" + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{len(rows)} 条勘误，{len(pages())} 个页面" + ("一致" if check else f"，更新 {len(stale)} 个"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
