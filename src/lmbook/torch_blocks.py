"""PyTorch 的模型积木（同名的 Keras 版本在 lmbook.keras_blocks）。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.torch_blocks` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch01_resources/02_mlp_two_frameworks.ipynb ·「同一个网络，两种写法」
from torch import nn

ACTIVATIONS_PT = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def build_mlp(sizes: list[int], activation: str = "relu", dropout: float = 0.0) -> nn.Sequential:
    """全连接网络：sizes = [输入, 隐藏…, 输出]；隐藏层之后接激活函数（和 dropout），输出层不加激活（输出 logits）。"""
    if len(sizes) < 2:
        raise ValueError(f"sizes 至少要有输入和输出两个数，收到 {sizes!r}。")
    if activation not in ACTIVATIONS_PT:
        raise ValueError(f"activation={activation!r} 不支持；可选：{', '.join(ACTIVATIONS_PT)}。")
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS_PT[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


# ── 出自 notebooks/ch01_resources/03_lstm_is_not_bert.ipynb ·「一个迷你 BERT 式编码器」
import torch
import torch.nn.functional as F
from torch import nn


class MaskedLanguageModel(nn.Module):
    """BERT 式的小编码器：词元嵌入 + 学出来的位置嵌入 → LayerNorm → L 层双向 Transformer 编码器 → 输出头。

    vocab_size 含特殊记号（如 [MASK]）；n_outputs 是输出头要预测的类别数（默认等于 vocab_size；
    只预测普通字符时传字符数）。encode() 给出每个位置的上下文向量，微调时在它上面接新的头。
    """

    def __init__(self, vocab_size: int, d_model: int, n_layers: int, n_heads: int, d_ff: int, max_len: int,
                 dropout: float = 0.1, n_outputs: int | None = None) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.norm = nn.LayerNorm(d_model)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=d_ff, dropout=dropout,
                                           activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, n_outputs or vocab_size)

    def encode(self, ids: torch.Tensor, padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """(批, n) 的词元编号 → (批, n, d_model) 的上下文向量；padding_mask 为 True 的位置是填充。"""
        positions = torch.arange(ids.shape[1], device=ids.device)
        h = self.norm(self.tok(ids) + self.pos(positions))
        return self.encoder(h, src_key_padding_mask=padding_mask)  # 没有因果掩码：每个位置看两侧

    def forward(self, ids: torch.Tensor, padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """每个位置的输出 logits：(批, n, n_outputs)。"""
        return self.head(self.encode(ids, padding_mask))

    def mlm_loss(self, inputs: torch.Tensor, labels: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
        """掩码语言模型的损失：只在被选中的位置（标签不是 ignore_index）算输出头和交叉熵。"""
        picked = labels != ignore_index
        logits = self.head(self.encode(inputs)[picked])
        return F.cross_entropy(logits.float(), labels[picked])


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「注意力：一次“软”的查表」
import math

import torch


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
              mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """缩放点积注意力（从零实现）：softmax(QKᵀ/√d_k)·V。

    q: (…, n_q, d_k)，k: (…, n_k, d_k)，v: (…, n_k, d_v)；mask 为布尔张量，True = 允许看，
    能广播到 (…, n_q, n_k) 即可。返回 (输出, 注意力权重)。
    """
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # 不许看的位置：softmax 之前设为 −∞
    weights = torch.softmax(scores, dim=-1)  # 每行和为 1
    return weights @ v, weights


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「多头注意力」
import torch
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    """多头自注意力：Q、K、V 都来自同一个序列 x，各头独立做注意力，拼接后再投影。"""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()  # 先初始化父类，后面的子层才会被登记为参数
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} 必须能被 n_heads={n_heads} 整除。")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.W_q = nn.Linear(d_model, d_model)
        self.W_k = nn.Linear(d_model, d_model)
        self.W_v = nn.Linear(d_model, d_model)
        self.W_o = nn.Linear(d_model, d_model)

    def split_heads(self, t: torch.Tensor) -> torch.Tensor:
        """(B, n, d) → (B, h, n, d_head)。"""
        B, n, _ = t.shape
        return t.view(B, n, self.n_heads, self.d_head).transpose(1, 2)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (B, n, d)；mask: True = 允许看，形状 (n, n)、(B, n, n) 或 (B, 1, n)。返回 (输出, 每个头的权重)。"""
        B, n, d = x.shape
        q, k, v = self.split_heads(self.W_q(x)), self.split_heads(self.W_k(x)), self.split_heads(self.W_v(x))
        if mask is not None and mask.dim() == 3:
            mask = mask[:, None]  # 插入“头”维，对所有头用同一个掩码
        out, weights = attention(q, k, v, mask)  # out: (B, h, n, d_head)；weights: (B, h, n, n)
        out = out.transpose(1, 2).reshape(B, n, d)  # 拼接各头
        return self.W_o(out), weights


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「位置编码」
import torch


