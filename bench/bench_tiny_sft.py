"""One offline SFT run through rvi's own pipeline (rvi.sft.train_sft, the tiny preset's batch settings),
scored with the rule judge: how much does a tiny student learn from a grid's teacher data?

Needs a tiny grid run for its base students and teacher pairs (`rvi reproduce --preset tiny`, or
`bench/bench_grid.py --preset tiny --out DIR`). Examples (nbs/explanations/learnability.ipynb):

    .venv/bin/python bench/bench_tiny_sft.py --run-dir /tmp/tiny5/runs/tiny --size s --domain math --format reasoning --lr 4e-3 --epochs 1
    .venv/bin/python bench/bench_tiny_sft.py --run-dir /tmp/tiny5/runs/tiny --size s --domain math --format ift --epochs 3

Prints one JSON line: training seconds, final loss and accuracy per benchmark (greedy, --n questions each).
"""
import argparse, json, os, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')

MATH = ['syn-gsm8k', 'syn-math-500', 'syn-aime', 'syn-aqua-rat', 'syn-mmlu-math']
GENERAL = ['syn-mmlu-misc', 'syn-squad', 'syn-winogrande']

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run-dir', type=Path, required=True, help="a tiny grid's runs/tiny folder")
    ap.add_argument('--size', default='s'); ap.add_argument('--domain', default='math', choices=['math', 'general'])
    ap.add_argument('--format', default='reasoning', choices=['reasoning', 'ift'])
    ap.add_argument('--lr', type=float, default=0.0, help='peak learning rate (0 = rvi.sft.TINY_PEAK_LR)')
    ap.add_argument('--epochs', type=int, default=1, help='passes over the teacher data')
    ap.add_argument('--batch-tokens', type=int, default=0, help='tokens per optimizer step (0 = the tiny preset)')
    ap.add_argument('--n', type=int, default=100, help='questions per benchmark')
    ap.add_argument('--out', type=Path, default=Path('/tmp/bench-tiny-sft'))
    a = ap.parse_args()
    import torch, datasets
    from rvi.core import get_preset, read_jsonl
    from rvi.mixing import build_mixture
    from rvi.sft import sft_config, train_sft
    from rvi.synthetic import SyntheticConfig, register_synthetic_benchmarks
    from rvi.evaluate import generate_answers
    from rvi.generation import TransformersBackend, get_sampling
    from rvi.judging import judge_responses
    cfg = get_preset('tiny'); register_synthetic_benchmarks(SyntheticConfig.from_dict(cfg.synthetic))
    base = a.run_dir / 'models' / 'base' / f'qwen2-syn-{a.size}'
    ratio = 1.0 if a.format == 'reasoning' else 0.0
    mix = build_mixture(datasets.load_from_disk(str(a.run_dir / 'data' / a.domain / 'pairs')), ratio, 'mixed', 0)
    mix = datasets.concatenate_datasets([mix] * a.epochs)
    name = f'{a.size}-{a.domain}-{a.format}-lr{a.lr:g}-x{a.epochs}' + (f'-b{a.batch_tokens}' if a.batch_tokens else '')
    sft_kw = {**cfg.sft, **({'global_batch_tokens': a.batch_tokens, 'max_device_tokens': a.batch_tokens} if a.batch_tokens else {})}
    out = a.out / name
    t = time.time()
    sc = sft_config('tiny', str(base), model=str(base), run_name=name, domain=a.domain, ratio=ratio,
                    lineage=f'{a.domain}-{a.format}', **({'learning_rate': a.lr} if a.lr else {}), **sft_kw)
    rec = train_sft(sc, mix, out / 'model')
    train_s = time.time() - t
    engine = TransformersBackend(str(out / 'model'), batch_size=64, seed=0, dtype=torch.float32)
    bms = MATH + (GENERAL if a.domain == 'general' else [])
    generate_answers(engine, name, bms, out / 'gen', n_eval=a.n, seed=0, enable_thinking=True, max_tokens=cfg.max_new_tokens,
                     sampling={**get_sampling('student').to_dict(), 'temperature': 0.0})
    acc = {}
    for b in bms:
        recs = judge_responses(read_jsonl(out / 'gen' / f'{b}.jsonl'), judge='rule')
        acc[b] = round(sum(r['correct'] for r in recs) / len(recs), 2)
    print(json.dumps({'run': name, 'peak_lr': rec.get('peak_lr'), 'steps': rec.get('steps'), 'train_s': round(train_s), 'final_loss': rec.get('final_loss'), **acc}))
