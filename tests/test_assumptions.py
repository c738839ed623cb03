"""Every assumed number has one value, a unit, a source and a date."""
import pytest

from lmbook import assumptions


def test_every_assumption_is_documented():
    table = assumptions.table()
    assert len(table) >= 10
    for name, row in table.iterrows():
        assert row["单位"] and row["含义"] and row["来源"] and row["日期"], name
        assert getattr(assumptions, name) == row["取值"], f"{name}: the constant and the record disagree"


def test_one_gpu_price_and_memory_for_the_whole_book():
    assert assumptions.GPU_PRICE_PER_HOUR == 2.0 and assumptions.GPU_MEMORY_GIB == 80
    assert assumptions.get("MFU").value == 0.40
    with pytest.raises(KeyError, match="没有名为 'PRICE'"):
        assumptions.get("PRICE")


@pytest.mark.parametrize("name, peak", [("NVIDIA H100 80GB HBM3", 989e12), ("NVIDIA H100 PCIe", 756e12),
                                        ("Tesla T4", 65e12), ("NVIDIA A100-SXM4-80GB", 312e12), ("NVIDIA H200", 989e12),
                                        ("NVIDIA L4", 121e12), ("Some CPU", None)])
def test_peak_flops_for_device_names(name, peak):
    assert assumptions.peak_flops_for(name) == peak
