"""文本工具：字符词表、语言模型的窗口与批次、80/10/10 掩码、一元与二元基线、困惑度与每字符比特、采样、句向量。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.text` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch00_preface/02_offline_data.ipynb ·「社区预训练模型：句向量与它的边界」
from typing import Any

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm


def sentence_embeddings(tokenizer: Any, encoder: Any, sentences: list[str], *, batch_size: int = 64,
                        max_length: int = 128, device: Any = None, progress: bool = False) -> torch.Tensor:
    """句向量：编码器最后一层的输出按注意力掩码做均值池化，再做 L2 归一化；返回 (句子数, d) 的 CPU 张量。"""
    device = device if device is not None else next(encoder.parameters()).device
    chunks = []
    for start in tqdm(range(0, len(sentences), batch_size), desc="句向量编码", disable=not progress):
        batch = tokenizer(sentences[start:start + batch_size], padding=True, truncation=True,
                          max_length=max_length, return_tensors="pt").to(device)
        with torch.inference_mode():
            hidden = encoder(**batch).last_hidden_state              # (批, 词元数, d)
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # 填充位置为 0，不参与平均
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
        chunks.append(F.normalize(pooled, dim=-1).cpu())
    return torch.cat(chunks)


# ── 出自 notebooks/ch01_resources/03_lstm_is_not_bert.ipynb ·「数据」
import math
from typing import Sequence

import numpy as np
import torch


class CharVocab:
    """字符表：每个不同的字符一个编号（按码位排序），specials（如 "[MASK]"）接在后面。"""

    def __init__(self, text: str, specials: Sequence[str] = ()) -> None:
        self.chars = sorted(set(text))
        self.specials = list(specials)
        self.itos = self.chars + self.specials
        self.stoi = {tok: i for i, tok in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    @property
    def n_chars(self) -> int:
        """普通字符的个数（不含 specials）：它们的编号是 0 … n_chars-1。"""
        return len(self.chars)

    def id(self, token: str) -> int:
        """一个字符或特殊记号的编号。"""
        return self.stoi[token]

    def encode(self, text: str) -> torch.Tensor:
        """字符串 → 编号张量（int64）；遇到字符表里没有的字符时报错并指出是哪个字。"""
        unk = self.stoi.get("[UNK]")
        try:
            return torch.tensor([self.stoi[ch] if unk is None else self.stoi.get(ch, unk) for ch in text],
                                dtype=torch.long)
        except KeyError as err:
            raise ValueError(f"字符 {err.args[0]!r} 不在字符表里（{self.n_chars} 个字符）："
                             "用包含它的文本建表，或在 specials 里加 \"[UNK]\"。") from None

    def decode(self, ids: Sequence[int] | torch.Tensor) -> str:
        """编号 → 字符串（特殊记号原样写出）。"""
        values = ids.tolist() if isinstance(ids, torch.Tensor) else ids
        return "".join(self.itos[i] for i in values)


def split_ids(ids: torch.Tensor, fractions: Sequence[float] = (0.8, 0.1, 0.1)) -> list[torch.Tensor]:
    """按顺序把一条长序列切成连续的几段（训练 / 验证 / 测试），不打乱，避免相邻文本泄漏到两边。"""
    if not math.isclose(sum(fractions), 1.0) or min(fractions) <= 0:
        raise ValueError(f"fractions 必须都为正且加起来等于 1，收到 {tuple(fractions)}。")
    bounds = np.cumsum([0, *fractions])
    cuts = [round(b * len(ids)) for b in bounds]
    return [ids[a:b] for a, b in zip(cuts[:-1], cuts[1:])]


# ── 出自 notebooks/ch01_resources/03_lstm_is_not_bert.ipynb ·「衡量标准与基线：困惑度、一元与二元模型」
import math
from typing import Any

import numpy as np


def perplexity(mean_nll: float) -> float:
    """困惑度 = exp(平均负对数似然，单位 nat)：相当于模型在“几个等可能的候选”里犹豫。"""
    return math.exp(mean_nll)


def bits_per_char(total_nll_nats: float, n_chars: int) -> float:
    """每字符比特：总负对数似然（nat）换成比特，再除以原文的字符数——不同分词方式之间可比。"""
    return total_nll_nats / math.log(2) / n_chars


class NgramBaseline:
    """一元与二元频率模型：任何语言模型都必须先赢过它们，才说明它学到了频率以外的东西。

    一元：P(b) = (c(b)+1)/(N+V)（加一平滑）。二元：P(b|a) = (c(a,b) + β·P(b)) / (c(a) + β)，
    即以一元分布为先验的平滑；β 在训练序列的最后 10% 上选（只用训练数据）。
    """

    def __init__(self, train_ids: Any, vocab_size: int, prior_strength: float | None = None) -> None:
        ids = np.asarray(train_ids, dtype=np.int64)
        self.vocab_size = vocab_size
        counts = np.bincount(ids, minlength=vocab_size).astype(np.float64)
        self.unigram = (counts + 1) / (counts.sum() + vocab_size)
        self.prev_counts = np.bincount(ids[:-1], minlength=vocab_size).astype(np.float64)
        self.pair_codes, self.pair_counts = np.unique(ids[:-1] * vocab_size + ids[1:], return_counts=True)
        if prior_strength is None:  # 在训练序列的最后 10% 上挑 β，模型只见过前 90%
            cut = int(len(ids) * 0.9)
            trial, held = NgramBaseline(ids[:cut], vocab_size, prior_strength=1.0), ids[cut:]
            grid = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
            prior_strength = min(grid, key=lambda beta: trial.bigram_nll(held[:-1], held[1:], prior_strength=beta))
        self.prior_strength = float(prior_strength)

    def unigram_nll(self, targets: Any) -> float:
        """平均负对数似然（nat/词元）：只按字频猜。"""
        t = np.asarray(targets, dtype=np.int64)
        return float(-np.log(self.unigram[t]).mean())

    def bigram_nll(self, prev: Any, targets: Any, prior_strength: float | None = None) -> float:
        """平均负对数似然（nat/词元）：按前一个词元猜；prev 不是普通词元（如 [MASK]）时退回一元。"""
        a = np.asarray(prev, dtype=np.int64)
        b = np.asarray(targets, dtype=np.int64)
        known = (a >= 0) & (a < self.vocab_size)
        codes = np.where(known, a, 0) * self.vocab_size + b
        pos = np.clip(np.searchsorted(self.pair_codes, codes), 0, len(self.pair_codes) - 1)
        pair = np.where(self.pair_codes[pos] == codes, self.pair_counts[pos], 0).astype(np.float64)
        beta = self.prior_strength if prior_strength is None else prior_strength
        prior = self.unigram[b]
        p = np.where(known, (pair + beta * prior) / (self.prev_counts[np.where(known, a, 0)] + beta), prior)
        return float(-np.log(p).mean())


# ── 出自 notebooks/ch01_resources/03_lstm_is_not_bert.ipynb ·「批次：并排的连续文本」
import torch


def lm_windows(ids: torch.Tensor, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """不重叠的窗口：x 是 (窗口数, seq_len)，y 是 x 向右错一位（每个位置的“下一个词元”）。"""
    n = (len(ids) - 1) // seq_len
    if n < 1:
        raise ValueError(f"序列只有 {len(ids)} 个词元，切不出长度 {seq_len} 的窗口。")
    return ids[: n * seq_len].view(n, seq_len), ids[1: n * seq_len + 1].view(n, seq_len)


def random_windows(ids: torch.Tensor, batch_size: int, seq_len: int,
                   generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """随机起点的一批窗口 (batch_size, seq_len) 及其右移一位的目标；起点由 generator 决定，可复现。"""
    if len(ids) <= seq_len:
        raise ValueError(f"序列只有 {len(ids)} 个词元，不够取长度 {seq_len} 的窗口。")
    starts = torch.randint(0, len(ids) - seq_len, (batch_size,), generator=generator)
    offsets = torch.arange(seq_len)
    x = ids[starts[:, None] + offsets]
    y = ids[starts[:, None] + offsets + 1]
    return x, y


# ── 出自 notebooks/ch01_resources/03_lstm_is_not_bert.ipynb ·「生成一段“三国”」
import torch


def sample_next(logits: torch.Tensor, *, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """从最后一维的 logits 里抽下一个词元：(..., V) → (...)。

    temperature=0 为贪心（取最大）；top_k 只在概率最高的 k 个里抽；top_p 只在累计概率达到 p 的最小集合里抽
    （核采样）。generator 要和 logits 在同一设备上（CPU 上的 generator 就先把 logits 搬到 CPU）。
    """
    if temperature < 0:
        raise ValueError(f"temperature 必须 ≥ 0，收到 {temperature}。")
    if temperature == 0:
        return logits.argmax(dim=-1)
    scores = logits.float() / temperature
    if top_k is not None:
        kth = torch.topk(scores, min(top_k, scores.shape[-1]), dim=-1).values[..., -1:]
        scores = scores.masked_fill(scores < kth, float("-inf"))
    if top_p is not None:
        if not 0 < top_p <= 1:
            raise ValueError(f"top_p 必须在 (0, 1] 之间，收到 {top_p}。")
        sorted_scores, order = torch.sort(scores, dim=-1, descending=True)
        probs = torch.softmax(sorted_scores, dim=-1)
        outside = probs.cumsum(dim=-1) - probs > top_p  # 前面的词元已经凑够 p：这个不要
        sorted_scores = sorted_scores.masked_fill(outside, float("-inf"))
        scores = torch.full_like(scores, float("-inf")).scatter(-1, order, sorted_scores)
    probs = torch.softmax(scores, dim=-1)
    flat = torch.multinomial(probs.reshape(-1, probs.shape[-1]), 1, generator=generator)
    return flat.reshape(probs.shape[:-1])


# ── 出自 notebooks/ch01_resources/03_lstm_is_not_bert.ipynb ·「15% 选中、80/10/10 替换」
import torch

IGNORE_INDEX = -100  # F.cross_entropy 默认忽略的标签


def mask_tokens(ids: torch.Tensor, *, mask_id: int, n_regular: int, generator: torch.Generator,
                p_select: float = 0.15) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT 的 80/10/10 掩码：选中 p_select 的位置，其中 80% 换成 [MASK]、10% 换成随机的普通词元、10% 原样保留。

    返回 (改动后的输入, 标签)；标签只在被选中的位置保留原词元，其余为 IGNORE_INDEX（不计损失）。
    n_regular 是普通词元的个数（随机替换只从 0 … n_regular-1 里抽，不会抽到特殊记号）。
    """
    chosen = torch.rand(ids.shape, generator=generator) < p_select
    roll = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(0, n_regular, ids.shape, generator=generator)
    inputs = ids.clone()
    inputs[chosen & (roll < 0.8)] = mask_id
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = random_ids[swap]
    labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE_INDEX))
    return inputs, labels