def sinusoidal_positions(n_pos: int, d_model: int) -> torch.Tensor:
    """正弦位置编码 (n_pos, d_model)：偶数维 sin(p·ω_i)，奇数维 cos(p·ω_i)，ω_i = 10000^(−2i/d)。"""
    pos = torch.arange(n_pos, dtype=torch.float32)[:, None]
    omega = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    pe = torch.zeros(n_pos, d_model)
    pe[:, 0::2] = torch.sin(pos * omega)
    pe[:, 1::2] = torch.cos(pos * omega)
    return pe


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「一个正确的编码器块」
import torch
from torch import nn


class FeedForward(nn.Module):
    """逐位置前馈网络：d → d_ff → d，中间是激活函数（和 dropout）；每个词元各算各的。"""

    def __init__(self, d_model: int, d_ff: int, activation: str = "relu", dropout: float = 0.0) -> None:
        super().__init__()
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation 只能是 'relu' 或 'gelu'，收到 {activation!r}。")
        self.fc1, self.fc2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.activation = activation
        self.drop = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """(…, d) → (…, d)。"""
        act = torch.relu if self.activation == "relu" else nn.functional.gelu
        return self.fc2(self.drop(act(self.fc1(h))))


class EncoderBlock(nn.Module):
    """Transformer 编码器块：注意力 → 残差 + LayerNorm → 前馈 → 残差 + LayerNorm。

    norm_first=False 为原始论文的 Post-LN，True 为 Pre-LN（LayerNorm 放在子层之前）。参数与
    nn.TransformerEncoderLayer(d_model, n_heads, d_ff, dropout, activation, norm_first=…, batch_first=True)
    一一对应（lmbook.interop 能在两者之间复制权重）。
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, activation: str = "relu",
                 norm_first: bool = False, eps: float = 1e-5) -> None:
        super().__init__()
        self.attn = MultiHeadSelfAttention(d_model, n_heads)
        self.ln1, self.ln2 = nn.LayerNorm(d_model, eps=eps), nn.LayerNorm(d_model, eps=eps)
        self.ffn = FeedForward(d_model, d_ff, activation, dropout)
        self.drop1, self.drop2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.norm_first = norm_first
        self.last_attn: torch.Tensor | None = None  # 最近一次的注意力权重，供画图用

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: (B, n, d)；mask 同 MultiHeadSelfAttention。"""
        if self.norm_first:  # Pre-LN
            a, self.last_attn = self.attn(self.ln1(x), mask)
            x = x + self.drop1(a)
            return x + self.drop2(self.ffn(self.ln2(x)))
        a, self.last_attn = self.attn(x, mask)  # Post-LN（原始论文）
        h = self.ln1(x + self.drop1(a))
        return self.ln2(h + self.drop2(self.ffn(h)))  # 第二个残差：加回进入前馈网络的 h


# ── 出自 notebooks/ch02_social/02_training_transformer_case.ipynb ·「模型：特征分词器 + [CLS] + 编码器块 + 分类头」
import math

import torch
from torch import nn


class FeatureTokenizer(nn.Module):
    """表格的一行 → 词元序列：(B, n_features) → (B, 1 + n_features, d_model)，最前面是 [CLS]。

    第 j 个特征的词元 e_j = x_j·w_j + b_j（w_j、b_j 可学习，每个特征一对，所以不需要位置编码）；
    [CLS] 是一个可学习的 d_model 维向量，经过编码器后它的输出用作整行的表示。
    """

    def __init__(self, n_features: int, d_model: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_features, d_model) / math.sqrt(d_model))
        self.bias = nn.Parameter(torch.zeros(n_features, d_model))
        self.cls = nn.Parameter(torch.randn(d_model) / math.sqrt(d_model))

    def forward(self, table: torch.Tensor) -> torch.Tensor:
        """table: (B, n_features) 的实数（已标准化）→ (B, 1 + n_features, d_model)。"""
        tokens = table.unsqueeze(-1) * self.weight + self.bias
        return torch.cat([self.cls.expand(len(table), 1, -1), tokens], dim=1)


# ── 出自 notebooks/ch05_innovation/02_value_of_pretraining.ipynb ·「学习曲线：预训练到底省下多少标注」
import torch
from torch import nn


class EncoderClassifier(nn.Module):
    """文本分类 = 一个 MaskedLanguageModel 式的编码器 + 掩码均值池化 + dropout + 线性头。

    输入只有词元编号 (批, T)：编号等于 pad_id 的位置是填充，既不被注意力看到，也不参与平均。
    编码器可以是随机初始化的（从零训练），也可以是掩码语言模型预训练过的（微调）。
    """

    def __init__(self, encoder: nn.Module, n_classes: int, *, pad_id: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder, self.pad_id = encoder, pad_id
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.tok.embedding_dim, n_classes)

    def pool(self, ids: torch.Tensor) -> torch.Tensor:
        """(批, T) → (批, d)：非填充位置的上下文向量取平均。"""
        pad = ids == self.pad_id
        h = self.encoder.encode(ids, pad)
        keep = (~pad).unsqueeze(-1).to(h.dtype)
        return (h * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1.0)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """分类 logits：(批, n_classes)。"""
        return self.head(self.drop(self.pool(ids)))
