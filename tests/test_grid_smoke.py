"""rvi.grid end to end on the smoke preset: an uninterrupted reference run shared by every test here, corrupted
outputs that are named and rerun with everything downstream, SIGKILL at many points of a run, one runner per run
folder, and bad input that is named without touching finished cells. Cell names, file counts and figure lists are
read from `expand_grid` and the reference run, never written down, so the tests follow the smoke preset's contents."""
import json, os, random, shutil, signal, socket, subprocess, sys, time
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

from rvi.core import RunPaths, get_preset, read_json, write_json
from rvi.grid import expand_grid, grid_state, marker_path, record_outputs, cell_outputs

ROOT = Path(__file__).resolve().parent.parent
RVI = str(Path(sys.executable).parent / "rvi")
KEY = ["model", "eval_variant", "benchmark", "sample_id"]
CELLS = expand_grid(get_preset("smoke"))
BY_ID = {c.id: c for c in CELLS}


def _env(base: Path) -> dict:
    return {**os.environ, "RVI_RUNS_DIR": str(base / "runs"), "RVI_FIGURES_DIR": str(base / "figures"),
            "HF_HUB_OFFLINE": "1", "RVI_NO_PROGRESS": "1", "MPLBACKEND": "Agg"}


def _paths(base: Path) -> RunPaths: return RunPaths("smoke", runs_root=base / "runs", figures_root=base / "figures")


