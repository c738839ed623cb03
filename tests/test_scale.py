import pytest

from lmbook import Scale, ScaleError, get_scale, pick
from lmbook.scale import ENV_VAR


@pytest.mark.parametrize("raw, expected", [("cpu", Scale.CPU), ("GPU", Scale.GPU), (" cpu ", Scale.CPU)])
def test_explicit_values(raw, expected):
    assert get_scale(raw) is expected


def test_auto_follows_cuda(monkeypatch):
    monkeypatch.setattr("lmbook.scale._cuda_available", lambda: True)
    assert get_scale("auto") is Scale.GPU
    monkeypatch.setattr("lmbook.scale._cuda_available", lambda: False)
    assert get_scale("") is Scale.CPU


def test_env_var_is_read(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "gpu")
    assert get_scale() is Scale.GPU
    assert pick(cpu=1, gpu=2) == 2
    monkeypatch.setenv(ENV_VAR, "cpu")
    assert pick(cpu=1, gpu=2) == 1


def test_unknown_value_names_the_variable_and_the_fix(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "tpu")
    with pytest.raises(ScaleError) as err:
        get_scale()
    message = str(err.value)
    assert "LMBOOK_SCALE='tpu'" in message
    assert "auto、cpu 或 gpu" in message
    assert "export LMBOOK_SCALE=cpu" in message
    assert isinstance(err.value, ValueError)  # callers may catch the standard type


def test_pick_accepts_scale_object():
    assert pick(cpu="small", gpu="big", scale=Scale.GPU) == "big"
