"""Experiment configurations chosen by scale, and the GPU-scale dry run that caps them."""
from dataclasses import dataclass
from typing import ClassVar

import pytest

import lmbook
from lmbook.scale import DRY_RUN_ENV_VAR, ENV_VAR, dry_run_active


@dataclass(frozen=True)
class TrainCfg(lmbook.Config):
    d_model: int = 64
    steps: int = 200
    n_train: int = 1000
    CAPS: ClassVar[dict] = {"steps": 3, "n_train": 256}


def test_capped_limits_only_the_named_fields():
    gpu = TrainCfg(d_model=768, steps=5000, n_train=60_000)
    assert gpu.capped() == TrainCfg(d_model=768, steps=3, n_train=256)
    assert TrainCfg(steps=2).capped().steps == 2, "a cap never raises a value"


def test_pick_dry_run(monkeypatch):
    cpu, gpu = TrainCfg(), TrainCfg(d_model=768, steps=5000, n_train=60_000)
    monkeypatch.setenv(ENV_VAR, "gpu")
    monkeypatch.setenv(DRY_RUN_ENV_VAR, "0")
    assert lmbook.pick(cpu=cpu, gpu=gpu) is gpu
    monkeypatch.setenv(DRY_RUN_ENV_VAR, "1")
    assert dry_run_active() and lmbook.pick(cpu=cpu, gpu=gpu) == gpu.capped()
    assert lmbook.pick(cpu=10, gpu=60_000, dry_run=100) == 100
    assert lmbook.pick(cpu=10, gpu=60_000) == 60_000, "plain numbers without dry_run= keep the GPU value"
    monkeypatch.setenv(ENV_VAR, "cpu")
    assert lmbook.pick(cpu=cpu, gpu=gpu) is cpu, "the dry run only changes GPU scale"
    monkeypatch.setenv(DRY_RUN_ENV_VAR, "sometimes")
    with pytest.raises(lmbook.ScaleError, match="LMBOOK_DRY_RUN='sometimes'"):
        dry_run_active()


def test_bad_caps_and_non_dataclass():
    @dataclass(frozen=True)
    class Bad(lmbook.Config):
        steps: int = 1
        CAPS: ClassVar[dict] = {"epochs": 1}

    with pytest.raises(ValueError, match=r"\['epochs'\] 不是字段"):
        Bad().capped()
    with pytest.raises(TypeError, match="必须是 dataclass"):
        lmbook.Config().capped()


def test_show_prints_and_returns_itself(capsys):
    cfg = TrainCfg()
    assert cfg.show("小实验") is cfg
    assert capsys.readouterr().out.strip() == "实验配置「小实验」：d_model=64，steps=200，n_train=1000"
