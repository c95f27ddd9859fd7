"""Can tiny students learn the offline world? A throwaway SFT loop (not rvi.sft) that trains a
random-init student from rvi.students on synthetic teacher pairs in one format (IFT or reasoning)
and scores it on the syn-* benchmarks with the rule judge.

    nice -n 10 .venv/bin/python bench/bench_synthetic_learnability.py --domain math --n 4000 --epochs 2 --size s
    # pretrained on the world corpus first (rvi.students.pretrain_student), tiny-preset knobs:
    .venv/bin/python bench/bench_synthetic_learnability.py --size s --domain math --cfg "$(python -c 'from rvi.core import PRESETS; import json; print(json.dumps(PRESETS["tiny"]["synthetic"]))')" \
        --pretrain-tokens 2000000 --base-dir /tmp/base_s --n 1000 --epochs 3 --tokens-per-batch 1024 --eval-n 100

Prints one line per (format, benchmark) with accuracy, mean answer tokens, train time and tokens/s,
and writes the numbers as JSON to --out (default runs/bench/learnability-<domain>-<size>.json).
"""
import argparse, json, math, os, random, sys, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
import torch

from rvi.synthetic import SyntheticConfig, pair_records, eval_questions, format_prompt, TASKS, BENCHMARK_CATEGORY
from rvi.students import make_tokenizer, make_student, count_params, PretrainConfig, pretrain_student
from rvi.synthetic import world_corpus
from rvi.judging import judge_rule


def encode_pairs(rows, tok, fmt, max_len):
    "Token ids and loss labels (prompt masked) for one format."
    out = []
    for r in rows:
        chat = [{'role': 'user', 'content': r['prompt']}]
        prompt = tok.apply_chat_template(chat, tokenize=False, add_generation_prompt=True, enable_thinking=(fmt == 'reasoning'))
        full = prompt + (r['reasoning'] if fmt == 'reasoning' else r['ift']) + '<|im_end|>'
        p_ids, ids = tok.encode(prompt), tok.encode(full)
        assert ids[:len(p_ids)] == p_ids
        ids = ids[:max_len]
        out.append((ids, [-100] * len(p_ids) + ids[len(p_ids):]))
    return out


def batches(data, tokens_per_batch, rng):
    "Length-bucketed batches of about `tokens_per_batch` tokens, shuffled."
    order = sorted(range(len(data)), key=lambda i: len(data[i][0]) + rng.random())
    out, cur, longest = [], [], 0
    for i in order:
        L = len(data[i][0])
        if cur and max(longest, L) * (len(cur) + 1) > tokens_per_batch:
            out.append(cur); cur, longest = [], 0
        cur.append(i); longest = max(longest, L)
    if cur: out.append(cur)
    rng.shuffle(out)
    return out


def collate(data, idx, pad_id):
    L = max(len(data[i][0]) for i in idx)
    ids = torch.full((len(idx), L), pad_id); labels = torch.full((len(idx), L), -100); att = torch.zeros((len(idx), L), dtype=torch.long)
    for j, i in enumerate(idx):
        x, y = data[i]
        ids[j, :len(x)] = torch.tensor(x); labels[j, :len(y)] = torch.tensor(y); att[j, :len(x)] = 1
    return ids, labels, att


