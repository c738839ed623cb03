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


# ── 出自 notebooks/ch05_innovation/01_pretraining.ipynb ·「一个可以复用的预训练函数」
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import torch
from safetensors.torch import load_file, save_file

from lmbook.config import Config
from lmbook.history import History
from lmbook.scale import pick
from lmbook.text import ChineseCorpus, CharVocab, masked_windows, split_ids
from lmbook.torch_blocks import MaskedLanguageModel


@dataclass(frozen=True)
class CharMLMConfig(Config):
    """第 5 章的字符级小 BERT：结构（max_len 是位置嵌入的个数，也是微调时评论截断的长度）与掩码语言模型预训练。

    预训练用 seq_len 长的随机窗口（可以比 max_len 短：便宜，先学会利用邻近的字），AdamW + 单周期学习率
    （5% 的步数预热到 lr，再线性降到接近 0）。
    """

    d_model: int = 192
    n_layers: int = 1
    n_heads: int = 4
    d_ff: int = 384
    max_len: int = 64
    dropout: float = 0.0
    seq_len: int = 32
    batch_size: int = 128
    steps: int = 700
    lr: float = 3e-3
    seed: int = 0
    CAPS: ClassVar[dict] = {"steps": 3}

    def encoder_kwargs(self, vocab: CharVocab) -> dict[str, Any]:
        """MaskedLanguageModel 的构造参数（输出头只预测普通字符）。"""
        return dict(vocab_size=len(vocab), d_model=self.d_model, n_layers=self.n_layers, n_heads=self.n_heads,
                    d_ff=self.d_ff, max_len=self.max_len, dropout=self.dropout, n_outputs=vocab.n_chars)


def char_mlm_config() -> CharMLMConfig:
    """按规模挑选第 5 章字符级小 BERT 的配置（本章各节共用这一份，预训练的缓存才对得上）。"""
    return pick(cpu=CharMLMConfig(),
                gpu=CharMLMConfig(d_model=256, n_layers=4, n_heads=8, d_ff=1024, max_len=128, dropout=0.1,
                                  seq_len=128, batch_size=128, steps=20_000, lr=1e-3))


@dataclass
class PretrainedMLM:
    """预训练的结果：模型（评估模式）、训练记录、用时（秒）、见过的词元数、训练/验证用的编号序列；
    cached 表示是从缓存读出的（那么 seconds 是当初训练的用时）。"""

    model: MaskedLanguageModel
    hist: History
    seconds: float
    n_tokens: int
    train_ids: torch.Tensor
    val_ids: torch.Tensor
    cached: bool
    path: Path


def default_cache_dir() -> Path:
    """预训练结果的缓存目录：环境变量 LMBOOK_CACHE，否则 ~/.cache/lmbook。"""
    return Path(os.environ.get("LMBOOK_CACHE", Path.home() / ".cache" / "lmbook"))


def pretrain_char_mlm(cfg: CharMLMConfig, corpus: ChineseCorpus, *, device: Any = "cpu",
                      amp_dtype: torch.dtype | None = None, cache_dir: str | Path | None = None,
                      progress: bool = True) -> PretrainedMLM:
    """在《三国演义》上用掩码语言模型预训练一个 MaskedLanguageModel（最后 5% 的文本留作验证）。

    结果按“配置 + 字符表 + 语料”的指纹存进 cache_dir（默认 default_cache_dir()）：model.safetensors 与
    meta.json。同样的输入再调用一次就直接读出，后面的笔记本不必重新训练；训练是确定的（固定种子），
    读出的与重新训练的是同一套权重。
    """
    vocab = corpus.vocab
    train_ids, val_ids = split_ids(vocab.encode(corpus.sanguo), (0.95, 0.05))
    key = hashlib.sha256(json.dumps([cfg.as_dict(), vocab.itos, len(corpus.sanguo), "mlm-v1"],
                                    ensure_ascii=False).encode()).hexdigest()[:16]
    path = Path(cache_dir if cache_dir is not None else default_cache_dir()) / f"char_mlm_{key}"
    torch.manual_seed(cfg.seed)
    model = MaskedLanguageModel(**cfg.encoder_kwargs(vocab))
    if (path / "model.safetensors").exists():
        model.load_state_dict(load_file(str(path / "model.safetensors")))
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        return PretrainedMLM(model.to(device).eval(), History(rows=meta["hist"]), meta["seconds"], meta["n_tokens"],
                             train_ids, val_ids, True, path)
    model.to(device)
    mask_id = vocab.id("[MASK]")
    val_gen = masked_windows(val_ids, batch_size=64, seq_len=cfg.seq_len, mask_id=mask_id, n_regular=vocab.n_chars,
                          seed=123)
    val = [tuple(t.to(device) for t in next(val_gen)) for _ in range(8)]  # 固定的验证批次
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, cfg.lr, total_steps=cfg.steps + 1, pct_start=0.05,
                                                    anneal_strategy="linear")
    start = time.perf_counter()
    hist = fit(model, masked_windows(train_ids, batch_size=cfg.batch_size, seq_len=cfg.seq_len, mask_id=mask_id,
                                  n_regular=vocab.n_chars, seed=cfg.seed),
               optimizer=optimizer, loss_fn=lambda m, b: m.mlm_loss(*(t.to(device) for t in b)),
               max_steps=cfg.steps, val_batches=val, eval_every=max(1, cfg.steps // 7), scheduler=scheduler,
               restore_best=False, amp_dtype=amp_dtype, progress=progress, desc="掩码语言模型预训练")
    seconds = time.perf_counter() - start
    n_tokens = cfg.steps * cfg.batch_size * cfg.seq_len
    path.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, str(path / "model.safetensors"))
    (path / "meta.json").write_text(json.dumps({"config": cfg.as_dict(), "seconds": seconds, "n_tokens": n_tokens,
                                                "hist": hist.rows}, ensure_ascii=False), encoding="utf-8")
    return PretrainedMLM(model.eval(), hist, seconds, n_tokens, train_ids, val_ids, False, path)


