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
