"""rvi.grid: grid expansion, hashes, records of outputs, skipping finished cells, resuming killed runs, the runner lock
(toy notebooks; the smoke preset end to end is in test_grid_smoke.py)."""
import json, os, signal, socket, subprocess, sys, time
from pathlib import Path

import nbformat
import pytest

from rvi.core import RunPaths, get_preset, write_json
from rvi.grid import (Cell, cell_hash, cell_state, expand_grid, grid_counts, marker_path, run_cells, grid_status,
                      notebook_path, grid_state, runner_lock, RunnerBusy, worker_threads)
from rvi.figures import FIGURE_GROUPS
from rvi.sft import check_checkpoint, CheckpointError
from rvi.generation import load_pairs

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- expansion
@pytest.mark.parametrize("preset,students,sweep,ratios,orders,biphasic", [
    ("paper", 5, 5, 3, 2, 4), ("tiny", 4, 1, 3, 2, 4), ("smoke", 1, 1, 1, 2, 1)])
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
    with pytest.raises(ConfigError, match="sweep_students.*'l'"): get_preset("tiny", students=["xs", "s", "m"], sweep_students=["l"])
    trained = {c.params["student"] for c in expand_grid(get_preset("tiny")) if c.stage == "train" and 0 < c.params["ratio"] < 1}
    assert trained == {"m"}


@pytest.mark.parametrize("preset", ["paper", "tiny", "smoke"])
def test_stage_notebooks_declare_every_parameter(preset):
    "Every parameter the grid passes is declared, typed and documented where papermill finds it (`papermill --help-notebook`)."
    import papermill as pm
    from rvi.grid import experiments_dir
    declared = {}
    for c in expand_grid(get_preset(preset)):
        nb = experiments_dir() / c.notebook
        if nb not in declared: declared[nb] = pm.inspect_notebook(str(nb))
        missing = set(c.params) | {"runs_root", "figures_root"}
        missing -= set(declared[nb])
        assert not missing, (c.id, sorted(missing))
    for nb, params in declared.items():
        untyped = [k for k, v in params.items() if v["inferred_type_name"] == "None"]
        assert not untyped, (nb.name, untyped)


def test_renamed_preset_keeps_its_sft_settings():
    "A configuration saved under another name (a second seed, say) trains with the SFT settings it names, not the paper's."
    from rvi.core import ConfigError
    from rvi.sft import SFT_PRESETS, sft_config
    grid = expand_grid(get_preset("tiny", preset="tiny-seed1", seed=1))
    cells = [c for c in grid if c.stage == "train"]
    assert {c.params["sft_preset"] for c in cells} == {"tiny"} and {c.params["seed"] for c in cells} == {1}
    assert {c.params["sft_preset"] for c in grid if c.stage == "data"} == {"tiny"}   # its length check: the same settings
    p = cells[0].params
    cfg = sft_config(p["sft_preset"], "qwen2-syn-m", **p["sft"])
    assert cfg.torch_threads == SFT_PRESETS["tiny"]["torch_threads"] == 1 and cfg.global_batch_tokens == 512
    with pytest.raises(ConfigError, match="sft_preset"): get_preset("tiny", sft_preset="tiny-seed1")


def test_generate_answers_batches_benchmarks(tmp_path):
    "Small benchmarks share one engine call; each file holds its own benchmark's answers; existing files are kept."
    import rvi.synthetic  # noqa: F401 -- registers the syn-* benchmarks
    from rvi.evaluate import generate_answers
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
    assert by["train/m-general-reasoning-to-math-ift"].deps == ("train/m-general-reasoning", "data/math")
    assert by["train/m-general-r75-mixed"].params["lineage"] == "general-mix75"
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
    import rvi.figures  # noqa: F401  (the figures stage needs it: an import error fails here)
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


def _toy_cells(nb, preset, value=1, sleep=0, outputs=False):
    "Two toy cells, b after a; with `outputs` each declares the file it writes (`<name>.txt`), so its record lists it."
    out = lambda n: {"outputs": [f"{n}.txt"]} if outputs else {}
    a = Cell("data", "a", {"preset": preset, "name": "a", "value": value, "sleep": sleep, **out("a")}, (), (), str(nb))
    a.hash = cell_hash("data", "a", a.notebook, a.params, {})
    b = Cell("train", "b", {"preset": preset, "name": "b", "value": 2, **out("b")}, ("data/a",), (), str(nb))
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
    # a changed parameter makes the cell and its dependent pending again (nbs/14_grid.ipynb reruns them)
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
    cells = _toy_cells(tmp_path / "toy.ipynb", "toyslurm", outputs=True)
    r = run_cells(cells, rp, executor="submitit", cluster="debug", exp_dir=tmp_path, quiet=True)
    assert r["done"] == ["data/a", "train/b"] and (rp.root / "b.txt").read_text() == "2"
    assert run_cells(cells, rp, executor="submitit", cluster="debug", exp_dir=tmp_path, quiet=True)["skipped"] == ["data/a", "train/b"]
    # a submitit job writes the same record as a local worker, so the same checks hold on the Slurm path
    rec = json.loads(marker_path(rp, cells[1]).read_text())
    assert [(o["path"], o["size"]) for o in rec["outputs"]] == [("b.txt", 1)] and rec["inputs"] == {"data/a": _run(rp, cells[0])}
    (rp.root / "a.txt").write_text("corrupt")
    r = run_cells(cells, rp, executor="submitit", cluster="debug", exp_dir=tmp_path, quiet=True)
    assert r["bad"] == {"data/a": ["a.txt has 7 bytes, recorded 1"]} and r["done"] == ["data/a", "train/b"]


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
    tag = f"RVI_GRID_RUN={rp.root.resolve()}".encode()   # nothing of the killed run is left (its kernel included)
    left = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            if tag in (d / "environ").read_bytes().split(b"\0"): left.append(d.name)
        except OSError: pass
    assert not left, left


