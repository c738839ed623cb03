"""Training histories: one row per evaluation, any metric, the same shape for PyTorch and Keras."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

# Keras' names → the book's names (the book writes "acc", "loss"; validation metrics start with "val_")
_KERAS_NAMES = {"accuracy": "acc", "sparse_categorical_accuracy": "acc", "categorical_accuracy": "acc",
                "binary_accuracy": "acc"}


@dataclass
class History:
    """Rows of ``{"step": …, "epoch": …, "train_loss": …, "val_loss": …, <any metric>: …}``.

    ``history["val_loss"]`` is the column as a list (``nan`` where a row lacks it);
    :meth:`best` finds the best row of a metric.
    """

    rows: list[dict[str, float]] = field(default_factory=list)

    def log(self, **values: float) -> None:
        """Append one row (e.g. after each epoch or every ``eval_every`` steps)."""
        self.rows.append({k: float(v) for k, v in values.items()})

    def __getitem__(self, metric: str) -> list[float]:
        if not any(metric in r for r in self.rows):
            raise KeyError(f"训练记录里没有 {metric!r}；已有的指标：{', '.join(self.metrics) or '（空）'}。")
        return [r.get(metric, math.nan) for r in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, metric: object) -> bool:
        return any(metric in r for r in self.rows)

    @property
    def metrics(self) -> list[str]:
        names: dict[str, None] = {}
        for r in self.rows:
            names.update(dict.fromkeys(r))
        return list(names)

    def last(self, metric: str) -> float:
        return self[metric][-1]

    def best(self, metric: str, mode: str = "min") -> dict[str, float]:
        """The row where ``metric`` is smallest (``mode="min"``) or largest (``"max"``)."""
        if mode not in ("min", "max"):
            raise ValueError(f"mode 只能是 'min' 或 'max'，收到 {mode!r}。")
        values = self[metric]
        finite = [(v, i) for i, v in enumerate(values) if not math.isnan(v)]
        if not finite:
            raise ValueError(f"{metric!r} 没有有效的数值。")
        _, index = (min if mode == "min" else max)(finite)
        return self.rows[index]

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows)

    @classmethod
    def from_keras(cls, history: Any) -> "History":
        """Convert what ``model.fit(...)`` returned: one row per epoch, Keras' metric names mapped to the book's."""
        columns = dict(history.history)
        if not columns:
            raise ValueError("Keras 的训练记录是空的：model.fit(...) 至少要训练一轮。")
        renamed = {_book_name(key): [float(v) for v in values] for key, values in columns.items()}
        n = len(next(iter(renamed.values())))
        return cls([{"epoch": float(i + 1), **{k: v[i] for k, v in renamed.items()}} for i in range(n)])


def _book_name(keras_key: str) -> str:
    """Keras' column name → the book's: loss → train_loss, accuracy → train_acc, val_accuracy → val_acc."""
    if keras_key == "learning_rate":
        return "lr"
    prefix, base = ("val_", keras_key[4:]) if keras_key.startswith("val_") else ("train_", keras_key)
    return prefix + _KERAS_NAMES.get(base, base)


def plot_histories(histories: dict[str, History], *, metrics: Iterable[str] = ("loss", "val_acc"),
                   x: str = "epoch", title: str = "训练曲线") -> Any:
    """One panel per metric, one line per run. ``"loss"`` draws ``train_loss`` (solid) and ``val_loss`` (dashed).

    Validation curves come from a split of the *training* data; the test set is never plotted per epoch.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from .plotting import ensure_cjk_font

    ensure_cjk_font()
    metrics = list(metrics)
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6), layout="constrained", squeeze=False)
    labels = {"loss": "交叉熵损失", "val_acc": "验证集准确率", "train_acc": "训练集准确率", "lr": "学习率",
              "val_ppl": "验证集困惑度", "val_bpc": "验证集比特/字符"}
    for ax, metric in zip(axes[0], metrics):
        for name, h in histories.items():
            xs = h[x] if x in h else list(range(1, len(h) + 1))
            if metric == "loss":
                (line,) = ax.plot(xs, h["train_loss"], label=f"{name} 训练")
                if "val_loss" in h:
                    ax.plot(xs, h["val_loss"], "--", color=line.get_color(), label=f"{name} 验证")
            else:
                ax.plot(xs, h[metric], marker="o" if len(h) <= 30 else None, label=name)
        ax.set(xlabel="轮次（epoch）" if x == "epoch" else "步数（step）" if x == "step" else x,
               ylabel=labels.get(metric, metric), title=labels.get(metric, metric))
        if x == "epoch":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig
