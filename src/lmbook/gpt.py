"""从零实现的 decoder-only GPT（PyTorch 与 Keras），以及它的训练与生成工具。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.gpt` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch06_capstone/01_tokens.ipynb ·「语料：《三国演义》」
import re
from dataclasses import dataclass

from lmbook import data


@dataclass(frozen=True)
class Corpus:
    """《三国演义》：120 回的正文首尾相接成一个字符串 text，回目单独放在 titles 里。"""

    text: str
    titles: list[str]


def sanguo_corpus() -> Corpus:
    """离线读取《三国演义》（lmbook.data.load_sanguo）：每回第一行是回目（如“第一回 宴桃园豪杰三结义 …”），
    单独取出；正文删去空格、全角空格与制表符，合并连续的换行。"""
    titles, bodies = [], []
    for chapter in data.load_sanguo():
        title, _, body = chapter.partition("\n")
        titles.append(" ".join(title.replace("\u3000", " ").split()))
        bodies.append(body)
    text = re.sub(r"\n+", "\n", re.sub(r"[ \t\u3000]+", "", "\n".join(bodies))).strip("\n")
    return Corpus(text, titles)


# ── 出自 notebooks/ch06_capstone/01_tokens.ipynb ·「按顺序划分：训练、验证、测试」
import torch

from lmbook.text import CharVocab, split_ids

SPLIT = (0.9, 0.05, 0.05)  # 训练 / 验证 / 测试：按字符顺序切，不打乱（相邻的文字不会分到两边）


def char_splits(text: str, fractions: tuple[float, ...] = SPLIT) -> tuple[CharVocab, list[torch.Tensor]]:
    """按字符顺序把 text 切成训练 / 验证 / 测试三段并编码。字符表只用训练段建立，另加 [UNK]：
    验证、测试里训练时没见过的字都记为 [UNK]。返回 (字符表, [三段的编号])。"""
    parts = split_ids(text, fractions)
    vocab = CharVocab(parts[0], specials=["[UNK]"])
    return vocab, [vocab.encode(part) for part in parts]


# ── 出自 notebooks/ch06_capstone/01_tokens.ipynb ·「BPE：把常见的字串合成一个词元」
import torch
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers


def train_bpe(text: str, vocab_size: int) -> Tokenizer:
    """在 text 上训练一个 BPE 分词器（Hugging Face tokenizers 库）。

    从单个字符出发，反复把训练文本里最常相邻出现的一对词元合并成一个新词元，直到词表有 vocab_size 个
    （含 [UNK]，训练文本里没有的字编码成它）。预分词：换行与每个标点各自单独成为一个词元、不参与合并，
    所以合并只发生在两个标点之间的汉字串里；中文没有空格，解码时直接把词元拼起来（decoders.Fuse）。
    """
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\n\p{P}]"), behavior="isolated")
    tokenizer.decoder = decoders.Fuse()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["[UNK]"], show_progress=False)
    tokenizer.train_from_iterator(text.splitlines(keepends=True), trainer)
    return tokenizer


def token_char_lengths(tokenizer: Tokenizer) -> torch.Tensor:
    """每个 BPE 词元覆盖几个字符（[UNK] 代替一个没见过的字，算 1）：把“每词元”的损失换算成“每字符”时要用。"""
    lengths = torch.ones(tokenizer.get_vocab_size(), dtype=torch.long)
    for token, i in tokenizer.get_vocab().items():
        if token != "[UNK]":
            lengths[i] = len(token)
    return lengths


# ── 出自 notebooks/ch06_capstone/01_tokens.ipynb ·「每字符比特：让两种分词可比」
import torch

from lmbook.text import NgramBaseline, bits_per_char


def ngram_bits_per_char(ngram: NgramBaseline, x: torch.Tensor, y: torch.Tensor, n_chars: int) -> dict[str, float]:
    """一元、二元基线的每字符比特：每个目标词元 y 的负对数似然（二元以 x 里同一位置的前一个词元为条件）
    加起来，换成比特，再除以这些目标覆盖的字符数 n_chars。x、y 形状相同（一维序列或一批窗口）。"""
    targets, prev = y.flatten(), x.flatten()
    return {"一元": bits_per_char(ngram.unigram_nll(targets) * len(targets), n_chars),
            "二元": bits_per_char(ngram.bigram_nll(prev, targets) * len(targets), n_chars)}


# ── 出自 notebooks/ch06_capstone/02_gpt_from_scratch.ipynb ·「配置：一个 dataclass 说清模型的尺寸」
from dataclasses import dataclass


@dataclass(frozen=True)
class GPTConfig:
    """一个 decoder-only GPT 的全部尺寸：词表、上下文长度、宽度、头数、层数、前馈宽度与 dropout。

    d_ff=None 表示 4·d_model；tie_weights=True 时输出层与词嵌入共享同一个矩阵；fused_attention=False 时
    注意力用第 2.1 节手写的 softmax(QKᵀ/√d)·V，True 时用 PyTorch 的融合实现 F.scaled_dot_product_attention
    （结果相同，更快、更省内存）。默认值是常说的 baby GPT（6 层、6 头、宽 384、上下文 256）。
    """

    vocab_size: int
    seq_len: int = 256
    d_model: int = 384
    n_heads: int = 6
    n_layers: int = 6
    d_ff: int | None = None
    dropout: float = 0.0
    tie_weights: bool = True
    fused_attention: bool = True

    def __post_init__(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} 必须能被 n_heads={self.n_heads} 整除。")

    @property
    def d_head(self) -> int:
        """每个头的维数 d_model // n_heads。"""
        return self.d_model // self.n_heads

    @property
    def ff_width(self) -> int:
        """前馈层的实际宽度（d_ff，默认 4·d_model）。"""
        return 4 * self.d_model if self.d_ff is None else self.d_ff


