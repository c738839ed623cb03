"""规模的算术：MLP/LSTM/GPT/BERT 的参数量、训练计算量、GPU 小时与费用、训练状态与 KV 缓存的显存、计算最优的 N 与 D、算力利用率（MFU）。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.sizing` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch01_resources/01_resources_and_costs.ipynb ·「训练计算量：$C \approx 6ND$ 里的 6 从哪里来」
from lmbook.assumptions import GPU_PEAK_FLOPS, GPU_PRICE_PER_HOUR, MFU


def train_flops(n_params: float, n_tokens: float) -> float:
    """训练计算量 C ≈ 6·N·D（FLOPs）：每个参数、每个词元，前向 2 次 + 反向 4 次浮点运算。"""
    return 6.0 * n_params * n_tokens


def gpu_hours(flops: float, peak_flops: float = GPU_PEAK_FLOPS, utilization: float = MFU) -> float:
    """以 peak_flops × utilization 的有效速度做完 flops 次运算需要的 GPU·小时。"""
    return flops / (peak_flops * utilization) / 3600


def training_cost(hours: float, price_per_hour: float = GPU_PRICE_PER_HOUR) -> float:
    """GPU 小时 × 单价（美元）。"""
    return hours * price_per_hour


# ── 出自 notebooks/ch01_resources/01_resources_and_costs.ipynb ·「显存：训练时的账与推理时的账」
BYTES_PER_DTYPE = {"fp32": 4, "bf16": 2, "fp16": 2, "int8": 1, "int4": 0.5}


def train_state_bytes(n_params: float, mixed: bool = True) -> dict[str, float]:
    """训练时与参数量成正比的显存（不含激活），优化器为 Adam；按项返回字节数。"""
    if mixed:
        per_param = {"bf16 权重": 2, "bf16 梯度": 2, "fp32 主权重": 4, "Adam 一阶矩 m": 4, "Adam 二阶矩 v": 4}
    else:
        per_param = {"fp32 权重": 4, "fp32 梯度": 4, "Adam 一阶矩 m": 4, "Adam 二阶矩 v": 4}
    return {part: b * n_params for part, b in per_param.items()}


def weight_bytes(n_params: float, dtype: str = "bf16") -> float:
    """推理时权重占的字节数：参数量 × 每个参数的字节数。"""
    return n_params * BYTES_PER_DTYPE[dtype]


def kv_cache_bytes(n_layers: int, d_model: int, seq_len: int, batch_size: int, dtype: str = "bf16",
                   kv_fraction: float = 1.0) -> float:
    """KV 缓存：K、V 两份 × 层数 × 宽度 × 序列长度 × 序列数 × 字节；GQA 时乘 K/V 头数 ÷ 查询头数。"""
    return 2 * n_layers * d_model * kv_fraction * seq_len * batch_size * BYTES_PER_DTYPE[dtype]


# ── 出自 notebooks/ch01_resources/01_resources_and_costs.ipynb ·「显存：训练时的账与推理时的账」
from typing import Callable

import torch


def saved_activation_bytes(model: torch.nn.Module, forward: Callable[[], torch.Tensor]) -> int:
    """forward() 做一次前向并返回标量损失；统计 autograd 为反向保留的张量字节数。

    同一块存储只算一次，模型参数本身不算（它们无论如何都在显存里）。统计完做一次反向并清空梯度，
    释放保留的张量。
    """
    param_storages = {p.untyped_storage().data_ptr() for p in model.parameters()}
    seen: set[int] = set()
    total = 0

    def pack(t: torch.Tensor) -> torch.Tensor:
        nonlocal total
        ptr = t.untyped_storage().data_ptr()
        if ptr not in param_storages and ptr not in seen:
            seen.add(ptr)
            total += t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = forward()
    loss.backward()
    model.zero_grad(set_to_none=True)
    return total


# ── 出自 notebooks/ch01_resources/01_resources_and_costs.ipynb ·「预算一定时，模型多大、数据多少」
import math

TOKENS_PER_PARAM = 20  # 经验值：由 Hoffmann 等人（2022）计算最优的拟合结果归纳


def compute_optimal(flops: float, tokens_per_param: float = TOKENS_PER_PARAM) -> tuple[float, float]:
    """给定计算量 C，返回计算最优的参数量 N 与词元数 D（满足 C = 6ND 且 D = r·N）。"""
    n = math.sqrt(flops / (6 * tokens_per_param))
    return n, tokens_per_param * n


# ── 出自 notebooks/ch01_resources/01_resources_and_costs.ipynb ·「实测利用率：MFU」
def model_flops_utilization(flops_per_step: float, seconds_per_step: float, peak_flops: float) -> float:
    """算力利用率 MFU：每秒真正完成的模型运算（每步 FLOPs ÷ 每步秒数）占硬件峰值的比例。"""
    if seconds_per_step <= 0 or peak_flops <= 0:
        raise ValueError(f"seconds_per_step 与 peak_flops 都必须为正，收到 {seconds_per_step!r}、{peak_flops!r}。")
    return flops_per_step / seconds_per_step / peak_flops


# ── 出自 notebooks/ch01_resources/02_mlp_two_frameworks.ipynb ·「同一个网络，两种写法」
def mlp_params(sizes: list[int]) -> int:
    """全连接网络 sizes = [输入, 隐藏…, 输出] 的参数量：每层 输入×输出 个权重 + 输出 个偏置。"""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


# ── 出自 notebooks/ch01_resources/03_lstm_is_not_bert.ipynb ·「LSTM 语言模型的结构与公式」
def lstm_params(input_size: int, hidden_size: int, n_layers: int = 1, bias_sets: int = 2) -> int:
    """多层 LSTM 的参数量：每层 4 个门，各有输入权重、循环权重和偏置。

    PyTorch 每个门有两组偏置（bias_ih 与 bias_hh，bias_sets=2），Keras 只有一组（bias_sets=1）。
    第一层的输入维是 input_size，之后各层是 hidden_size。
    """
    total = 0
    for layer in range(n_layers):
        n_in = input_size if layer == 0 else hidden_size
        total += 4 * (hidden_size * n_in + hidden_size * hidden_size + bias_sets * hidden_size)
    return total


# ── 出自 notebooks/ch02_social/03_community_models.ipynb ·「大模型的规模：参数都花在哪里」
def gpt_params(n_layers: int, d_model: int, vocab_size: int, n_positions: int, d_ff: int | None = None,
               tied: bool = True) -> int:
    """decoder-only（GPT-2 式）Transformer 的精确参数量。

    每块：注意力 4d²+4d，前馈 2·d·d_ff + d_ff + d，两个 LayerNorm 4d；另有词嵌入 V·d、位置嵌入 P·d、
    末尾 LayerNorm 2d；输出层与词嵌入共享权重（tied=False 时再加 V·d）。d_ff 默认 4d。
    """
    d_ff = 4 * d_model if d_ff is None else d_ff
    per_block = 4 * d_model * d_model + 4 * d_model + 2 * d_model * d_ff + d_ff + d_model + 4 * d_model
    head = 0 if tied else vocab_size * d_model
    return n_layers * per_block + (vocab_size + n_positions) * d_model + 2 * d_model + head


# ── 出自 notebooks/ch02_social/03_community_models.ipynb ·「大模型的规模：参数都花在哪里」
def bert_params(n_layers: int, d_model: int, d_ff: int, vocab_size: int, n_positions: int, n_types: int = 2,
                pooler: bool = True) -> int:
    """encoder-only（BERT 式）Transformer 的精确参数量（不含预训练用的输出头）。

    每块：注意力 4d²+4d，前馈 2·d·d_ff + d_ff + d，两个 LayerNorm 4d；嵌入：(V + P + 句子类型数)·d 加一个
    LayerNorm 2d；pooler（[CLS] 上的 d×d 全连接）d²+d。
    """
    per_block = 4 * d_model * d_model + 2 * d_model * d_ff + d_ff + 9 * d_model
    embeddings = (vocab_size + n_positions + n_types) * d_model + 2 * d_model
    return n_layers * per_block + embeddings + (d_model * d_model + d_model if pooler else 0)


# ── 出自 notebooks/ch03_product/01_model_to_product.ipynb ·「算法、数据、算力：三者怎样连在一起」
def inference_flops_per_token(n_params: float) -> float:
    """推理时每个词元的前向计算量 ≈ 2·N FLOPs（每个参数一次乘法、一次加法；忽略注意力里与上下文长度有关的项）。"""
    return 2.0 * n_params
