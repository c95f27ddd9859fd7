"""Time `rvi reproduce` end to end: a fresh run of a preset, then a second run (every cell skipped).

    .venv/bin/python bench/bench_grid.py --preset smoke --workers 2     # ~26 cells
    .venv/bin/python bench/bench_grid.py --preset tiny --workers 2      # ~98 cells, the README's main job

Reports wall time and the CPU time of all child processes (workers, notebook kernels): on a shared machine the
wall time depends on the load, the CPU time much less. Runs go to a temporary RVI_RUNS_DIR / RVI_FIGURES_DIR
(or --out) so nothing of ./runs is touched.
"""
import argparse, os, resource, subprocess, sys, tempfile, time
from pathlib import Path


def run(cmd, env):
    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return p, time.time() - t0, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="smoke")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=None, help="runs/figures root (default: a fresh temp dir)")
    a = ap.parse_args()
    out = Path(a.out or tempfile.mkdtemp(prefix=f"rvi-bench-{a.preset}-"))
    env = {**os.environ, "RVI_RUNS_DIR": str(out / "runs"), "RVI_FIGURES_DIR": str(out / "figures"), "HF_HUB_OFFLINE": "1"}
    rvi = str(Path(sys.executable).parent / "rvi")
    load = os.getloadavg()[0]
    p1, w1, c1 = run([rvi, "reproduce", "--preset", a.preset, "--workers", str(a.workers)], env)
    if p1.returncode != 0: sys.exit(f"first run failed:\n{p1.stdout}\n{p1.stderr[-3000:]}")
    p2, w2, c2 = run([rvi, "reproduce", "--preset", a.preset, "--workers", str(a.workers)], env)
    if p2.returncode != 0: sys.exit(f"second run failed:\n{p2.stdout}\n{p2.stderr[-3000:]}")
    figs = sorted((out / "figures" / a.preset).glob("fig*.png"))
    print(f"preset={a.preset} workers={a.workers} cpus={os.cpu_count()} load_at_start={load:.1f} out={out}")
    print(f"first run : wall {w1:7.1f} s, CPU (children) {c1:7.1f} s  | {p1.stdout.strip().splitlines()[0]}")
    print(f"second run: wall {w2:7.1f} s, CPU (children) {c2:7.1f} s  | {p2.stdout.strip().splitlines()[0]}")
    print(f"figures: {len(figs)} png, claims.md: {(out / 'figures' / a.preset / 'claims.md').exists()}")


if __name__ == "__main__":
    main()
