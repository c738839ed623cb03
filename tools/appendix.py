"""The appendix of 《大模型，小团队》 (book/appendix/): every page generated from one data source each.

| page                          | generated from                                                            |
| ----------------------------- | ------------------------------------------------------------------------- |
| book/appendix/errata.md       | book/errata.yml (tables filled by tools/render_errata.py, grouped by chapter) |
| book/appendix/glossary.md     | book/appendix/glossary.yml (术语、英文、定义、引入它的小节、不要用的译法)          |
| book/appendix/faq.md          | src/lmbook/book_data/faq.yml (also what lmbook.data.load_faq() returns)    |
| book/appendix/tools.md        | book/appendix/tools.yml + the versions pinned in constraints.txt          |
| book/appendix/notation.md     | book/appendix/notation.yml; it includes the preface's 符号表 and README's 代码命名表 |

The generated part of each page sits between ``<!-- appendix:begin NAME -->`` and ``<!-- appendix:end -->``;
the prose around it is hand-written. The glossary also checks the book: :func:`variant_hits` lists every place in
the notebooks' Markdown (and the book's hand-written pages, errata and FAQ data) that uses a translation the
glossary marks as wrong.

Usage:
    python tools/appendix.py             rewrite the generated parts
    python tools/appendix.py --check     exit 1 when a page is stale (tests/test_appendix.py runs this)
    python tools/appendix.py --variants  list every wrong translation in the book (file, cell, variant → accepted)
    python tools/appendix.py --counts    how often the book uses each accepted term and each wrong variant
    python tools/appendix.py --bib       bibliography entries cited nowhere, cited keys missing, identifiers wrong
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render_errata import heading_anchors  # noqa: E402  (MyST-exact anchors, shared with the errata tables)
from render_errata import load_rows as load_errata  # noqa: E402
from render_errata import refresh  # noqa: E402
from render_errata import render_page as render_errata_page  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APPENDIX = ROOT / "book" / "appendix"
GLOSSARY = APPENDIX / "glossary.yml"
TOOLS = APPENDIX / "tools.yml"
NOTATION = APPENDIX / "notation.yml"
FAQ = ROOT / "src" / "lmbook" / "book_data" / "faq.yml"
CONSTRAINTS = ROOT / "constraints.txt"
PREFACE = ROOT / "book" / "ch00_preface" / "index.md"
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- appendix:begin (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- appendix:end -->)", re.S)
ARTICLES = {"000": "第 1 章", "001": "第 2 章", "002": "第 3 章", "003": "第 4 章", "004": "第 5 章"}
#: the included tables (notation.md): a page's marker lines; tests check they still exist in the source files
PREFACE_TABLE = ("## 符号表", "代码里的变量名")
README_TABLE = ("### 代码命名表", "### GPU 规模")


# --------------------------------------------------------------------------------------------- reading the book
def toc_files() -> list[str]:
    """Every file of _toc.yml (without suffix), in reading order."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                out.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    root = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    out.append(root["root"])
    walk(root)
    return out


def notebooks() -> list[Path]:
    """The notebooks of the book: those in _toc.yml in reading order, then any other under notebooks/."""
    listed = [ROOT / (f + ".ipynb") for f in toc_files() if f.startswith("notebooks/")]
    listed = [p for p in listed if p.is_file()]
    rest = sorted(p for p in (ROOT / "notebooks").glob("*/*.ipynb") if p not in listed and ".ipynb_checkpoints" not in p.parts)
    return listed + rest


