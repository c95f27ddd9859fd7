"""Can the tiny students learn the offline world? Trains every size of a preset in both formats on each domain with
the grid's own recipe (rvi.sft, teacher pairs of rvi.synthetic, the preset's base students) and prints, per
benchmark, accuracy with 2·SE, chance and the teacher's accuracy, plus each run's time.

    .venv/bin/python bench/bench_learnability.py                        # tiny preset, every size, both domains
    .venv/bin/python bench/bench_learnability.py --sizes l --domains math --error-free   # the error-free-teacher ablation

    .venv/bin/python bench/bench_learnability.py --from-run runs/tiny     # the same table from a finished grid run

    .venv/bin/python bench/bench_learnability.py --sizes m,l --domains general --formats reasoning --lrs 5e-4,7e-4,1e-3   # a rate sweep
    .venv/bin/python bench/bench_learnability.py --sizes m,l --domains general --formats reasoning --seed 1             # another seed
    .venv/bin/python bench/bench_learnability.py --sizes m,l --domains math --n-eval 50 --benchmarks syn-gsm8k,syn-mmlu-math \
        --synthetic '{"eval_size": 50, "steps": {"gsm8k": [1, 1], "math-500": [1, 1], "aime": [1, 1], "aqua-rat": [1, 1], "mmlu-math": [1, 1], "mmlu-pro-math": [1, 1]}}'
                                                                      # a world of one-step questions only

Every student is asked as the grid asks it (`enable_thinking=True`: it writes its own think block, empty for IFT).
`--synthetic` and `--sft` take JSON objects of rvi.synthetic.SyntheticConfig and rvi.sft.SFTRunConfig fields over the
preset's (another world, another training setting). Sizes run side by side, one thread each (--jobs). `--from-run`
trains nothing: it scores the mono-phasic models of a grid run, whose train cells are these runs. Writes the rows as
JSON to --out (default runs/bench/learnability.json).
"""
import argparse, json, math, os, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')


def _rows(gen_dir, benches, size, domain, fmt, rec):
    "One result row per benchmark: rule-judged accuracy of the answers in `gen_dir`, 2·SE, chance."
    from rvi.core import read_jsonl
    from rvi.judging import judge_rule
    from rvi.results import chance_accuracy
    rows = []
    for b in benches:
        recs = read_jsonl(Path(gen_dir) / f'{b}.jsonl')
        ok = [judge_rule(r['example'], r['response'], b).correct for r in recs]
        p = sum(ok) / len(ok)
        rows.append(dict(size=size, params=rec['params'], domain=domain, format=fmt, lr=rec['peak_lr'], benchmark=b, n=len(ok), acc=p,
                         se2=2 * math.sqrt(p * (1 - p) / len(ok)), chance=chance_accuracy(b),
                         answer_tokens=sum(r['answer_tokens'] for r in recs) / len(recs), steps=rec['steps'],
                         tokens=rec['tokens_seen'], final_loss=rec['final_loss'], train_s=round(rec['wall_time_s'], 1), eval_s=None))   # answers of the run: not timed here
    return rows


def _benches(cfg, domain, only=()):
    "The preset's benchmarks of `domain` (math: the math analogues), or those of them in `only`."
    from rvi.synthetic import BENCHMARK_CATEGORY
    from rvi.results import bench_key
    return [b for b in cfg.benchmarks if (domain == 'general' or BENCHMARK_CATEGORY[bench_key(b)].startswith('math'))
            and (not only or b in only)]


def _world_config(cfg, synthetic: dict, error_free: bool):
    "The preset's `SyntheticConfig` with the `synthetic` overrides, error-free if asked."
    from rvi.synthetic import SyntheticConfig
    scfg = SyntheticConfig.from_dict({**cfg.synthetic, **synthetic})
    return scfg.error_free() if error_free else scfg


def _from_run(run, cfg, sizes, domains, formats, only=()):
    "The rows of a finished grid run's mono-phasic models (their generations, rule-judged)."
    from rvi.core import read_json, RunPaths
    rp, rows = RunPaths.of(run), []
    for s in sizes:
        for d in domains:
            for f in formats:
                name = f'{s}-{d}-{f}'
                rec = rp.models / name / 'record.json'
                if not rec.exists(): raise FileNotFoundError(f"{run}: no finished model {name}")
                rows += _rows(rp.generations / name / 'default', _benches(cfg, d, only), s, d, f, read_json(rec))
    return rows


