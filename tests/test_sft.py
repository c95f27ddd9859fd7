"Tests for rvi.sft: tokenization = trl's, the sequential order, WSD learning rates, resume after a kill, the record."
import json, os, signal, subprocess, sys, time
from pathlib import Path

import numpy as np
import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import transformers
transformers.logging.set_verbosity_error()

from rvi.mixing import build_mixture
from rvi.sft import (SFTRunConfig, sft_config, tokenize_mixture, sft_example, build_trainer, train_sft, LRTrace,
                     wsd_steps, batch_plan, last_checkpoint, register_varlen_attention)
from rvi.students import make_tokenizer, make_student, save_student

ROOT = Path(__file__).resolve().parents[1]


def toy_pairs(n, seed=0):
    rng = np.random.default_rng(seed); rows = []
    for i in range(n):
        a, b = (int(x) for x in rng.integers(10, 99, 2)); k = int(rng.integers(1, 10))
        steps = " ".join(f"{a}+{j}={a + j}." for j in range(k))
        rows.append(dict(id=f"q{i:04d}", prompt=f"What is {a}+{b}?", ift=f"The sum is \\boxed{{{a + b}}}.",
                         reasoning=f"<think>\nAdd {b} to {a}. {steps}\n</think>\n\nThe sum is \\boxed{{{a + b}}}.",
                         domain="general"))
    return rows


@pytest.fixture(scope="module")
def tok():
    return make_tokenizer()


def small_cfg(**kw):
    base = dict(global_batch_tokens=512, max_device_tokens=512, max_length=256, save_steps=1000, logging_steps=1,
                torch_threads=1)
    return sft_config("smoke", "qwen2-syn-xs", **{**base, **kw})


def test_tokenization_matches_trl(tok):
    "Our tokenization (needed for padding-free) gives trl's own input_ids and answer-only labels."
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer
    mix = build_mixture(toy_pairs(12), 0.5, "mixed", 0)
    ours = tokenize_mixture(mix, tok, max_length=None)
    chat = Dataset.from_list([sft_example(r["prompt"], r["response"], r["format"]) for r in mix])
    args = SFTConfig(output_dir="/tmp/unused-rvi", bf16=False, report_to=[], max_length=None, padding_free=False)
    tr = SFTTrainer(model=make_student("xs", tok), args=args, train_dataset=chat, processing_class=tok)
    theirs = tr.train_dataset
    assert len(theirs) == len(ours)
    for a, b in zip(ours, theirs):
        assert a["input_ids"] == b["input_ids"]
        assert [t if m else -100 for t, m in zip(a["input_ids"], a["completion_mask"])] == b["labels"]


def test_sequential_order_is_the_training_order(tok):
    "The trainer's batches are the plan's steps in order: IFT block first, then reasoning (no reshuffle across steps)."
    mix = build_mixture(toy_pairs(80), 0.5, "sequential", 3)
    ds = tokenize_mixture(mix, tok, 256)
    cfg = small_cfg(ratio=0.5, order="sequential")
    model = make_student("xs", tok); model.set_attn_implementation(register_varlen_attention())
    tr, plan = build_trainer(cfg, ds, model, tok, "/tmp/unused-rvi-order")
    rows, seen = [r["input_ids"] for r in ds], []
    for batch in tr.get_train_dataloader():
        ids = batch["input_ids"][0].tolist(); cu = batch["cu_seq_lens_q"].tolist()
        seen.append([rows.index(ids[s:e]) for s, e in zip(cu[:-1], cu[1:])])
    steps = [sorted(i for mb in seen[k:k + plan.grad_accum] for i in mb) for k in range(0, len(seen), plan.grad_accum)]
    assert [i for st in steps for i in st] == list(range(len(ds)))          # every example once, steps in order
    assert ds["format"] == ["ift"] * 40 + ["reasoning"] * 40


