"""Interactive figures that still show something on the static site."""
from __future__ import annotations

from typing import Any, Callable


def explore(draw: Callable[..., Any], **controls: Any) -> None:
    """Draw ``draw(**defaults)`` as a static figure, then offer sliders for a live kernel.

    ``controls`` maps each keyword of ``draw`` to an ipywidgets control (or to an
    abbreviation such as ``(0.0, 1.0, 0.05)``); the control's value is the default drawn
    statically, so the rendered site shows the same picture as the widget's first state.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    defaults = {}
    for key, control in controls.items():
        if not isinstance(control, w.ValueWidget):
            raise TypeError(
                f"{key}= 需要一个 ipywidgets 控件（例如 widgets.FloatSlider(value=0.1, min=0, max=1)），"
                f"收到 {type(control).__name__}；控件的 value 即静态图的默认值。"
            )
        defaults[key] = control.value
    draw(**defaults)
    plt.show()
    print("↓ 在 Jupyter / Colab 中运行时，拖动下面的滑块即可交互（网页版只显示上面的静态图）。")
    display(w.interactive(_shown(draw), **controls))


def _shown(draw: Callable[..., Any]) -> Callable[..., None]:
    import matplotlib.pyplot as plt

    def wrapper(**kwargs: Any) -> None:
        draw(**kwargs)
        plt.show()

    return wrapper
