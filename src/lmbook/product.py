"""产品的算术：自建还是买 API 的盈亏平衡、每次请求的成本与延迟。

本文件由 tools/export_lessons.py 从笔记本中以 `#| export lmbook.product` 开头的单元格生成（Generated），请勿直接修改：
修改每段代码上方注明的那个笔记本单元格，然后运行 `make export`。
"""
# ruff: noqa
from __future__ import annotations


# ── 出自 notebooks/ch03_product/01_model_to_product.ipynb ·「自建还是买：盈亏平衡计算器」
import math
from dataclasses import dataclass

from lmbook.assumptions import (API_PRICE_INPUT_PER_M, API_PRICE_OUTPUT_PER_M, ENGINEER_COST_PER_MONTH,
                                GPU_MEMORY_BANDWIDTH, GPU_MEMORY_GIB, GPU_PEAK_FLOPS, GPU_PRICE_PER_HOUR, MFU)
from lmbook.sizing import inference_flops_per_token, weight_bytes

HOURS_PER_MONTH = 24 * 365 / 12  # 730 小时：一台机器整月开着的小时数


@dataclass(frozen=True)
class HostedAPI:
    """按词元计价的托管模型 API：输入、输出分开计价，单位是美元/百万词元（默认取 lmbook.assumptions 的示例价）。"""

    price_input_per_m: float = API_PRICE_INPUT_PER_M
    price_output_per_m: float = API_PRICE_OUTPUT_PER_M

    def cost_per_request(self, tokens_in: float, tokens_out: float) -> float:
        """一次请求的费用（美元）：输入词元数 × 输入单价 + 输出词元数 × 输出单价。"""
        return (tokens_in * self.price_input_per_m + tokens_out * self.price_output_per_m) / 1e6

    def cost_per_month(self, requests_per_month: float, tokens_in: float, tokens_out: float) -> float:
        """每月费用（美元）：没有固定成本，与请求量成正比。"""
        return requests_per_month * self.cost_per_request(tokens_in, tokens_out)


@dataclass(frozen=True)
class SelfHosted:
    """在按小时租用的 GPU 上自建推理服务，一个月的账。

    吞吐由规模公式估算（每个词元前向约 2·N FLOPs）：
    - 预填充（读入输入）受算力限制：每块 GPU 每秒 peak_flops × utilization ÷ 2N 个词元；
    - 解码（逐个生成输出）每一步都要把全部权重从显存读一遍、同时服务 batch_size 个序列，所以每块 GPU
      每秒最多 min(算力上限, batch_size × memory_bandwidth ÷ 权重字节数) 个词元。
    两者都忽略了 KV 缓存的读取、注意力本身的计算与排队，是乐观的上限；请用实测替换。
    load_factor：一个月里平均用到满负荷吞吐的比例（流量有峰谷）；engineer_months：每月花在部署、监控、
    升级上的工程师人月；weight_fraction：每块 GPU 显存里留给权重的比例（其余给 KV 缓存与激活）——
    放不下时一个副本要用多块 GPU，而且至少要一直租着一个副本。
    """

    n_params: float
    dtype: str = "bf16"
    batch_size: int = 16
    load_factor: float = 0.3
    engineer_months: float = 0.5
    weight_fraction: float = 0.5
    gpu_price_per_hour: float = GPU_PRICE_PER_HOUR
    peak_flops: float = GPU_PEAK_FLOPS
    utilization: float = MFU
    memory_bandwidth: float = GPU_MEMORY_BANDWIDTH
    gpu_memory_gib: float = GPU_MEMORY_GIB
    engineer_cost_per_month: float = ENGINEER_COST_PER_MONTH

    def __post_init__(self) -> None:
        """参数检查：比例必须在 (0, 1]，参数量必须为正，批大小至少为 1。"""
        for name in ("load_factor", "weight_fraction", "utilization"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"{name} 是比例，必须在 (0, 1] 之间，收到 {value!r}。")
        if self.n_params <= 0 or self.batch_size < 1:
            raise ValueError(f"n_params 必须为正、batch_size 必须 ≥ 1，收到 {self.n_params!r}、{self.batch_size!r}。")

    def gpus_per_replica(self) -> int:
        """放下一份权重需要几块 GPU（每块只拿 weight_fraction 的显存放权重）。"""
        usable = self.gpu_memory_gib * 2**30 * self.weight_fraction
        return max(1, math.ceil(weight_bytes(self.n_params, self.dtype) / usable))

    def prefill_tokens_per_second(self) -> float:
        """每块 GPU 每秒能读入的输入词元数（受算力限制）。"""
        return self.peak_flops * self.utilization / inference_flops_per_token(self.n_params)

    def decode_tokens_per_second(self) -> float:
        """每块 GPU 每秒能生成的输出词元数：算力上限与显存带宽上限中较小的一个。"""
        bandwidth_bound = self.batch_size * self.memory_bandwidth / weight_bytes(self.n_params, self.dtype)
        return min(self.prefill_tokens_per_second(), bandwidth_bound)

    def gpu_seconds_per_request(self, tokens_in: float, tokens_out: float) -> float:
        """满负荷时一次请求占用的 GPU·秒。"""
        return tokens_in / self.prefill_tokens_per_second() + tokens_out / self.decode_tokens_per_second()

    def fixed_cost_per_month(self) -> float:
        """没有流量也要付的钱（美元/月）：一直开着的一个副本 + 工程师时间。"""
        return (self.gpus_per_replica() * HOURS_PER_MONTH * self.gpu_price_per_hour
                + self.engineer_months * self.engineer_cost_per_month)

    def cost_per_month(self, requests_per_month: float, tokens_in: float, tokens_out: float) -> float:
        """每月费用（美元）：GPU 小时取“流量需要的”与“一个副本整月开着”中较大者，再加工程师时间。"""
        needed_hours = requests_per_month * self.gpu_seconds_per_request(tokens_in, tokens_out) / 3600 / self.load_factor
        gpu_hours = max(self.gpus_per_replica() * HOURS_PER_MONTH, needed_hours)
        return gpu_hours * self.gpu_price_per_hour + self.engineer_months * self.engineer_cost_per_month


