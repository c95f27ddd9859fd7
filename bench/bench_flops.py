"""Benchmark: the vectorized FLOPs accounting and Pareto analysis at the paper's scale.

The paper trains on about 1.6 million teacher answers per domain (the released general pairs hold ~1M rows, each
with a reasoning and an IFT answer) and evaluates 5 students x 2 formats x 12 benchmarks x many samples. This
script times, on this machine:

- `training_flops` over 1.6 million sample lengths (target: < 1 s), as a total (Eq. 3) and per sample;
- `inference_flops` over 1.6 million (prompt, generation) pairs (Eq. 6, closed form);
- `pareto_front` on tens of thousands of (cost, score) points, checked against the O(n^2) definition on a subset;
- `fit_saturating` on a paper-sized (5 points) and a dense (50 points) series spanning 1e12-1e22 FLOPs.

    .venv/bin/python bench/bench_flops.py [--n 1600000] [--points 50000] [--repeats 5] [--seed 0]

Prints one line per measurement (best of --repeats wall times) and exits non-zero if the 1 s target is missed.
"""
import argparse
import sys
import time

import numpy as np

from rvi.flops import QWEN25_SHAPES, inference_flops, training_flops
from rvi.pareto import SaturatingFit, fit_saturating, pareto_front


def best_of(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=1_600_000)
    ap.add_argument('--points', type=int, default=50_000)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    # reasoning answers: long-tailed lengths up to the 16,384-token training cap (Appendix B / F.2)
    lens = np.minimum(rng.lognormal(7.5, 1.0, a.n).astype(np.int64) + 16, 16384)
    s14 = QWEN25_SHAPES['Qwen2.5-14B']
    ok = True

    dt, tot = best_of(lambda: training_flops(s14, lens), a.repeats)
    ok &= dt < 1.0
    print(f"training_flops total     n={a.n:,}  {dt*1e3:8.1f} ms  (target < 1000 ms)  {tot:.4e} FLOPs (Qwen2.5-14B)")
    dt, per = best_of(lambda: training_flops(s14, lens, per_sample=True), a.repeats)
    ok &= dt < 1.0
    rel = abs(per.sum() - tot)/tot
    print(f"training_flops per_sample n={a.n:,}  {dt*1e3:8.1f} ms  (target < 1000 ms)  sum matches total to {rel:.1e}")
    dt, exact = best_of(lambda: training_flops(s14, lens, exact=True), a.repeats)
    print(f"training_flops exact=True n={a.n:,}  {dt*1e3:8.1f} ms  paper/exact = {tot/exact:.3f}")
    lp = rng.integers(50, 2000, a.n); lg = np.minimum(rng.lognormal(6.5, 1.2, a.n).astype(np.int64) + 1, 16384)
    dt, inf = best_of(lambda: inference_flops(s14, lp, lg), a.repeats)
    print(f"inference_flops pairs     n={a.n:,}  {dt*1e3:8.1f} ms  mean {inf.mean():.3e} FLOPs/sample")

    c = 10**rng.uniform(12, 22, a.points); s = rng.uniform(0, 1, a.points)
    dt, m = best_of(lambda: pareto_front(c, s), a.repeats)
    sub = rng.choice(a.points, 3000, replace=False)
    cs, ss = c[sub], s[sub]
    brute = np.array([not ((cs <= cs[i]) & (ss >= ss[i]) & ((cs < cs[i]) | (ss > ss[i]))).any() for i in range(len(cs))])
    agree = (pareto_front(cs, ss) == brute).all()
    print(f"pareto_front              n={a.points:,}  {dt*1e3:8.1f} ms  {int(m.sum())} on the front; "
          f"agrees with O(n^2) definition on 3,000: {agree}")
    ok &= bool(agree)
    ci, si = rng.integers(0, 50, a.points), rng.integers(0, 20, a.points)   # heavy ties
    dt, m = best_of(lambda: pareto_front(ci, si), a.repeats)
    print(f"pareto_front (ties)       n={a.points:,}  {dt*1e3:8.1f} ms  {int(m.sum())} on the front")

    true = SaturatingFit(0.2, 0.5, 1e17**-0.4, 0.4, 0.0, 0.9, 0)
    for n in (5, 50):
        x = np.geomspace(1e12, 1e22, n); y = true(x) + rng.normal(0, 0.01, n)
        dt, fit = best_of(lambda: fit_saturating(x, y, ceiling=0.9), max(1, a.repeats // 2))
        print(f"fit_saturating            n={n:<9}  {dt*1e3:8.1f} ms  alpha={fit.alpha:.3f} alpha+beta={fit.maximum:.3f} "
              f"delta={fit.delta:.3f} mae={fit.mae:.4f} constraints ok: {fit.constraint_violations() == []}")
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
