"""Matplotlib with a CJK font, so Chinese labels render as characters and not as boxes."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import LmbookError

# Fonts we accept, best first. The first is shipped inside the PyPI package `mplfonts` (SIL OFL),
# so `pip install` alone gives every machine — CI, a laptop, Colab — the same font.
_PACKAGED = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
_SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
_SYSTEM_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"))


def packaged_font_path() -> Path | None:
    """Path of the Noto Sans CJK SC file inside `mplfonts`, if that package is installed."""
    import importlib.util

    spec = importlib.util.find_spec(_PACKAGED[0])
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / _PACKAGED[1]
    return path if path.is_file() else None


_configured: str | None = None


def ensure_cjk_font() -> str:
    """:func:`setup_cjk_font` once per process; every plotting helper calls this first."""
    global _configured
    if _configured is None:
        _configured = setup_cjk_font()
    return _configured


def setup_cjk_font() -> str:
    """Register a CJK font with matplotlib and make it the default; return its family name.

    Raises :class:`LmbookError` with install instructions when no CJK font exists.
    """
    import matplotlib
    from matplotlib import font_manager

    path = packaged_font_path()
    family: str | None
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        family = font_manager.FontProperties(fname=str(path)).get_name()
    else:
        family = _find_system_family(font_manager)
    if family is None:
        raise LmbookError(
            "找不到中文字体，图中的中文会显示成方框。请运行 `pip install mplfonts`（推荐，含 Noto Sans CJK SC），"
            "或在 Debian/Ubuntu 上运行 `apt-get install fonts-noto-cjk`，然后重启内核。"
        )
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    matplotlib.rcParams["figure.dpi"] = 100
    matplotlib.rcParams["savefig.dpi"] = 100
    global _configured
    _configured = family
    return family


def _find_system_family(font_manager) -> str | None:  # type: ignore[no-untyped-def]
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in _SYSTEM_FAMILIES:
        if family in names:
            return family
    for folder in _SYSTEM_DIRS:  # fonts installed after matplotlib built its cache
        for path in Path(folder).glob("**/*"):
            if path.suffix.lower() in (".otf", ".ttf", ".ttc") and any(k in path.name for k in ("CJK", "wqy", "SC")):
                font_manager.fontManager.addfont(str(path))
                family = font_manager.FontProperties(fname=str(path)).get_name()
                if family in _SYSTEM_FAMILIES:
                    return family
    return None


def plot_confusion(y_true: Any, y_pred: Any, *, labels: Any = None, title: str = "混淆矩阵", ax: Any = None) -> Any:
    """Confusion matrix with counts in the cells; rows are true classes, columns predictions."""
    import matplotlib.pyplot as plt
    import numpy as np

    ensure_cjk_font()
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    classes = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.arange(len(labels))
    matrix = np.zeros((len(classes), len(classes)), dtype=int)
    index = {c: i for i, c in enumerate(classes)}
    for t, p in zip(y_true, y_pred):
        matrix[index[t], index[p]] += 1
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4), layout="constrained")
    ax.imshow(matrix, cmap="Blues")
    names = [str(c) for c in (classes if labels is None else labels)]
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    for i in range(len(names)):
        for j in range(len(names)):
            color = "white" if matrix[i, j] > matrix.max() / 2 else "black"
            ax.text(j, i, matrix[i, j], ha="center", va="center", fontsize=8, color=color)
    ax.set(xlabel="预测类别", ylabel="真实类别", title=title)
    return matrix
