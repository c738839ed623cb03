"""Keras 3 的模型积木，每一个都是 lmbook.torch_blocks 里同名积木的孪生版本。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.keras_blocks` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch01_resources/02_mlp_two_frameworks.ipynb ·「同一个网络，两种写法」
import keras


def build_mlp_tf(sizes: list[int], activation: str = "relu", dropout: float = 0.0) -> keras.Sequential:
    """与 lmbook.torch_blocks.build_mlp 同构的 Keras 全连接网络（输出 logits，不加 softmax）。"""
    if len(sizes) < 2:
        raise ValueError(f"sizes 至少要有输入和输出两个数，收到 {sizes!r}。")
    layers: list = [keras.Input(shape=(sizes[0],))]
    for i, n_out in enumerate(sizes[1:]):
        hidden = i < len(sizes) - 2
        layers.append(keras.layers.Dense(n_out, activation=activation if hidden else None))
        if hidden and dropout > 0:
            layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential(layers)


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「注意力：一次“软”的查表」
import math

import numpy as np
from keras import ops


def attention_tf(q, k, v, mask=None):
    """与 lmbook.torch_blocks.attention 相同的缩放点积注意力，只用 keras.ops（任何 Keras 后端都能跑）。"""
    d_k = q.shape[-1]
    scores = ops.matmul(q, ops.swapaxes(k, -2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = ops.where(mask, scores, ops.full_like(scores, -np.inf))
    weights = ops.softmax(scores, axis=-1)
    return ops.matmul(weights, v), weights


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「与 `nn.MultiheadAttention` 对账」
import keras
from keras import ops


class MultiHeadSelfAttentionTF(keras.layers.Layer):
    """与 PyTorch 版逐行对应的多头自注意力层；call 返回 (输出, 每个头的权重)。"""

    def __init__(self, d_model: int, n_heads: int, **kwargs) -> None:
        super().__init__(**kwargs)
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} 必须能被 n_heads={n_heads} 整除。")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.W_q = keras.layers.Dense(d_model)
        self.W_k = keras.layers.Dense(d_model)
        self.W_v = keras.layers.Dense(d_model)
        self.W_o = keras.layers.Dense(d_model)

    def split_heads(self, t):
        """(B, n, d) → (B, h, n, d_head)。"""
        B, n = ops.shape(t)[0], ops.shape(t)[1]
        return ops.transpose(ops.reshape(t, (B, n, self.n_heads, self.d_head)), (0, 2, 1, 3))

    def call(self, x, attn_mask=None):
        """x: (B, n, d)；attn_mask: True = 允许看，形状 (n, n)、(B, n, n) 或 (B, 1, n)。

        （Keras 把名为 mask 的参数留给它自己的掩码机制，所以这里叫 attn_mask。）
        """
        B, n = ops.shape(x)[0], ops.shape(x)[1]
        q, k, v = self.split_heads(self.W_q(x)), self.split_heads(self.W_k(x)), self.split_heads(self.W_v(x))
        if attn_mask is not None:
            attn_mask = ops.convert_to_tensor(attn_mask)
            if len(attn_mask.shape) == 3:
                attn_mask = ops.expand_dims(attn_mask, 1)  # 插入“头”维
        out, weights = attention_tf(q, k, v, attn_mask)
        out = ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (B, n, self.n_heads * self.d_head))
        return self.W_o(out), weights


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「位置编码」
from keras import ops


def sinusoidal_positions_tf(n_pos: int, d_model: int):
    """与 PyTorch 版相同的正弦位置编码 (n_pos, d_model)，sin、cos 交错排列。"""
    pos = ops.arange(n_pos, dtype="float32")[:, None]
    omega = 10000.0 ** (-ops.arange(0, d_model, 2, dtype="float32") / d_model)
    angles = pos * omega  # (n_pos, d/2)
    return ops.reshape(ops.stack([ops.sin(angles), ops.cos(angles)], axis=-1), (n_pos, d_model))


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「一个正确的编码器块」
import keras


class FeedForwardTF(keras.layers.Layer):
    """逐位置前馈网络 d → d_ff → d（与 PyTorch 版同构）。"""

    def __init__(self, d_model: int, d_ff: int, activation: str = "relu", dropout: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation 只能是 'relu' 或 'gelu'，收到 {activation!r}。")
        self.fc1 = keras.layers.Dense(d_ff, activation=activation)
        self.fc2 = keras.layers.Dense(d_model)
        self.drop = keras.layers.Dropout(dropout)

    def call(self, h, training=False):
        """(…, d) → (…, d)。"""
        return self.fc2(self.drop(self.fc1(h), training=training))


class EncoderBlockTF(keras.layers.Layer):
    """与 lmbook.torch_blocks.EncoderBlock 同构的 Keras 编码器块（LayerNorm 的 epsilon 与 PyTorch 对齐为 1e-5）。"""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, activation: str = "relu",
                 norm_first: bool = False, eps: float = 1e-5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.attn = MultiHeadSelfAttentionTF(d_model, n_heads)
        self.ln1 = keras.layers.LayerNormalization(epsilon=eps)
        self.ln2 = keras.layers.LayerNormalization(epsilon=eps)
        self.ffn = FeedForwardTF(d_model, d_ff, activation, dropout)
        self.drop1, self.drop2 = keras.layers.Dropout(dropout), keras.layers.Dropout(dropout)
        self.norm_first = norm_first
        self.last_attn = None

    def call(self, x, attn_mask=None, training=False):
        """x: (B, n, d)；attn_mask 同 MultiHeadSelfAttentionTF。"""
        if self.norm_first:  # Pre-LN
            a, self.last_attn = self.attn(self.ln1(x), attn_mask)
            x = x + self.drop1(a, training=training)
            return x + self.drop2(self.ffn(self.ln2(x), training=training), training=training)
        a, self.last_attn = self.attn(x, attn_mask)  # Post-LN
        h = self.ln1(x + self.drop1(a, training=training))
        return self.ln2(h + self.drop2(self.ffn(h, training=training), training=training))


# ── 出自 notebooks/ch02_social/02_training_transformer_case.ipynb ·「同一个模型的 Keras 3 实现」
import keras
from keras import ops


class FeatureTokenizerTF(keras.layers.Layer):
    """与 lmbook.torch_blocks.FeatureTokenizer 同构：(B, n_features) → (B, 1 + n_features, d_model)，最前面是 [CLS]。"""

    def __init__(self, n_features: int, d_model: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.n_features, self.d_model = n_features, d_model

    def build(self, input_shape) -> None:
        """创建 w、b（各 (n_features, d_model)）与 [CLS]（d_model），顺序与 PyTorch 版相同。"""
        normal = keras.initializers.RandomNormal(stddev=self.d_model ** -0.5)
        self.weight = self.add_weight(shape=(self.n_features, self.d_model), initializer=normal, name="weight")
        self.bias = self.add_weight(shape=(self.n_features, self.d_model), initializer="zeros", name="bias")
        self.cls = self.add_weight(shape=(self.d_model,), initializer=normal, name="cls")

    def call(self, table):
        """e_j = x_j·w_j + b_j，再在最前面接上 [CLS]。"""
        tokens = ops.expand_dims(table, -1) * self.weight + self.bias
        cls = ops.broadcast_to(ops.reshape(self.cls, (1, 1, self.d_model)), (ops.shape(table)[0], 1, self.d_model))
        return ops.concatenate([cls, tokens], axis=1)
