"The test command's guard: a hand edit of an exported module must fail with a message that says what to do."
import shutil, subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _copy_project(dst: Path) -> Path:
    for name in ("settings.ini", "nbs", "rvi", "tools"):
        src = ROOT / name
        (shutil.copytree(src, dst / name, ignore=shutil.ignore_patterns("__pycache__", "experiments")) if src.is_dir() else shutil.copy(src, dst / name))
    (dst / ".venv").symlink_to(ROOT / ".venv")
    return dst

def test_in_sync_passes(tmp_path):
    proj = _copy_project(tmp_path)
    r = subprocess.run(["bash", "tools/check_sync.sh"], cwd=proj, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

def test_hand_edited_module_fails_with_instructions(tmp_path):
    proj = _copy_project(tmp_path)
    core = proj / "rvi" / "core.py"
    core.write_text(core.read_text() + "\nHAND_EDIT = 1\n")
    r = subprocess.run(["bash", "tools/check_sync.sh"], cwd=proj, capture_output=True, text=True)
    assert r.returncode != 0
    assert "rvi/core.py differs" in r.stderr and "nbs/00_core.ipynb" in r.stderr
    assert "edit the notebook" in r.stderr and "make export" in r.stderr

def test_dirty_notebook_fails(tmp_path):
    import nbformat
    proj = _copy_project(tmp_path)
    nbp = proj / "nbs" / "00_core.ipynb"
    nb = nbformat.read(nbp, 4)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.outputs = [nbformat.v4.new_output("stream", text="left over output\n")]
    cell.execution_count = 7
    nbformat.write(nb, nbp)
    r = subprocess.run(["bash", "tools/check_sync.sh"], cwd=proj, capture_output=True, text=True)
    assert r.returncode != 0 and "nbs/00_core.ipynb" in r.stderr and "not clean" in r.stderr

def test_readme_is_the_front_page():
    r = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "tools/readme.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def test_docs_link_check_finds_broken_links_and_anchors(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("docs", ROOT / "tools" / "docs.py")
    docs = importlib.util.module_from_spec(spec); spec.loader.exec_module(docs)
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text('<a href="sub/a.html#x">a</a> <a href="https://example.org/b">ext</a> <a href="#top">t</a><h1 id="top">')
    (tmp_path / "sub" / "a.html").write_text('<h2 id="x"></h2><a href="../missing.html">m</a><a href="../index.html#nowhere">n</a>')
    assert docs.broken_links(tmp_path) == ["sub/a.html: ../index.html#nowhere (no such anchor)", "sub/a.html: ../missing.html"]
