import random
import sys

import numpy as np
import pytest

import lmbook
from lmbook.env import ONLINE_ENV_VAR, NotebookEnv, online_mode
from lmbook.scale import Scale


def test_in_colab(monkeypatch):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert not lmbook.in_colab()
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-x")
    assert lmbook.in_colab()


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("0", False), ("", False), ("off", False)])
def test_online_mode(monkeypatch, raw, expected):
    monkeypatch.setenv(ONLINE_ENV_VAR, raw)
    assert online_mode() is expected
    assert online_mode(True) is True  # an explicit argument wins


def test_online_mode_rejects_garbage(monkeypatch):
    monkeypatch.setenv(ONLINE_ENV_VAR, "maybe")
    with pytest.raises(lmbook.LmbookError, match="LMBOOK_ONLINE='maybe'.*1.*0"):
        online_mode()


def test_seed_everything_repeats_python_numpy_torch():
    import torch

    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    lmbook.seed_everything(7)
    first = draw()
    lmbook.seed_everything(7)
    assert draw() == first


def test_seed_everything_repeats_keras():
    lmbook.env.import_tensorflow()
    import keras

    lmbook.seed_everything(3)
    a = keras.random.normal((3,)).numpy()
    lmbook.seed_everything(3)
    np.testing.assert_array_equal(a, keras.random.normal((3,)).numpy())


@pytest.mark.parametrize("bad", [-1, 1.5, "0"])
def test_seed_must_be_non_negative_int(bad):
    with pytest.raises(ValueError, match="seed 必须是非负整数"):
        lmbook.seed_everything(bad)


def test_torch_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert lmbook.torch_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert lmbook.torch_device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert lmbook.torch_device().type == "cpu"


def test_tf_gpus_is_a_list():
    assert isinstance(lmbook.tf_gpus(), list)


def test_setup_prints_one_summary_line(capsys, monkeypatch):
    monkeypatch.setenv("LMBOOK_SCALE", "cpu")
    env = lmbook.setup(seed=1)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    for part in ("Python", "torch", "tensorflow", "keras", "规模 CPU"):
        assert part in out[0]
    assert env.scale is Scale.CPU and env.cjk_font


def test_setup_knows_its_notebook_threads_and_precision(capsys, monkeypatch):
    import numpy as np
    import torch

    monkeypatch.setenv("LMBOOK_FRAMEWORKS", "torch")
    before = torch.get_num_threads()
    try:
        env = lmbook.setup(seed=0, notebook="ch00_preface/01_quickstart", plots=False, threads=1)
        assert env.notebook == "ch00_preface/01_quickstart" and env.threads == 1
        assert torch.get_num_threads() == 1 and np.get_printoptions()["precision"] == 4
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ValueError, match="threads 必须是正整数"):
        lmbook.setup(threads=0)


def test_cpu_test_environment_is_in_force():
    import os

    for key, value in lmbook.CPU_TEST_ENV.items():
        assert os.environ[key] == value, f"conftest.py should apply {key}"


def test_summary_without_frameworks():
    env = NotebookEnv(scale=Scale.GPU, colab=True, online=True, seed=0, versions={"python": "3.13"})
    assert env.summary() == "Python 3.13 | 规模 GPU | 联网 | Colab"


def test_frameworks_env_var_turns_tensorflow_off(monkeypatch, capsys):
    monkeypatch.setenv("LMBOOK_FRAMEWORKS", "torch")
    env = lmbook.setup(plots=False)
    assert "tensorflow" not in env.versions and "torch" in env.versions
    monkeypatch.setenv("LMBOOK_FRAMEWORKS", "jax")
    with pytest.raises(lmbook.LmbookError, match="LMBOOK_FRAMEWORKS 只能列出 torch"):
        lmbook.setup()


def test_machine_description_is_neutral():
    import os

    text = lmbook.machine_description()
    assert text.startswith(f"{os.cpu_count()} 个逻辑核的") and ("无 GPU" in text or "GPU：" in text)