def train(model, data, tok, epochs, lr, tokens_per_batch, seed, device='cpu'):
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0, betas=(0.9, 0.98))
    plan = [b for _ in range(epochs) for b in batches(data, tokens_per_batch, rng)]
    warm = max(1, len(plan) // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, (s + 1) / warm) * max(0.1, 1 - s / len(plan)))
    model.train(); t0 = time.time(); ntok = 0; losses = []
    for step, idx in enumerate(plan):
        ids, labels, att = (t.to(device) for t in collate(data, idx, tok.pad_token_id))
        loss = model(input_ids=ids, attention_mask=att, labels=labels).loss
        loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(); sched.step(); opt.zero_grad()
        ntok += int(att.sum()); losses.append(loss.item())
        if step % 25 == 0: print(f'  step {step}/{len(plan)} loss {sum(losses[-50:]) / len(losses[-50:]):.3f} {ntok / (time.time() - t0):.0f} tok/s', flush=True)
    return time.time() - t0, ntok, sum(losses[-50:]) / len(losses[-50:])


SHOW = os.environ.get('RVI_BENCH_SHOW') == '1'   # print one generation per benchmark


@torch.no_grad()
def evaluate(model, tok, cfg, tasks, n, fmt, max_new, batch=64, device='cpu'):
    model.eval(); tok.padding_side = 'left'
    res = {}
    for t in tasks:
        exs = eval_questions(t, n, cfg)
        correct, lens = 0, []
        for k in range(0, len(exs), batch):
            part = exs[k:k + batch]
            prompts = [tok.apply_chat_template([{'role': 'user', 'content': format_prompt(e, cfg)}], tokenize=False,
                                               add_generation_prompt=True, enable_thinking=(fmt == 'reasoning')) for e in part]
            enc = tok(prompts, return_tensors='pt', padding=True, add_special_tokens=False).to(device)
            out = model.generate(**enc, max_new_tokens=max_new, do_sample=False, eos_token_id=tok.eos_token_id,
                                 pad_token_id=tok.pad_token_id)
            for e, o in zip(part, out[:, enc['input_ids'].shape[1]:]):
                o = [i for i in o.tolist() if i != tok.pad_token_id]
                text = tok.decode(o, skip_special_tokens=True)
                if fmt == 'ift': text = '<think>\n\n</think>\n\n' + text
                v = judge_rule(e, text, f'syn-{t}')
                if SHOW and e is part[0] and k == 0: print(f'      sample: {text[-300:]!r} | ref {e["answer"]!r}', flush=True)
                correct += bool(v.correct); lens.append(len(o))
        res[t] = {'acc': correct / len(exs), 'answer_tokens': sum(lens) / len(lens)}
        print(f'    {fmt:9} syn-{t:14} acc {res[t]["acc"]:.3f}  tokens {res[t]["answer_tokens"]:.1f}', flush=True)
    tok.padding_side = 'right'
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--domain', default='math', choices=['general', 'math'])
    ap.add_argument('--n', type=int, default=4000)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--size', default='s')
    ap.add_argument('--formats', default='ift,reasoning')
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--tokens-per-batch', type=int, default=4096)
    ap.add_argument('--eval-n', type=int, default=100)
    ap.add_argument('--vocab', type=int, default=1024)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--cfg', default='{}', help='SyntheticConfig overrides as JSON')
    ap.add_argument('--tasks', default=None, help='comma-separated tasks to train and evaluate on (default: the domain mix)')
    ap.add_argument('--out', default=None)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--pretrain-tokens', type=int, default=0, help='world-corpus LM pretraining before SFT (0 = none)')
    ap.add_argument('--pretrain-lr', type=float, default=3e-3)
    ap.add_argument('--pretrain-batch-seqs', type=int, default=PretrainConfig.batch_size)
    ap.add_argument('--base-dir', default=None, help='save the pretrained base here / load it if present')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    over = json.loads(a.cfg)
    if a.tasks:   # train on these tasks only (equal weights)
        over[f'{a.domain}_mix'] = {t: 1.0 for t in a.tasks.split(',')}
    cfg = SyntheticConfig.from_dict({**SyntheticConfig().to_dict(), **over})
    t0 = time.time()
    tok = make_tokenizer()
    rows = pair_records(a.domain, a.n, a.seed, cfg)
    print(f'data+tokenizer {time.time() - t0:.1f}s', flush=True)
    tasks = [t for t in TASKS if a.domain == 'general' or BENCHMARK_CATEGORY[t].startswith('math')]
    if a.tasks: tasks = [t for t in a.tasks.split(',') if t in TASKS]
    report = {'args': vars(a), 'results': {}}
    import copy
    base = make_student(a.size, tok, seed=a.seed).to(a.device)
    if a.base_dir and Path(a.base_dir, 'config.json').exists():
        from transformers import AutoModelForCausalLM
        base = AutoModelForCausalLM.from_pretrained(a.base_dir).to(a.device); print('loaded base', a.base_dir)
    elif a.pretrain_tokens:   # the offline base-student recipe of rvi.students (world corpus, causal LM)
        pcfg = PretrainConfig(tokens=a.pretrain_tokens, learning_rate=a.pretrain_lr, batch_size=a.pretrain_batch_seqs, seed=a.seed)
        rec = pretrain_student(base, tok, world_corpus(cfg, pcfg.documents, seed=a.seed), pcfg)
        print(f"pretrained {rec['tokens']} tokens in {rec['seconds']:.0f}s, final loss {rec['final_loss']:.3f}", flush=True)
        report['pretrain'] = rec
        if a.base_dir: base.save_pretrained(a.base_dir)
    for fmt in a.formats.split(','):
        torch.manual_seed(a.seed)
        model = copy.deepcopy(base)
        data = encode_pairs(rows, tok, fmt, max_len=512)
        mean_len = sum(len(x) for x, _ in data) / len(data)
        print(f'{fmt}: {len(data)} examples, mean {mean_len:.1f} tokens, params {count_params(model)}', flush=True)
        secs, ntok, loss = train(model, data, tok, a.epochs, a.lr, a.tokens_per_batch, a.seed, a.device)
        print(f'  trained {secs:.0f}s, {ntok} tokens, {ntok / secs:.0f} tok/s, final loss {loss:.3f}', flush=True)
        res = evaluate(model, tok, cfg, tasks, a.eval_n, fmt, 200 if fmt == 'reasoning' else 40, device=a.device)
        report['results'][fmt] = {'train_s': secs, 'tokens': ntok, 'tok_per_s': ntok / secs, 'final_loss': loss,
                                  'params': count_params(model), 'benchmarks': res}
    out = Path(a.out or f'runs/bench/learnability-{a.domain}-{a.size}.json')
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print('wrote', out)


if __name__ == '__main__':
    main()
