"""Peak-learning-rate check for the tiny students (the TINY_PEAK_LR table of rvi.sft).

One epoch of `--n` synthetic general-domain teacher pairs per student size and pure format (IFT, reasoning), at
multiples `--mults` of the table's rate, from the same random init; prints the first and final logged training loss
and the number of loss rises > 15% between logged points. CPU, fp32, 1 torch thread.

    .venv/bin/python bench/bench_sft_lr.py --sizes xs,s --n 800 --mults 0.25,0.5,1
"""
import argparse, json, os, tempfile
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import warnings; warnings.filterwarnings("ignore")
import transformers; transformers.logging.set_verbosity_error()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="xs,s")
    ap.add_argument("--n", type=int, default=800)
    ap.add_argument("--mults", default="0.25,0.5,1")
    ap.add_argument("--json", default="")
    a = ap.parse_args(argv)
    from rvi.mixing import build_mixture
    from rvi.sft import sft_config, train_sft, TINY_PEAK_LR
    from rvi.students import make_tokenizer, make_student
    from rvi.synthetic import pair_records
    tok = make_tokenizer()
    pairs = pair_records("general", a.n, seed=0, tokenizer=tok)
    out = {}
    for size in a.sizes.split(","):
        for ratio, fmt in ((0.0, "ift"), (1.0, "reasoning")):
            for mult in (float(m) for m in a.mults.split(",")):
                lr = TINY_PEAK_LR[f"qwen2-syn-{size}"][fmt] * mult
                cfg = sft_config("tiny", size, ratio=ratio, order="", learning_rate=lr, torch_threads=1, save_steps=10**6)
                with tempfile.TemporaryDirectory() as d:
                    rec = train_sft(cfg, build_mixture(pairs, ratio, "mixed", 0), d, model=make_student(size, tok, seed=0), tokenizer=tok)
                c = [l for _, l in rec["loss_curve"]]
                rises = sum(b > a_ * 1.15 for a_, b in zip(c, c[1:]))
                out[f"{size}-{fmt}-x{mult}"] = dict(lr=lr, steps=rec["steps"], first=c[0], final=rec["final_loss"], rises=rises,
                                                    wall_s=rec["wall_time_s"])
                print(f"{size:>2} {fmt:9s} x{mult:<5} lr {lr:.2e}  steps {rec['steps']:3d}  loss {c[0]:.3f} -> {rec['final_loss']:.3f}"
                      f"  rises {rises}  ({rec['wall_time_s']:.0f} s)", flush=True)
    if a.json: json.dump(out, open(a.json, "w"), indent=1)
    return out


if __name__ == "__main__":
    main()