def prose(text: str) -> str:
    """Markdown with what is not prose removed: fenced code, inline code, math, URLs, link targets, HTML comments,
    MyST roles' targets ({cite}`key`) and directive options."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = _drop_fences(text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"(?<!\\)\$[^$\n]+\$", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", " ", text)
    return text


def _drop_fences(text: str) -> str:
    """Remove code fences (``` / ~~~, any length) but keep the body of MyST admonition/directive fences whose body is
    prose ({admonition}, {note}, dropdown …): only code-like fences (no ``{`` after the backticks, or {code-cell},
    {code}, {mermaid}) are dropped."""
    out, fence = [], None
    for line in text.splitlines():
        m = re.match(r"^\s*(`{3,}|~{3,})(.*)$", line)
        if fence is None and m:
            info = m.group(2).strip()
            code_like = not info.startswith("{") or info.startswith(("{code", "{mermaid", "{math", "{literalinclude"))
            fence = (m.group(1), code_like)
            if not code_like:
                out.append("")
            continue
        if fence is not None and m and m.group(1).startswith(fence[0][0]) and len(m.group(1)) >= len(fence[0]) and not m.group(2).strip():
            fence = None
            continue
        if fence is not None and fence[1]:
            continue
        if fence is not None and re.match(r"^:\w[\w-]*:", line.strip()):
            continue  # a directive option (:class: dropdown)
        out.append(line)
    return "\n".join(out)


@dataclass(frozen=True)
class Text:
    """One piece of the book's prose: a notebook's Markdown cell (cell = index) or a page / data file (cell = None)."""
    file: str
    cell: int | None
    text: str


