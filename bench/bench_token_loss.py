"""Where does a trained student lose its loss? Per-token loss (nats) on the answers of its own training pairs.

    .venv/bin/python bench/bench_token_loss.py <tiny run>/runs/tiny/models/s-math-reasoning <tiny run>/runs/tiny/data/math/pairs --n 3

Prints each answer token with its loss: template tokens near 0 and names, items or numbers near ln(choices)
mean the student writes the format but does not read the question (nbs/explanations/learnability.ipynb, point 4).
"""
import argparse, os

os.environ.setdefault('HF_HUB_OFFLINE', '1')
import torch

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model'); ap.add_argument('pairs', help='a teacher-pairs dataset (datasets.save_to_disk)')
    ap.add_argument('--n', type=int, default=3); ap.add_argument('--format', default='reasoning', choices=['reasoning', 'ift'])
    a = ap.parse_args()
    import datasets
    from rvi.students import load_student
    from rvi.sft import tokenize_example
    model, tok = load_student(a.model)
    pairs = datasets.load_from_disk(a.pairs)
    for r in pairs.select(range(min(a.n, len(pairs)))):
        ex = tokenize_example(tok, r['prompt'], r[a.format], a.format)
        ids = torch.tensor([ex['input_ids']])
        with torch.no_grad(): lp = torch.log_softmax(model(ids).logits[0, :-1].float(), -1)
        nll = -lp.gather(1, ids[0, 1:, None])[:, 0]
        toks = [(tok.decode([t]), l) for t, l, m in zip(ids[0, 1:].tolist(), nll.tolist(), ex['completion_mask'][1:]) if m]
        print(r['prompt'].split('\n\n', 1)[-1][:200].replace('\n', ' '))
        print(' '.join(f"{t!r}:{l:.1f}" for t, l in toks))
        print(f"mean {sum(l for _, l in toks) / len(toks):.3f} nats over {len(toks)} answer tokens\n")