def _rvi(base: Path, *args, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([RVI, *args], env=_env(base), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _start(base: Path, log, only=()) -> subprocess.Popen:
    return subprocess.Popen([RVI, "reproduce", "--preset", "smoke", "--workers", "2", *(["--only", *only] if only else [])],
                            env=_env(base), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def _table(base: Path) -> pd.DataFrame:
    return pd.read_parquet(_paths(base).results).sort_values(KEY).reset_index(drop=True)


def _records(base: Path) -> dict:
    "Every cell's marker as it is on disk."
    rp = _paths(base)
    return {c.id: read_json(marker_path(rp, c)) if marker_path(rp, c).exists() else None for c in CELLS}


def _downstream(ids) -> set:
    "The cells that depend, directly or not, on any of `ids` (expand_grid lists dependencies first)."
    out = set(ids)
    for c in CELLS:
        if any(d in out for d in c.deps): out.add(c.id)
    return out - set(ids)


def _all_done_and_verified(base: Path, cells=CELLS):
    st = grid_state(cells, _paths(base), verify=True)
    assert all(s["state"] == "done" for s in st.values()), {k: s.get("why") for k, s in st.items() if s["state"] != "done"}


@pytest.fixture(scope="session")
def reference(tmp_path_factory, worker_id):
    "One uninterrupted `rvi reproduce --preset smoke --workers 2`, built once for all tests and pytest-xdist workers."
    root = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    ref = root / "smoke-reference"
    with FileLock(str(root / "smoke-reference.lock")):
        if not (ref / "ok.json").exists():
            t = time.time()
            r = _rvi(ref, "reproduce", "--preset", "smoke", "--workers", "2")
            assert r.returncode == 0, r.stdout + r.stderr
            write_json(ref / "ok.json", {"wall_s": round(time.time() - t, 1)})
    return ref


def _copy(ref: Path, dst: Path) -> Path:
    "A copy of the reference run (shutil.copytree keeps modification times, so the records still hold)."
    for d in ("runs", "figures"): shutil.copytree(ref / d, dst / d)
    return dst


# ---------------------------------------------------------------- the reference, and a run that skips it all
def test_reference_is_complete_and_a_second_run_skips_it(reference, tmp_path):
    base = _copy(reference, tmp_path)
    _all_done_and_verified(base)
    rp = _paths(base)
    figs = {p for c in CELLS if c.stage == "figures" for p in cell_outputs(c, rp)}
    assert figs and all(p.exists() and p.stat().st_size > 0 for p in figs)
    assert len([p for p in figs if p.name.startswith("fig")]) == 18 * len(get_preset("smoke").figure_formats)
    for c in CELLS:   # every record lists its cell's files, relative to the run (or figures) folder
        outs = read_json(marker_path(rp, c))["outputs"]
        assert outs and all(not Path(o["path"]).is_absolute() and len(o["sha256"]) == 64 for o in outs), c.id
    left = sorted(str(p.relative_to(rp.data)) for p in rp.data.rglob("cache-*.arrow"))
    assert not left, f"later stages wrote datasets caches into the data stage's folders: {left[:5]}"
    t = time.time()
    r = _rvi(base, "reproduce", "--preset", "smoke", timeout=120)
    assert r.returncode == 0 and f"0 run, {len(CELLS)} skipped" in r.stdout, r.stdout + r.stderr
    assert time.time() - t < 30
    s = _rvi(base, "status", "--preset", "smoke", "--verify")
    assert s.returncode == 0 and f"{len(CELLS)} done" in s.stdout and "match their records" in s.stdout, s.stdout


# ---------------------------------------------------------------- corrupted outputs
def test_deleted_generations_and_truncated_model_are_named_and_rerun_with_downstream(reference, tmp_path):
    "A finished evaluation loses a generations file and a trained student's model.safetensors is cut to 100 bytes."
    base, rp = _copy(reference, tmp_path), _paths(tmp_path)
    ev = next(c for c in CELLS if c.stage == "eval" and c.params["source"] == "base")
    gen = rp.generations / ev.params["meta"]["model"] / "default" / f"{ev.params['benchmarks'][-1]}.jsonl"
    tr = min((c for c in CELLS if c.stage == "train"), key=lambda c: len(_downstream([c.id])))
    model = rp.models / tr.params["run_name"] / "model.safetensors"
    gen.unlink()
    with open(model, "r+b") as f: f.truncate(100)
    before, table = _records(base), _table(reference)
    rerun = {ev.id, tr.id} | _downstream([ev.id, tr.id])

    s = _rvi(base, "status", "--preset", "smoke")
    assert s.returncode == 1, s.stdout + s.stderr
    for cid, f in ((ev.id, gen), (tr.id, model)): assert f"{cid} (outputs missing or corrupt: {f.relative_to(rp.root)}" in s.stdout, s.stdout
    r = _rvi(base, "reproduce", "--preset", "smoke", "--workers", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 cell(s) had missing or corrupt outputs" in r.stdout, r.stdout
    assert f"  {ev.id}: {gen.relative_to(rp.root)} is missing" in r.stdout, r.stdout
    assert f"  {tr.id}: {model.relative_to(rp.root)} has 100 bytes, recorded" in r.stdout, r.stdout
    assert f"{len(rerun)} run, {len(CELLS) - len(rerun)} skipped" in r.stdout, r.stdout
    after = _records(base)
    assert {cid for cid in after if after[cid]["run"] != before[cid]["run"]} == rerun   # them and everything downstream
    pd.testing.assert_frame_equal(_table(base), table, check_exact=True)                 # the same table, row for row
    _all_done_and_verified(base)


def _rerecord(rp: RunPaths, cell):
    "Record `cell`'s outputs as they are now, as if the cell had written them so (its run id kept)."
    write_json(marker_path(rp, cell), {**read_json(marker_path(rp, cell)), "outputs": record_outputs(cell, rp)})


def _fails_naming(base: Path, cell, message: str):
    "Run `cell` again (its marker removed): it fails with `message` in its record, and no other cell's record changes."
    rp = _paths(base)
    marker_path(rp, cell).unlink()
    before = _records(base)
    r = _rvi(base, "reproduce", "--preset", "smoke")
    assert r.returncode == 1 and f"failed: {cell.id}" in r.stderr, r.stdout + r.stderr
    err = read_json(marker_path(rp, cell))["error"]
    assert message in err, err
    after = _records(base)
    assert {k for k in after if after[k] != before[k]} == {cell.id}           # finished cells untouched
    st = grid_state(CELLS, rp)
    assert all(st[k]["state"] == "done" for k in BY_ID if k != cell.id and k not in _downstream([cell.id]))


def test_same_size_corruption_needs_verify_and_a_checkpoint_that_does_not_load_is_named(reference, tmp_path):
    "Bytes of a trained model's header overwritten in place (size and time kept): only `--verify` sees it; its evaluation names the file."
    base, rp = _copy(reference, tmp_path), _paths(tmp_path)
    tr = next(c for c in CELLS if c.stage == "train")
    model = rp.models / tr.params["run_name"] / "model.safetensors"
    st = model.stat()
    with open(model, "r+b") as f: f.seek(8); f.write(b"\0" * 16)
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _rvi(base, "status", "--preset", "smoke").returncode == 0          # the cheap check trusts size and time
    v = _rvi(base, "status", "--preset", "smoke", "--verify")
    assert v.returncode == 1 and f"{tr.id} (outputs missing or corrupt: {model.relative_to(rp.root)} has other content" in v.stdout, v.stdout
    ev = next(c for c in CELLS if c.stage == "eval" and tr.id in c.deps)
    _fails_naming(base, ev, f"{model}: the checkpoint does not load (its header is not valid JSON")


def test_pairs_in_the_wrong_schema_are_named(reference, tmp_path):
    "A data cell whose teacher pairs lack a column: the training cell that reads them names the folder and the column."
    import datasets
    base, rp = _copy(reference, tmp_path), _paths(tmp_path)
    data = next(c for c in CELLS if c.stage == "data")
    pairs = rp.data / data.params["domain"] / "pairs"
    datasets.load_from_disk(str(pairs)).remove_columns(["ift"]).save_to_disk(str(tmp_path / "bad"))
    shutil.rmtree(pairs); shutil.move(tmp_path / "bad", pairs); _rerecord(rp, data)
    tr = next(c for c in CELLS if c.stage == "train" and data.id in c.deps)
    _fails_naming(base, tr, f"{pairs}: teacher pairs lack column(s) ['ift']")


def test_a_results_table_without_a_column_is_named(reference, tmp_path):
    base, rp = _copy(reference, tmp_path), _paths(tmp_path)
    pd.read_parquet(rp.results).drop(columns=["train_flops"]).to_parquet(rp.results)
    _rerecord(rp, next(c for c in CELLS if c.stage == "aggregate"))
    claims = next(c for c in CELLS if c.stage == "figures" and c.name == "claims")
    _fails_naming(base, claims, f"{rp.results.resolve()} lacks column(s) ['train_flops']")


def test_bad_configs_and_figure_ids_are_named_and_touch_nothing(reference, tmp_path):
    import yaml
    base = _copy(reference, tmp_path / "run")
    before, grid_files = _records(base), sorted((_paths(base).root / "grid").rglob("*"))
    good = get_preset("smoke").to_dict()
    cases = {"not-yaml.yaml": ("preset: [smoke\n", "not valid YAML"),
             "unknown-field.yaml": (yaml.safe_dump({**good, "n_evl": 3}), "unknown field(s) ['n_evl']"),
             "wrong-type.yaml": (yaml.safe_dump({**good, "n_eval": "two"}), "ExperimentConfig.n_eval = 'two' must be an integer"),
             "unknown-benchmark.yaml": (yaml.safe_dump({**good, "benchmarks": good["benchmarks"] + ["syn-nope"]}),
                                        "benchmarks ['syn-nope'] are unknown")}
    for name, (text, msg) in cases.items():
        (tmp_path / name).write_text(text)
        r = _rvi(base, "reproduce", "--config", str(tmp_path / name), timeout=120)
        assert r.returncode == 2 and f"{tmp_path / name}: " in r.stderr and msg in r.stderr, (name, r.stderr)
    r = _rvi(base, "reproduce", "--preset", "smoke", "--only", "fig99", timeout=120)
    assert r.returncode == 2 and "'fig99' is not a figure id" in r.stderr, r.stderr
    r = _rvi(base, "reproduce", "--preset", "smoke-typo", timeout=120)
    assert r.returncode == 2 and "invalid choice: 'smoke-typo'" in r.stderr, r.stderr
    assert _records(base) == before and sorted((_paths(base).root / "grid").rglob("*")) == grid_files
    _all_done_and_verified(base)


# ---------------------------------------------------------------- one runner per run folder
def test_a_second_runner_stops_at_once_naming_the_first(reference, tmp_path):
    "The first runner is paused (SIGSTOP) while it holds the folder, so the second surely meets it; then it goes on."
    base, rp = _copy(reference, tmp_path), _paths(tmp_path)
    claims = next(c for c in CELLS if c.stage == "figures" and c.name == "claims")
    for o in cell_outputs(claims, rp): o.unlink()            # one cell to rerun
    holder = rp.root / "grid" / "runner.json"
    with open(tmp_path / "first.log", "w") as log:
        first = _start(base, log)
        deadline = time.time() + 120
        while not (holder.exists() and read_json(holder).get("pid") == first.pid):
            assert first.poll() is None and time.time() < deadline, (tmp_path / "first.log").read_text()
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGSTOP)
        try:
            t = time.time()
            second = _rvi(base, "reproduce", "--preset", "smoke", timeout=120)
            took = time.time() - t
        finally: os.kill(first.pid, signal.SIGCONT)
        assert second.returncode == 3, second.stdout + second.stderr
        assert (f"is in use by another runner (pid {first.pid} on {socket.gethostname()}, running since "
                in second.stderr and "rvi reproduce --preset smoke --workers 2" in second.stderr), second.stderr
        assert took < 30, took
        assert first.wait(timeout=600) == 0, (tmp_path / "first.log").read_text()
    assert f"1 run, {len(CELLS) - 1} skipped" in (tmp_path / "first.log").read_text()
    pd.testing.assert_frame_equal(_table(base), _table(reference), check_exact=True)
    _all_done_and_verified(base)
    assert not holder.exists()


# ---------------------------------------------------------------- kill anywhere
# What the test waits for before it kills `rvi reproduce` (SIGKILL): a file appearing under the run folder
# ('figures:' = the figures folder), or a cell of a stage starting (its marker says running).
KINDS = {
    "data-shard": ("data", "files", "data/*/generation/parts/*/shard-*"),
    "data-pairs": ("data", "files", "data/*/pairs/state.json"),
    "students": ("students", "running", "students"),
    "checkpoint": ("train", "files", "models/*/checkpoints/checkpoint-*"),
    "train": ("train", "running", "train"),
    "model-saved": ("train", "files", "models/*/model.safetensors"),
    "generations": ("eval", "files", "generations/*/*/*.jsonl"),
    "eval": ("eval", "running", "eval"),
    "verdicts": ("judge", "files", "judged/*/*/*.jsonl"),
    "judge": ("judge", "running", "judge"),
    "aggregate": ("aggregate", "running", "aggregate"),
    "figure-file": ("figures", "files", "figures:fig*"),
    "figures": ("figures", "running", "figures"),
}
ORDER = ["data", "students", "train", "eval", "judge", "aggregate", "figures"]


def _count(rp: RunPaths, pattern: str) -> int:
    root, pat = (rp.figures, pattern[len("figures:"):]) if pattern.startswith("figures:") else (rp.root, pattern)
    return sum(1 for _ in root.glob(pat))


def _running(rp: RunPaths, stage: str, since: float) -> list[str]:
    "Cells of `stage` whose marker says running and was written after `since`."
    out = []
    for m in (rp.root / "grid" / stage).glob("*.json"):
        if m.name.endswith(".spec.json"): continue
        try:
            if m.stat().st_mtime > since and read_json(m).get("status") == "running": out.append(m.stem)
        except (OSError, ValueError): continue
    return out


def _plan(reference: Path, n: int, seed: int, kinds, reach: float = 0.75) -> list[tuple[str, int, float]]:
    "n kill points (kind, target count up to `reach` of the reference's, extra delay in seconds), seeded, in run order."
    rng, ref = random.Random(seed), _paths(reference)
    pts = []
    for i in range(n):
        kind = kinds[i % len(kinds)] if i < len(kinds) else rng.choice(list(KINDS))
        stage, how, what = KINDS[kind]
        k = rng.randint(1, max(1, int(_count(ref, what) * reach))) if how == "files" else 1
        pts.append((kind, k, round(rng.uniform(0, 0.3 if how == "files" else 2.0), 2)))
    return sorted(pts, key=lambda p: (ORDER.index(KINDS[p[0]][0]), p[1]))


def _stage_done(rp: RunPaths, stage: str, cells) -> bool:
    "Whether every cell of `stage` has a done marker (then nothing of that stage is left to wait for)."
    ms = [marker_path(rp, c) for c in cells if c.stage == stage]
    try: return all(m.exists() and read_json(m).get("status") == "done" for m in ms)
    except ValueError: return False


def _kill_anywhere(reference: Path, base: Path, plan, only=()) -> list[dict]:
    """Start `rvi reproduce` (of the figures `only`, or all), wait for each planned point in turn and SIGKILL it there,
    restart it at once (the new runner stops what the killed one left); when a point's stage is over without it, go on to
    the next one. Then let it finish: its table equals the uninterrupted reference's rows of the same models, row for row."""
    rp, hits, log, p = _paths(base), [], open(base / "reproduce.log", "a"), None
    cells = expand_grid(get_preset("smoke"), only=list(only) or None)
    for kind, k, delay in plan:
        stage, how, what = KINDS[kind]
        if p is None: p, t0 = _start(base, log, only), time.time()
        target = max(k, _count(rp, what) + 1) if how == "files" else None
        while p.poll() is None and not _stage_done(rp, stage, cells):
            if (how == "files" and _count(rp, what) >= target) or (how == "running" and _running(rp, what, t0)): break
            time.sleep(0.05)
        else:
            hits.append({"kind": kind, "target": target or "start", "delay": 0, "killed": False, "running": []})
            if p.poll() is not None: assert p.returncode == 0, (base / "reproduce.log").read_text()[-3000:]; p = None
            continue
        time.sleep(delay)
        running = [f"{s}/{c}" for s in ORDER for c in _running(rp, s, t0)]
        alive = p.poll() is None
        if alive: p.send_signal(signal.SIGKILL)
        rc = p.wait()
        hits.append({"kind": kind, "target": target or "start", "delay": delay, "killed": alive and rc == -signal.SIGKILL,
                     "running": running})
        if not alive: assert rc == 0, (base / "reproduce.log").read_text()[-3000:]
        p = None
    p = p or _start(base, log, only)
    assert p.wait(timeout=900) == 0, (base / "reproduce.log").read_text()[-3000:]
    log.close()
    print(f"\nkill points: {sum(h['killed'] for h in hits)} of {len(hits)} hit a running `rvi reproduce`")
    for h in hits: print(f"  {h['kind']:12} at {h['target']!s:>5} +{h['delay']:.2f}s: {'killed' if h['killed'] else 'missed'} during {h['running']}")
    got, ref = _table(base), _table(reference)
    assert set(got.model) == {c.params["meta"]["model"] for c in cells if c.stage == "eval"}
    ref = ref[ref.model.isin(set(got.model)) & ref.eval_variant.isin(set(got.eval_variant))].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)                          # row for row
    _all_done_and_verified(base, cells)
    tag = f"RVI_GRID_RUN={rp.root.resolve()}".encode()
    leftover = [d.name for d in Path("/proc").glob("[0-9]*") if tag in _environ(d).split(b"\0")]
    assert not leftover, leftover
    return hits


def _environ(d: Path) -> bytes:
    try: return (d / "environ").read_bytes()
    except OSError: return b""


# A few points in the default suite, on the cells one figure needs (Figure 9: data, base students, two trainings, their
# evaluations with the answer-length caps, judging, aggregation, two figure cells; 10 of the grid's cells), and many
# in the slow one, on the whole grid.
DEFAULT_KINDS = ["data-shard", "checkpoint", "verdicts", "figures"]


def test_kill_anywhere_then_resume_gives_the_same_table(reference, tmp_path):
    plan = _plan(reference, len(DEFAULT_KINDS), seed=0, kinds=DEFAULT_KINDS, reach=0.25)
    hits = _kill_anywhere(reference, tmp_path, plan, only=["fig09"])
    assert sum(h["killed"] for h in hits) >= len(hits) - 1, hits   # a smoke run may write no training checkpoint


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_kill_anywhere_many_points(reference, tmp_path, seed):
    hits = _kill_anywhere(reference, tmp_path, _plan(reference, 16, seed=seed, kinds=list(KINDS)))
    assert sum(h["killed"] for h in hits) >= 12, hits
    assert {KINDS[h["kind"]][0] for h in hits if h["killed"]} == set(ORDER), hits