def book_texts() -> list[Text]:
    """The prose the glossary's consistency check reads: every notebook's Markdown cells, the book's hand-written
    Markdown pages (not the generated appendix, workshop and changelog pages), and the errata and FAQ data the
    appendix is generated from."""
    texts: list[Text] = []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        texts += [Text(path.relative_to(ROOT).as_posix(), i, prose(c.source)) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    generated = {"book/workshop.md", "book/changelog.md"}
    for path in sorted((ROOT / "book").rglob("*.md")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("book/appendix/", "book/_static/")) or rel in generated:
            continue
        texts.append(Text(rel, None, prose(path.read_text(encoding="utf-8"))))
    for path, fields in ((ROOT / "book" / "errata.yml", ("claim", "correction")), (FAQ, ("question", "answer"))):
        for i, row in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            texts.append(Text(path.relative_to(ROOT).as_posix(), i, " ".join(str(row.get(f, "")) for f in fields)))
    return texts


# --------------------------------------------------------------------------------------------------- glossary
GLOSSARY_FIELDS = {"zh", "en", "def", "see", "wrong", "allow"}


def load_glossary(path: Path = GLOSSARY) -> list[dict[str, Any]]:
    """The glossary rows, checked: required fields, one row per term, wrong variants that are not themselves terms
    and that never occur inside the accepted term (a scan would then flag every correct use)."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    terms = [r.get("zh") for r in rows]
    for i, row in enumerate(rows):
        row.setdefault("wrong", [])
        row.setdefault("allow", [])
        missing = {"zh", "en", "def", "see"} - set(row)
        if missing or set(row) - GLOSSARY_FIELDS:
            raise ValueError(f"{path.name} 第 {i + 1} 条（{row.get('zh')}）：缺少 {sorted(missing)} 或有多余字段 {sorted(set(row) - GLOSSARY_FIELDS)}")
        if terms.count(row["zh"]) > 1:
            raise ValueError(f"{path.name}：术语 {row['zh']!r} 出现了不止一次")
        for v in row["wrong"]:
            if v in row["zh"]:
                raise ValueError(f"{path.name}：{row['zh']!r} 的错误译法 {v!r} 是它自己的一部分，扫描会误报每一次正确的用法")
            if v in terms:
                raise ValueError(f"{path.name}：{row['zh']!r} 的错误译法 {v!r} 本身是另一个术语")
        for a in row["allow"]:
            if not any(v in a for v in row["wrong"]):
                raise ValueError(f"{path.name}：{row['zh']!r} 的 allow 项 {a!r} 不含任何错误译法，是多余的")
        if not re.fullmatch(r"notebooks/[\w/]+\.ipynb#[^#\s]+", str(row["see"])):
            raise ValueError(f"{path.name}：{row['zh']!r} 的 see 应为 notebooks/…ipynb#标题锚点，而不是 {row['see']!r}")
    return rows


@dataclass(frozen=True)
class Hit:
    file: str
    cell: int | None
    variant: str
    accepted: str
    context: str

    def __str__(self) -> str:
        where = self.file + (f" 单元格 {self.cell}" if self.cell is not None and self.file.endswith(".ipynb")
                             else f" 第 {self.cell + 1} 条" if self.cell is not None else "")
        return f"{where}: {self.variant} → {self.accepted}  （…{self.context}…）"


def variant_hits(texts: Iterable[Text], glossary: list[dict[str, Any]]) -> list[Hit]:
    """Every occurrence of a wrong translation in the given prose (a variant is matched case-insensitively), except
    inside one of the row's ``allow`` phrases (e.g. a sentence that reports which word the article used)."""
    hits = []
    for t in texts:
        for row in glossary:
            allowed = [(m.start(), m.end()) for a in row.get("allow", []) for m in re.finditer(re.escape(a), t.text, flags=re.I)]
            for v in row["wrong"]:
                for m in re.finditer(re.escape(v), t.text, flags=re.I):
                    if any(s <= m.start() and m.end() <= e for s, e in allowed):
                        continue
                    context = " ".join(t.text[max(0, m.start() - 12): m.end() + 12].split())
                    hits.append(Hit(t.file, t.cell, v, row["zh"], context))
    return hits


def term_counts(texts: list[Text], glossary: list[dict[str, Any]]) -> list[tuple[str, int, dict[str, int]]]:
    """How often the book uses each accepted term and each wrong variant (the accepted one is the most used)."""
    def count(s: str) -> int:
        return sum(len(re.findall(re.escape(s), t.text, flags=re.I)) for t in texts)

    return [(r["zh"], count(r["zh"]), {v: count(v) for v in r["wrong"]}) for r in glossary]


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _link(target: str, page: Path, title: str | None = None) -> str:
    """A Markdown link from ``page`` to ``notebooks/…ipynb#anchor`` labelled with the heading's text."""
    path, _, anchor = target.partition("#")
    rel = Path("../" * (len(page.relative_to(ROOT).parts) - 1)) / path
    if title is None:
        title = heading_anchors(ROOT / path).get(anchor, anchor) if anchor else Path(path).stem
    return f"[{_cell(title)}]({rel.as_posix()}{'#' + anchor if anchor else ''})"


def _where(target: str) -> str:
    """“第 N 章” / “前言” of a notebook link, from its chapter folder."""
    m = re.match(r"notebooks/ch(\d\d)_", target)
    return "前言" if m and m.group(1) == "00" else f"第 {int(m.group(1))} 章" if m else ""


def render_glossary(page: Path, rows: list[dict[str, Any]] | None = None) -> str:
    rows = sorted(rows if rows is not None else load_glossary(), key=lambda r: r["en"].lower())
    lines = ["| 英文 | 中文 | 定义 | 本书在哪里讲 | 不要写成 |", "| --- | --- | --- | --- | --- |"]
    for r in rows:
        wrong = "、".join(r["wrong"]) if r["wrong"] else ""
        lines.append(f"| {_cell(r['en'])} | **{_cell(r['zh'])}** | {_cell(r['def'])} | {_where(r['see'])}"
                     f" {_link(r['see'], page)} | {_cell(wrong)} |")
    return f"共 {len(rows)} 个术语，按英文字母排序。\n\n" + "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------------- FAQ
def load_faq(path: Path = FAQ) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"


def join_lines(text: str) -> str:
    """One paragraph from YAML's folded lines: no space where a line break fell between Chinese characters or after
    Chinese punctuation (folding turns every line break into a space)."""
    text = " ".join(str(text).split())
    return re.sub(rf"(?<=[{_CJK}]) (?=[{_CJK}])|(?<=[\u3000-\u303f\uff00-\uffef]) ", "", text)


def render_faq(page: Path, rows: list[dict[str, Any]] | None = None) -> str:
    rows = rows if rows is not None else load_faq()
    out = []
    for r in rows:
        chapters = "、".join(ARTICLES[a] for a in r["articles"])
        see = "；".join(f"{_where(s)} {_link(s, page)}" for s in r["see"])
        out.append(f"## {r['question']}\n\n{join_lines(r['answer'])}\n\n"
                   f"**在代码里看**：{see or '（暂无）'}。\n\n*提出这个问题的原文：{chapters}。*\n")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------- tools and resources
def pinned_versions(path: Path = CONSTRAINTS) -> dict[str, str]:
    """``name → version`` of every ``name==version`` line of constraints.txt (names normalised as pip does)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9._-]+)==([^\s;#]+)", line.strip())
        if m:
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def load_tools(path: Path = TOOLS) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pins = pinned_versions()
    for group in data["groups"]:
        for t in group["tools"]:
            for dist in t.get("pip", []):
                if _norm(dist) not in pins:
                    raise ValueError(f"tools.yml：{t['name']} 的包 {dist!r} 不在 constraints.txt 中")
    return data


def render_tools(page: Path, data: dict[str, Any] | None = None, pins: dict[str, str] | None = None) -> str:
    data = data if data is not None else load_tools()
    pins = pins if pins is not None else pinned_versions()
    out = [f"下表的版本号由 `tools/appendix.py` 从仓库的 `constraints.txt` 读出（固定于 {data['pinned_on']}，"
           f"Python {data['python']}）；“原文”一列是推荐过它的原文所在的章。\n"]
    for group in data["groups"]:
        out.append(f"## {group['title']}\n")
        out.append("| 名称 | 用途 | 本书固定的版本 | 原文 | 本书在哪里用 |")
        out.append("| --- | --- | --- | --- | --- |")
        for t in group["tools"]:
            version = "、".join(f"`{d}=={pins[_norm(d)]}`" for d in t.get("pip", [])) or _cell(t.get("version", "—"))
            articles = "、".join(ARTICLES[a] for a in t.get("articles", [])) or "—"
            see = _link(t["see"], page) if t.get("see") else "—"
            out.append(f"| {_cell(t['name'])} | {_cell(t['purpose'])} | {version} | {articles} | {see} |")
        out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ notation
def load_notation(path: Path = NOTATION) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def render_notation(page: Path, rows: list[dict[str, Any]] | None = None) -> str:
    rows = rows if rows is not None else load_notation()
    lines = ["| 公式里 | 代码里 | 含义 |", "| --- | --- | --- |"]
    for r in rows:
        lines.append(f"| ${r['symbol']}$ | {'、'.join(f'`{c}`' for c in r['code'])} | {_cell(r['meaning'])} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------- errata
def chapter_pages() -> dict[int, Path]:
    return {int(p.parent.name[2:4]): p for p in sorted((ROOT / "book").glob("ch[0-9][0-9]_*/index.md"))}


def render_errata_sections(page: Path) -> str:
    """One section per chapter that has errata rows: the chapter's title (linking to its landing page), a count by
    kind, and a marker pair that tools/render_errata.py fills with that chapter's table."""
    rows = load_errata()
    pages = chapter_pages()
    out = []
    for chapter in sorted({r["chapter"] for r in rows}):
        mine = [r for r in rows if r["chapter"] == chapter]
        kinds: dict[str, int] = {}
        for r in mine:
            kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
        title = f"第 {chapter} 章"
        landing = pages.get(chapter)
        if landing:
            name = re.match(r"^#\s+(.+)$", landing.read_text(encoding="utf-8"), re.M)
            rel = Path("../" * (len(page.relative_to(ROOT).parts) - 1)) / landing.relative_to(ROOT)
            title += f" [{name.group(1).split('：')[0] if name else landing.parent.name}]({rel.as_posix()})"
        summary = "、".join(f"{k} {n} 条" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        out.append(f"## {title}\n\n共 {len(mine)} 条：{summary}。\n\n<!-- errata:begin chapter={chapter} -->\n<!-- errata:end -->\n")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ bibliography
BIB = ROOT / "book" / "references.bib"
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def isbn_ok(isbn: str) -> bool:
    """An ISBN-10 or ISBN-13 with a correct check digit (hyphens and spaces ignored)."""
    s = re.sub(r"[\s-]", "", isbn).upper()
    if re.fullmatch(r"\d{13}", s):
        return sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(s)) % 10 == 0
    if re.fullmatch(r"\d{9}[\dX]", s):
        return sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(s)) % 11 == 0
    return False