def _cell(job: dict):
    "Train one (size, domain, format, lr) run of `job` and evaluate it on the domain's benchmarks; returns the result rows."
    preset, seed, size, domain, fmt, lr, work = (job[k] for k in ('preset', 'seed', 'size', 'domain', 'format', 'lr', 'work'))
    import torch
    torch.set_num_threads(1)
    from rvi.core import get_preset
    from rvi.synthetic import teacher_pairs, register_synthetic_benchmarks
    from rvi.students import offline_base_students, student_name
    from rvi.mixing import build_mixture
    from rvi.sft import sft_config, train_sft
    from rvi.generation import TransformersBackend
    from rvi.evaluate import generate_answers
    cfg = get_preset(preset, seed=seed)
    scfg = _world_config(cfg, job['synthetic'], job['error_free'])
    register_synthetic_benchmarks(scfg)
    base = offline_base_students(Path(work) / 'base', [size], cfg.synthetic, cfg.student_init, cfg.seed)[size]   # the teacher does not change them
    pairs = teacher_pairs(domain, job['n_train'] or cfg.n_train[domain], seed=cfg.seed, cfg=scfg)
    out = Path(work) / f'{size}-{domain}-{fmt}-{lr:g}'
    sft = sft_config(cfg.sft_preset, student_name(size), model=str(base), domain=domain, ratio=float(fmt == 'reasoning'),
                     seed=cfg.seed, torch_threads=1, learning_rate=lr or None, **{**cfg.sft, **job['sft']})
    t0 = time.time()
    rec = train_sft(sft, build_mixture(pairs, sft.ratio, 'mixed', cfg.seed), out)
    train_s = time.time() - t0
    benches = _benches(cfg, domain, job['benchmarks'])
    t0 = time.time()
    backend = TransformersBackend(str(out), batch_size=64)
    generate_answers(backend, str(out), benches, out / 'answers', n_eval=job['n_eval'] or cfg.n_eval,
                     enable_thinking=True, temperature=cfg.student_temperature, max_tokens=cfg.long_max_new_tokens)   # students choose their format, as in the grid
    eval_s = time.time() - t0
    rows = _rows(out / 'answers', benches, size, domain, fmt, rec)
    for r in rows: r.update(train_s=round(train_s, 1), eval_s=round(eval_s, 1))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='tiny')
    ap.add_argument('--sizes', default=None, help="comma-separated sizes (default: the preset's students)")
    ap.add_argument('--domains', default='general,math')
    ap.add_argument('--formats', default='ift,reasoning')
    ap.add_argument('--n-train', type=int, default=0, help="training questions per domain (0 = the preset's n_train)")
    ap.add_argument('--n-eval', type=int, default=0, help="questions per benchmark (0 = the preset's n_eval)")
    ap.add_argument('--error-free', action='store_true', help='a teacher that never errs, in both modes (the ablation)')
    ap.add_argument('--synthetic', default='{}', help="JSON object of rvi.synthetic.SyntheticConfig fields over the preset's (another world)")
    ap.add_argument('--benchmarks', default='', help="comma-separated benchmarks to evaluate (default: every one of the domain)")
    ap.add_argument('--sft', default='{}', help="JSON object of rvi.sft.SFTRunConfig fields over the preset's sft settings (e.g. save_steps)")
    ap.add_argument('--lrs', default='0', help="comma-separated peak learning rates, each trained in turn (0 = the run's rate in rvi.sft.PEAK_LR)")
    ap.add_argument('--seed', type=int, default=None, help="the preset's seed (base students, teacher questions, mixture order); default: the preset's")
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--from-run', default=None, help="a finished grid run's folder (e.g. runs/tiny): score its models, train nothing")
    ap.add_argument('--out', default='runs/bench/learnability.json')
    a = ap.parse_args()
    from rvi.core import get_preset
    from rvi.synthetic import teacher_accuracy
    from rvi.results import bench_key
    cfg = get_preset(a.preset, **({'seed': a.seed} if a.seed is not None else {}))
    sizes = a.sizes.split(',') if a.sizes else cfg.students
    synthetic, sft, only = json.loads(a.synthetic), json.loads(a.sft), [b for b in a.benchmarks.split(',') if b]
    scfg = _world_config(cfg, synthetic, a.error_free)
    teacher = teacher_accuracy(scfg, n=a.n_eval or cfg.n_eval, **({'tasks': [bench_key(b) for b in only]} if only else {}))
    t0 = time.time()
    if a.from_run:
        rows, cells = _from_run(a.from_run, cfg, sizes, a.domains.split(','), a.formats.split(','), only), []
    else:
        with tempfile.TemporaryDirectory() as work:
            from rvi.students import offline_base_students
            offline_base_students(Path(work) / 'base', sizes, cfg.synthetic, cfg.student_init, cfg.seed)   # once, before the workers share them
            common = dict(preset=a.preset, seed=cfg.seed, error_free=a.error_free, synthetic=synthetic, sft=sft, benchmarks=only,
                          n_train=a.n_train, n_eval=a.n_eval, work=work)
            cells = [dict(common, size=s, domain=d, format=f, lr=float(lr))
                     for s in sorted(sizes, key=lambda s: -'xs s m l'.split().index(s)) for d in a.domains.split(',')
                     for f in a.formats.split(',') for lr in a.lrs.split(',')]
            with ProcessPoolExecutor(a.jobs) as pool: rows = [r for rs in pool.map(_cell, cells) for r in rs]
    wall = time.time() - t0
    for r in rows: r['teacher'] = float(teacher.loc[r['benchmark'], r['format']])
    print(f"| size | params | domain | format | peak lr | benchmark | accuracy ± 2·SE | chance | teacher | answer tokens | steps | train s | eval s |")
    print('|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    for r in rows:
        ev = '–' if r['eval_s'] is None else f"{r['eval_s']:.0f}"
        print(f"| {r['size']} | {r['params']:,} | {r['domain']} | {r['format']} | {r['lr']:.1e} | {r['benchmark']} | {r['acc']:.2f} ± {r['se2']:.2f} | "
              f"{r['chance']:.2f} | {r['teacher']:.2f} | {r['answer_tokens']:.0f} | {r['steps']} | {r['train_s']:.0f} | {ev} |")
    print(f"\n{len(rows)} rows; {len(cells)} runs trained in {wall:.0f} s wall ({a.jobs} jobs); teacher {'error-free' if a.error_free else 'as configured'}"
          + (f"; models of {a.from_run}" if a.from_run else ''))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps({'args': vars(a), 'wall_s': wall, 'rows': rows}, indent=1))


if __name__ == '__main__':
    main()
