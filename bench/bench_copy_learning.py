"""How many pretraining steps does a tiny student need before it copies from its context?

Every answer in the offline world starts by reading the question: the name, the item, the numbers. The tiny grid's
students do not (nbs/explanations/learnability.ipynb), and `bench_base_probe.py` shows that their base checkpoints do not either.
This bench trains a fresh student (the shipped tokenizer, rvi's own `pretrain_student`) on one kind of text and
measures in-context copying directly, on held-out documents of two kinds:

- list:    "Zoe 12 books Tom 7 shells\\nZoe 12 books Tom 7 shells" (random names, items and numbers, repeated);
- restate: a world-corpus story, a blank line, the same sentences one per line.

`copy_gain` is the mean loss (nats/token) of the first copy minus that of the repeat: 0 means no copying at all,
the first copy's loss means perfect copying. Training data (`--data`):

- list / restate: only that kind of document;
- world: `rvi.synthetic.world_corpus` with a fraction `--copy-frac` of its documents restated line by line.

    .venv/bin/python bench/bench_copy_learning.py --size s --data list --steps 6000
    .venv/bin/python bench/bench_copy_learning.py --size s --data world --copy-frac 0.6 --steps 7812

Prints one JSON line; nbs/explanations/learnability.ipynb have the table. On a GPU the same command trains there (Trainer picks it).
"""
import argparse, json, os, random, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
import torch


def list_doc(rng, words):
    w = [rng.choice(words) for _ in range(rng.randint(4, 10))]
    return ' '.join(w), ' '.join(w)


def restate_doc(doc):
    sents = [s.rstrip('.') + '.' for s in doc.split('. ')]
    return ' '.join(sents), '\n'.join(sents)


def documents(kind, n, seed, cfg, copy_frac=0.0):
    "`n` training or probe documents as (first, repeat) pairs; a world document without a repeat has repeat None."
    import rvi.synthetic as S
    words = S.PEOPLE + S.ITEMS + [str(k) for k in range(31)]
    world = S.world_corpus(cfg, n, seed=seed) if kind != 'list' else [''] * n
    out = []
    for i, d in enumerate(world):
        rng = random.Random(f'{seed}-{i}')
        if kind == 'list': out.append(list_doc(rng, words))
        elif kind == 'restate': out.append(restate_doc(d))
        elif rng.random() < copy_frac and '. ' in d: out.append(restate_doc(d))
        else: out.append((d, None))
    return out


def join(pair, sep):
    first, rep = pair
    return first if rep is None else first + sep + rep


def copy_gain(model, tok, pairs, sep):
    "Mean loss of the first copy, of the repeat, and their difference, over `pairs` (one forward pass each)."
    first_l, rep_l = [], []
    model.eval()
    for first, rep in pairs:
        a = tok(first, add_special_tokens=False)['input_ids']
        ids = tok(first + sep + rep, add_special_tokens=False)['input_ids']
        b = len(tok(first + sep, add_special_tokens=False)['input_ids'])
        x = torch.tensor([ids])
        with torch.no_grad(): lp = torch.log_softmax(model(x).logits[0, :-1].float(), -1)
        nll = -lp.gather(1, x[0, 1:, None])[:, 0]
        first_l.append(nll[:len(a) - 1].mean().item()); rep_l.append(nll[b - 1:].mean().item())
    f, r = sum(first_l) / len(first_l), sum(rep_l) / len(rep_l)
    return {'first_nll': round(f, 3), 'repeat_nll': round(r, 3), 'copy_gain': round(f - r, 3)}


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--size', default='s')
    ap.add_argument('--data', default='list', choices=['list', 'restate', 'world'])
    ap.add_argument('--copy-frac', type=float, default=0.25, help='world: fraction of documents restated line by line')
    ap.add_argument('--steps', type=int, default=6000, help='optimizer steps (batch-size blocks of seq-len tokens each)')
    ap.add_argument('--batch-size', type=int, default=1)
    ap.add_argument('--seq-len', type=int, default=256)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--probes', type=int, default=200, help='held-out documents of each kind')
    ap.add_argument('--save', type=Path, default=None, help='save the trained student here')
    a = ap.parse_args()
    from rvi.core import get_preset
    from rvi.synthetic import SyntheticConfig
    from rvi.students import (PretrainConfig, base_student_key, default_prebuilt_dir, make_student, pretrain_student,
                              save_student, student_name)
    from transformers import AutoTokenizer
    cfg = get_preset('tiny')
    scfg = SyntheticConfig.from_dict(cfg.synthetic)
    # the shipped students' tokenizer (all sizes share it), read from the tiny preset's own prebuilt folder
    key = base_student_key('xs', cfg.seed, scfg, cfg.student_init)
    tok = AutoTokenizer.from_pretrained(default_prebuilt_dir() / key / student_name('xs'))
    sep = {'list': '\n', 'restate': '\n\n', 'world': '\n\n'}[a.data]
    train = [join(p, sep) for p in documents(a.data, 20_000, 0, scfg, a.copy_frac)]
    model = make_student(a.size, tok, 0)
    t = time.time()
    rec = pretrain_student(model, tok, train, PretrainConfig(tokens=a.steps * a.batch_size * a.seq_len, seq_len=a.seq_len,
                                                           batch_size=a.batch_size, learning_rate=a.lr, documents=len(train)))
    model.to('cpu')
    probes = {k: copy_gain(model, tok, documents(k, a.probes, 999, scfg), '\n' if k == 'list' else '\n\n')
              for k in ('list', 'restate')}
    if a.save: save_student(model, tok, a.save, extra={'size': a.size, 'bench': vars(a) | {'save': str(a.save)}})
    print(json.dumps({'size': a.size, 'data': a.data, 'copy_frac': a.copy_frac if a.data == 'world' else None,
                      'steps': rec['steps'], 'tokens': rec['tokens'], 'train_s': round(time.time() - t),
                      'final_loss': round(rec['final_loss'], 3), **{f'{k}_{m}': v for k, p in probes.items() for m, v in p.items()}}))