def identifier_problems(fields: dict[str, str]) -> list[str]:
    """Why a BibTeX entry's fields do not identify the work (empty when they do): it needs an arXiv id (eprint with
    archivePrefix = arXiv), a DOI (10.NNNN/…) or an ISBN with a valid check digit; any of them present must be valid."""
    f = {k.lower(): str(v).strip() for k, v in fields.items()}
    problems, ok = [], False
    if f.get("eprint"):
        if f.get("archiveprefix", "").lower() != "arxiv":
            problems.append("eprint 没有 archivePrefix = {arXiv}")
        elif not re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?|[a-z.-]+/\d{7}(v\d+)?", f["eprint"], flags=re.I):
            problems.append(f"eprint {f['eprint']!r} 不是 arXiv 编号")
        else:
            ok = True
    if f.get("doi"):
        if re.fullmatch(r"10\.\d{4,9}/\S+", f["doi"]):
            ok = True
        else:
            problems.append(f"doi {f['doi']!r} 不是 DOI")
    if f.get("isbn"):
        if isbn_ok(f["isbn"]):
            ok = True
        else:
            problems.append(f"isbn {f['isbn']!r} 的校验位不对")
    if not ok and not problems:
        problems.append("没有 arXiv 编号（eprint）、DOI 或 ISBN")
    return problems


