"""rvi.grid: grid expansion, hashes, skipping finished cells, resuming killed runs (toy notebooks and the smoke preset)."""
import json, os, signal, subprocess, sys, time
from pathlib import Path

import nbformat
import pytest

from rvi.core import RunPaths, get_preset, write_json
from rvi.grid import (Cell, cell_hash, cell_state, expand_grid, grid_counts, marker_path, run_cells, grid_status,
                      notebook_path, FIGURE_GROUPS)

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- expansion
@pytest.mark.parametrize("preset,students,sweep,ratios,orders,biphasic", [
    ("paper", 5, 5, 3, 2, 4), ("tiny", 3, 1, 3, 2, 4), ("smoke", 1, 1, 1, 2, 1)])
def test_counts_per_family(preset, students, sweep, ratios, orders, biphasic):
    cfg = get_preset(preset)
    n = grid_counts(expand_grid(cfg))
    assert n["train:mono"] == students * 2 * 2
    assert n["train:ratio"] == sweep * ratios * orders          # the ratio sweep and bi-phasic runs: `sweep_students`
    assert n["train:biphasic"] == sweep * biphasic
    assert n["eval"] == n["train"] + students + 2          # + base students + teacher in both modes
    assert n["data"] == 2 and n["students"] == 1 and n["aggregate"] == 1
    assert n["figures"] == len(FIGURE_GROUPS) + 1           # figure groups + claims
    assert n["judge"] == min(cfg.judge_shards, n["eval"])


def test_sweep_students_must_be_students():
    from rvi.core import ConfigError
    with pytest.raises(ConfigError, match="sweep_students.*'l'"): get_preset("tiny", sweep_students=["l"])
    trained = {c.params["student"] for c in expand_grid(get_preset("tiny")) if c.stage == "train" and 0 < c.params["ratio"] < 1}
    assert trained == {"s"}


def test_generate_answers_batches_benchmarks(tmp_path):
    "Small benchmarks share one engine call; each file holds its own benchmark's answers; existing files are kept."
    import rvi.synthetic  # noqa: F401 -- registers the syn-* benchmarks
    from rvi.grid import generate_answers
    from rvi.generation import SyntheticBackend
    from rvi.tasks import load_benchmark
    from rvi.core import read_jsonl
    benches = ["syn-gsm8k", "syn-squad", "syn-winogrande"]
    calls = []
    class Counting(SyntheticBackend):
        def generate(self, chats, *a, **k):
            calls.append(len(chats)); return super().generate(chats, *a, **k)
    eng = Counting(records=[e for b in benches for e in load_benchmark(b, limit=3)])
    assert generate_answers(eng, "t", benches, tmp_path, n_eval=3, sampling="teacher-ift", enable_thinking=False) == dict.fromkeys(benches, 3)
    assert calls == [9]
    for b in benches:
        assert [r["benchmark"] for r in read_jsonl(tmp_path / f"{b}.jsonl")] == [b] * 3
    (tmp_path / "syn-squad.jsonl").unlink()
    generate_answers(eng, "t", benches, tmp_path, n_eval=3, sampling="teacher-ift", enable_thinking=False, min_batch=1)
    assert calls == [9, 3]                                   # only the missing benchmark is generated again


def test_deps_and_variants():
    cells = expand_grid(get_preset("tiny"))
    by = {c.id: c for c in cells}
    order = [c.id for c in cells]
    for c in cells:
        for d in c.deps:
            assert d in by and order.index(d) < order.index(c.id), (c.id, d)
    assert by["train/s-general-ift"].deps == ("students/base", "data/general")
    assert by["train/s-general-reasoning-to-math-ift"].deps == ("train/s-general-reasoning", "data/math")
    assert by["train/s-general-r75-mixed"].params["lineage"] == "general-mix75"
    assert by["eval/xs-base"].params["shots"] == 3 and by["eval/xs-general-ift"].params["shots"] == 0
    # Figure 9/10 variants only for the mono-phasic models of the ablation domains
    assert set(by["eval/s-general-reasoning"].params["variants"]) == {"default", "len-cap", "long"}
    assert set(by["eval/s-math-reasoning"].params["variants"]) == {"default"}
    assert set(by["aggregate/results"].deps) == {c.id for c in cells if c.stage == "judge"}
    kinds = set().union(*(c.kinds for c in cells if c.stage == "eval"))
    assert kinds == {"mono-general", "mono-math", "ratio-sequential", "ratio-mixed", "biphasic", "base", "teacher",
                     "len-cap", "long"}


