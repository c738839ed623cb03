"""lmbook.product (generated from notebooks/ch03_product/01_model_to_product.ipynb): the build-vs-buy arithmetic,
with every price passed explicitly so the pinned numbers do not move when the example prices in lmbook.assumptions do."""
import math

import pytest

from lmbook import product
from lmbook.sizing import inference_flops_per_token

# an A100-80GB-like GPU (datasheet peak and bandwidth) at example prices
GPU = dict(gpu_price_per_hour=2.0, peak_flops=312e12, utilization=0.4, memory_bandwidth=2.039e12, gpu_memory_gib=80,
           engineer_cost_per_month=15_000.0, weight_fraction=0.5, batch_size=16, load_factor=0.3)
API = product.HostedAPI(price_input_per_m=0.5, price_output_per_m=1.5)


def hosted(n_params=8e9, **changes):
    return product.SelfHosted(n_params=n_params, **{**GPU, "engineer_months": 0.5, **changes})


def test_inference_flops_are_two_per_parameter():
    assert inference_flops_per_token(1e9) == 2e9


def test_api_cost_is_linear_in_tokens_and_requests():
    assert API.cost_per_request(500, 200) == pytest.approx(0.00055)
    assert API.cost_per_month(1e6, 500, 200) == pytest.approx(550.0)
    assert API.cost_per_month(0, 500, 200) == 0


def test_self_hosted_throughput_memory_and_fixed_cost():
    h = hosted()
    assert h.gpus_per_replica() == 1                      # 16 GB of bf16 weights fit in half of 80 GiB
    assert h.prefill_tokens_per_second() == pytest.approx(7800.0)   # 312e12 × 0.4 / (2 × 8e9)
    assert h.decode_tokens_per_second() == pytest.approx(2039.0)    # 16 × 2.039e12 / 16e9: bandwidth-bound
    assert h.gpu_seconds_per_request(500, 200) == pytest.approx(500 / 7800 + 200 / 2039)
    assert h.fixed_cost_per_month() == pytest.approx(730 * 2.0 + 0.5 * 15_000)
    assert hosted(batch_size=62).decode_tokens_per_second() == pytest.approx(7800.0)   # compute-bound from B ≈ 61
    assert hosted(70e9).gpus_per_replica() == 4


def test_self_hosted_cost_is_flat_then_linear():
    h = hosted()
    assert h.cost_per_month(0, 500, 200) == pytest.approx(8960.0)
    assert h.cost_per_month(1e6, 500, 200) == pytest.approx(8960.0)          # one replica is not yet busy
    big = 1e9
    expected = big * h.gpu_seconds_per_request(500, 200) / 3600 / 0.3 * 2.0 + 7500
    assert h.cost_per_month(big, 500, 200) == pytest.approx(expected)


def test_break_even_on_the_slope_on_the_plateau_and_never():
    r = product.break_even_requests(API, hosted(), 500, 200)
    assert r == pytest.approx(30_042_250.93, rel=1e-6)
    assert API.cost_per_month(r, 500, 200) == pytest.approx(hosted().cost_per_month(r, 500, 200))
    r0 = product.break_even_requests(API, hosted(engineer_months=0.0), 500, 200)
    assert r0 == pytest.approx(1460.0 / 0.00055)                                # the crossing is on the plateau
    assert math.isinf(product.break_even_requests(API, hosted(70e9), 500, 200))  # marginal cost above the API's


@pytest.mark.parametrize("field, value", [("load_factor", 0.0), ("load_factor", 1.5), ("utilization", -0.1),
                                          ("weight_fraction", 2.0)])
def test_self_hosted_rejects_bad_fractions(field, value):
    with pytest.raises(ValueError, match=field):
        hosted(**{field: value})


def test_self_hosted_rejects_bad_size():
    with pytest.raises(ValueError, match="n_params"):
        hosted(0)


def test_latency_percentiles_and_cost_per_request():
    assert product.latency_percentiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == pytest.approx({"p50": 5.5, "p95": 9.55})
    assert product.latency_percentiles([0.2], percentiles=(99,)) == {"p99": 0.2}
    assert product.cost_per_request(0.5, 0.08) == pytest.approx(0.5 * 0.08 / 3600)
    assert product.cost_per_request(1.0, 3.6, concurrency=4) == pytest.approx(0.00025)
    with pytest.raises(ValueError, match="空"):
        product.latency_percentiles([])
    with pytest.raises(ValueError, match="concurrency"):
        product.cost_per_request(1.0, 1.0, concurrency=0)