def bib_entries(path: Path = BIB) -> dict[str, dict[str, str]]:
    from pybtex.database import parse_file

    return {key: dict(entry.fields) for key, entry in parse_file(str(path)).entries.items()}


def citations() -> dict[str, list[str]]:
    """``key → files`` for every {cite}/{cite:p}/{cite:t}… role in the notebooks (all cells) and the book's pages."""
    found: dict[str, list[str]] = {}

    def add(text: str, where: str) -> None:
        for m in CITE.finditer(text):
            for key in m.group(1).split(","):
                files = found.setdefault(key.strip(), [])
                if where not in files:
                    files.append(where)

    for path in notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            add(cell.source, path.relative_to(ROOT).as_posix())
    for path in sorted((ROOT / "book").rglob("*.md")):
        add(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    return found


# ------------------------------------------------------------------------------------------------- the pages
RENDERERS = {
    "glossary": render_glossary,
    "faq": render_faq,
    "tools": render_tools,
    "notation": render_notation,
    "errata": render_errata_sections,
}


def render(text: str, page: Path) -> str:
    """The page with every ``appendix:begin NAME`` block regenerated (then the errata tables filled)."""
    def replace(match: re.Match[str]) -> str:
        return match.group(1) + RENDERERS[match.group("name")](page) + match.group(4)

    text = BLOCK.sub(replace, text)
    return render_errata_page(text, page, load_errata()) if "<!-- errata:begin" in text else text


def pages() -> list[Path]:
    return sorted(p for p in APPENDIX.glob("*.md") if "<!-- appendix:begin" in p.read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    if "--bib" in argv:
        cited, entries = citations(), bib_entries()
        bad = {k: identifier_problems(f) for k, f in entries.items() if identifier_problems(f)}
        print("没有被引用的条目：" + ("、".join(sorted(set(entries) - set(cited))) or "无"))
        print("引用了但不存在的键：" + ("、".join(sorted(set(cited) - set(entries))) or "无"))
        print("缺少或写错标识符：" + ("；".join(f"{k}: {', '.join(v)}" for k, v in bad.items()) or "无"))
        return 0
    if "--variants" in argv or "--counts" in argv:
        glossary, texts = load_glossary(), book_texts()
        if "--counts" in argv:
            for zh, n, variants in term_counts(texts, glossary):
                print(f"{zh}: {n}" + "".join(f"  {v}: {k}" for v, k in variants.items()))
        if "--variants" in argv:
            hits = variant_hits(texts, glossary)
            print("\n".join(map(str, hits)) or "没有不一致的译法")
            return 1 if hits else 0
        return 0
    check = "--check" in argv
    stale = refresh(pages(), render, check=check, root=ROOT)
    if check and stale:
        print("附录页面与数据不一致（运行 python tools/appendix.py）：" + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"附录：{len(pages())} 个生成的页面" + ("一致" if check else f"，更新 {len(stale)} 个"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