# ── 出自 notebooks/ch04_challenges/01_data_challenges.ipynb ·「局部敏感哈希：不做两两比较也能找到候选」
from datasketch import MinHash, MinHashLSH


def char_shingles(text: str, shingle: int = 3) -> set[str]:
    """一段文本的字符 k-gram 集合（k = shingle）；比 k 短的文本整体算一个。中文不用分词，直接按字切。"""
    if shingle < 1:
        raise ValueError(f"shingle 必须 ≥ 1，收到 {shingle}。")
    if len(text) <= shingle:
        return {text}
    return {text[i:i + shingle] for i in range(len(text) - shingle + 1)}


def jaccard(a: set, b: set) -> float:
    """两个集合的 Jaccard 相似度 |A∩B| / |A∪B|（两个空集算 1）。"""
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def near_duplicate_groups(texts: list[str], *, threshold: float = 0.8, num_perm: int = 128, shingle: int = 3,
                          seed: int = 0) -> list[int]:
    """给每条文本一个组号：完全相同或近似重复的文本同组。组号从 0 起，按每组第一次出现的顺序编号。

    1. 完全相同的字符串先并为一组（字典，精确）；
    2. 每个不同的字符串取字符 shingle-gram 集合，算 num_perm 个置换的 MinHash 签名（datasketch，种子 seed）；
    3. MinHashLSH（阈值 threshold）按“分段相等”找出候选对，再用真实的 Jaccard 相似度复核，
       只有 ≥ threshold 的才合并（并查集：相似关系可以传递，A≈B、B≈C 时三者同组）。
    LSH 只会漏掉（相似度贴近阈值的对偶尔找不到），复核保证不会误并。结果只取决于参数，可复现。
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold 是 Jaccard 相似度的下限，应在 (0, 1] 内，收到 {threshold}。")
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        if text in first:
            union(first[text], i)
        else:
            first[text] = i
    reps = list(first.values())  # 每个不同字符串的第一次出现
    grams = {i: char_shingles(texts[i], shingle) for i in reps}
    signatures = MinHash.bulk([[g.encode("utf-8") for g in grams[i]] for i in reps], num_perm=num_perm, seed=seed)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, signature in zip(reps, signatures):
        for j in lsh.query(signature):
            if jaccard(grams[i], grams[j]) >= threshold:
                union(i, j)
        lsh.insert(i, signature)
    ids: dict[int, int] = {}
    return [ids.setdefault(find(i), len(ids)) for i in range(len(texts))]
