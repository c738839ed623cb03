"""Every assumed number of the book, in one place, with its unit, source and date.

Hardware peaks come from vendor datasheets; prices are *examples* (not quotes from any vendor)
that a reader replaces with their own. Notebooks import these constants — they never type a
price or a peak FLOP/s themselves — and show :func:`table` where they use them, so the reader
sees which numbers are assumptions. One value per quantity for the whole book.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Assumption:
    name: str
    value: float
    unit: str
    meaning: str
    source: str
    as_of: str


_REGISTRY: dict[str, Assumption] = {}


def _assume(name: str, value: float, unit: str, meaning: str, source: str, as_of: str) -> float:
    _REGISTRY[name] = Assumption(name, value, unit, meaning, source, as_of)
    return value


# ---------------------------------------------------------------- hardware (vendor datasheets)
GPU_PEAK_FLOPS = _assume(
    "GPU_PEAK_FLOPS", 312e12, "FLOP/s", "一块 GPU 的 bf16 稠密矩阵乘峰值（取 NVIDIA A100）",
    "NVIDIA A100 Tensor Core GPU 数据手册（312 TFLOP/s，bf16，不计稀疏）", "2020")
GPU_MEMORY_GIB = _assume(
    "GPU_MEMORY_GIB", 80, "GiB", "一块数据中心 GPU 的显存（A100/H100 的 80GB 版本）",
    "NVIDIA A100 80GB / H100 数据手册", "2021")
GPU_MEMORY_BANDWIDTH = _assume(
    "GPU_MEMORY_BANDWIDTH", 2.039e12, "字节/秒", "一块 GPU 的显存带宽（取 A100 80GB SXM）；逐词元解码时每一步都要把权重读一遍，它决定解码速度的上限",
    "NVIDIA A100 Tensor Core GPU 数据手册（80GB SXM：2,039 GB/s；PCIe 版 1,935 GB/s）", "2021")
MFU = _assume(
    "MFU", 0.40, "比例", "模型算力利用率：训练中真正用于模型计算的 FLOP/s 占峰值的比例",
    "由 Llama 2 公开的 GPU 小时反推（第 1.1 节计算得 41%–43%）", "2023")

#: bf16 dense tensor-core peaks of GPUs a reader may meet (Colab, clouds), for MFU; vendor datasheets
PEAK_BF16_FLOPS_BY_GPU: dict[str, float] = {
    "T4": 65e12,  # fp16 (T4 has no bf16 tensor cores)
    "L4": 121e12,
    "A100": 312e12,
    "H100 SXM": 989e12,
    "H100 PCIe": 756e12,
    "H200": 989e12,
}



def peak_flops_for(device_name: str) -> float | None:
    """The datasheet bf16 dense peak of a GPU from its name (e.g. ``torch.cuda.get_device_name()``), or None."""
    name = device_name.upper()
    for key in sorted(PEAK_BF16_FLOPS_BY_GPU, key=len, reverse=True):  # "H100 PCIe" before "H100"
        words = key.upper().split()
        if all(w in name for w in words):
            return PEAK_BF16_FLOPS_BY_GPU[key]
    if "H100" in name:  # SXM unless the name says PCIe
        return PEAK_BF16_FLOPS_BY_GPU["H100 SXM"]
    return None


# ---------------------------------------------------------------- prices (examples, replace them)
GPU_PRICE_PER_HOUR = _assume(
    "GPU_PRICE_PER_HOUR", 2.0, "美元/GPU·小时", "按需租用一块 A100 级 GPU 的示例价",
    "示例值，不是任何厂商的报价；请换成你拿到的报价", "2026-11")
GPU_PURCHASE_PRICE = _assume(
    "GPU_PURCHASE_PRICE", 25_000.0, "美元/块", "购买一块同级数据中心 GPU 的示例价",
    "示例值，不是任何厂商的报价", "2026-11")
INFRA_SHARE = _assume(
    "INFRA_SHARE", 0.3, "比例", "服务器、网络、机柜等配套按 GPU 价格分摊的比例", "示例值", "2026-11")
LIFETIME_YEARS = _assume("LIFETIME_YEARS", 3, "年", "自有 GPU 的折旧年限", "示例值（常见的 3 年折旧）", "2026-11")
OPS_PER_GPU_YEAR = _assume(
    "OPS_PER_GPU_YEAR", 1_500.0, "美元/块·年", "每块自有 GPU 每年分摊的运维人力与托管费用", "示例值", "2026-11")
GPU_POWER_KW = _assume("GPU_POWER_KW", 0.7, "千瓦", "每块 GPU（含散热）满载平均功耗", "示例值", "2026-11")
PRICE_PER_KWH = _assume("PRICE_PER_KWH", 0.15, "美元/千瓦时", "电价", "示例值", "2026-11")
HOURS_PER_YEAR = 24 * 365

API_PRICE_INPUT_PER_M = _assume(
    "API_PRICE_INPUT_PER_M", 0.50, "美元/百万输入词元", "托管大模型 API 的输入价格",
    "示例值，不是任何厂商的报价；请换成你要比较的那家的公开价目表", "2026-11")
API_PRICE_OUTPUT_PER_M = _assume(
    "API_PRICE_OUTPUT_PER_M", 1.50, "美元/百万输出词元", "托管大模型 API 的输出价格",
    "示例值，不是任何厂商的报价", "2026-11")
ENGINEER_COST_PER_MONTH = _assume(
    "ENGINEER_COST_PER_MONTH", 15_000.0, "美元/人·月", "一名工程师的全成本（工资、社保、设备）",
    "示例值；请换成你团队的真实成本", "2026-11")

CPU_CORE_PRICE_PER_HOUR = _assume(
    "CPU_CORE_PRICE_PER_HOUR", 0.04, "美元/核·小时", "按需租用云主机时一个 CPU 核（vCPU）一小时的示例价",
    "示例值，不是任何厂商的报价；请换成你拿到的报价", "2026-11")


def get(name: str) -> Assumption:
    """The full record (value, unit, meaning, source, date) of one assumption."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"没有名为 {name!r} 的假设；可选：{', '.join(sorted(_REGISTRY))}。") from None


def table(*names: str) -> Any:
    """A pandas table of the named assumptions (all when no name is given), for display in a notebook."""
    import pandas as pd

    rows = [get(n) for n in names] if names else list(_REGISTRY.values())
    return pd.DataFrame(
        [{"名称": a.name, "取值": a.value, "单位": a.unit, "含义": a.meaning, "来源": a.source, "日期": a.as_of} for a in rows]
    ).set_index("名称")
