"""Numerical agreement checks, e.g. the same computation in PyTorch and in TensorFlow."""
from __future__ import annotations

from typing import Any

import numpy as np


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy array from a NumPy array, a PyTorch tensor or a TensorFlow/Keras tensor."""
    if hasattr(x, "detach"):  # torch.Tensor
        return x.detach().cpu().numpy()
    if hasattr(x, "numpy"):  # tf.Tensor / tf.Variable
        return np.asarray(x.numpy())
    return np.asarray(x)


def check_close(a: Any, b: Any, *, label: str = "两者", atol: float = 1e-6, rtol: float = 0.0) -> None:
    """Assert ``a`` and ``b`` agree element-wise; print a line that does not depend on rounding noise.

    Returns nothing (so a notebook cell shows only the printed line). Raises
    ``AssertionError`` naming the worst element when they disagree, and ``ValueError``
    when the shapes differ.
    """
    x, y = to_numpy(a).astype(np.float64), to_numpy(b).astype(np.float64)
    if x.shape != y.shape:
        raise ValueError(f"{label}: 形状不同 {x.shape} ≠ {y.shape}，无法逐元素比较。")
    diff = np.abs(x - y)
    worst = float(diff.max()) if diff.size else 0.0
    bound = atol + rtol * np.abs(y)
    if not np.all(diff <= bound):
        idx = np.unravel_index(int(np.argmax(diff - bound)), diff.shape)
        raise AssertionError(
            f"{label}: 不一致。最大绝对差 {worst:.3g} 超过容差 atol={atol:g}, rtol={rtol:g}；"
            f"位置 {tuple(int(i) for i in idx)}：{x[idx]!r} 对 {y[idx]!r}"
        )
    tol = f"atol={atol:g}" + (f", rtol={rtol:g}" if rtol else "")
    print(f"{label}: 一致 ✓（形状 {x.shape}，逐元素误差在容差 {tol} 内）")


def count_params_torch(model: Any, *, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of a PyTorch module."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))