# ── 出自 notebooks/ch06_capstone/02_gpt_from_scratch.ipynb ·「因果自注意力」
import torch
import torch.nn.functional as F
from torch import nn

from lmbook.torch_blocks import attention


def causal_mask(n_q: int, n_k: int, device: torch.device | str | None = None) -> torch.Tensor:
    """(n_q, n_k) 的布尔掩码，True = 允许看：第 i 个查询（绝对位置 n_k − n_q + i）只看位置 ≤ 它自己的键。"""
    return torch.ones(n_q, n_k, dtype=torch.bool, device=device).tril(diagonal=n_k - n_q)


class CausalSelfAttention(nn.Module):
    """因果多头自注意力：一个 (d, 3d) 的线性层同时算出 Q、K、V，各头做带因果掩码的注意力，拼接后再投影。

    cache（KVCache）给出时，把这一段的 K、V 写进第 layer 层的缓存，查询对缓存里全部已有的位置做注意力——
    生成时每步只需算一个新位置。
    """

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.n_heads, self.d_head, self.fused = cfg.n_heads, cfg.d_head, cfg.fused_attention
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)

    def forward(self, x: torch.Tensor, cache: "KVCache | None" = None, layer: int = 0) -> torch.Tensor:
        """x: (B, T, d_model) → (B, T, d_model)。"""
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_heads, self.d_head).permute(2, 0, 3, 1, 4)  # 各 (B, h, T, d_head)
        if cache is not None:  # 新的 K、V 接在缓存里已有的位置之后
            start = cache.length
            cache.kv[layer, 0, :, :, start:start + T] = k
            cache.kv[layer, 1, :, :, start:start + T] = v
            k, v = cache.kv[layer, 0, :, :, :start + T], cache.kv[layer, 1, :, :, :start + T]
        n_k = k.shape[2]
        if self.fused:  # PyTorch 的融合注意力：不把 (T, n_k) 的分数矩阵写回内存
            mask = None if n_k == T else causal_mask(T, n_k, x.device)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=n_k == T)
        else:  # 第 2.1 节的写法：softmax(QKᵀ/√d)·V，显式的因果掩码
            y, _ = attention(q, k, v, causal_mask(T, n_k, x.device))
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


