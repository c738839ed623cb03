"""Sphinx extension: what the published site derives from the repository's one source of each fact.

* **Version** — the package version in pyproject.toml (= ``lmbook.__version__``) becomes Sphinx's
  ``version``/``release`` and a footer line on every page, with a link to the 更新记录 page, so an
  instructor can say which edition a workshop used.
* **Address** — the site lives at the GitHub Pages address that ``repository.url`` in _config.yml implies:
  ``https://github.com/<owner>/<repo>`` → ``https://<owner>.github.io/<repo>/`` (a repository named
  ``<owner>.github.io`` → ``https://<owner>.github.io/``). It sets ``html_baseurl`` and the prefix of the
  404 page's absolute links (sphinx-notfound-page), so the 404 page works under the sub-path. A fork that
  publishes elsewhere (its own domain) sets ``LMBOOK_SITE_URL`` when building.
* **Clean pages** — identical <script> entries are emitted once (sphinx-thebe's were doubled, a SyntaxError),
  and ``_static/mathjax-v2-shim.js`` lets the widget manager's MathJax 2 call work with MathJax 3.
* **Offline diagrams** — Mermaid's ES module cannot load from ``file://``; a small classic script
  (``_static/mermaid-file-fallback.js``) renders the diagrams with Mermaid's IIFE build there, with the same
  settings (``mermaid_init_config``).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG_PAGE = "book/changelog"


def package_version(root: Path = ROOT) -> str:
    """The version in pyproject.toml (the package version; lmbook.__version__ must agree, tests check it)."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)["project"]["version"]
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)  # pragma: no cover - Python 3.10
    return match.group(1) if match else "0"


def site_url(repository_url: str) -> str:
    """The GitHub Pages address of ``https://github.com/<owner>/<repo>``; ``LMBOOK_SITE_URL`` overrides it."""
    override = os.environ.get("LMBOOK_SITE_URL")
    if override:
        return override.rstrip("/") + "/"
    match = re.match(r"https?://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", repository_url or "")
    if not match:
        return ""
    owner, repo = match.groups()
    if repo.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{repo}/"


def url_prefix(url: str) -> str:
    """The path part of the site's address: ``/big-model-small-team/`` (``/`` at a domain's root)."""
    match = re.match(r"https?://[^/]+(/.*)?$", url)
    path = (match.group(1) if match else None) or "/"
    return path if path.endswith("/") else path + "/"


def _configure(app: Sphinx, config: Config) -> None:
    version = package_version()
    config.version = config.release = version
    repo_url = (config.html_theme_options or {}).get("repository_url", "")
    url = site_url(repo_url)
    if url and not config.html_baseurl:
        config.html_baseurl = url
    prefix = url_prefix(url) if url else "/"
    config.notfound_urls_prefix = prefix
    config.notfound_context = {
        "title": "找不到这一页",
        "body": (
            "<h1>找不到这一页</h1>"
            "<p>这个地址在《大模型，小团队》里不存在：可能是章节改了名字，或者链接打错了。</p>"
            f'<p>请回到 <a href="{prefix}book/intro.html">目录与前言</a>，'
            "或者用左侧的目录、上方的搜索框找到你要的那一节。</p>"
        ),
    }
    app.add_js_file(None, body="window.LMBOOK_MERMAID_CONFIG = "
                    + json.dumps(getattr(config, "mermaid_init_config", {}) or {}, ensure_ascii=False) + ";")
    app.add_js_file("mermaid-file-fallback.js")
    # after MathJax (sphinx.ext.mathjax adds it with priority 500), before the widgets render
    app.add_js_file("mathjax-v2-shim.js", priority=510, loading_method="defer")


def _dedupe_scripts(context: dict) -> None:
    """Drop repeated identical <script> entries: sphinx-thebe's inline ``const THEBE_JS_URL = …`` is
    registered twice (once with filename None, once with ""), and the second declaration threw a
    SyntaxError on every page."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", None) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    if "script_files" in context:
        context["script_files"][:] = unique


def _dedupe_builder_scripts(app: Sphinx, env: object, docnames: list) -> None:
    """The same, once for the whole build (sphinx-thebe adds its scripts at env-before-read-docs)."""
    files = getattr(app.builder, "_js_files", None)
    if isinstance(files, list):
        _dedupe_scripts({"script_files": files})


def _footer(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    """Every page's footer: the edition, and a link to the 更新记录 page (relative, so it works offline)."""
    _dedupe_scripts(context)
    version = app.config.version
    link = context["pathto"](CHANGELOG_PAGE) if CHANGELOG_PAGE in app.env.all_docs else ""
    url = app.config.html_baseurl
    parts = [f'《大模型，小团队》第 <span class="lmbook-version">{version}</span> 版']
    if link:
        parts.append(f'<a href="{link}">更新记录</a>')
    if url:
        parts.append(f'网址 <a href="{url}">{url}</a>')
    context["theme_extra_footer"] = '<p class="lmbook-edition">' + " · ".join(parts) + "</p>"


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _configure, priority=400)  # before sphinx-notfound-page reads its options
    app.connect("html-page-context", _footer, priority=900)  # after the extensions that add scripts
    app.connect("env-before-read-docs", _dedupe_builder_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
