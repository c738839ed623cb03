"""Sphinx extension: fail loudly when the vendored offline assets are missing.

_config.yml points MathJax (`mathjax_path`), Mermaid (`mermaid_use_local`) and
the ipywidgets manager (`nb_ipywidgets_js`) at files under book/_static/vendor/, which tools/vendor_assets.sh downloads
from npm (the folder is git-ignored). Without them the built pages would have
no math and no diagrams, silently; this turns that into a build warning, i.e.
an error under `jupyter-book build -W`.
"""

from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

_OPTIONS = ("mathjax_path", "mermaid_use_local")


def _check(app):
    if app.builder.format != "html":
        return
    static_dirs = [Path(app.confdir, p) for p in app.config.html_static_path]
    values = [(o, getattr(app.config, o, "") or "") for o in _OPTIONS]
    values += [("nb_ipywidgets_js", url) for url in getattr(app.config, "nb_ipywidgets_js", {}) or {}]
    # the classic-script Mermaid build that _static/mermaid-file-fallback.js loads under file://
    values.append(("mermaid IIFE build (file://)", "vendor/mermaid/mermaid.min.js"))
    for option, value in values:
        if not value or value.startswith(("http://", "https://", "//", "/")):
            continue  # empty or absolute URL: nothing local to check
        if not any((d / value).is_file() for d in static_dirs):
            logger.warning(
                "offline asset %s = %r not found in html_static_path; run "
                "tools/vendor_assets.sh (or tools/build_book.sh) first",
                option, value,
            )


def setup(app):
    app.connect("builder-inited", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