def test_figure_cells_hash_the_drawing_code(monkeypatch):
    # an rvi upgrade that changes rvi.figures, rvi.claims or rvi.results redraws the figures and claims.md, and reruns nothing else
    import rvi.grid, rvi.figures
    before = expand_grid(get_preset("smoke"))
    real = rvi.grid.code_fingerprint
    monkeypatch.setattr(rvi.grid, "code_fingerprint", lambda *m: "changedcode0" if rvi.figures in m else real(*m))
    after = expand_grid(get_preset("smoke"))
    moved = {a.id for a, b in zip(before, after) if a.hash != b.hash}
    assert moved and moved == {c.id for c in before if c.stage == "figures"}


def test_offline_cells_hash_the_world_code(monkeypatch):
    # a change to the offline world's code (rvi.synthetic, rvi.students) reruns the whole offline study, and no paper cell
    import rvi.grid, rvi.synthetic
    real = rvi.grid.code_fingerprint
    before = {p: expand_grid(get_preset(p)) for p in ("smoke", "paper")}
    monkeypatch.setattr(rvi.grid, "code_fingerprint", lambda *m: "changedcode0" if rvi.synthetic in m else real(*m))
    after = {p: expand_grid(get_preset(p)) for p in ("smoke", "paper")}
    kept = {p: [a.id for a, b in zip(before[p], after[p]) if a.hash == b.hash] for p in before}
    assert kept["smoke"] == [] and len(kept["paper"]) == len(before["paper"])


# ---------------------------------------------------------------- records of outputs, resuming, the runner lock
def _run(rp, cell): return json.loads(marker_path(rp, cell).read_text())["run"]


def test_a_missing_output_reruns_its_cell_and_everything_downstream(tmp_path):
    _toy_nb(tmp_path / "toy.ipynb")
    rp = RunPaths("toy", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    a, b = cells = _toy_cells(tmp_path / "toy.ipynb", "toy", outputs=True)
    run_cells(cells, rp, exp_dir=tmp_path, quiet=True)
    rec = json.loads(marker_path(rp, b).read_text())
    assert [o["path"] for o in rec["outputs"]] == ["b.txt"] and rec["inputs"] == {"data/a": _run(rp, a)}
    (rp.root / "a.txt").unlink()
    st = grid_state(cells, rp)
    assert st["data/a"]["bad"] == ["a.txt is missing"] and st["train/b"]["why"] == "downstream of data/a (pending)"
    s = grid_status(rp, cells)
    assert s.state.tolist() == ["pending", "pending"] and s.bad.tolist() == [["a.txt is missing"], []]
    r = run_cells(cells, rp, exp_dir=tmp_path, quiet=True)
    assert r["done"] == ["data/a", "train/b"] and r["bad"] == {"data/a": ["a.txt is missing"]}
    assert run_cells(cells, rp, exp_dir=tmp_path, quiet=True)["skipped"] == ["data/a", "train/b"]


def test_same_size_rewrites_are_caught_by_modification_time_or_verify(tmp_path):
    _toy_nb(tmp_path / "toy.ipynb")
    rp = RunPaths("toy", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    cells = _toy_cells(tmp_path / "toy.ipynb", "toy", outputs=True)
    run_cells(cells, rp, exp_dir=tmp_path, quiet=True)
    f, st = rp.root / "b.txt", (rp.root / "b.txt").stat()
    f.write_text("7"); os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))          # same size, same time, other bytes
    assert grid_state(cells, rp)["train/b"]["state"] == "done"                      # the cheap check trusts size and time
    assert grid_state(cells, rp, verify=True)["train/b"]["bad"] == ["b.txt has other content (SHA-256 differs from the record)"]
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))                      # a moved time makes it hash the file
    assert grid_state(cells, rp)["train/b"]["bad"] == ["b.txt has other content (SHA-256 differs from the record)"]
    f.write_text("2"); os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 2 * 10**9))  # touched, content intact:
    assert grid_state(cells, rp, refresh=True)["train/b"]["state"] == "done"           # done, and the new time is kept
    assert json.loads(marker_path(rp, cells[1]).read_text())["outputs"][0]["mtime_ns"] == st.st_mtime_ns + 2 * 10**9


