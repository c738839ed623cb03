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


# ── 出自 notebooks/ch05_innovation/01_pretraining.ipynb ·「语料、字符表与划分」
from dataclasses import dataclass

import numpy as np

from lmbook.data import load_chinese_reviews, load_sanguo
from lmbook.evaluation import group_split

CHAR_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[MASK]")  # 字符表之外的四个特殊记号
REVIEW_SPLIT = (0.7, 0.1, 0.2)  # 评论的训练 / 验证 / 测试比例（按近似重复组划分）


@dataclass
class ChineseCorpus:
    """第 5 章的中文数据：《三国演义》全文、购物评论与标签（1 = 正面）、按近似重复组划分的下标、字符表。"""

    sanguo: str
    texts: list[str]
    labels: np.ndarray
    train_idx: np.ndarray
    val_idx: np.ndarray
    test_idx: np.ndarray
    vocab: CharVocab


def chinese_corpus(*, online: bool | None = None, seed: int = 0) -> ChineseCorpus:
    """读入《三国演义》与评论；评论先用 near_duplicate_groups 归组，再用 group_split 按 REVIEW_SPLIT 划分，
    近似重复的评论不会跨两份。字符表 = 《三国演义》的字 ∪ 训练部分评论的字 + CHAR_SPECIALS（验证、测试部分
    才出现的字记为 [UNK]）。online 传给 load_chinese_reviews（联网时换成更大的评论集）。"""
    texts, labels = load_chinese_reviews(online=online)
    train_idx, val_idx, test_idx = group_split(near_duplicate_groups(texts), REVIEW_SPLIT, seed=seed)
    sanguo = "".join(load_sanguo())
    vocab = CharVocab(sanguo + "".join(texts[i] for i in train_idx), specials=CHAR_SPECIALS)
    return ChineseCorpus(sanguo, list(texts), np.asarray(labels), train_idx, val_idx, test_idx, vocab)


# ── 出自 notebooks/ch05_innovation/01_pretraining.ipynb ·「一个可以复用的预训练函数」
from typing import Iterator, Sequence

import torch



def encode_texts(vocab: CharVocab, texts: Sequence[str], seq_len: int, *, cls: str = "[CLS]",
                 pad: str = "[PAD]") -> torch.Tensor:
    """一批文本 → (条数, seq_len) 的编号：开头一个 cls，接着最多 seq_len-1 个字，不足处补 pad。

    字符表外的字记为 "[UNK]"（vocab 的 specials 里要有它）。填充位置的编号是 vocab.id(pad)，
    模型据此算出填充掩码。
    """
    ids = torch.full((len(texts), seq_len), vocab.id(pad), dtype=torch.long)
    ids[:, 0] = vocab.id(cls)
    for row, text in enumerate(texts):
        body = vocab.encode(text[: seq_len - 1])
        ids[row, 1: 1 + len(body)] = body
    return ids


