"""The appendix (tools/appendix.py → book/appendix/): pages fresh and in the table of contents, every link pointing
at an existing section, the glossary's translations used consistently across the book, the bibliography identified
and cited, the tool versions read from constraints.txt. Fast: reads files, executes no notebook."""
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import appendix
from appendix import Text
from nbscan import ROOT
from appendix import heading_anchors
from render_errata import load_rows

GLOSSARY = appendix.load_glossary()
FAQ = appendix.load_faq()
TOOLS = appendix.load_tools()
NOTATION = appendix.load_notation()


def anchor_exists(target: str) -> bool:
    path, _, anchor = target.partition("#")
    return (ROOT / path).is_file() and anchor in heading_anchors(ROOT / path)


# ------------------------------------------------------------------------------------------------------ pages
def test_pages_are_fresh():
    result = subprocess.run([sys.executable, "tools/appendix.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_stale_page_is_detected(tmp_path, monkeypatch):
    page = tmp_path / "book" / "appendix" / "glossary.md"
    page.parent.mkdir(parents=True)
    page.write_text("# 术语表\n\n<!-- appendix:begin glossary -->\n旧内容\n<!-- appendix:end -->\n", encoding="utf-8")
    monkeypatch.setattr(appendix, "APPENDIX", page.parent)
    monkeypatch.setattr(appendix, "ROOT", tmp_path)
    rows = [{"zh": "词元", "en": "token", "def": "d", "see": "notebooks/x/y.ipynb#a", "wrong": [], "allow": []}]
    monkeypatch.setitem(appendix.RENDERERS, "glossary", lambda p: appendix.render_glossary(p, rows))
    monkeypatch.setattr(appendix, "heading_anchors", lambda path: {"a": "标题"})
    assert appendix.main(["--check"]) == 1, "a page whose generated block differs from its data is stale"
    assert appendix.main([]) == 0 and appendix.main(["--check"]) == 0
    assert "| token | **词元** | d |" in page.read_text(encoding="utf-8")


def test_appendix_pages_are_in_the_toc_before_the_reference_part():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = [p.get("caption") for p in toc["parts"]]
    assert "附录" in captions and captions.index("附录") < captions.index("参考")
    files = appendix.toc_files()
    for page in sorted((ROOT / "book" / "appendix").glob("*.md")):
        assert page.relative_to(ROOT).with_suffix("").as_posix() in files, f"{page.name} is not in _toc.yml"
    assert "book/references" in files


# ---------------------------------------------------------------------------------------------------- errata
def test_errata_page_has_every_row_grouped_by_chapter():
    rows = load_rows()
    text = (ROOT / "book" / "appendix" / "errata.md").read_text(encoding="utf-8")
    for chapter in {r["chapter"] for r in rows}:
        assert f"<!-- errata:begin chapter={chapter} -->" in text
        assert re.search(rf"^## 第 {chapter} 章", text, re.M)
    table_rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith(("| 类别", "| ---"))]
    assert len(table_rows) == len(rows)
    proofs = [r for r in rows if r["evidence"]]
    assert text.count("](../../notebooks/") == len(proofs), "every row with evidence links to its proof section"


# -------------------------------------------------------------------------------------------------- glossary
@pytest.mark.parametrize("row", GLOSSARY, ids=lambda r: r["en"])
def test_glossary_links_to_the_section_that_introduces_the_term(row):
    assert anchor_exists(row["see"]), f"{row['zh']}: {row['see']} is not a heading of an existing notebook"


def test_every_glossary_term_is_used_in_the_book():
    texts = appendix.book_texts()
    unused = [zh for zh, n, _ in appendix.term_counts(texts, GLOSSARY) if n == 0]
    assert not unused, f"terms the book never uses: {unused}"


def test_glossary_translations_are_used_consistently():
    hits = appendix.variant_hits(appendix.book_texts(), GLOSSARY)
    assert not hits, "wrong translations (python tools/appendix.py --variants):\n" + "\n".join(map(str, hits))


def test_variant_scan_finds_a_wrong_translation_and_says_where():
    rows = [{"zh": "批大小", "wrong": ["批次大小"], "allow": []},
            {"zh": "Transformer", "wrong": ["变换器"], "allow": ["原文把变换器"]}]
    texts = [Text("notebooks/ch09_x/01_y.ipynb", 3, appendix.prose("把批次大小改成 32，")),
             Text("notebooks/ch09_x/01_y.ipynb", 4, appendix.prose("原文把变换器模型写成……而本书的变换器")),
             Text("notebooks/ch09_x/01_y.ipynb", 5, appendix.prose("代码 `批次大小 = 4`、链接 [x](https://a.b/批次大小) 与 $批次大小$"))]
    hits = appendix.variant_hits(texts, rows)
    assert [(h.cell, h.variant, h.accepted) for h in hits] == [(3, "批次大小", "批大小"), (4, "变换器", "Transformer")]
    assert "01_y.ipynb 单元格 3: 批次大小 → 批大小" in str(hits[0])


def test_prose_keeps_admonition_text_and_drops_code():
    md = "```{admonition} 原文勘误\n:class: warning\n批次大小写错了\n```\n\n```python\n批次大小 = 3\n```\n"
    text = appendix.prose(md)
    assert "批次大小写错了" in text and "= 3" not in text and ":class:" not in text


@pytest.mark.parametrize("bad, message", [
    ([{"zh": "批大小", "en": "batch size", "def": "d", "see": "notebooks/a/b.ipynb#c", "wrong": ["大小"]}], "自己的一部分"),
    ([{"zh": "轮", "en": "epoch", "def": "d", "see": "notebooks/a/b.ipynb#c"}] * 2, "不止一次"),
    ([{"zh": "轮", "en": "epoch", "def": "d", "see": "第 1 章"}], "see 应为"),
    ([{"zh": "轮", "en": "epoch", "def": "d", "see": "notebooks/a/b.ipynb#c", "wrong": ["周期"], "allow": ["一轮"]}], "多余"),
])
def test_bad_glossary_rows_are_rejected(tmp_path, bad, message):
    path = tmp_path / "g.yml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        appendix.load_glossary(path)


# ------------------------------------------------------------------------------------------------------- FAQ
@pytest.mark.parametrize("entry", FAQ, ids=lambda e: e["id"])
def test_every_faq_answer_links_to_code_that_shows_it(entry):
    assert entry["see"], f"{entry['id']}: no section linked"
    for target in entry["see"]:
        assert target.startswith("notebooks/") and anchor_exists(target), f"{entry['id']}: {target} does not exist"


def test_faq_page_shows_every_question():
    text = (ROOT / "book" / "appendix" / "faq.md").read_text(encoding="utf-8")
    assert [f"## {e['question']}" for e in FAQ] == re.findall(r"^## .+$", text, re.M)


# ------------------------------------------------------------------------------------------- tools and resources
def test_tool_versions_are_read_from_constraints():
    pins = appendix.pinned_versions()
    assert pins["torch"] and pins["tensorflow"] and pins["scikit-learn"]
    fake = {k: "0.0.fake" for k in pins}
    page = ROOT / "book" / "appendix" / "tools.md"
    text = appendix.render_tools(page, TOOLS, fake)
    assert "`torch==0.0.fake`" in text and f"`torch=={pins['torch']}`" not in text
    assert f"`torch=={pins['torch']}`" in page.read_text(encoding="utf-8")


def test_tool_links_exist_and_unknown_packages_are_rejected(tmp_path):
    for group in TOOLS["groups"]:
        for tool in group["tools"]:
            if tool.get("see"):
                assert anchor_exists(tool["see"]), f"{tool['name']}: {tool['see']}"
            assert set(tool.get("articles", [])) <= set(appendix.ARTICLES)
            assert tool.get("pip") or tool.get("version"), f"{tool['name']}: neither pip nor version"
    bad = tmp_path / "t.yml"
    bad.write_text("pinned_on: '2026-01-01'\npython: '3.11'\ngroups:\n- title: x\n  tools:\n  - {name: y, purpose: z, pip: [no-such-dist]}\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match="no-such-dist"):
        appendix.load_tools(bad)


def test_pin_date_is_not_older_than_the_last_change_of_constraints():
    pinned = dt.date.fromisoformat(str(TOOLS["pinned_on"]))
    assert pinned <= dt.date.today()
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True, text=True)
    last = subprocess.run(["git", "log", "-1", "--format=%cs", "--", "constraints.txt"], cwd=ROOT, capture_output=True, text=True)
    if shallow.returncode or shallow.stdout.strip() != "false" or not last.stdout.strip():
        pytest.skip("no full git history here")
    assert pinned >= dt.date.fromisoformat(last.stdout.strip()), "constraints.txt changed: update pinned_on in book/appendix/tools.yml"


# -------------------------------------------------------------------------------------------------- notation
def section(path: Path, start: str, end: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(start) == 1 and text.count(end) == 1, f"{path.name}: the markers the appendix includes by are gone"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_notation_pairs_name_symbols_of_the_preface_and_names_of_the_readme():
    preface = section(appendix.PREFACE, *appendix.PREFACE_TABLE)
    readme = section(appendix.README, *appendix.README_TABLE)
    def code_names(text):
        return set(re.findall(r"\w+", " ".join(re.findall(r"`([^`]+)`", text))))

    names = code_names(readme) | code_names(appendix.PREFACE.read_text(encoding="utf-8"))
    for row in NOTATION:
        assert row["symbol"] in preface, f"${row['symbol']}$ is not in the preface's 符号表"
        for name in row["code"]:
            assert name in names, f"`{name}` is neither in README's 代码命名表 nor in the preface"
    page = (ROOT / "book" / "appendix" / "notation.md").read_text(encoding="utf-8")
    for start, end in (appendix.PREFACE_TABLE, appendix.README_TABLE):
        assert f':start-after: "{start}"' in page and f':end-before: "{end}"' in page


# ---------------------------------------------------------------------------------------------- bibliography
ENTRIES = appendix.bib_entries()
CITED = appendix.citations()


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_bib_entry_has_an_identifier(key):
    assert not appendix.identifier_problems(ENTRIES[key]), f"{key}: {appendix.identifier_problems(ENTRIES[key])}"


def test_every_bib_entry_is_cited_and_every_citation_exists():
    assert not set(ENTRIES) - set(CITED), f"cited nowhere: {sorted(set(ENTRIES) - set(CITED))}"
    assert not set(CITED) - set(ENTRIES), f"cited but not in references.bib: {sorted(set(CITED) - set(ENTRIES))}"


def test_identifier_check_can_fail():
    assert appendix.isbn_ok("978-0-262-03561-3") and appendix.isbn_ok("0-262-03561-8")
    assert not appendix.isbn_ok("978-0-262-03561-4")
    assert appendix.identifier_problems({"eprint": "1706.03762", "archivePrefix": "arXiv"}) == []
    assert appendix.identifier_problems({"doi": "10.1038/nature14539"}) == []
    assert appendix.identifier_problems({"title": "A Survey"}) == ["没有 arXiv 编号（eprint）、DOI 或 ISBN"]
    assert appendix.identifier_problems({"eprint": "1706.03762"})  # no archivePrefix
    assert appendix.identifier_problems({"doi": "https://example.com/x"})