def test_interrupted_attempts_resume_others_start_from_scratch(tmp_path):
    "A cell appends 'x' to its file each time it runs: resuming keeps what it wrote, a fresh start removes it first."
    _toy_nb(tmp_path / "app.ipynb", body="p = Path(runs_root)/preset/f'{name}.txt'\np.write_text((p.read_text() if p.exists() else '') + 'x')")
    rp = RunPaths("toy", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    a, b = cells = _toy_cells(tmp_path / "app.ipynb", "toy", outputs=True)
    run_cells(cells, rp, exp_dir=tmp_path, quiet=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"]); dead.wait()
    write_json(marker_path(rp, a), {"status": "running", "hash": a.hash, "pid": dead.pid, "host": os.uname().nodename, "inputs": {}})
    r = run_cells(cells, rp, exp_dir=tmp_path, quiet=True)
    assert r["done"] == ["data/a", "train/b"]
    assert (rp.root / "a.txt").read_text() == "xx"        # the interrupted attempt resumed
    assert (rp.root / "b.txt").read_text() == "x"         # b had read another execution of a: from scratch
    write_json(marker_path(rp, b), {"status": "failed", "hash": b.hash, "inputs": {"data/a": _run(rp, a)}})
    r = run_cells(cells, rp, exp_dir=tmp_path, quiet=True)
    assert (r["done"], r["skipped"], (rp.root / "b.txt").read_text()) == (["train/b"], ["data/a"], "xx")


def test_runner_lock_names_its_holder_and_a_killed_holder_frees_it(tmp_path):
    rp = RunPaths("toy", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    code = ("import sys, time; from rvi.core import RunPaths; from rvi.grid import runner_lock\n"
            f"with runner_lock(RunPaths('toy', runs_root={str(tmp_path / 'runs')!r})):\n"
            "    print('held', flush=True); time.sleep(120)")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        with pytest.raises(RunnerBusy, match=f"in use by another runner \\(pid {p.pid} on {socket.gethostname()}, running since "):
            with runner_lock(rp): pass
    finally:
        p.kill(); p.wait()
    t = time.time()
    with runner_lock(rp):                                  # the OS freed the lock of the killed holder
        with runner_lock(rp): pass                         # re-entrant in one process
        assert json.loads((rp.root / "grid" / "runner.json").read_text())["pid"] == os.getpid()
    assert time.time() - t < 5 and not (rp.root / "grid" / "runner.json").exists()


def test_worker_threads_honour_omp_num_threads(monkeypatch):
    from rvi.core import ConfigError
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert worker_threads(2) == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert worker_threads(2) == max(1, (os.cpu_count() or 1) // 2)
    monkeypatch.setenv("OMP_NUM_THREADS", "0")
    with pytest.raises(ConfigError, match="OMP_NUM_THREADS"): worker_threads(2)


def test_checkpoints_and_pairs_that_do_not_load_are_named(tmp_path):
    import datasets, torch
    from safetensors.torch import save_file
    ck = tmp_path / "ck"; ck.mkdir()
    (ck / "config.json").write_text("{}")
    save_file({"a": torch.ones(32, 32), "b": torch.zeros(8)}, str(ck / "model.safetensors"))
    assert check_checkpoint(ck) == str(ck)
    w = ck / "model.safetensors"; size = w.stat().st_size
    with open(w, "r+b") as f: f.truncate(size - 10)
    with pytest.raises(CheckpointError, match=f"{w}: the checkpoint does not load \\({size - 10:,} bytes, but its header declares {size:,}\\)"):
        check_checkpoint(ck)
    (ck / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="config.json: not valid JSON"): check_checkpoint(ck)
    datasets.Dataset.from_dict({"id": ["1"], "prompt": ["p"], "ift": ["a"]}).save_to_disk(str(tmp_path / "pairs"))
    with pytest.raises(ValueError, match=f"{tmp_path / 'pairs'}: teacher pairs lack column\\(s\\) \\['reasoning'"):
        load_pairs(tmp_path / "pairs")
    with pytest.raises(FileNotFoundError, match=f"{tmp_path / 'nothing'}: no saved teacher pairs there"):
        load_pairs(tmp_path / "nothing")


def test_a_failure_blocks_every_cell_downstream(tmp_path):
    "A chain a -> b -> c -> d whose first cell fails: the three others are blocked, and the runner returns."
    _toy_nb(tmp_path / "bad.ipynb", body="raise RuntimeError('broken')")
    rp = RunPaths("toy", runs_root=tmp_path / "runs", figures_root=tmp_path / "figs")
    cells = []
    for name in "abcd":
        deps = (cells[-1].id,) if cells else ()
        c = Cell("data", name, {"preset": "toy", "name": name}, deps, (), str(tmp_path / "bad.ipynb"))
        c.hash = cell_hash("data", name, c.notebook, c.params, {d: cells[-1].hash for d in deps})
        cells.append(c)
    r = run_cells(cells, rp, exp_dir=tmp_path, quiet=True)
    assert r["failed"] == ["data/a"] and r["blocked"] == ["data/b", "data/c", "data/d"]
