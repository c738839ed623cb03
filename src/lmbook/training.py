"""全书的 PyTorch 训练循环与评估工具。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.training` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch01_resources/04_efficient_training.ipynb ·「`lmbook.training`：全书共用的训练循环」
import math
import time
from contextlib import nullcontext
from typing import Any, Callable, Iterable, Iterator

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from lmbook.history import History

Batch = tuple[torch.Tensor, ...]
LossFn = Callable[[nn.Module, Batch], torch.Tensor]
MetricFn = Callable[[nn.Module, Batch], float]


class TensorBatches:
    """把等长的张量 (X, y, …) 切成小批量；shuffle=True 时每遍历一次重新打乱（第 k 次用种子 seed+k，可复现）。"""

    def __init__(self, *tensors: torch.Tensor, batch_size: int, shuffle: bool = False, seed: int = 0,
                 drop_last: bool = False) -> None:
        if not tensors or any(len(t) != len(tensors[0]) for t in tensors):
            raise ValueError(f"需要至少一个张量，且长度相同；收到长度 {[len(t) for t in tensors]}。")
        if batch_size < 1:
            raise ValueError(f"batch_size 必须 ≥ 1，收到 {batch_size}。")
        self.tensors, self.batch_size, self.shuffle, self.seed, self.drop_last = tensors, batch_size, shuffle, seed, drop_last
        self.passes = 0

    def __len__(self) -> int:
        n = len(self.tensors[0])
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        n = len(self.tensors[0])
        if self.shuffle:
            order = torch.randperm(n, generator=torch.Generator().manual_seed(self.seed + self.passes))
        else:
            order = torch.arange(n)
        self.passes += 1
        for i in range(len(self)):
            idx = order[i * self.batch_size:(i + 1) * self.batch_size].to(self.tensors[0].device)
            yield tuple(t[idx] for t in self.tensors)


def classification_loss(model: nn.Module, batch: Batch) -> torch.Tensor:
    """分类的默认损失：批次 (x, y) 上的交叉熵，模型输出 logits。"""
    x, y = batch[0], batch[1]
    return F.cross_entropy(model(x).float(), y)


def accuracy(model: nn.Module, batch: Batch) -> float:
    """一个批次上的准确率（logits 取最大的类别）。"""
    x, y = batch[0], batch[1]
    return (model(x).argmax(dim=-1) == y).float().mean().item()


def warmup_cosine_schedule(optimizer: torch.optim.Optimizer, warmup_steps: int,
                           total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """学习率先在 warmup_steps 步内线性升到优化器里设的峰值，再按余弦在 total_steps 步时降到 0（按优化步计数）。"""
    if warmup_steps < 0 or total_steps < 1:
        raise ValueError(f"需要 warmup_steps ≥ 0、total_steps ≥ 1，收到 {warmup_steps}、{total_steps}。")

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _autocast(device: torch.device, amp_dtype: torch.dtype | None) -> Any:
    """amp_dtype 为 None 时不开混合精度。"""
    return torch.autocast(device.type, dtype=amp_dtype) if amp_dtype is not None else nullcontext()


@torch.no_grad()
def evaluate(model: nn.Module, batches: Iterable[Batch], loss_fn: LossFn = classification_loss,
             metrics: dict[str, MetricFn] | None = None, amp_dtype: torch.dtype | None = None) -> dict[str, float]:
    """在 batches 上求平均损失和各项指标（按批大小加权），评估模式、不记梯度；返回 {"loss": …, 指标名: …}。"""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    totals: dict[str, float] = {"loss": 0.0, **{name: 0.0 for name in metrics or {}}}
    count = 0
    with _autocast(device, amp_dtype):
        for batch in batches:
            n = len(batch[0])
            totals["loss"] += loss_fn(model, batch).item() * n
            for name, fn in (metrics or {}).items():
                totals[name] += fn(model, batch) * n
            count += n
    model.train(was_training)
    if count == 0:
        raise ValueError("评估数据是空的：batches 没有给出任何批次。")
    return {name: total / count for name, total in totals.items()}


def fit(model: nn.Module, train_batches: Iterable[Batch], *, optimizer: torch.optim.Optimizer,
        loss_fn: LossFn = classification_loss, epochs: int = 1, max_steps: int | None = None,
        val_batches: Iterable[Batch] | None = None, metrics: dict[str, MetricFn] | None = None,
        scheduler: Any = None, clip_norm: float | None = None, amp_dtype: torch.dtype | None = None,
        accumulate: int = 1, eval_every: int | None = None, patience: int | None = None,
        monitor: str = "val_loss", mode: str = "min", restore_best: bool = True,
        count_tokens: Callable[[Batch], int] | None = None, progress: bool = True, desc: str = "训练") -> History:
    """全书的 PyTorch 训练循环：第 1.4 节讲过的技巧都在这里，用参数打开。

    - 每个微批次：autocast 前向（amp_dtype=torch.bfloat16 / float16）→ 损失除以 accumulate 后反向
      （float16 时经 GradScaler 缩放）。
    - 每 accumulate 个微批次一个优化步：unscale → 梯度裁剪（clip_norm，裁剪前的范数记为 grad_norm）→
      optimizer.step() → scheduler.step()（按优化步调度）。一轮末尾不足 accumulate 个的微批次也做一次
      更新，梯度按实际个数重新归一。
    - 每轮结束（或每 eval_every 步）在 val_batches 上评估——验证集必须取自训练数据，测试集不进这里；
      记录 step、epoch、train_loss、lr、seconds、grad_norm（给了 clip_norm 时）、tokens（给了
      count_tokens 时）与 val_ 开头的损失和各项指标。
    - patience 次评估没有改进就提前停止（按 monitor，mode="min" 或 "max"），restore_best 时恢复最好的权重。
    - max_steps 限制总优化步数（train_batches 可以是无尽的生成器，此时用 eval_every 评估）。
    """
    if accumulate < 1:
        raise ValueError(f"accumulate 必须 ≥ 1，收到 {accumulate}。")
    if mode not in ("min", "max"):
        raise ValueError(f"mode 只能是 'min' 或 'max'，收到 {mode!r}。")
    if patience is not None and val_batches is None:
        raise ValueError("提前停止（patience）需要验证数据 val_batches（从训练数据中划出，不是测试集）。")
    device = next(model.parameters()).device
    scaler = torch.amp.GradScaler(device.type, enabled=amp_dtype == torch.float16)
    history = History()
    state: dict[str, Any] = {"step": 0, "tokens": 0, "loss_sum": 0.0, "loss_n": 0, "norm_sum": 0.0, "norm_n": 0,
                             "best": None, "bad": 0, "weights": None}
    start = time.perf_counter()
    total = max_steps if max_steps is not None else (epochs * -(-len(train_batches) // accumulate)
                                                     if hasattr(train_batches, "__len__") else None)
    bar = tqdm(total=total, desc=desc, disable=not progress)

    def log(epoch: int) -> bool:
        """记录一行；返回 True 表示该提前停止了。"""
        row = {"step": state["step"], "epoch": epoch, "train_loss": state["loss_sum"] / max(state["loss_n"], 1),
               "lr": optimizer.param_groups[0]["lr"], "seconds": time.perf_counter() - start}
        if state["norm_n"]:
            row["grad_norm"] = state["norm_sum"] / state["norm_n"]
        if count_tokens is not None:
            row["tokens"] = state["tokens"]
        if val_batches is not None:
            row.update({f"val_{k}": v for k, v in evaluate(model, val_batches, loss_fn, metrics, amp_dtype).items()})
        history.log(**row)
        state.update(loss_sum=0.0, loss_n=0, norm_sum=0.0, norm_n=0)
        if monitor not in row:
            return False
        value = row[monitor]
        better = state["best"] is None or (value < state["best"] if mode == "min" else value > state["best"])
        if better:
            state["best"], state["bad"] = value, 0
            if restore_best:
                state["weights"] = {k: v.detach().clone() for k, v in model.state_dict().items()}
            return False
        state["bad"] += 1
        return patience is not None and state["bad"] >= patience

    def optimizer_step(n_micro: int, epoch: int) -> bool:
        """一个优化步（n_micro 个微批次的梯度已在 .grad 里）；返回 True 表示该停了。"""
        if n_micro != accumulate:  # 不足 accumulate 个：每个被除以了 accumulate，改成除以 n_micro
            for p in model.parameters():
                if p.grad is not None:
                    p.grad.mul_(accumulate / n_micro)
        if clip_norm is not None:
            scaler.unscale_(optimizer)  # 先除回缩放因子，裁剪的阈值才是对真实梯度说的
            norm = nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            if torch.isfinite(norm):
                state["norm_sum"] += norm.item()
                state["norm_n"] += 1
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        if scheduler is not None:
            scheduler.step()
        state["step"] += 1
        bar.update()
        stop = bool(eval_every) and state["step"] % eval_every == 0 and log(epoch)
        return stop or (max_steps is not None and state["step"] >= max_steps)

    optimizer.zero_grad(set_to_none=True)  # 不让调用前残留的梯度混进第一步
    stop, epoch = False, 0
    for epoch in range(1, epochs + 1):
        model.train()
        pending = 0
        for batch in train_batches:
            with _autocast(device, amp_dtype):
                loss = loss_fn(model, batch)
            scaler.scale(loss / accumulate).backward()
            state["loss_sum"] += loss.item()
            state["loss_n"] += 1
            if count_tokens is not None:
                state["tokens"] += count_tokens(batch)
            pending += 1
            if pending == accumulate:
                pending = 0
                stop = optimizer_step(accumulate, epoch)
                if stop:
                    break
        if pending and not stop:
            stop = optimizer_step(pending, epoch)
        if not eval_every:
            stop = log(epoch) or stop
        if stop:
            break
    if eval_every and state["loss_n"]:  # 最后几步不足一个评估间隔：也记下来
        log(epoch)
    bar.close()
    if restore_best and state["weights"] is not None:
        model.load_state_dict(state["weights"])
    return history


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """评估模式下按批前向，拼出全部输出（logits）。"""
    was_training = model.training
    model.eval()
    out = torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
    model.train(was_training)
    return out