def masked_windows(ids: torch.Tensor, *, batch_size: int, seq_len: int, mask_id: int, n_regular: int,
                seed: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """掩码语言模型的批次，无穷无尽：随机起点的窗口 (batch_size, seq_len)，再做 80/10/10 掩码。

    产出 (改动后的输入, 标签)；标签只在被选中的位置是原字，其余为 IGNORE_INDEX。种子固定则序列可复现。
    """
    if len(ids) <= seq_len:
        raise ValueError(f"语料只有 {len(ids)} 个词元，不够取长度 {seq_len} 的窗口。")
    generator = torch.Generator().manual_seed(seed)
    offsets = torch.arange(seq_len)
    while True:
        starts = torch.randint(0, len(ids) - seq_len + 1, (batch_size,), generator=generator)
        yield mask_tokens(ids[starts[:, None] + offsets], mask_id=mask_id, n_regular=n_regular, generator=generator)


# ── 出自 notebooks/ch05_innovation/02_value_of_pretraining.ipynb ·「真正的预训练：社区模型 MiniLM 的学习曲线」
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import warnings

#: 英文主题分类的类别 → 取文档字符串的模块（都随本书的环境安装，离线可用）
DOCSTRING_TOPICS: dict[str, tuple[str, ...]] = {
    "statistics": ("scipy.stats",),
    "signal processing": ("scipy.signal",),
    "plotting": ("matplotlib.axes", "matplotlib.pyplot", "matplotlib.figure"),
    "networking": ("email.message", "http.client", "http.server", "urllib.request", "urllib.parse", "smtplib",
                   "ftplib", "socket", "ssl", "imaplib"),
    "files and processes": ("os", "shutil", "pathlib", "tarfile", "zipfile", "tempfile", "glob", "subprocess"),
}


def first_sentence(doc: str) -> str:
    """文档字符串的第一句（第一段里第一个句号、问号或叹号为止，换行并成空格）。"""
    paragraph = inspect.cleandoc(doc).strip().split("\n\n")[0].replace("\n", " ")
    found = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    return re.sub(r"\s+", " ", found.group(1) if found else paragraph).strip()


def docstring_sentences(topics: dict[str, tuple[str, ...]], min_words: int = 5,
                        max_words: int = 40) -> dict[str, list[int]]:
    """在当前进程里收集：句子 → 出现在哪些类别（编号）。docstring_topics 在一个新的进程里调用它。

    只收 __module__ 属于同一个包的对象（包名是模块名的第一段：恰好是它，或以“包名.”开头）：
    别的包的对象一律跳过，名字前缀相同也不算（matplotlib_inline 不属于 matplotlib）。
    """
    found: dict[str, set[int]] = {}
    for label, modules in enumerate(topics.values()):
        for module_name in modules:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = importlib.import_module(module_name)

            package = module_name.split(".")[0]

            def own(obj: object) -> bool:
                origin = str(getattr(obj, "__module__", "") or "")
                return origin == package or origin.startswith(package + ".")

            objects = []
            for name, obj in sorted(vars(module).items()):
                if name.startswith("_") or not (inspect.isclass(obj) or callable(obj)) or not own(obj):
                    continue
                objects.append(obj)
                if inspect.isclass(obj):
                    objects += [m for n, m in sorted(vars(obj).items()) if not n.startswith("_") and callable(m)]
            for obj in objects:
                doc = getattr(obj, "__doc__", None)
                if not isinstance(doc, str) or not doc.strip():
                    continue
                sentence = first_sentence(doc)
                if min_words <= len(sentence.split()) <= max_words and "(" not in sentence.split()[0]:
                    found.setdefault(sentence, set()).add(label)
    return {s: sorted(ls) for s, ls in found.items()}


def docstring_topics(topics: dict[str, tuple[str, ...]] | None = None, *, min_words: int = 5,
                     max_words: int = 40) -> tuple[list[str], list[int], list[str]]:
    """一个离线的英文主题分类数据集：已安装库里公开函数、类与方法的文档字符串的第一句，按出自哪个领域打标签。

    只收定义在这些模块所属的包里的对象（例如 pyplot 从 matplotlib.ticker 导入的类算“绘图”），跳过别的包的；只收 min_words～max_words 个词的句子；
    完全相同的句子只留一条（出现在两个类别里的整句丢掉）。返回 (句子, 类别编号, 类别名)，按句子排序。
    收集在一个新的 Python 进程里进行：结果与调用方之前导入过什么、IPython 给 pyplot 包装过什么都无关。
    不是公开的基准数据集：内容随库的版本略有变化（本书的输出来自 constraints.txt 钉住的版本）。
    """
    topics = DOCSTRING_TOPICS if topics is None else topics
    names = list(topics)
    # 子进程只执行这两个函数的源码（不导入 lmbook），环境变量去掉 Jupyter 设的绘图后端
    script = "\n".join([
        "import importlib, inspect, json, re, sys, warnings",
        inspect.getsource(first_sentence), inspect.getsource(docstring_sentences),
        "args = json.loads(sys.argv[1])",
        "print(json.dumps(docstring_sentences(args['topics'], args['min_words'], args['max_words'])))"])
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    args = json.dumps({"topics": topics, "min_words": min_words, "max_words": max_words})
    done = subprocess.run([sys.executable, "-c", script, args], capture_output=True, text=True, env=env, check=True)
    found = json.loads(done.stdout)
    pairs = sorted((s, ls[0]) for s, ls in found.items() if len(ls) == 1)
    return [s for s, _ in pairs], [y for _, y in pairs], names


# ── 出自 notebooks/ch05_innovation/02_value_of_pretraining.ipynb ·「真正的预训练：社区模型 MiniLM 的学习曲线」
from dataclasses import dataclass
from typing import Any

from lmbook.data import load_chinese_reviews, load_minilm, source_dir
from lmbook.env import online_mode

CHINESE_BERT_ID = "google-bert/bert-base-chinese"  # 联网模式下的中文 BERT（Hugging Face Hub 上的模型 id）


@dataclass
class EncoderTask:
    """一个社区预训练编码器和一个与它语言相配的分类任务。"""

    tokenizer: Any
    encoder: Any
    texts: list[str]
    labels: list[int]
    names: list[str]
    description: str


def encoder_task(*, online: bool | None = None, hub_id: str = CHINESE_BERT_ID) -> EncoderTask:
    """离线：随包附带的英文 MiniLM + 英文主题分类（docstring_topics）。联网（online=True 或 LMBOOK_ONLINE=1）：
    hub_id 指定的中文 BERT + 中文购物评论情感。调用方的代码一字不改，只换这个开关。"""
    if online_mode(online):
        tokenizer, encoder = load_minilm(online=True, hub_id=hub_id)
        texts, labels = load_chinese_reviews(online=True)
        return EncoderTask(tokenizer, encoder, list(texts), [int(v) for v in labels], ["负面", "正面"],
                           f"{hub_id} + 中文评论情感（联网）")
    tokenizer, encoder = load_minilm(online=False)
    texts, labels, names = docstring_topics()
    return EncoderTask(tokenizer, encoder, texts, labels, names,
                       f"all-MiniLM-L6-v2（{source_dir('minilm').name}）+ 英文主题分类（离线）")
