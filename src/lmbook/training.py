"""Small training loops and histories shared by the chapters (the loop itself is taught in chapter 1)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class History:
    """Per-epoch metrics of one training run, the same shape for PyTorch and Keras."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)

    @classmethod
    def from_keras(cls, history: Any) -> "History":
        """Convert ``model.fit(...)``'s return value (needs validation data and an accuracy metric)."""
        h = history.history
        acc_key = next((k for k in ("val_accuracy", "val_acc", "val_sparse_categorical_accuracy") if k in h), None)
        if acc_key is None or "val_loss" not in h:
            raise ValueError(
                "Keras 的训练记录里没有验证集指标：请在 model.fit(...) 中传入 validation_data=(X_val, y_val)，"
                "并在 compile(...) 中加上 metrics=['accuracy']。"
            )
        return cls([float(v) for v in h["loss"]], [float(v) for v in h["val_loss"]], [float(v) for v in h[acc_key]])


def iterate_minibatches(n: int, batch_size: int, *, rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Index arrays of mini-batches over ``n`` samples, shuffled when ``rng`` is given."""
    if batch_size < 1:
        raise ValueError(f"batch_size 必须 ≥ 1，收到 {batch_size}。")
    order = rng.permutation(n) if rng is not None else np.arange(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def evaluate_torch(model: Any, X: Any, y: Any, *, batch_size: int = 1024) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of a PyTorch classifier on tensors ``X``, ``y`` (same device as the model)."""
    import torch
    import torch.nn.functional as F

    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for idx in iterate_minibatches(len(X), batch_size):
            logits = model(X[idx])
            total_loss += F.cross_entropy(logits, y[idx], reduction="sum").item()
            correct += (logits.argmax(1) == y[idx]).sum().item()
    return total_loss / len(X), correct / len(X)


def train_torch(
    model: Any,
    X_train: Any,
    y_train: Any,
    X_val: Any,
    y_val: Any,
    *,
    epochs: int,
    batch_size: int,
    lr: float = 1e-3,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train a PyTorch classifier with Adam and cross-entropy, like Keras' ``compile`` + ``fit``.

    Tensors must already be on the model's device. Returns a :class:`History` with one entry per epoch.
    """
    import torch
    import torch.nn.functional as F
    from tqdm.auto import trange

    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    history = History()
    for _ in trange(epochs, desc="训练轮次", disable=not progress):
        model.train()
        running, seen = 0.0, 0
        for idx in iterate_minibatches(len(X_train), batch_size, rng=rng):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            running += loss.item() * len(idx)
            seen += len(idx)
        val_loss, val_acc = evaluate_torch(model, X_val, y_val)
        history.train_loss.append(running / seen)
        history.val_loss.append(val_loss)
        history.val_acc.append(val_acc)
    return history


def count_params_torch(model: Any, *, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of a PyTorch module."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))