def test_learning_rate_at_chosen_steps(tok, tmp_path):
    "WSD with transformers' scheduler: warmup from 10%, plateau at the peak, linear decay to 10% (scaled for short runs)."
    mix = build_mixture(toy_pairs(120), 0.0, "mixed", 0)
    cfg = small_cfg(ratio=0.0, global_batch_tokens=256, max_device_tokens=256, learning_rate=1e-3)
    trace = LRTrace()
    rec = train_sft(cfg, mix, tmp_path / "lr", model=make_student("xs", tok),
                    tokenizer=tok, callbacks=[trace])
    T = rec["steps"]; w, d = wsd_steps(T)
    assert (rec["warmup_steps"], rec["decay_steps"]) == (w, d) and T >= 20 and w >= 2
    lr = trace.lrs
    assert sorted(lr) == list(range(T))
    peak = 1e-3
    assert lr[0] == pytest.approx(0.1 * peak)
    assert lr[w // 2] == pytest.approx(peak * (0.1 + 0.9 * (w // 2) / w))
    assert lr[w] == pytest.approx(peak) and lr[T - d - 1] == pytest.approx(peak)
    assert lr[T - d + d // 2] == pytest.approx(peak * (0.1 + 0.9 * (1 - (d // 2) / d)))
    assert lr[T - 1] == pytest.approx(peak * (0.1 + 0.9 / d))
    assert rec["peak_lr"] == peak and rec["format"] == "ift" and rec["order"] == ""


def test_training_schedule_is_wsd_scheduler(tok, tmp_path):
    "The trainer's learning rates are those of `wsd_scheduler` (the schedule the notebook shows), step for step."
    from rvi.sft import wsd_scheduler
    ds = tokenize_mixture(build_mixture(toy_pairs(120), 0.0, "mixed", 0), tok, 256)
    cfg = small_cfg(ratio=0.0, global_batch_tokens=256, max_device_tokens=256, learning_rate=1e-3)
    tr, plan = build_trainer(cfg, ds, make_student("xs", tok), tok, tmp_path)
    T = plan.n_steps
    tr.create_optimizer_and_scheduler(num_training_steps=T)
    ref_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    ref = wsd_scheduler(ref_opt, T, cfg.warmup_steps, cfg.decay_steps, cfg.min_lr_ratio)
    got, want = [], []
    for _ in range(T):
        got.append(tr.lr_scheduler.get_last_lr()[0]); want.append(ref.get_last_lr()[0])
        tr.optimizer.step(); tr.lr_scheduler.step(); ref_opt.step(); ref.step()
    assert T >= 20 and len(set(np.round(want, 12))) > 3          # warmup, plateau and decay all seen
    assert got == pytest.approx(want, rel=1e-9)


def test_paper_schedule_and_batch():
    assert wsd_steps(20_000) == (150, 300)
    rng = np.random.default_rng(1)
    lens = np.concatenate([rng.integers(300, 3000, 3000), rng.integers(2000, 16_384, 3000)])   # IFT block, reasoning block
    p = batch_plan(lens, 262_144, 16_384, world=16)
    assert all(abs(t / 262_144 - 1) <= 0.05 for t in p.step_tokens)
    assert all(sum(lens[i] for i in mb) <= 16_384 for st in p.micro for mb in st) and len(p.micro[0]) == 16 * p.grad_accum
    assert SFTRunConfig("Qwen/Qwen2.5-0.5B", ratio=0.75, order="sequential").peak_lr == 2e-5
    assert SFTRunConfig("Qwen/Qwen2.5-0.5B").peak_lr == 1e-5


def test_tokens_per_step_within_5pct_of_the_budget(tok, tmp_path):
    "Trained through trl on short IFT and long reasoning answers: every optimizer step holds the budget within 5%."
    rows = toy_pairs(800, seed=7)
    for r in rows[400:]:   # long reasoning answers, up to ~ max_length
        r["reasoning"] = r["reasoning"].replace("</think>", " ".join(f"{j}+1={j + 1}." for j in range(40)) + "\n</think>")
    mix = build_mixture(rows, 0.5, "sequential", 0)
    td = tokenize_mixture(mix, tok, 256)
    ift = [l for l, f in zip(td["length"], td["format"]) if f == "ift"]
    rea = [l for l, f in zip(td["length"], td["format"]) if f == "reasoning"]
    assert np.mean(rea) > 3 * np.mean(ift)                                  # a real mix of short and long examples
    # the budget is ~40 long answers, as 262,144 tokens is ~60 reasoning answers of the released data
    cfg = small_cfg(ratio=0.5, order="sequential", global_batch_tokens=8192, max_device_tokens=1024, max_length=256)
    rec = train_sft(cfg, mix, tmp_path / "r", model=make_student("xs", tok), tokenizer=tok)
    b = rec["batch"]
    assert b["grad_accum"] >= 4 and len(b["tokens_per_step"]) == rec["steps"] >= 8
    assert all(abs(t / 8192 - 1) <= 0.05 for t in b["tokens_per_step"]), b["tokens_per_step"]
    assert b["max_rel_dev"] <= 0.05 and sum(b["tokens_per_step"]) == rec["tokens_seen"]


def test_data_hygiene_then_training_never_raises(tok, tmp_path):
    "Unterminated and over-long pairs are dropped and counted at the data stage; training on the rest runs."
    from datasets import Dataset
    from rvi.generation import clean_pairs, pairs_dataset
    from rvi.sft import tokenize_examples
    rows = [dict(r, category="", task="", reasoning_tokens=-1, ift_tokens=-1, reasoning_finish="stop", ift_finish="stop")
            for r in toy_pairs(24, seed=2)]
    rows[3]["reasoning"] = "<think>\nAdd the numbers and then"                   # unterminated
    rows[5]["reasoning"] = rows[5]["reasoning"].replace("</think>", "x " * 400 + "</think>")   # over the length limit
    raw = pairs_dataset(rows)
    with pytest.raises(ValueError, match="</think>|think"):                  # what training would do with the raw data
        train_sft(small_cfg(ratio=1.0), build_mixture(raw, 1.0, "mixed", 0), tmp_path / "raw", model=make_student("xs", tok), tokenizer=tok)
    kept, hyg = clean_pairs(raw, lambda ps, ans, fs: [e["length"] for e in tokenize_examples(tok, ps, ans, fs)], 256)
    assert hyg["dropped"]["unterminated"] == 1 and hyg["dropped"]["over_length"] == 1 and hyg["kept"] == 22
    for rho in (1.0, 0.5):
        rec = train_sft(small_cfg(ratio=rho, order="mixed"), build_mixture(kept, rho, "mixed", 0), tmp_path / f"r{rho}",
                        model=make_student("xs", tok), tokenizer=tok)
        assert rec["examples"] == 22 and rec["steps"] >= 1


def test_record_contract(tok, tmp_path):
    mix = build_mixture(toy_pairs(40), 0.25, "mixed", 0)
    rec = train_sft(small_cfg(ratio=0.25, order="mixed"), mix, tmp_path / "r", model=make_student("xs", tok), tokenizer=tok)
    for k in ("run_name", "student", "params", "domain", "format", "ratio", "order", "phases", "lineage", "tokens_seen",
              "train_flops", "wall_time_s", "tokens_per_s", "final_loss", "config"):
        assert k in rec, k
    on_disk = json.loads((tmp_path / "r" / "record.json").read_text())
    assert on_disk == rec and on_disk["order"] == "mixed" and on_disk["examples_reasoning"] == 10
    assert rec["train_flops"] > 0 and rec["tokens_per_s"] > 0 and np.isfinite(rec["final_loss"])
    assert SFTRunConfig.from_dict(rec["config"]) == small_cfg(ratio=0.25, order="mixed")


def _weights(path):
    from safetensors.torch import load_file
    return load_file(str(Path(path) / "model.safetensors"))


def test_resume_after_kill_gives_the_same_weights(tok, tmp_path):
    "SIGKILL a training process after a checkpoint, resume: the final weights equal an uninterrupted run's."
    import datasets
    base = save_student(make_student("xs", tok, seed=0), tok, tmp_path / "base")
    pairs_dir = tmp_path / "pairs"; datasets.Dataset.from_list(toy_pairs(120, seed=5)).save_to_disk(str(pairs_dir))
    cfg = small_cfg(model=str(base), ratio=0.5, order="sequential", save_steps=2, global_batch_tokens=256,
                    max_device_tokens=256)
    cfg.save(tmp_path / "cfg.yaml")
    # 1. uninterrupted
    ref = train_sft(cfg, build_mixture(datasets.load_from_disk(str(pairs_dir)), 0.5, "sequential", 0), tmp_path / "ref")
    assert ref["steps"] >= 20
    # 2. killed: a separate process, SIGKILLed once a checkpoint is on disk
    out = tmp_path / "killed"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    p = subprocess.Popen([sys.executable, "-m", "rvi.sft", "--config", str(tmp_path / "cfg.yaml"), "--pairs", str(pairs_dir),
                          "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0 = time.time()
    while last_checkpoint(out / "checkpoints") is None:
        assert p.poll() is None, f"training process ended before its first checkpoint: {p.stderr.read().decode()[-2000:]}"
        assert time.time() - t0 < 300, "no checkpoint within 300 s"
        time.sleep(0.02)
    os.kill(p.pid, signal.SIGKILL); p.wait()
    ck = last_checkpoint(out / "checkpoints")
    assert not (out / "record.json").exists() and int(ck.name.split("-")[1]) < ref["steps"]
    # 3. resumed: same command, in this process
    from rvi.sft import sft_main as main
    rec = main(["--config", str(tmp_path / "cfg.yaml"), "--pairs", str(pairs_dir), "--out", str(out)])
    assert rec["starts"] == 2 and rec["steps"] == ref["steps"] and rec["tokens_seen"] == ref["tokens_seen"]
    a, b = _weights(tmp_path / "ref"), _weights(out)
    assert a.keys() == b.keys()
    for k in a: assert torch.equal(a[k], b[k]), k
    assert rec["final_loss"] == pytest.approx(ref["final_loss"], rel=1e-6)


def test_accelerate_configs_parse():
    "configs/ holds FSDP and ZeRO-3 launch configs that accelerate reads, for 16 processes in bf16."
    from accelerate.commands.config.config_args import load_config_from_file
    fsdp = load_config_from_file(str(ROOT / "configs" / "accelerate_fsdp.yaml"))
    assert str(fsdp.distributed_type).endswith("FSDP") and fsdp.num_processes == 16 and fsdp.mixed_precision == "bf16"
    assert fsdp.fsdp_config["fsdp_transformer_layer_cls_to_wrap"] == "Qwen2DecoderLayer"
    z3 = load_config_from_file(str(ROOT / "configs" / "accelerate_zero3.yaml"))
    assert str(z3.distributed_type).endswith("DEEPSPEED") and z3.num_processes == 16
    ds = json.loads((ROOT / z3.deepspeed_config["deepspeed_config_file"]).read_text())
    assert ds["zero_optimization"]["stage"] == 3
    assert "optimizer" not in ds and "scheduler" not in ds      # fused AdamW + WSD come from the HF Trainer
    assert ds["train_micro_batch_size_per_gpu"] == "auto" and ds["gradient_accumulation_steps"] == "auto"
