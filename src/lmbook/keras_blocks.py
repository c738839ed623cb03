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


# ── 出自 notebooks/ch05_innovation/01_pretraining.ipynb ·「同一个模型，Keras 版」
import keras
from keras import ops


class MaskedLanguageModelTF(keras.Model):
    """与 lmbook.torch_blocks.MaskedLanguageModel 同构的 Keras 版：词元嵌入 + 位置嵌入 → LayerNorm →
    n_layers 个 EncoderBlockTF（Post-LN、GELU）→ 输出头。encode() 给出每个位置的上下文向量。"""

    def __init__(self, vocab_size: int, d_model: int, n_layers: int, n_heads: int, d_ff: int, max_len: int,
                 dropout: float = 0.1, n_outputs: int | None = None, eps: float = 1e-5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tok = keras.layers.Embedding(vocab_size, d_model)
        self.pos = keras.layers.Embedding(max_len, d_model)
        self.norm = keras.layers.LayerNormalization(epsilon=eps)
        self.blocks = [EncoderBlockTF(d_model, n_heads, d_ff, dropout, "gelu", eps=eps) for _ in range(n_layers)]
        self.head = keras.layers.Dense(n_outputs or vocab_size)

    def encode(self, ids, padding_mask=None, training=False):
        """(批, T) 的词元编号 → (批, T, d)；padding_mask 为 True 的位置是填充（别的位置看不到它）。"""
        positions = ops.arange(ops.shape(ids)[1])
        h = self.norm(self.tok(ids) + self.pos(positions))
        attn_mask = None if padding_mask is None else ops.expand_dims(ops.logical_not(padding_mask), 1)  # (批, 1, T)
        for block in self.blocks:
            h = block(h, attn_mask=attn_mask, training=training)
        return h

    def call(self, ids, padding_mask=None, training=False):
        """每个位置的输出 logits：(批, T, n_outputs)。"""
        return self.head(self.encode(ids, padding_mask, training=training))


# ── 出自 notebooks/ch05_innovation/02_value_of_pretraining.ipynb ·「Keras：同一个预训练编码器，同样的微调」
import keras
from keras import ops



class EncoderClassifierTF(keras.Model):
    """与 lmbook.torch_blocks.EncoderClassifier 同构：编码器 → 掩码均值池化 → dropout → 线性头。"""

    def __init__(self, encoder: MaskedLanguageModelTF, n_classes: int, *, pad_id: int, dropout: float = 0.1,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.encoder, self.pad_id = encoder, pad_id
        self.drop = keras.layers.Dropout(dropout)
        self.head = keras.layers.Dense(n_classes)

    def build(self, input_shape) -> None:
        """按 (批, T) 的编号输入建好全部权重：编码器在一个符号输入上调用一次（建好它的每个子层），
        线性头按编码器的宽度 d_model 建。Keras 第一次调用模型时自动调用它。"""
        if not self.encoder.built:
            self.encoder(keras.KerasTensor(tuple(input_shape), dtype="int32"))
        self.head.build((input_shape[0], self.encoder.tok.output_dim))
        self.built = True

    def pool(self, ids, training=False):
        """(批, T) → (批, d)：非填充位置的上下文向量取平均。"""
        pad = ops.equal(ids, self.pad_id)
        h = self.encoder.encode(ids, pad, training=training)
        keep = ops.expand_dims(ops.cast(ops.logical_not(pad), h.dtype), -1)
        return ops.sum(h * keep, axis=1) / ops.maximum(ops.sum(keep, axis=1), 1.0)

    def call(self, ids, training=False):
        """分类 logits：(批, n_classes)。"""
        return self.head(self.drop(self.pool(ids, training=training), training=training))


# ── 出自 notebooks/ch05_innovation/03_two_frameworks_transfer.ipynb ·「把 MiniLM 搬进 Keras」
from typing import Any

import keras
from keras import ops



class BertEmbeddingsTF(keras.layers.Layer):
    """BERT 的输入层：词元嵌入 + 位置嵌入 + 句段（token type）嵌入，相加后 LayerNorm 和 dropout。"""

    def __init__(self, vocab_size: int, d_model: int, max_len: int, type_vocab_size: int = 2, eps: float = 1e-12,
                 dropout: float = 0.1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.word = keras.layers.Embedding(vocab_size, d_model)
        self.position = keras.layers.Embedding(max_len, d_model)
        self.token_type = keras.layers.Embedding(type_vocab_size, d_model)
        self.norm = keras.layers.LayerNormalization(epsilon=eps)
        self.drop = keras.layers.Dropout(dropout)

    def call(self, input_ids, token_type_ids=None, training=False):
        """(批, T) 的编号 → (批, T, d)；token_type_ids 缺省时全为 0（单句输入）。"""
        if token_type_ids is None:
            token_type_ids = ops.zeros_like(input_ids)
        positions = ops.arange(ops.shape(input_ids)[1])
        h = self.word(input_ids) + self.token_type(token_type_ids) + self.position(positions)
        return self.drop(self.norm(h), training=training)


class BertEncoderTF(keras.Model):
    """Keras 里的 BERT 编码器（不含池化层）：BertEmbeddingsTF → n_layers 个 EncoderBlockTF（Post-LN、精确 GELU）。

    结构与 Hugging Face 的 BertModel 一一对应，lmbook.interop.copy_weights 可以在两者之间复制权重；
    call 返回最后一层的隐藏状态 (批, T, d)，对应 BertModel(...).last_hidden_state。
    """

    def __init__(self, vocab_size: int, d_model: int, n_layers: int, n_heads: int, d_ff: int, max_len: int,
                 type_vocab_size: int = 2, eps: float = 1e-12, dropout: float = 0.1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.embeddings = BertEmbeddingsTF(vocab_size, d_model, max_len, type_vocab_size, eps, dropout)
        self.blocks = [EncoderBlockTF(d_model, n_heads, d_ff, dropout, "gelu", eps=eps) for _ in range(n_layers)]

    def call(self, input_ids, attention_mask=None, token_type_ids=None, training=False):
        """attention_mask 与 Hugging Face 相同：1 = 真实词元，0 = 填充。"""
        h = self.embeddings(input_ids, token_type_ids, training=training)
        attn_mask = None if attention_mask is None else ops.expand_dims(ops.cast(attention_mask, "bool"), 1)
        for block in self.blocks:
            h = block(h, attn_mask=attn_mask, training=training)
        return h


def build_bert_encoder_tf(config: Any) -> BertEncoderTF:
    """按 Hugging Face 的 BertConfig（如 MiniLM 的 model.config）建一个同样尺寸的 BertEncoderTF（权重随机）。"""
    if config.hidden_act != "gelu":
        raise ValueError(f"只支持精确 GELU（hidden_act='gelu'），收到 {config.hidden_act!r}。")
    return BertEncoderTF(config.vocab_size, config.hidden_size, config.num_hidden_layers, config.num_attention_heads,
                         config.intermediate_size, config.max_position_embeddings, config.type_vocab_size,
                         config.layer_norm_eps, config.hidden_dropout_prob)


# ── 出自 notebooks/ch06_capstone/02_gpt_from_scratch.ipynb ·「Keras 版本与逐元素对账」
import keras
import numpy as np
from keras import ops



class CausalSelfAttentionTF(keras.layers.Layer):
    """与 lmbook.gpt.CausalSelfAttention 同构：Dense(3d) 一次算出 Q、K、V，带因果掩码的注意力，再 Dense(d) 投影。"""

    def __init__(self, d_model: int, n_heads: int, **kwargs) -> None:
        super().__init__(**kwargs)
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} 必须能被 n_heads={n_heads} 整除。")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.qkv = keras.layers.Dense(3 * d_model)
        self.proj = keras.layers.Dense(d_model)

    def call(self, x):
        """x: (B, T, d) → (B, T, d)。"""
        B, T = ops.shape(x)[0], ops.shape(x)[1]
        qkv = ops.transpose(ops.reshape(self.qkv(x), (B, T, 3, self.n_heads, self.d_head)), (2, 0, 3, 1, 4))
        mask = ops.cast(ops.tril(ops.ones((T, T))), "bool")  # True = 允许看：只看自己和左边
        y, _ = attention_tf(qkv[0], qkv[1], qkv[2], mask)
        return self.proj(ops.reshape(ops.transpose(y, (0, 2, 1, 3)), (B, T, self.n_heads * self.d_head)))


class GPTBlockTF(keras.layers.Layer):
    """与 lmbook.gpt.GPTBlock 同构的 Pre-LN 解码器块（LayerNorm 的 epsilon 与 PyTorch 对齐为 1e-5）。"""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ln1 = keras.layers.LayerNormalization(epsilon=1e-5)
        self.ln2 = keras.layers.LayerNormalization(epsilon=1e-5)
        self.attn = CausalSelfAttentionTF(d_model, n_heads)
        self.ffn = FeedForwardTF(d_model, d_ff, activation="gelu")
        self.drop = keras.layers.Dropout(dropout)

    def call(self, x, training=False):
        """(B, T, d) → (B, T, d)。"""
        x = x + self.drop(self.attn(self.ln1(x)), training=training)
        return x + self.drop(self.ffn(self.ln2(x), training=training), training=training)


class GPTTF(keras.Model):
    """与 lmbook.gpt.GPT 同构的 Keras 模型：输出层与词嵌入共享权重时，logits = h · Eᵀ（不另建 Dense）。"""

    def __init__(self, vocab_size: int, seq_len: int, d_model: int, n_heads: int, n_layers: int, d_ff: int,
                 dropout: float = 0.0, tie_weights: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seq_len, self.tie_weights = seq_len, tie_weights
        normal = keras.initializers.RandomNormal(stddev=0.02)
        self.tok_emb = keras.layers.Embedding(vocab_size, d_model, embeddings_initializer=normal)
        self.pos_emb = keras.layers.Embedding(seq_len, d_model, embeddings_initializer=normal)
        self.drop = keras.layers.Dropout(dropout)
        self.blocks = [GPTBlockTF(d_model, n_heads, d_ff, dropout) for _ in range(n_layers)]
        self.ln_f = keras.layers.LayerNormalization(epsilon=1e-5)
        self.head = None if tie_weights else keras.layers.Dense(vocab_size, use_bias=False)

    def call(self, ids, training=False):
        """ids: (B, T) 的整数 → (B, T, vocab_size) 的 logits。"""
        x = self.tok_emb(ids) + self.pos_emb(ops.arange(ops.shape(ids)[1]))
        x = self.drop(x, training=training)
        for block in self.blocks:
            x = block(x, training=training)
        h = self.ln_f(x)
        return ops.matmul(h, ops.transpose(self.tok_emb.embeddings)) if self.tie_weights else self.head(h)


def build_gpt_tf(cfg) -> GPTTF:
    """按一个 lmbook.gpt.GPTConfig（或有同名字段的对象）建出 Keras 版 GPT，并用一个小批次建好全部权重。"""
    model = GPTTF(cfg.vocab_size, cfg.seq_len, cfg.d_model, cfg.n_heads, cfg.n_layers, cfg.ff_width, cfg.dropout,
                  cfg.tie_weights)
    model(np.zeros((1, 2), dtype="int32"))
    return model