def break_even_requests(api: HostedAPI, hosted: SelfHosted, tokens_in: float, tokens_out: float) -> float:
    """每月请求量达到多少时自建与 API 花费相等（更多时自建更省）；自建永远追不上时返回 math.inf。

    API 的月费是过原点的直线 a·R。自建的月费先是一段平台（固定成本 F，直到流量用满一个副本，即 R_满），
    之后是斜率为 b 的直线 b·R + 工程师费用。交点要么在平台上（R = F / a），要么在斜线上
    （R = 工程师费用 / (a − b)，要求 a > b）。
    """
    a = api.cost_per_request(tokens_in, tokens_out)
    gpu_s = hosted.gpu_seconds_per_request(tokens_in, tokens_out)
    b = gpu_s / 3600 / hosted.load_factor * hosted.gpu_price_per_hour
    fixed = hosted.fixed_cost_per_month()
    r_full = hosted.gpus_per_replica() * HOURS_PER_MONTH * 3600 * hosted.load_factor / gpu_s
    if a * r_full >= fixed:
        return fixed / a
    if a <= b:
        return math.inf
    return hosted.engineer_months * hosted.engineer_cost_per_month / (a - b)


# ── 出自 notebooks/ch03_product/01_model_to_product.ipynb ·「实测：一个小语言模型在这台机器上的延迟与成本」
import numpy as np


def latency_percentiles(seconds: "list[float] | np.ndarray", percentiles: tuple[float, ...] = (50, 95)) -> dict[str, float]:
    """一组单次请求耗时（秒）的分位数，如 {"p50": …, "p95": …}：p95 表示 95% 的请求不慢于它。"""
    values = np.asarray(seconds, dtype=float)
    if values.size == 0:
        raise ValueError("没有耗时数据：seconds 是空的。")
    return {f"p{p:g}": float(np.percentile(values, p)) for p in percentiles}


def cost_per_request(latency_s: float, price_per_hour: float, concurrency: float = 1.0) -> float:
    """按小时计价的机器上，每个请求分摊的费用（美元）：占用时间 × 每秒价格 ÷ 同时处理的请求数。"""
    if latency_s < 0 or price_per_hour < 0 or concurrency <= 0:
        raise ValueError(f"latency_s、price_per_hour 不能为负，concurrency 必须为正；收到 {latency_s!r}、{price_per_hour!r}、{concurrency!r}。")
    return latency_s * price_per_hour / 3600.0 / concurrency