# ── 出自 notebooks/ch05_innovation/02_value_of_pretraining.ipynb ·「学习曲线：预训练到底省下多少标注」
import copy
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from lmbook.config import Config
from lmbook.history import History
from lmbook.text import CharVocab
from lmbook.torch_blocks import EncoderClassifier, MaskedLanguageModel


@dataclass(frozen=True)
class FinetuneConfig(Config):
    """微调一个 EncoderClassifier：固定的优化步数（少量数据时多轮、大量数据时不足一轮），预热 + 余弦学习率。"""

    steps: int = 100
    batch_size: int = 32
    lr: float = 1e-3
    warmup: int = 10
    eval_every: int = 25
    CAPS: ClassVar[dict] = {"steps": 3, "eval_every": 3, "warmup": 1}


def finetune_char_classifier(encoder: MaskedLanguageModel | None, vocab: CharVocab, cfg_mlm: CharMLMConfig,
                             cfg: FinetuneConfig, X_train: torch.Tensor, y_train: torch.Tensor, X_val: torch.Tensor,
                             y_val: torch.Tensor, *, n_classes: int = 2, seed: int = 0, optimizer: str = "adamw",
                             progress: bool = False) -> tuple[EncoderClassifier, History]:
    """从预训练的编码器（encoder）或随机初始化（encoder=None，即从零训练）出发，训练一个文本分类器。

    编码器先深拷贝，传入的那个不会被改动。每 cfg.eval_every 步在验证集上评估，训练结束时恢复验证准确率最高的
    权重（验证集取自训练数据，测试集不进这里）。optimizer 为 "adamw" 或 "sgd"（同样的学习率与调度）。
    张量要已经在模型该在的设备上：模型被放到 X_train 所在的设备。
    """
    torch.manual_seed(seed)
    body = copy.deepcopy(encoder) if encoder is not None else MaskedLanguageModel(**cfg_mlm.encoder_kwargs(vocab))
    model = EncoderClassifier(body, n_classes, pad_id=vocab.id("[PAD]"), dropout=0.1).to(X_train.device)
    if optimizer == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.01)
    elif optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    else:
        raise ValueError(f"optimizer 只能是 'adamw' 或 'sgd'，收到 {optimizer!r}。")
    batch_size = min(cfg.batch_size, len(X_train))
    hist = fit(model, TensorBatches(X_train, y_train, batch_size=batch_size, shuffle=True, seed=seed),
               optimizer=opt, epochs=math.ceil(cfg.steps * batch_size / len(X_train)), max_steps=cfg.steps,
               val_batches=TensorBatches(X_val, y_val, batch_size=512), metrics={"acc": accuracy},
               eval_every=cfg.eval_every, monitor="val_acc", mode="max", restore_best=True,
               scheduler=warmup_cosine_schedule(opt, cfg.warmup, cfg.steps), progress=progress, desc="微调")
    return model.eval(), hist