# ── 出自 notebooks/ch06_capstone/02_gpt_from_scratch.ipynb ·「Pre-LN 块与整个模型」
import math

import torch
import torch.nn.functional as F
from torch import nn

from lmbook.torch_blocks import FeedForward


class GPTBlock(nn.Module):
    """Pre-LN 解码器块：x + Dropout(注意力(LN(x)))，再 x + Dropout(前馈(LN(x)))；前馈网络是第 2.1 节的 FeedForward（GELU）。"""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.attn = CausalSelfAttention(cfg)
        self.ffn = FeedForward(cfg.d_model, cfg.ff_width, activation="gelu")
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, cache: "KVCache | None" = None, layer: int = 0) -> torch.Tensor:
        """(B, T, d_model) → (B, T, d_model)。"""
        x = x + self.drop(self.attn(self.ln1(x), cache, layer))
        return x + self.drop(self.ffn(self.ln2(x)))


class GPT(nn.Module):
    """decoder-only GPT：词嵌入 + 位置嵌入 → n_layers 个 Pre-LN 块 → LayerNorm → 输出层（默认与词嵌入共享权重）。

    初始化沿用 GPT-2：权重 N(0, 0.02²)，偏置为 0，每个块里写回残差流的两个投影再除以 √(2·n_layers)。
    forward 返回每个位置“下一个词元”的 logits (B, T, vocab_size)；cache 给出时从 cache.length 处接着算。
    """

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos_emb = nn.Embedding(cfg.seq_len, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(GPTBlock(cfg) for _ in range(cfg.n_layers))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        if cfg.tie_weights:
            self.head.weight = self.tok_emb.weight  # 同一个参数张量：输出层 = 词嵌入矩阵
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        for block in self.blocks:  # 残差流上每层加两次：让初始的总方差不随层数增长
            for w in (block.attn.proj.weight, block.ffn.fc2.weight):
                nn.init.normal_(w, std=0.02 / math.sqrt(2 * cfg.n_layers))

    def forward(self, ids: torch.Tensor, cache: "KVCache | None" = None) -> torch.Tensor:
        """ids: (B, T) 的词元编号 → (B, T, vocab_size) 的 logits。"""
        start = 0 if cache is None else cache.length
        if start + ids.shape[1] > self.cfg.seq_len:
            raise ValueError(f"位置 {start} + {ids.shape[1]} 个词元超出了上下文长度 seq_len={self.cfg.seq_len}。")
        positions = torch.arange(start, start + ids.shape[1], device=ids.device)
        x = self.drop(self.tok_emb(ids) + self.pos_emb(positions))
        for layer, block in enumerate(self.blocks):
            x = block(x, cache, layer)
        if cache is not None:
            cache.length += ids.shape[1]
        return self.head(self.ln_f(x))


def next_token_loss(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """语言模型的损失（给 lmbook.training.fit 用）：批次 (x, y) 上每个位置预测下一个词元的平均交叉熵（nat/词元）。"""
    x, y = batch
    logits = model(x)
    return F.cross_entropy(logits.flatten(0, 1).float(), y.flatten())


# ── 出自 notebooks/ch06_capstone/02_gpt_from_scratch.ipynb ·「生成：温度、top-k 与 top-p」
import torch
from torch import nn

from lmbook.text import sample_next


class KVCache:
    """生成时的 K/V 缓存：每层一份 (批, 头, seq_len, d_head) 的 K 和 V，length 是已经写进去的位置数。"""

    def __init__(self, cfg: GPTConfig, batch_size: int, device: torch.device | str | None = None,
                 dtype: torch.dtype = torch.float32) -> None:
        shape = (cfg.n_layers, 2, batch_size, cfg.n_heads, cfg.seq_len, cfg.d_head)
        self.kv = torch.zeros(shape, device=device, dtype=dtype)
        self.length = 0

    @property
    def capacity(self) -> int:
        """最多能缓存多少个位置（= 模型的 seq_len）。"""
        return self.kv.shape[4]


@torch.no_grad()
def generate_tokens(model: nn.Module, prompt: torch.Tensor, max_new_tokens: int, *, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, generator: torch.Generator | None = None,
             use_cache: bool = True) -> torch.Tensor:
    """从 prompt (B, T0) 接着生成 max_new_tokens 个词元，返回 (B, T0 + max_new_tokens)；评估模式，不记梯度。

    每一步用 lmbook.text.sample_next（温度、top-k、top-p）抽下一个词元。use_cache=True 时开头只算一遍、
    之后每步只算一个新位置（KV 缓存）；False 时每步重新计算整个前缀。T0 + max_new_tokens 不能超过 seq_len。
    """
    cfg = model.cfg
    if prompt.shape[1] + max_new_tokens > cfg.seq_len:
        raise ValueError(f"开头 {prompt.shape[1]} + 生成 {max_new_tokens} 个词元超出了 seq_len={cfg.seq_len}。")
    was_training = model.training
    model.eval()
    param = next(model.parameters())
    cache = KVCache(cfg, prompt.shape[0], param.device, param.dtype) if use_cache else None
    ids = prompt
    logits = model(ids, cache)[:, -1]
    for step in range(max_new_tokens):
        next_id = sample_next(logits, temperature=temperature, top_k=top_k, top_p=top_p, generator=generator)
        ids = torch.cat([ids, next_id[:, None]], dim=1)
        if step + 1 < max_new_tokens:
            logits = model(next_id[:, None], cache)[:, -1] if use_cache else model(ids)[:, -1]
    model.train(was_training)
    return ids


# ── 出自 notebooks/ch06_capstone/03_benchmark.ipynb ·「先数：训练一个词元要多少次浮点运算」
from lmbook.sizing import gpt_params


def gpt_flops_per_token(cfg: GPTConfig) -> float:
    """训练一个词元（前向 + 反向）的浮点运算：6·(N − 位置嵌入) + 12·n_layers·seq_len·d_model。

    6N 是每个参数的乘加（前向 2、反向 4）；位置嵌入只查表、不做乘法；后一项是注意力分数 QKᵀ 与 A·V
    （每层前向 4·T·d，连反向 ×3），按惯例不扣除因果掩码省下的一半。偏置、LayerNorm、softmax 的运算忽略不计。
    """
    n = gpt_params(cfg.n_layers, cfg.d_model, cfg.vocab_size, cfg.seq_len, cfg.ff_width, cfg.tie_weights)
    return 6.0 * (n - cfg.seq_len * cfg.d_model) + 12.0 * cfg.n_layers * cfg.seq_len * cfg.d_model


# ── 出自 notebooks/ch06_capstone/03_benchmark.ipynb ·「峰值：这台 CPU 的矩阵乘能跑多快」
import torch

from lmbook.timing import measure


def measure_matmul_peak(device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32, n: int = 1024,
                        repeat: int = 5) -> float:
    """实测的矩阵乘峰值（FLOP/s）：两个 n×n 矩阵相乘（2n³ 次运算）的中位数耗时。CPU 没有数据手册上的峰值可查，
    用它做算力利用率的分母。"""
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=generator).to(device=device, dtype=dtype)
    b = torch.randn(n, n, generator=generator).to(device=device, dtype=dtype)
    timing = measure(lambda: a @ b, name="矩阵乘", repeat=repeat, warmup=2, device=device, memory=False)
    return 2 * n ** 3 / timing.median_s


# ── 出自 notebooks/ch06_capstone/03_benchmark.ipynb ·「基准函数」
import time
from dataclasses import dataclass

import torch

from lmbook.sizing import model_flops_utilization
from lmbook.timing import measure

BENCH_CONFIGS: dict[str, tuple[GPTConfig, int]] = {  # 名字 → (模型配置, 批大小)；词表是《三国演义》的字符表
    "cpu": (GPTConfig(vocab_size=3_888, seq_len=64, d_model=96, n_heads=4, n_layers=3), 32),
    "baby": (GPTConfig(vocab_size=3_888, seq_len=256, d_model=384, n_heads=6, n_layers=6, dropout=0.2), 64),
}


@dataclass(frozen=True)
class GPTBenchmark:
    """一次基准测试的结果：每步毫秒、每秒词元、峰值内存、每步运算量、实际 FLOP/s 与 MFU。"""

    device: str
    dtype: str
    compiled: bool
    fused_attention: bool
    batch_size: int
    seq_len: int
    ms_per_iter: float
    tokens_per_s: float
    peak_mem_mib: float
    flops_per_iter: float
    achieved_flops: float
    peak_flops: float
    mfu: float
    warmup_s: float = 0.0  # 热身各步的总秒数（compile=True 时包含编译）

    def row(self) -> dict[str, object]:
        """表格的一行（中文列名）。"""
        return {"设备": self.device, "精度": self.dtype, "编译": self.compiled, "融合注意力": self.fused_attention,
                "批": self.batch_size, "毫秒/步": round(self.ms_per_iter, 1), "词元/秒": round(self.tokens_per_s),
                "峰值内存 MiB": round(self.peak_mem_mib), "GFLOP/s": round(self.achieved_flops / 1e9, 1),
                "MFU": round(self.mfu, 3)}


def benchmark_gpt(cfg: GPTConfig, *, batch_size: int, peak_flops: float, device: torch.device | str = "cpu",
                  amp_dtype: torch.dtype | None = None, compile: bool = False, steps: int = 5, warmup: int = 2,
                  seed: int = 0) -> GPTBenchmark:
    """在 device 上计时 GPT(cfg) 的完整训练步（前向、反向、AdamW），随机词元，批大小 batch_size。

    先热身 warmup 步（编译与内存分配发生在这里，总秒数记在 warmup_s），再计时 steps 步取中位数；amp_dtype=torch.bfloat16 时在
    autocast 下前向；compile=True 时先 torch.compile。peak_flops 是 MFU 的分母（GPU 取数据手册的峰值，
    CPU 用 measure_matmul_peak 实测）。
    """
    device = torch.device(device)
    torch.manual_seed(seed)
    model = GPT(cfg).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    step_model = torch.compile(model) if compile else model
    generator = torch.Generator().manual_seed(seed)
    x = torch.randint(0, cfg.vocab_size, (batch_size, cfg.seq_len + 1), generator=generator).to(device)
    batch = (x[:, :-1], x[:, 1:])

    def train_step() -> None:
        with torch.autocast(device.type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None):
            loss = next_token_loss(step_model, batch)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    start = time.perf_counter()
    for _ in range(warmup):  # 热身单独计时：编译发生在第一步
        train_step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    warmup_s = time.perf_counter() - start
    timing = measure(train_step, name="训练步", repeat=steps, warmup=0, items=batch_size * cfg.seq_len,
                     item_unit="词元", device=device)
    flops = gpt_flops_per_token(cfg) * batch_size * cfg.seq_len
    seconds = timing.median_s
    return GPTBenchmark(device=str(device), dtype="bf16" if amp_dtype == torch.bfloat16 else "fp32", compiled=compile,
                        fused_attention=cfg.fused_attention, batch_size=batch_size, seq_len=cfg.seq_len,
                        ms_per_iter=1e3 * seconds, tokens_per_s=batch_size * cfg.seq_len / seconds,
                        peak_mem_mib=(timing.peak_mem_bytes or 0) / 2**20, flops_per_iter=flops,
                        achieved_flops=flops / seconds, peak_flops=peak_flops,
                        mfu=model_flops_utilization(flops, seconds, peak_flops), warmup_s=warmup_s)


# ── 出自 notebooks/ch06_capstone/04_ddp_save_serve.ipynb ·「保存与加载：safetensors」
import dataclasses
import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_model, save_model

from lmbook.text import CharVocab


def save_gpt(path: str | Path, model: GPT, vocab: CharVocab) -> Path:
    """把 GPT 存成一个 safetensors 文件：权重（共享的矩阵只存一次），配置与字符表放在元数据里。"""
    path = Path(path)
    metadata = {"gpt_config": json.dumps(dataclasses.asdict(model.cfg)),
                "vocab_itos": json.dumps(vocab.itos, ensure_ascii=False), "n_chars": str(vocab.n_chars)}
    save_model(model, str(path), metadata=metadata)
    return path


def load_gpt(path: str | Path, device: torch.device | str = "cpu") -> tuple[GPT, CharVocab]:
    """save_gpt 的反面：按元数据里的配置建模型、载入权重（评估模式），并还原字符表。"""
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
    model = GPT(GPTConfig(**json.loads(metadata["gpt_config"])))
    load_model(model, str(path), device=str(device))
    itos = json.loads(metadata["vocab_itos"])
    n_chars = int(metadata["n_chars"])
    vocab = CharVocab("".join(itos[:n_chars]), specials=itos[n_chars:])
    return model.to(device).eval(), vocab


# ── 出自 notebooks/ch06_capstone/06_finetune.ipynb ·「按整回切分：预训练看不到下游的验证和测试」
import re

from lmbook import data


def sanguo_chapters() -> list[str]:
    """《三国演义》120 回各自的正文（不含回目），清理方式与 sanguo_corpus 相同：删去空格、全角空格与制表符，
    合并连续的换行。"\\n".join(sanguo_chapters()) 等于 sanguo_corpus().text。按回切分数据时用它。"""
    return [re.sub(r"\n+", "\n", re.sub(r"[ \t\u3000]+", "", chapter.partition("\n")[2])).strip("\n")
            for chapter in data.load_sanguo()]


# ── 出自 notebooks/ch06_capstone/06_finetune.ipynb ·「分类头：池化隐藏状态，再过一个线性层」
import torch
from torch import nn


def gpt_hidden(model: GPT, ids: torch.Tensor) -> torch.Tensor:
    """GPT 最后一层 LayerNorm 之后的隐藏状态 (B, T, d_model)，即去掉输出层的前向：
    model(ids) 等于 model.head(gpt_hidden(model, ids))。给分类头、句向量之类的下游用途。"""
    if ids.shape[1] > model.cfg.seq_len:
        raise ValueError(f"{ids.shape[1]} 个词元超出了上下文长度 seq_len={model.cfg.seq_len}。")
    positions = torch.arange(ids.shape[1], device=ids.device)
    x = model.drop(model.tok_emb(ids) + model.pos_emb(positions))
    for block in model.blocks:
        x = block(x)
    return model.ln_f(x)


class GPTClassifier(nn.Module):
    """GPT 主体（预训练的或随机初始化的）+ 分类头：把隐藏状态池化成一个向量，再过一个线性层得到 n_classes 个 logits。

    pool="mean" 取所有位置的平均；pool="last" 取最后一个位置（因果注意力下只有它看过整段）。
    主体就是传进来的 gpt 对象本身（不复制），微调时它和分类头一起更新。
    """

    def __init__(self, gpt: GPT, n_classes: int, pool: str = "mean") -> None:
        if pool not in ("mean", "last"):
            raise ValueError(f"pool 只能是 'mean' 或 'last'，收到 {pool!r}。")
        super().__init__()
        self.gpt, self.pool = gpt, pool
        self.head = nn.Linear(gpt.cfg.d_model, n_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """ids: (B, T) 的词元编号 → (B, n_classes) 的 logits。"""
        h = gpt_hidden(self.gpt, ids)
        return self.head(h.mean(dim=1) if self.pool == "mean" else h[:, -1])
