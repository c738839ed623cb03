"""在 PyTorch 与 Keras 之间复制权重：一个函数 copy_weights(src, dst)，覆盖全书用到的每一对层。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.interop` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch01_resources/02_mlp_two_frameworks.ipynb ·「权重互拷，逐元素对账」
from typing import Any, Callable

import keras
import numpy as np
import torch
from torch import nn

Key = tuple[str, str]  # (框架, 类名)，例如 ("torch", "Linear")、("keras", "Dense")
_COPIERS: dict[tuple[Key, Key], Callable[[Any, Any], None]] = {}


def _key(cls: type) -> Key:
    """按“框架 + 类名”识别一个类：笔记本里刚定义的类与库里同名的类算同一种。"""
    if issubclass(cls, nn.Module):
        return ("torch", cls.__name__)
    if issubclass(cls, keras.layers.Layer):
        return ("keras", cls.__name__)
    return ("python", cls.__name__)


def _as_key(kind: type | str) -> Key:
    """类，或 "torch.类名" / "keras.类名" 这样的字符串。"""
    if isinstance(kind, str):
        framework, _, name = kind.partition(".")
        return (framework, name)
    return _key(kind)


def register_copy(src_kind: type | str, dst_kind: type | str) -> Callable:
    """装饰器：登记一个把 src_kind 的权重复制到 dst_kind 的函数（copy_weights 按类型查找它）。"""
    def decorate(fn: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        _COPIERS[(_as_key(src_kind), _as_key(dst_kind))] = fn
        return fn
    return decorate


def copy_weights(src: Any, dst: Any) -> Any:
    """把 src 的权重复制进 dst（PyTorch → Keras 或 Keras → PyTorch），返回 dst。

    按两边的类型查找登记过的复制函数（子类也算，取最具体的那一个）；找不到时报错并列出支持的组合。
    Keras 一侧的层要么已经建好权重，要么由复制函数先调用一次把它建好。
    """
    src_keys = [_key(c) for c in type(src).__mro__]
    dst_keys = [_key(c) for c in type(dst).__mro__]
    matches = [(src_keys.index(s) + dst_keys.index(d), pair) for pair in _COPIERS
               for s, d in [pair] if s in src_keys and d in dst_keys]
    if not matches:
        pairs = "\n".join(f"  {s[0]}.{s[1]} → {d[0]}.{d[1]}" for s, d in _COPIERS)
        raise TypeError(f"不知道怎样把 {type(src).__name__} 的权重复制到 {type(dst).__name__}。支持的组合：\n{pairs}")
    _COPIERS[min(matches)[1]](src, dst)
    return dst


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """PyTorch 张量 → NumPy 数组（先脱离计算图、搬到 CPU）。"""
    return t.detach().cpu().numpy()


def set_torch_param(param: torch.Tensor, value: Any) -> None:
    """把数组写进 PyTorch 参数；形状不符时报出两边的形状。"""
    value = torch.as_tensor(np.asarray(value), dtype=param.dtype)
    if tuple(value.shape) != tuple(param.shape):
        raise ValueError(f"形状不符：要写入 {tuple(value.shape)}，参数是 {tuple(param.shape)}。")
    with torch.no_grad():
        param.copy_(value)


def set_keras_weights(layer: Any, arrays: list) -> None:
    """layer.set_weights，形状不符时报出层名与两边的形状。"""
    expected = [tuple(w.shape) for w in layer.get_weights()]
    got = [tuple(np.shape(a)) for a in arrays]
    if expected != got:
        raise ValueError(f"Keras 层 {layer.name}：权重形状应为 {expected}，收到 {got}（层是否已经 build？）。")
    layer.set_weights(arrays)


@register_copy(nn.Linear, keras.layers.Dense)
def _linear_to_dense(src: nn.Linear, dst: keras.layers.Dense) -> None:
    """PyTorch 的 weight 是 (输出, 输入)，Keras 的 kernel 是 (输入, 输出)：转置。"""
    set_keras_weights(dst, [to_numpy(src.weight).T] + ([to_numpy(src.bias)] if src.bias is not None else []))


@register_copy(keras.layers.Dense, nn.Linear)
def _dense_to_linear(src: keras.layers.Dense, dst: nn.Linear) -> None:
    """Keras kernel (输入, 输出) → PyTorch weight (输出, 输入)：转置。"""
    weights = src.get_weights()
    set_torch_param(dst.weight, weights[0].T)
    if dst.bias is not None:
        set_torch_param(dst.bias, weights[1])


def _paired(a: list, b: list, what: str) -> list[tuple]:
    """两边逐个配对；个数不同时说清楚各有几个。"""
    if len(a) != len(b):
        raise ValueError(f"{what}：源模型有 {len(a)} 个带参数的层，目标模型有 {len(b)} 个，无法逐层对应。")
    return list(zip(a, b))


def _param_layers_pt(model: nn.Module) -> list[nn.Module]:
    """有参数的子层，按前向顺序（nn.Sequential 的顺序）。"""
    return [m for m in model.children() if any(True for _ in m.parameters())]


def _param_layers_tf(model: Any) -> list:
    """有权重的 Keras 层，按模型里的顺序。"""
    return [layer for layer in model.layers if layer.weights]


@register_copy(nn.Sequential, keras.Sequential)
def _sequential_pt_to_tf(src: nn.Sequential, dst: keras.Sequential) -> None:
    """逐层复制两个顺序模型中有参数的层（ReLU、Dropout 这类无参数层跳过）。"""
    for layer_pt, layer_tf in _paired(_param_layers_pt(src), _param_layers_tf(dst), "nn.Sequential → keras.Sequential"):
        copy_weights(layer_pt, layer_tf)


@register_copy(keras.Sequential, nn.Sequential)
def _sequential_tf_to_pt(src: keras.Sequential, dst: nn.Sequential) -> None:
    """逐层复制两个顺序模型中有参数的层（反方向）。"""
    for layer_tf, layer_pt in _paired(_param_layers_tf(src), _param_layers_pt(dst), "keras.Sequential → nn.Sequential"):
        copy_weights(layer_tf, layer_pt)


# ── 出自 notebooks/ch01_resources/03_lstm_is_not_bert.ipynb ·「对账：把 PyTorch 的权重搬进 Keras」
import keras
import numpy as np
from torch import nn



@register_copy(nn.Embedding, keras.layers.Embedding)
def _embedding_pt_to_tf(src: nn.Embedding, dst: keras.layers.Embedding) -> None:
    """嵌入表两边都是 (词表大小, 维度)，原样复制。"""
    set_keras_weights(dst, [to_numpy(src.weight)])


@register_copy(keras.layers.Embedding, nn.Embedding)
def _embedding_tf_to_pt(src: keras.layers.Embedding, dst: nn.Embedding) -> None:
    """嵌入表原样复制（反方向）。"""
    set_torch_param(dst.weight, src.get_weights()[0])


def _lstm_layer_pt_to_tf(src: nn.LSTM, layer: int, dst: keras.layers.LSTM) -> None:
    """PyTorch 第 layer 层 → 一个 Keras LSTM：门的顺序 i, f, g(c), o 相同；权重转置；两组偏置相加成一组。"""
    w_ih, w_hh = getattr(src, f"weight_ih_l{layer}"), getattr(src, f"weight_hh_l{layer}")
    bias = getattr(src, f"bias_ih_l{layer}") + getattr(src, f"bias_hh_l{layer}")
    set_keras_weights(dst, [to_numpy(w_ih).T, to_numpy(w_hh).T, to_numpy(bias)])


def _lstm_layer_tf_to_pt(src: keras.layers.LSTM, dst: nn.LSTM, layer: int) -> None:
    """一个 Keras LSTM → PyTorch 第 layer 层：偏置全放进 bias_ih，bias_hh 置零（两者之和才是有效偏置）。"""
    kernel, recurrent, bias = src.get_weights()
    set_torch_param(getattr(dst, f"weight_ih_l{layer}"), kernel.T)
    set_torch_param(getattr(dst, f"weight_hh_l{layer}"), recurrent.T)
    set_torch_param(getattr(dst, f"bias_ih_l{layer}"), bias)
    set_torch_param(getattr(dst, f"bias_hh_l{layer}"), np.zeros_like(bias))


def _check_lstm(lstm: nn.LSTM, n_keras: int) -> None:
    """只支持单向、带偏置的 LSTM，且层数要和 Keras 一侧的 LSTM 个数相同。"""
    if lstm.bidirectional or not lstm.bias or lstm.proj_size:
        raise ValueError("只支持单向、带偏置、无投影（proj_size=0）的 nn.LSTM。")
    if lstm.num_layers != n_keras:
        raise ValueError(f"nn.LSTM 有 {lstm.num_layers} 层，Keras 一侧给了 {n_keras} 个 LSTM 层：请给出同样多的层（多层时传一个列表）。")


@register_copy(nn.LSTM, keras.layers.LSTM)
def _lstm_pt_to_tf(src: nn.LSTM, dst: keras.layers.LSTM) -> None:
    """单层 nn.LSTM → 一个 Keras LSTM。"""
    _check_lstm(src, 1)
    _lstm_layer_pt_to_tf(src, 0, dst)


@register_copy(nn.LSTM, list)
def _lstm_pt_to_tf_stack(src: nn.LSTM, dst: list) -> None:
    """多层 nn.LSTM → 一个 Keras LSTM 层的列表（第 i 层对第 i 个）。"""
    _check_lstm(src, len(dst))
    for layer, keras_lstm in enumerate(dst):
        _lstm_layer_pt_to_tf(src, layer, keras_lstm)


@register_copy(keras.layers.LSTM, nn.LSTM)
def _lstm_tf_to_pt(src: keras.layers.LSTM, dst: nn.LSTM) -> None:
    """一个 Keras LSTM → 单层 nn.LSTM。"""
    _check_lstm(dst, 1)
    _lstm_layer_tf_to_pt(src, dst, 0)


@register_copy(list, nn.LSTM)
def _lstm_tf_stack_to_pt(src: list, dst: nn.LSTM) -> None:
    """Keras LSTM 层的列表 → 多层 nn.LSTM。"""
    _check_lstm(dst, len(src))
    for layer, keras_lstm in enumerate(src):
        _lstm_layer_tf_to_pt(keras_lstm, dst, layer)


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「与 `nn.MultiheadAttention` 对账」
import keras
import numpy as np
import torch
from torch import nn



def build_keras(layer, d_model: int) -> None:
    """Keras 层在第一次调用时才创建权重：用一个 (1, 2, d_model) 的全零输入调用一次。"""
    if not layer.built or not layer.weights:
        x = np.zeros((1, 2, d_model), np.float32)
        if isinstance(layer, keras.layers.MultiHeadAttention):
            layer(x, x)
        else:
            layer(x)


@register_copy(nn.MultiheadAttention, keras.layers.MultiHeadAttention)
def _mha_pt_to_tf(src: nn.MultiheadAttention, dst: keras.layers.MultiHeadAttention) -> None:
    """PyTorch 把 Q/K/V 投影存成一个 (3d, d) 矩阵；Keras 每个投影是 (d, 头数, d_head) 的张量，输出投影是 (头数, d_head, d)。"""
    d, h = src.embed_dim, src.num_heads
    build_keras(dst, d)
    w_qkv, b_qkv = to_numpy(src.in_proj_weight).reshape(3, d, d), to_numpy(src.in_proj_bias).reshape(3, d)
    arrays = []
    for w, b in zip(w_qkv, b_qkv):
        arrays += [w.T.reshape(d, h, d // h), b.reshape(h, d // h)]
    arrays += [to_numpy(src.out_proj.weight).T.reshape(h, d // h, d), to_numpy(src.out_proj.bias)]
    set_keras_weights(dst, arrays)  # 顺序：query、key、value、输出，各 (kernel, bias)


@register_copy(keras.layers.MultiHeadAttention, nn.MultiheadAttention)
def _mha_tf_to_pt(src: keras.layers.MultiHeadAttention, dst: nn.MultiheadAttention) -> None:
    """Keras 的四个投影 → PyTorch 的 in_proj（Q、K、V 上下拼接）与 out_proj。"""
    d = dst.embed_dim
    wq, bq, wk, bk, wv, bv, wo, bo = src.get_weights()
    set_torch_param(dst.in_proj_weight, np.concatenate([w.reshape(d, d).T for w in (wq, wk, wv)]))
    set_torch_param(dst.in_proj_bias, np.concatenate([b.reshape(d) for b in (bq, bk, bv)]))
    set_torch_param(dst.out_proj.weight, wo.reshape(d, d).T)
    set_torch_param(dst.out_proj.bias, bo)


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「残差连接与层归一化」
import keras
import numpy as np
from torch import nn



def _check_eps(eps_pt: float, eps_tf: float) -> None:
    """两边的 ε 不同，输出就对不上：直接报错，说清楚该改哪里。"""
    if not np.isclose(eps_pt, eps_tf, rtol=0, atol=1e-12):
        raise ValueError(f"LayerNorm 的 ε 不同：PyTorch {eps_pt:g}，Keras {eps_tf:g}。"
                         f"Keras 默认 1e-3，请用 keras.layers.LayerNormalization(epsilon={eps_pt:g})。")


@register_copy(nn.LayerNorm, keras.layers.LayerNormalization)
def _layernorm_pt_to_tf(src: nn.LayerNorm, dst: keras.layers.LayerNormalization) -> None:
    """γ、β 原样复制；ε 必须相同。"""
    _check_eps(src.eps, dst.epsilon)
    build_keras(dst, src.normalized_shape[-1])
    set_keras_weights(dst, [to_numpy(src.weight), to_numpy(src.bias)])


@register_copy(keras.layers.LayerNormalization, nn.LayerNorm)
def _layernorm_tf_to_pt(src: keras.layers.LayerNormalization, dst: nn.LayerNorm) -> None:
    """γ、β 原样复制（反方向）；ε 必须相同。"""
    _check_eps(dst.eps, src.epsilon)
    gamma, beta = src.get_weights()
    set_torch_param(dst.weight, gamma)
    set_torch_param(dst.bias, beta)


# ── 出自 notebooks/ch02_social/01_attention_from_scratch.ipynb ·「一个正确的编码器块」
from typing import TYPE_CHECKING

import keras
import numpy as np
from torch import nn


if TYPE_CHECKING:  # 只供类型检查：这几个类在本节上面刚定义过（库里是 lmbook.torch_blocks / keras_blocks）
    from lmbook.keras_blocks import EncoderBlockTF, MultiHeadSelfAttentionTF
    from lmbook.torch_blocks import EncoderBlock, MultiHeadSelfAttention


_PROJECTIONS = ("W_q", "W_k", "W_v", "W_o")


def _same_structure(src: tuple[str, bool, str], dst: tuple[str, bool, str]) -> None:
    """(名字, norm_first, 激活函数) 两边必须相同：Pre/Post-LN 或激活不同的块算的是另一个函数，照搬权重没有意义。"""
    if src[1:] != dst[1:]:
        raise ValueError(f"结构不同：{src[0]} norm_first={src[1]}、激活 {src[2]}；"
                         f"{dst[0]} norm_first={dst[1]}、激活 {dst[2]}。")


def _keras_activation(block: EncoderBlockTF) -> str:
    """Keras 块前馈层的激活函数名（relu 或 gelu）。"""
    return block.ffn.fc1.activation.__name__


@register_copy("torch.MultiHeadSelfAttention", "keras.MultiHeadSelfAttentionTF")
def _mhsa_pt_to_tf(src: MultiHeadSelfAttention, dst: MultiHeadSelfAttentionTF) -> None:
    """本书从零实现的多头注意力：四个线性层逐一复制。"""
    build_keras(dst, src.W_q.in_features)
    for name in _PROJECTIONS:
        copy_weights(getattr(src, name), getattr(dst, name))


@register_copy("keras.MultiHeadSelfAttentionTF", "torch.MultiHeadSelfAttention")
def _mhsa_tf_to_pt(src: MultiHeadSelfAttentionTF, dst: MultiHeadSelfAttention) -> None:
    """四个线性层逐一复制（反方向）。"""
    for name in _PROJECTIONS:
        copy_weights(getattr(src, name), getattr(dst, name))


@register_copy("torch.EncoderBlock", "keras.EncoderBlockTF")
def _block_pt_to_tf(src: EncoderBlock, dst: EncoderBlockTF) -> None:
    """编码器块：注意力、两个 LayerNorm、前馈网络的两个线性层。"""
    _same_structure(("PyTorch", src.norm_first, src.ffn.activation), ("Keras", dst.norm_first, _keras_activation(dst)))
    build_keras(dst, src.ln1.normalized_shape[-1])
    for a, b in ((src.attn, dst.attn), (src.ln1, dst.ln1), (src.ln2, dst.ln2), (src.ffn.fc1, dst.ffn.fc1),
                 (src.ffn.fc2, dst.ffn.fc2)):
        copy_weights(a, b)


@register_copy("keras.EncoderBlockTF", "torch.EncoderBlock")
def _block_tf_to_pt(src: EncoderBlockTF, dst: EncoderBlock) -> None:
    """编码器块（反方向）。"""
    _same_structure(("Keras", src.norm_first, _keras_activation(src)), ("PyTorch", dst.norm_first, dst.ffn.activation))
    for a, b in ((src.attn, dst.attn), (src.ln1, dst.ln1), (src.ln2, dst.ln2), (src.ffn.fc1, dst.ffn.fc1),
                 (src.ffn.fc2, dst.ffn.fc2)):
        copy_weights(a, b)


def _official_activation(layer: nn.TransformerEncoderLayer) -> str:
    """nn.TransformerEncoderLayer 用的激活函数名（relu 或 gelu）。"""
    act = layer.activation
    name = getattr(act, "__name__", type(act).__name__).lower()
    if "gelu" in name:
        return "gelu"
    if "relu" in name:
        return "relu"
    raise ValueError(f"不支持的激活函数 {name}：只支持 relu 与 gelu。")


@register_copy(nn.TransformerEncoderLayer, "keras.EncoderBlockTF")
def _official_pt_to_tf(src: nn.TransformerEncoderLayer, dst: EncoderBlockTF) -> None:
    """PyTorch 官方编码器层 → 本书的 Keras 编码器块：注意力按 nn.MultiheadAttention 的 in_proj 拆成四个投影。"""
    _same_structure(("PyTorch", src.norm_first, _official_activation(src)),
                    ("Keras", dst.norm_first, _keras_activation(dst)))
    d = src.self_attn.embed_dim
    build_keras(dst, d)
    w_qkv, b_qkv = src.self_attn.in_proj_weight.chunk(3), src.self_attn.in_proj_bias.chunk(3)
    for dense, w, b in zip((dst.attn.W_q, dst.attn.W_k, dst.attn.W_v), w_qkv, b_qkv):
        set_keras_weights(dense, [to_numpy(w).T, to_numpy(b)])
    for a, b in ((src.self_attn.out_proj, dst.attn.W_o), (src.norm1, dst.ln1), (src.norm2, dst.ln2),
                 (src.linear1, dst.ffn.fc1), (src.linear2, dst.ffn.fc2)):
        copy_weights(a, b)


@register_copy("keras.EncoderBlockTF", nn.TransformerEncoderLayer)
def _official_tf_to_pt(src: EncoderBlockTF, dst: nn.TransformerEncoderLayer) -> None:
    """本书的 Keras 编码器块 → PyTorch 官方编码器层。"""
    _same_structure(("Keras", src.norm_first, _keras_activation(src)),
                    ("PyTorch", dst.norm_first, _official_activation(dst)))
    kernels = [layer.get_weights() for layer in (src.attn.W_q, src.attn.W_k, src.attn.W_v)]
    set_torch_param(dst.self_attn.in_proj_weight, np.concatenate([k.T for k, _ in kernels]))
    set_torch_param(dst.self_attn.in_proj_bias, np.concatenate([b for _, b in kernels]))
    for a, b in ((src.attn.W_o, dst.self_attn.out_proj), (src.ln1, dst.norm1), (src.ln2, dst.norm2),
                 (src.ffn.fc1, dst.linear1), (src.ffn.fc2, dst.linear2)):
        copy_weights(a, b)


# ── 出自 notebooks/ch02_social/02_training_transformer_case.ipynb ·「同一个模型的 Keras 3 实现」
import numpy as np



@register_copy("torch.FeatureTokenizer", "keras.FeatureTokenizerTF")
def _tokenizer_pt_to_tf(src, dst) -> None:
    """特征分词器：w、b、[CLS] 两边形状相同，原样复制。"""
    if not dst.built:
        dst(np.zeros((1, src.weight.shape[0]), np.float32))  # 让 Keras 先建出权重
    set_keras_weights(dst, [to_numpy(src.weight), to_numpy(src.bias), to_numpy(src.cls)])


@register_copy("keras.FeatureTokenizerTF", "torch.FeatureTokenizer")
def _tokenizer_tf_to_pt(src, dst) -> None:
    """特征分词器（反方向）。"""
    weight, bias, cls = src.get_weights()
    set_torch_param(dst.weight, weight)
    set_torch_param(dst.bias, bias)
    set_torch_param(dst.cls, cls)


# ── 出自 notebooks/ch05_innovation/01_pretraining.ipynb ·「同一个模型，Keras 版」
from typing import TYPE_CHECKING

import numpy as np


if TYPE_CHECKING:  # 只供类型检查
    from lmbook.keras_blocks import MaskedLanguageModelTF
    from lmbook.torch_blocks import MaskedLanguageModel


def _build_ids_model(model) -> None:
    """Keras 模型在第一次调用时才建权重：用一个 (1, 2) 的全零编号输入调用一次。"""
    if not model.built or not model.weights:
        model(np.zeros((1, 2), dtype="int32"))


def _mlm_pairs(src, dst, src_layers, dst_layers) -> list[tuple]:
    """两个掩码语言模型里一一对应的子层：嵌入、LayerNorm、每个编码器层、输出头。"""
    if len(src_layers) != len(dst_layers):
        raise ValueError(f"层数不同：源模型 {len(src_layers)} 层，目标模型 {len(dst_layers)} 层。")
    return [(src.tok, dst.tok), (src.pos, dst.pos), (src.norm, dst.norm), *zip(src_layers, dst_layers),
            (src.head, dst.head)]


@register_copy("torch.MaskedLanguageModel", "keras.MaskedLanguageModelTF")
def _mlm_pt_to_tf(src: MaskedLanguageModel, dst: MaskedLanguageModelTF) -> None:
    """掩码语言模型：两个嵌入表、嵌入后的 LayerNorm、每个编码器层、输出头，逐一复制。"""
    _build_ids_model(dst)
    for a, b in _mlm_pairs(src, dst, list(src.encoder.layers), dst.blocks):
        copy_weights(a, b)


@register_copy("keras.MaskedLanguageModelTF", "torch.MaskedLanguageModel")
def _mlm_tf_to_pt(src: MaskedLanguageModelTF, dst: MaskedLanguageModel) -> None:
    """掩码语言模型（反方向）。"""
    for a, b in _mlm_pairs(src, dst, src.blocks, list(dst.encoder.layers)):
        copy_weights(a, b)


# ── 出自 notebooks/ch05_innovation/02_value_of_pretraining.ipynb ·「Keras：同一个预训练编码器，同样的微调」
from typing import TYPE_CHECKING


if TYPE_CHECKING:  # 只供类型检查
    from lmbook.keras_blocks import EncoderClassifierTF
    from lmbook.torch_blocks import EncoderClassifier


@register_copy("torch.EncoderClassifier", "keras.EncoderClassifierTF")
def _clf_pt_to_tf(src: EncoderClassifier, dst: EncoderClassifierTF) -> None:
    """分类器：编码器 + 线性头。"""
    if src.pad_id != dst.pad_id:
        raise ValueError(f"pad_id 不同：PyTorch {src.pad_id}，Keras {dst.pad_id}。")
    _build_ids_model(dst)
    copy_weights(src.encoder, dst.encoder)
    copy_weights(src.head, dst.head)


@register_copy("keras.EncoderClassifierTF", "torch.EncoderClassifier")
def _clf_tf_to_pt(src: EncoderClassifierTF, dst: EncoderClassifier) -> None:
    """分类器（反方向）。"""
    if src.pad_id != dst.pad_id:
        raise ValueError(f"pad_id 不同：Keras {src.pad_id}，PyTorch {dst.pad_id}。")
    copy_weights(src.encoder, dst.encoder)
    copy_weights(src.head, dst.head)


# ── 出自 notebooks/ch05_innovation/03_two_frameworks_transfer.ipynb ·「把 MiniLM 搬进 Keras」
from typing import TYPE_CHECKING, Any

import numpy as np


if TYPE_CHECKING:  # 只供类型检查
    from lmbook.keras_blocks import BertEmbeddingsTF, BertEncoderTF, EncoderBlockTF


def _bert_layer_pairs(layer: Any, block: Any) -> list[tuple]:
    """Hugging Face BertLayer 的子层 ↔ 本书 EncoderBlockTF 的子层（两者都是 Post-LN）。"""
    attn = layer.attention
    return [(attn.self.query, block.attn.W_q), (attn.self.key, block.attn.W_k), (attn.self.value, block.attn.W_v),
            (attn.output.dense, block.attn.W_o), (attn.output.LayerNorm, block.ln1),
            (layer.intermediate.dense, block.ffn.fc1), (layer.output.dense, block.ffn.fc2),
            (layer.output.LayerNorm, block.ln2)]


def _check_bert_layer(layer: Any, block: Any) -> None:
    """头数、Post-LN 与激活函数都要一致，否则复制过去的权重算出来的也不是同一个函数。"""
    act = type(layer.intermediate.intermediate_act_fn).__name__
    heads = layer.attention.self.num_attention_heads
    if block.norm_first or act != "GELUActivation" or block.ffn.fc1.activation.__name__ != "gelu" \
            or heads != block.attn.n_heads:
        raise ValueError(f"结构不同：BertLayer（Post-LN、{act}、{heads} 头）与 EncoderBlockTF（norm_first="
                         f"{block.norm_first}、{block.ffn.fc1.activation.__name__}、{block.attn.n_heads} 头）。")


@register_copy("torch.BertLayer", "keras.EncoderBlockTF")
def _bert_layer_pt_to_tf(src: Any, dst: EncoderBlockTF) -> None:
    """BertLayer → EncoderBlockTF：Q、K、V、输出投影，两个 LayerNorm（ε 必须相同），前馈的两层。"""
    _check_bert_layer(src, dst)
    build_keras(dst, src.attention.self.query.in_features)
    for a, b in _bert_layer_pairs(src, dst):
        copy_weights(a, b)


@register_copy("keras.EncoderBlockTF", "torch.BertLayer")
def _bert_layer_tf_to_pt(src: EncoderBlockTF, dst: Any) -> None:
    """EncoderBlockTF → BertLayer（反方向）。"""
    _check_bert_layer(dst, src)
    for a, b in _bert_layer_pairs(dst, src):
        copy_weights(b, a)


def _embedding_pairs(emb: Any, emb_tf: BertEmbeddingsTF) -> list[tuple]:
    """BertEmbeddings 与 BertEmbeddingsTF 里一一对应的子层。"""
    return [(emb.word_embeddings, emb_tf.word), (emb.position_embeddings, emb_tf.position),
            (emb.token_type_embeddings, emb_tf.token_type), (emb.LayerNorm, emb_tf.norm)]


@register_copy("torch.BertEmbeddings", "keras.BertEmbeddingsTF")
def _bert_embeddings_pt_to_tf(src: Any, dst: BertEmbeddingsTF) -> None:
    """三张嵌入表与 LayerNorm。"""
    if not dst.built:
        dst(np.zeros((1, 2), dtype="int32"))
    for a, b in _embedding_pairs(src, dst):
        copy_weights(a, b)


@register_copy("keras.BertEmbeddingsTF", "torch.BertEmbeddings")
def _bert_embeddings_tf_to_pt(src: BertEmbeddingsTF, dst: Any) -> None:
    """三张嵌入表与 LayerNorm（反方向）。"""
    for a, b in _embedding_pairs(dst, src):
        copy_weights(b, a)


def _bert_model_pairs(model: Any, encoder_tf: BertEncoderTF) -> list[tuple]:
    """BertModel 与 BertEncoderTF 里一一对应的部件：嵌入层与每一层（层数必须相同）。"""
    layers = list(model.encoder.layer)
    if len(layers) != len(encoder_tf.blocks):
        raise ValueError(f"层数不同：BertModel {len(layers)} 层，BertEncoderTF {len(encoder_tf.blocks)} 层。")
    return [(model.embeddings, encoder_tf.embeddings), *zip(layers, encoder_tf.blocks)]


@register_copy("torch.BertModel", "keras.BertEncoderTF")
def _bert_model_pt_to_tf(src: Any, dst: BertEncoderTF) -> None:
    """整个 BERT 编码器：嵌入层 + 每一层（池化层 pooler 不复制：BertEncoderTF 没有它）。"""
    if not dst.built:
        dst(np.zeros((1, 2), dtype="int32"))
    for a, b in _bert_model_pairs(src, dst):
        copy_weights(a, b)


@register_copy("keras.BertEncoderTF", "torch.BertModel")
def _bert_model_tf_to_pt(src: BertEncoderTF, dst: Any) -> None:
    """整个 BERT 编码器（反方向；dst 的 pooler 保持原样）。"""
    for a, b in _bert_model_pairs(dst, src):
        copy_weights(b, a)


# ── 出自 notebooks/ch06_capstone/02_gpt_from_scratch.ipynb ·「Keras 版本与逐元素对账」
from typing import TYPE_CHECKING


if TYPE_CHECKING:  # 只供类型检查：这两个类在第 6.2 节定义（库里是 lmbook.gpt / lmbook.keras_blocks）
    from lmbook.gpt import GPT
    from lmbook.keras_blocks import GPTTF


def _gpt_pairs(pt: GPT, tf: GPTTF) -> list[tuple]:
    """两个 GPT 里一一对应的层：嵌入、每块的 LN/QKV/投影/前馈、末尾 LN（和不共享时的输出层）。"""
    if len(pt.blocks) != len(tf.blocks) or pt.cfg.tie_weights != tf.tie_weights:
        raise ValueError(f"结构不同：PyTorch {len(pt.blocks)} 层、共享权重={pt.cfg.tie_weights}；"
                         f"Keras {len(tf.blocks)} 层、共享权重={tf.tie_weights}。")
    pairs = [(pt.tok_emb, tf.tok_emb), (pt.pos_emb, tf.pos_emb), (pt.ln_f, tf.ln_f)]
    for a, b in zip(pt.blocks, tf.blocks):
        pairs += [(a.ln1, b.ln1), (a.attn.qkv, b.attn.qkv), (a.attn.proj, b.attn.proj), (a.ln2, b.ln2),
                  (a.ffn.fc1, b.ffn.fc1), (a.ffn.fc2, b.ffn.fc2)]
    if not pt.cfg.tie_weights:
        pairs.append((pt.head, tf.head))
    return pairs


@register_copy("torch.GPT", "keras.GPTTF")
def _gpt_pt_to_tf(src: GPT, dst: GPTTF) -> None:
    """PyTorch GPT → Keras GPTTF：逐层复制（共享的输出层随词嵌入一起过去）。"""
    for a, b in _gpt_pairs(src, dst):
        copy_weights(a, b)


@register_copy("keras.GPTTF", "torch.GPT")
def _gpt_tf_to_pt(src: GPTTF, dst: GPT) -> None:
    """Keras GPTTF → PyTorch GPT（反方向）。"""
    for a, b in _gpt_pairs(dst, src):
        copy_weights(b, a)
