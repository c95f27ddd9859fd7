"""What can an offline base student do before SFT? Greedy completions of world-corpus-style prefixes.

The tiny grid's students answer in the right format but with the wrong names, items and numbers
([Learnability of the offline world](nbs/explanations/learnability.ipynb)). This probe asks the base checkpoints the three things an answer needs:

- copy:  "Omar has 7 eggs. Omar buys 3 more. Now Omar has" -> is the item ("eggs") copied from context?
- story: the same prefix -> is the number right (7 + 3, or 7 - 3 for "loses")?
- fact:  "... 14 + 3 =" -> a bare arithmetic fact, no copying needed.

    .venv/bin/python bench/bench_base_probe.py assets/base-students/*/qwen2-syn-*
    # pretrain a fresh `s` first (same tokenizer and corpus as the tiny preset), then probe it; 06_students' table:
    .venv/bin/python bench/bench_base_probe.py --pretrain s --tokens 6000000 --batch-size 16 --save /tmp/base-s-6m
    # small batches, many steps (in-context copying needs thousands of optimizer steps):
    .venv/bin/python bench/bench_base_probe.py --pretrain s --batch-size 1 --seq-len 256 --save /tmp/base-s-b1

Writes runs/bench/base-probe.json (or --out).
"""
import argparse, json, os, random, re, sys, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
import torch

NAMES = ['Omar', 'Zoe', 'Eli', 'Ava', 'Uma', 'Rex', 'Will', 'Tom']
ITEMS = ['eggs', 'shells', 'beads', 'cards', 'books', 'marbles']


def probe_rows(n: int, seed: int = 0) -> list:
    "(kind, prefix, item, want) rows: story prefixes for copy+add/sub, bare facts for arithmetic."
    rng, rows = random.Random(seed), []
    for kind in ('add', 'sub'):
        for _ in range(n):
            name, item, a, b = rng.choice(NAMES), rng.choice(ITEMS), rng.randint(6, 25), rng.randint(1, 5)
            verb = f'buys {b} more' if kind == 'add' else f'loses {b}'
            rows.append(('story', f'{name} has {a} {item}. {name} {verb}. Now {name} has', item, a + b if kind == 'add' else a - b))
    for _ in range(n):
        a, b = rng.randint(1, 25), rng.randint(1, 5)
        rows.append(('fact', f'{rng.randint(1, 9)} + 1 = {rng.randint(2, 10)}. {a} + {b} =', None, a + b))
    return rows


def probe(path, n: int = 100, seed: int = 0) -> dict:
    "Accuracy of greedy 6-token completions: item copied, story number, bare fact."
    from rvi.students import load_student
    model, tok = load_student(path)
    tok.padding_side = 'left'
    rows = probe_rows(n, seed)
    enc = tok([r[1] for r in rows], return_tensors='pt', padding=True)
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=6, do_sample=False, pad_token_id=tok.pad_token_id)
    texts = tok.batch_decode(out[:, enc['input_ids'].shape[1]:], skip_special_tokens=True)
    hits = {'copy': [], 'story': [], 'fact': []}
    for (kind, _, item, want), text in zip(rows, texts):
        m = re.match(r'\s*(\d+)\s*(\w*)', text)
        hits[kind].append(bool(m) and int(m.group(1)) == want)
        if kind == 'story': hits['copy'].append(bool(m) and m.group(2) == item)
    return {k: round(sum(v) / len(v), 3) for k, v in hits.items()} | {'examples': texts[:3]}


def pretrain(size: str, save: Path, **knobs) -> dict:
    "A fresh tiny-preset student pretrained on `tokens` world-corpus tokens, saved to `save`."
    from rvi.core import get_preset
    from transformers import AutoTokenizer
    from rvi.students import (PretrainConfig, base_student_key, default_prebuilt_dir, make_student, pretrain_student,
                              save_student, student_name)
    from rvi.synthetic import SyntheticConfig, world_corpus
    tiny = get_preset('tiny')
    syn, init = SyntheticConfig.from_dict(tiny.synthetic), tiny.student_init
    # the tiny preset's tokenizer, from its own prebuilt folder (not whichever key a glob finds first)
    tok = AutoTokenizer.from_pretrained(default_prebuilt_dir() / base_student_key('s', tiny.seed, syn, init) / student_name('s'))
    cfg = PretrainConfig(**{**init.get('pretrain', {}), **knobs})
    model = make_student(size, tok, seed=0)
    rec = pretrain_student(model, tok, world_corpus(syn, cfg.documents, seed=cfg.seed), cfg)
    save_student(model, tok, save, {'pretrain': rec})
    return rec


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('students', nargs='*', help='base-student checkpoint directories to probe')
    ap.add_argument('--pretrain', help='size of a fresh student to pretrain first (xs, s, m, ...)')
    ap.add_argument('--tokens', type=int, help='PretrainConfig.tokens (default: the tiny preset)')
    ap.add_argument('--lr', type=float, help='PretrainConfig.learning_rate')
    ap.add_argument('--batch-size', type=int, help='PretrainConfig.batch_size (blocks per step)')
    ap.add_argument('--seq-len', type=int, help='PretrainConfig.seq_len')
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0 = default)')
    ap.add_argument('--save', type=Path, default=Path('/tmp/base-probe-student'))
    ap.add_argument('--n', type=int, default=100, help='probes per kind')
    ap.add_argument('--out', type=Path, default=Path('runs/bench/base-probe.json'))
    a = ap.parse_args()
    results, paths = {}, list(a.students)
    if a.pretrain:
        t = time.time()
        if a.threads: torch.set_num_threads(a.threads)
        knobs = {k: v for k, v in dict(tokens=a.tokens, learning_rate=a.lr, batch_size=a.batch_size, seq_len=a.seq_len).items() if v}
        results['pretrain'] = {'size': a.pretrain, **knobs, **pretrain(a.pretrain, a.save, **knobs),
                               'wall_s': round(time.time() - t, 1), 'threads': torch.get_num_threads()}
        print('pretrained', results['pretrain'], flush=True)
        paths.append(str(a.save))
    for p in paths:
        results[p] = probe(p, a.n)
        print(p, results[p], flush=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2))
