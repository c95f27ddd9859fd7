"""Paper-scale SFT throughput: rvi.sft's training path on a random-init Qwen2.5-0.5B-shaped student.

bf16 autocast, FlashAttention-2 when flash-attn is installed (else rvi's padding-free `sdpa_varlen`), trl padding-free
batches, fused AdamW, WSD schedule, token-budget optimizer steps (rvi.sft.batch_plan), a few hundred optimizer steps on random
token sequences whose lengths mimic a 50/50 IFT/reasoning mixture (IFT ~ 600 tokens, reasoning ~ 4,000, capped at
16,384). Reports tokens/s and MFU = model FLOPs/s (rvi.flops.training_flops(exact=True)) over the card's dense bf16
peak (H100/H200 SXM: 989 TFLOP/s; override with --peak-tflops), over the steady-state steps (after --skip steps).

    # on a GPU (the paper-scale measurement):
    python bench/bench_sft_gpu.py --steps 300
    # dry run anywhere (tiny shape, fp32, CPU):
    python bench/bench_sft_gpu.py --device cpu --shape tiny --steps 2 --global-batch-tokens 4096 --max-device-tokens 4096
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import warnings; warnings.filterwarnings("ignore")
import numpy as np
import torch
import transformers; transformers.logging.set_verbosity_error()

BF16_PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "GH200": 989.0, "A100": 312.0, "L40S": 362.0, "A10": 125.0}


def card_peak(name: str) -> float | None:
    for k, v in sorted(BF16_PEAK_TFLOPS.items(), key=lambda kv: -len(kv[0])):
        if k in name: return v * 1e12
    return None


def mixed_lengths(n, rng, max_len, ift=(600, 0.6), reasoning=(4000, 0.7)):
    "Log-normal lengths: half IFT-like, half reasoning-like (mean, sigma of log)."
    is_r = rng.random(n) < 0.5
    mu = np.where(is_r, np.log(reasoning[0]), np.log(ift[0])); sig = np.where(is_r, reasoning[1], ift[1])
    return np.clip(np.exp(rng.normal(mu, sig)).astype(int), 32, max_len), is_r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--shape", default="Qwen2.5-0.5B", help="a rvi.flops.QWEN25_SHAPES name, or 'tiny' for a dry run")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--skip", type=int, default=10, help="warm-up steps left out of the steady-state numbers")
    ap.add_argument("--global-batch-tokens", type=int, default=65_536, help="per optimizer step on this device")
    ap.add_argument("--max-device-tokens", type=int, default=16_384)
    ap.add_argument("--max-length", type=int, default=16_384)
    ap.add_argument("--attn", default="auto", help="auto | flash_attention_2 | sdpa_varlen | sdpa")
    ap.add_argument("--gradient-checkpointing", action="store_true")
    ap.add_argument("--peak-tflops", type=float, default=0.0, help="the card's dense bf16 peak (0 = from its name)")
    ap.add_argument("--json", default="")
    a = ap.parse_args(argv)

    from transformers import Qwen2ForCausalLM
    from datasets import Dataset
    from rvi.flops import ModelShape, QWEN25_SHAPES, training_flops, qwen2_config
    from rvi.sft import SFTRunConfig, build_trainer, pick_attention
    from rvi.dryrun import qwen25_tokenizer
    from transformers import TrainerCallback

    if a.device == "cpu": os.environ["CUDA_VISIBLE_DEVICES"] = ""
    cuda = a.device.startswith("cuda")
    if cuda and not torch.cuda.is_available(): sys.exit("--device cuda but no CUDA device is visible")
    shape = (ModelShape(1024, 128, 384, 4, 4, n_kv_heads=2, name="tiny") if a.shape == "tiny" else QWEN25_SHAPES[a.shape])
    tok = qwen25_tokenizer(["<think> </think> hello world 0 1 2 3 4 5 6 7 8 9"] * 20, vocab_size=300)   # Qwen2.5's special tokens
    torch.manual_seed(0)
    mcfg = qwen2_config(shape, max_position_embeddings=max(a.max_length, 32_768), pad_token_id=tok.pad_token_id,
                        eos_token_id=tok.eos_token_id, bos_token_id=None, tie_word_embeddings=shape.name in ("Qwen2.5-0.5B", "Qwen2.5-1.5B", "Qwen2.5-3B", "tiny"))
    attn = pick_attention(a.attn, a.device)
    mcfg._attn_implementation = attn
    model = Qwen2ForCausalLM(mcfg)
    model.set_attn_implementation(attn)
    params = sum(p.numel() for p in model.parameters())

    rng = np.random.default_rng(0)
    pool, _ = mixed_lengths(50_000, rng, a.max_length)
    n = int(a.steps * a.global_batch_tokens / pool.mean()) + 1     # about `steps` token-budget steps
    lengths, is_r = mixed_lengths(n, rng, a.max_length)
    prompt = np.minimum(rng.integers(20, 200, n), lengths - 1)
    V = shape.vocab_size
    rows = [dict(input_ids=rng.integers(10, V, l).tolist(), completion_mask=[0] * p + [1] * (l - p), length=int(l),
                 format="reasoning" if r else "ift") for l, p, r in zip(lengths, prompt, is_r)]
    ds = Dataset.from_list(rows)
    cfg = SFTRunConfig(student="Qwen2.5-0.5B", learning_rate=2e-5, global_batch_tokens=a.global_batch_tokens,
                       max_device_tokens=a.max_device_tokens, max_length=a.max_length, attn_implementation=attn,
                       precision="bf16" if cuda else "fp32", gradient_checkpointing=a.gradient_checkpointing,
                       save_steps=10**9, logging_steps=10**9)

    class StepClock(TrainerCallback):
        def __init__(self): self.t = []
        def on_step_end(self, args, state, control, **kw):
            if cuda: torch.cuda.synchronize()
            self.t.append(time.perf_counter())
    clock = StepClock()
    with tempfile.TemporaryDirectory() as tmp:
        tr, plan2 = build_trainer(cfg, ds, model, tok, tmp, callbacks=[clock])
        if cuda: torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter(); tr.train(); wall = time.perf_counter() - t0
    steps = len(clock.t)
    members = [[i for mb in st for i in mb] for st in plan2.micro[:steps]]
    per_step_tokens = [int(lengths[m].sum()) for m in members]
    per_step_flops = [training_flops(shape, lengths[m], exact=True) for m in members]
    s = min(a.skip, max(0, steps - 2))
    dt = clock.t[-1] - clock.t[s] if steps > s + 1 else wall
    tok_steady = sum(per_step_tokens[s + 1:]) if steps > s + 1 else sum(per_step_tokens)
    fl_steady = sum(per_step_flops[s + 1:]) if steps > s + 1 else sum(per_step_flops)
    name = torch.cuda.get_device_name() if cuda else "cpu"
    peak = a.peak_tflops * 1e12 if a.peak_tflops else (card_peak(name) if cuda else None)
    res = dict(device=name, shape=shape.name, params=params, attn=attn, bf16=cuda, steps=steps,
               grad_accum=plan2.grad_accum, micro_batch_fill=plan2.summary()["micro_batch_fill"],
               step_tokens_min=min(per_step_tokens), step_tokens_max=max(per_step_tokens), examples=n, tokens=int(lengths.sum()),
               mean_len=float(lengths.mean()), wall_s=wall, steady_steps=max(0, steps - s - 1), steady_s=dt,
               tokens_per_s=tok_steady / dt, model_tflops_per_s=fl_steady / dt / 1e12,
               mfu=(fl_steady / dt / peak) if peak else None, peak_tflops=peak / 1e12 if peak else None,
               max_mem_gb=torch.cuda.max_memory_allocated() / 2**30 if cuda else None)
    print(json.dumps(res, indent=1))
    if a.json: Path(a.json).write_text(json.dumps(res, indent=1))
    return res


if __name__ == "__main__":
    main()
