import matplotlib
import matplotlib.pyplot as plt
import pytest

from lmbook import LmbookError, setup_cjk_font
from lmbook import plotting


def test_packaged_font_is_used():
    assert plotting.packaged_font_path() is not None, "mplfonts should be installed (pinned in constraints.txt)"
    assert setup_cjk_font() == "Noto Sans CJK SC"
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"


def test_chinese_glyphs_exist_in_font(tmp_path, recwarn):
    """Drawing Chinese must not fall back to a font without the glyphs (the 'boxes' bug)."""
    setup_cjk_font()
    fig, ax = plt.subplots()
    ax.set_title("训练损失与验证准确率")
    fig.savefig(tmp_path / "cjk.png")
    plt.close(fig)
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_no_font_gives_actionable_error(monkeypatch):
    monkeypatch.setattr(plotting, "packaged_font_path", lambda: None)
    monkeypatch.setattr(plotting, "_find_system_family", lambda fm: None)
    with pytest.raises(LmbookError, match="pip install mplfonts.*fonts-noto-cjk"):
        setup_cjk_font()
