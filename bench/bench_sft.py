"""SFT throughput on the tiny students: rvi.sft (padding-free sdpa_varlen, token-sized batches) vs trl's defaults.

Both train one epoch over the same mixed IFT/reasoning mixture (synthetic teacher, ratio 0.5, mixed order) from the
same random-init student, in fp32 on CPU with the same number of torch threads. trl's defaults are SFTConfig()
with only what is needed to run on CPU and compare (bf16=False, one epoch, no saving/reporting): per-device batch 8,
padded batches, random order. Reported per student: real (non-padding) tokens/s, and MFU = model FLOPs/s over this
machine's matmul peak, measured here as the best of several 1024x1024 fp32 matmuls at the same thread count. Model
FLOPs are rvi.flops.training_flops(..., exact=True) (the true matmul FLOPs: GQA, SwiGLU, no embedding lookup) on the
tokenized lengths; the paper's Eq. 1 count is also printed.

    .venv/bin/python bench/bench_sft.py                       # all four tiny students, 1 thread
    .venv/bin/python bench/bench_sft.py --sizes l --threads 2 --n 512
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import warnings; warnings.filterwarnings("ignore")
import numpy as np
import torch
import transformers; transformers.logging.set_verbosity_error()


def matmul_peak(threads: int, n: int = 1024, reps: int = 7, inner: int = 10) -> float:
    "Best FLOP/s of an n x n fp32 matmul at `threads` threads."
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3): a @ b
    best = 0.0
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner): a @ b
        best = max(best, 2 * n ** 3 * inner / (time.perf_counter() - t))
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="xs,s,m,l")
    ap.add_argument("--n", type=int, default=384, help="prompts in the mixture")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ratio", type=float, default=0.5)
    ap.add_argument("--global-batch-tokens", type=int, default=8192)
    ap.add_argument("--max-device-tokens", type=int, default=8192)
    ap.add_argument("--json", default="", help="write the results here")
    a = ap.parse_args(argv)

    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer
    from rvi.flops import ModelShape, training_flops
    from rvi.mixing import build_mixture
    from rvi.sft import sft_config, tokenize_mixture, build_trainer, pick_attention, as_chat
    from rvi.students import train_tokenizer, synthetic_corpus, make_student
    from rvi.synthetic import pair_records

    torch.set_num_threads(a.threads)
    tok = train_tokenizer(synthetic_corpus(n=200, seed=123), vocab_size=1024)
    mix = build_mixture(pair_records("general", a.n, seed=0, tokenizer=tok), a.ratio, "mixed", seed=0)
    tds = tokenize_mixture(mix, tok, max_length=1024)
    lengths = np.array(tds["length"])
    chat = Dataset.from_list([as_chat(r["prompt"], r["response"], r["format"]) for r in mix])
    print(f"mixture: {len(tds)} examples, ratio {a.ratio}, {lengths.sum()} tokens, length mean {lengths.mean():.0f} "
          f"p50 {np.median(lengths):.0f} max {lengths.max()} (ift mean {lengths[np.array(tds['format']) == 'ift'].mean():.0f}, "
          f"reasoning mean {lengths[np.array(tds['format']) == 'reasoning'].mean():.0f}); torch threads {a.threads}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in a.sizes.split(","):
            shape = ModelShape.from_config(make_student(size, tok).config)
            flops = training_flops(shape, lengths, exact=True); flops_paper = training_flops(shape, lengths)
            res = {}
            for name in ("trl-default", "rvi"):
                torch.manual_seed(0)
                model = make_student(size, tok, seed=0)
                if name == "trl-default":
                    args = SFTConfig(output_dir=f"{tmp}/{size}-trl", bf16=False, num_train_epochs=1, save_strategy="no",
                                     report_to=[], disable_tqdm=True, logging_steps=10_000, dataloader_pin_memory=False)
                    tr = SFTTrainer(model=model, args=args, train_dataset=chat, processing_class=tok)
                    padded = sum(len(b["input_ids"][0]) * len(b["input_ids"]) for b in tr.get_train_dataloader())
                else:
                    cfg = sft_config("tiny", f"qwen2-syn-{size}", ratio=a.ratio, order="mixed", save_steps=10_000,
                                     logging_steps=10_000, global_batch_tokens=a.global_batch_tokens,
                                     max_device_tokens=a.max_device_tokens, torch_threads=a.threads)
                    model.set_attn_implementation(pick_attention("auto", "cpu"))
                    tr, plan = build_trainer(cfg, tds, model, tok, f"{tmp}/{size}-rvi")
                    padded = int(lengths.sum())
                peak = matmul_peak(a.threads)
                t = time.perf_counter(); out = tr.train(); wall = time.perf_counter() - t
                peak = max(peak, matmul_peak(a.threads))           # best of before/after: contention is not the model's fault
                res[name] = dict(wall_s=wall, tokens_per_s=lengths.sum() / wall, computed_tokens=padded, steps=out.global_step,
                                 loss=out.training_loss, peak_gflops=peak / 1e9, mfu=flops / wall / peak,
                                 model_gflops_per_s=flops / wall / 1e9)
                print(f"  {size:>2} {name:11s} {wall:7.1f}s {res[name]['tokens_per_s']:8.0f} tok/s  MFU {100*res[name]['mfu']:5.1f}% "
                      f"(model {flops/wall/1e9:.1f} GFLOP/s, peak {peak/1e9:.1f})  tensor tokens {padded} steps {out.global_step} "
                      f"loss {out.training_loss:.3f}", flush=True)
            sp = res["rvi"]["tokens_per_s"] / res["trl-default"]["tokens_per_s"]
            rows.append(dict(size=size, params=int(sum(p.numel() for p in model.parameters())), train_flops_exact=flops,
                             train_flops_paper=flops_paper, speedup=sp, **{f"{k}": v for k, v in res.items()}))
            print(f"  {size:>2} speed-up {sp:.2f}x", flush=True)
    print("\n| student | params | trl default tok/s | rvi tok/s | speed-up | MFU trl | MFU rvi |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| qwen2-syn-{r['size']} | {r['params']/1e6:.2f}M | {r['trl-default']['tokens_per_s']:.0f} | {r['rvi']['tokens_per_s']:.0f} | "
              f"{r['speedup']:.2f}x | {100*r['trl-default']['mfu']:.1f}% | {100*r['rvi']['mfu']:.1f}% |")
    print(f"load average at the end: {os.getloadavg()}")
    if a.json: Path(a.json).write_text(json.dumps(dict(args=vars(a), rows=rows), indent=1))
    return rows


if __name__ == "__main__":
    main()
