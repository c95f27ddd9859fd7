"""SFT throughput on the tiny students: rvi.sft (padding-free sdpa_varlen, token-sized batches) vs trl's defaults.

Both train one epoch over the same mixed IFT/reasoning mixture (synthetic teacher, ratio 0.5, mixed order) from the
same random-init student, in fp32 on CPU with the same number of torch threads. trl's defaults are SFTConfig()
with only what is needed to run on CPU and compare (bf16=False, one epoch, no saving/reporting): per-device batch 8,
padded batches, random order. Reported per student: real (non-padding) tokens/s, and MFU = model FLOPs/s over this
machine's matmul peak, measured here as the best of several 1024x1024 fp32 matmuls at the same thread count. Model
FLOPs are rvi.flops.training_flops(..., exact=True) (the true matmul FLOPs: GQA, SwiGLU, no embedding lookup) on the
tokenized lengths (the paper's Eq. 1 count is stored in --json). The machine is shared, so every figure is given per wall
second and per CPU second of this process (time.process_time, which excludes time spent waiting for a core); the
matmul peak is measured the same two ways before and after each run, and the best is used.

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


def matmul_peak(threads: int, n: int = 1024, reps: int = 7, inner: int = 10) -> tuple[float, float]:
    "Best FLOP/s of an n x n fp32 matmul at `threads` threads: per wall second, and per CPU second of this process."
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3): a @ b
    best = best_cpu = 0.0
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(inner): a @ b
        f = 2 * n ** 3 * inner
        best = max(best, f / (time.perf_counter() - t)); best_cpu = max(best_cpu, f / max(time.process_time() - c, 1e-9))
    return best, best_cpu


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
    from rvi.sft import sft_config, tokenize_mixture, build_trainer, pick_attention, sft_example
    from rvi.students import make_tokenizer, make_student
    from rvi.synthetic import pair_records

    torch.set_num_threads(a.threads)
    tok = make_tokenizer()
    mix = build_mixture(pair_records("general", a.n, seed=0, tokenizer=tok), a.ratio, "mixed", seed=0)
    tds = tokenize_mixture(mix, tok, max_length=1024)
    lengths = np.array(tds["length"])
    chat = Dataset.from_list([sft_example(r["prompt"], r["response"], r["format"]) for r in mix])
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
                p1 = matmul_peak(a.threads)
                t, c = time.perf_counter(), time.process_time(); out = tr.train()
                wall, cpu = time.perf_counter() - t, time.process_time() - c
                p2 = matmul_peak(a.threads)                       # best of before/after: contention is not the model's fault
                peak, peak_cpu = max(p1[0], p2[0]), max(p1[1], p2[1])
                res[name] = dict(wall_s=wall, cpu_s=cpu, tokens_per_s=lengths.sum() / wall, tokens_per_cpu_s=lengths.sum() / cpu,
                                 computed_tokens=padded, steps=out.global_step, loss=out.training_loss,
                                 peak_gflops=peak / 1e9, peak_gflops_per_cpu_s=peak_cpu / 1e9,
                                 mfu=flops / wall / peak, mfu_cpu=flops / cpu / peak_cpu, model_gflops_per_s=flops / wall / 1e9)
                r = res[name]
                print(f"  {size:>2} {name:11s} wall {wall:6.1f}s cpu {cpu:6.1f}s | {r['tokens_per_s']:7.0f} tok/s, "
                      f"{r['tokens_per_cpu_s']:7.0f} tok/cpu-s | MFU {100*r['mfu']:5.1f}% (wall; peak {peak/1e9:.1f} GFLOP/s) "
                      f"{100*r['mfu_cpu']:5.1f}% (cpu; peak {peak_cpu/1e9:.1f}) | tensor tokens {padded} steps {out.global_step} "
                      f"loss {out.training_loss:.3f}", flush=True)
            sp = res["rvi"]["tokens_per_s"] / res["trl-default"]["tokens_per_s"]
            sp_cpu = res["rvi"]["tokens_per_cpu_s"] / res["trl-default"]["tokens_per_cpu_s"]
            rows.append(dict(size=size, params=int(sum(p.numel() for p in model.parameters())), train_flops_exact=flops,
                             train_flops_paper=flops_paper, speedup=sp, speedup_cpu=sp_cpu, **{f"{k}": v for k, v in res.items()}))
            print(f"  {size:>2} speed-up {sp:.2f}x (wall), {sp_cpu:.2f}x (cpu time)", flush=True)
    print("\n| student | params | trl default tok/s | rvi tok/s | speed-up (wall / cpu) | MFU trl (wall / cpu) | MFU rvi (wall / cpu) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        t, v = r['trl-default'], r['rvi']
        print(f"| qwen2-syn-{r['size']} | {r['params']/1e6:.2f}M | {t['tokens_per_s']:.0f} | {v['tokens_per_s']:.0f} | "
              f"{r['speedup']:.2f}x / {r['speedup_cpu']:.2f}x | {100*t['mfu']:.1f}% / {100*t['mfu_cpu']:.1f}% | "
              f"{100*v['mfu']:.1f}% / {100*v['mfu_cpu']:.1f}% |")
    print(f"load average at the end: {os.getloadavg()}")
    if a.json: Path(a.json).write_text(json.dumps(dict(args=vars(a), rows=rows), indent=1))
    return rows


if __name__ == "__main__":
    main()