def test_hashes_stable_across_processes():
    here = {c.id: c.hash for c in expand_grid(get_preset("paper"))}
    code = ("import json; from rvi.grid import expand_grid; from rvi.core import get_preset; "
            "print(json.dumps({c.id: c.hash for c in expand_grid(get_preset('paper'))}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "123"})
    assert json.loads(out.stdout) == here
    assert len(set(here.values())) == len(here)


def test_hash_changes_only_downstream():
    a = {c.id: c.hash for c in expand_grid(get_preset("smoke"))}
    b = {c.id: c.hash for c in expand_grid(get_preset("smoke", base_shots=2))}
    changed = {k for k in a if a[k] != b[k]}
    assert "eval/xs-base" in changed and "aggregate/results" in changed
    assert not any(k.startswith(("train/", "data/", "students/")) for k in changed)
    assert "eval/xs-general-ift" not in changed


def test_only_selects_what_a_figure_needs():
    pytest.importorskip("rvi.figures")
    cells = expand_grid(get_preset("tiny"), only=["fig09"])
    stages = {c.stage for c in cells}
    assert {"eval", "judge", "aggregate", "figures"} <= stages
    figs = [c for c in cells if c.stage == "figures" and c.name != "claims"]
    assert [c.params["figures"] for c in figs] == [["fig09"]]
    assert all("len-cap" in c.params["variants"] for c in cells if c.stage == "eval" and c.params["source"] == "trained")


# ---------------------------------------------------------------- runner on toy notebooks
def _toy_nb(path, body="(Path(runs_root)/preset/f'{name}.txt').write_text(str(value))"):
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell("name = ''\nruns_root = figures_root = preset = world = ''\nseed = 0\nvalue = 0\nsleep = 0")
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_code_cell("import time\nfrom pathlib import Path\ntime.sleep(sleep)\n" + body)]
    nbformat.write(nb, path)


def _toy_cells(nb, preset, value=1, sleep=0):
    a = Cell("data", "a", {"preset": preset, "name": "a", "value": value, "sleep": sleep}, (), (), str(nb))
    a.hash = cell_hash("data", "a", a.notebook, a.params, {})
    b = Cell("train", "b", {"preset": preset, "name": "b", "value": 2}, ("data/a",), (), str(nb))
    b.hash = cell_hash("train", "b", b.notebook, b.params, {"data/a": a.hash})
    return [a, b]


def test_skip_finished_and_markers(tmp_path):
    _toy_nb(tmp_path / "toy.ipynb")
    rp = RunPaths("toy", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    cells = _toy_cells(tmp_path / "toy.ipynb", "toy")
    r = run_cells(cells, rp, workers=2, exp_dir=tmp_path, quiet=True)
    assert r["done"] == ["data/a", "train/b"] and not r["failed"]
    for c in cells:
        m = json.loads(marker_path(rp, c).read_text())
        assert m["status"] == "done" and m["hash"] == c.hash and m["wall_s"] > 0
        assert notebook_path(rp, c).exists()
    assert not list((rp.root / "grid").rglob("*.tmp"))          # atomic writes leave no temp files
    r2 = run_cells(cells, rp, workers=2, exp_dir=tmp_path, quiet=True)
    assert r2["done"] == [] and r2["skipped"] == ["data/a", "train/b"] and r2["wall_s"] < 5
    # a changed parameter makes the cell and its dependent pending again (nbs/10_grid.ipynb reruns them)
    assert [cell_state(c, rp)["state"] for c in _toy_cells(tmp_path / "toy.ipynb", "toy", value=7)] == ["pending", "pending"]


def test_interrupted_cell_is_pending_and_reruns(tmp_path):
    _toy_nb(tmp_path / "toy.ipynb")
    rp = RunPaths("toy", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    a, b = _toy_cells(tmp_path / "toy.ipynb", "toy")
    dead = subprocess.Popen([sys.executable, "-c", "pass"]); dead.wait()
    write_json(marker_path(rp, a), {"status": "running", "hash": a.hash, "pid": dead.pid, "host": os.uname().nodename})
    st = cell_state(a, rp)
    assert st["state"] == "pending" and st["why"] == "interrupted"
    write_json(marker_path(rp, a), {"status": "running", "hash": a.hash, "pid": os.getpid(), "host": os.uname().nodename})
    assert cell_state(a, rp)["state"] == "running"
    write_json(marker_path(rp, a), {"status": "running", "hash": a.hash, "pid": dead.pid, "host": os.uname().nodename})
    assert run_cells([a, b], rp, exp_dir=tmp_path, quiet=True)["done"] == ["data/a", "train/b"]


def test_failure_blocks_dependents_and_reports_log(tmp_path):
    _toy_nb(tmp_path / "bad.ipynb", body="raise RuntimeError(f'broken cell {name}')")
    rp = RunPaths("toy", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    cells = _toy_cells(tmp_path / "bad.ipynb", "toy")
    r = run_cells(cells, rp, exp_dir=tmp_path, quiet=True)
    assert r["failed"] == ["data/a"] and r["blocked"] == ["train/b"]
    s = grid_status(rp, cells)
    assert s.state.tolist() == ["failed", "pending"]
    assert "broken cell a" in s.why[0] and Path(s.log[0]).exists()
    assert "broken cell a" in Path(s.log[0]).read_text() + notebook_path(rp, cells[0]).read_text()


def test_submitit_debug_executor(tmp_path):
    pytest.importorskip("submitit")
    _toy_nb(tmp_path / "toy.ipynb")
    rp = RunPaths("toyslurm", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    cells = _toy_cells(tmp_path / "toy.ipynb", "toyslurm")
    r = run_cells(cells, rp, executor="submitit", cluster="debug", exp_dir=tmp_path, quiet=True)
    assert r["done"] == ["data/a", "train/b"] and (rp.root / "b.txt").read_text() == "2"
    assert run_cells(cells, rp, executor="submitit", cluster="debug", exp_dir=tmp_path, quiet=True)["skipped"] == ["data/a", "train/b"]


@pytest.mark.slow
def test_submitit_local_executor(tmp_path):
    pytest.importorskip("submitit")
    _toy_nb(tmp_path / "toy.ipynb")
    rp = RunPaths("toylocal", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    cells = _toy_cells(tmp_path / "toy.ipynb", "toylocal")
    r = run_cells(cells, rp, workers=2, executor="submitit", cluster="local", exp_dir=tmp_path, quiet=True)
    assert r["done"] == ["data/a", "train/b"], r


def test_runner_killed_leaves_no_orphans_and_resumes(tmp_path):
    "SIGKILL the runner while a cell sleeps: its worker dies with it, the cell is pending again and reruns."
    _toy_nb(tmp_path / "toy.ipynb")
    runs = tmp_path / "runs"
    code = ("import sys; from pathlib import Path; from rvi.core import RunPaths; "
            "sys.path.insert(0, %r); from test_grid import _toy_cells; from rvi.grid import run_cells; "
            "run_cells(_toy_cells(Path(%r), 'toyk', sleep=60), RunPaths('toyk', runs_root=%r, figures_root=%r), "
            "exp_dir=%r, quiet=True)") % (str(Path(__file__).parent), str(tmp_path / "toy.ipynb"), str(runs),
                                          str(tmp_path / "figs"), str(tmp_path))
    p = subprocess.Popen([sys.executable, "-c", code])
    rp = RunPaths("toyk", runs_root=runs, figures_root=tmp_path / "figs")
    a = _toy_cells(tmp_path / "toy.ipynb", "toyk", sleep=60)[0]
    deadline = time.time() + 60
    while time.time() < deadline and cell_state(a, rp)["state"] != "running": time.sleep(0.2)
    st = cell_state(a, rp)
    assert st["state"] == "running", st
    p.send_signal(signal.SIGKILL); p.wait()
    deadline = time.time() + 15
    while time.time() < deadline and cell_state(a, rp)["state"] == "running": time.sleep(0.2)
    assert cell_state(a, rp)["why"] == "interrupted"      # the worker died with the runner
    r = run_cells(_toy_cells(tmp_path / "toy.ipynb", "toyk", sleep=0)[:1], rp, exp_dir=tmp_path, quiet=True)
    assert r["done"] == ["data/a"]


# ---------------------------------------------------------------- the smoke preset end to end, killed and resumed
RVI = str(Path(sys.executable).parent / "rvi")


# Runs in the default suite (issue 8: the test command runs the smoke preset): about 6 CPU-minutes.
def test_smoke_reproduce_killed_midrun_then_resumed(tmp_path):
    env = {**os.environ, "RVI_RUNS_DIR": str(tmp_path / "runs"), "RVI_FIGURES_DIR": str(tmp_path / "figures"),
           "HF_HUB_OFFLINE": "1", "RVI_NO_PROGRESS": "1", "MPLBACKEND": "Agg"}
    rp = RunPaths("smoke", runs_root=tmp_path / "runs", figures_root=tmp_path / "figures")
    cells = expand_grid(get_preset("smoke"))
    p = subprocess.Popen([RVI, "reproduce", "--preset", "smoke", "--workers", "2"], env=env, cwd=ROOT)
    # kill it once some training cells are done and others still run
    deadline = time.time() + 600
    while time.time() < deadline:
        st = [cell_state(c, rp)["state"] for c in cells if c.stage == "train"]
        if st.count("done") >= 2: break
        assert p.poll() is None, "rvi reproduce ended before it could be killed"
        time.sleep(0.5)
    p.send_signal(signal.SIGKILL); p.wait()
    before = grid_status(rp, cells)
    assert (before.state == "done").sum() < len(cells)
    r = subprocess.run([RVI, "reproduce", "--preset", "smoke", "--workers", "2"],
                       env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    figs = sorted(p.name for p in (tmp_path / "figures" / "smoke").glob("fig*.png"))
    assert len(figs) == 18, figs
    assert (tmp_path / "figures" / "smoke" / "claims.md").stat().st_size > 0
    assert rp.results.exists()
    after = grid_status(rp, cells)
    assert (after.state == "done").all()
    # second run: everything skipped, in seconds
    t = time.time()
    r2 = subprocess.run([RVI, "reproduce", "--preset", "smoke"], env=env, cwd=ROOT,
                        capture_output=True, text=True, timeout=120)
    assert r2.returncode == 0 and f"0 run, {len(cells)} skipped" in r2.stdout, r2.stdout + r2.stderr
    assert time.time() - t < 30
    s = subprocess.run([RVI, "status", "--preset", "smoke"], env=env, cwd=ROOT,
                       capture_output=True, text=True)
    assert f"{len(cells)} done" in s.stdout, s.stdout


def test_figure_cells_hash_the_drawing_code(monkeypatch):
    # an rvi upgrade that changes rvi.figures redraws the figures and claims.md, and reruns nothing else
    import rvi.grid
    before = expand_grid(get_preset("smoke"))
    monkeypatch.setattr(rvi.grid, "code_fingerprint", lambda m: "changedcode0")
    after = expand_grid(get_preset("smoke"))
    moved = {a.id for a, b in zip(before, after) if a.hash != b.hash}
    assert moved and moved == {c.id for c in before if c.stage == "figures"}
