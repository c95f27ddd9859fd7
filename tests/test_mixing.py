"Tests for rvi.mixing: X_rho sizes and nesting, D_rho contents and order, phases and schedules."
import numpy as np
import pytest

from rvi.core import ConfigError
from rvi.mixing import (reasoning_subset, n_reasoning, build_mixture, mixture_order, mixture_stats,
                        Phase, Schedule, biphasic_schedules)


def pairs(n, with_tokens=True):
    rows = []
    for i in range(n):
        r = dict(id=f"x{i:04d}", prompt=f"question {i}", reasoning=f"<think>\nstep {i}\n</think>\n\n\\boxed{{{i}}}",
                 ift=f"\\boxed{{{i}}}", domain="general", category="math", task="t")
        if with_tokens: r.update(reasoning_tokens=10 + i % 7, ift_tokens=3)
        rows.append(r)
    return rows


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 101, 1000])
@pytest.mark.parametrize("seed", [0, 1, 17])
def test_subset_sizes_and_nesting(n, seed):
    ids = [f"id{i}" for i in range(n)]
    prev = set()
    for rho in (0.0, 0.25, 0.5, 0.75, 1.0):
        sub = reasoning_subset(ids, rho, seed)
        assert len(sub) == len(set(sub)) == int(np.floor(rho * n + 0.5))
        assert set(sub) <= set(ids)
        assert prev <= set(sub)          # nested across ratios for one seed
        prev = set(sub)
    assert prev == set(ids)


def test_subset_is_seeded_and_order_free():
    ids = [f"id{i}" for i in range(500)]
    a = reasoning_subset(ids, 0.3, 5)
    assert a == reasoning_subset(list(reversed(ids)), 0.3, 5)
    assert set(a) != set(reasoning_subset(ids, 0.3, 6))
    # roughly uniform: each half of the ids gets a fair share
    assert 50 < sum(int(i[2:]) < 250 for i in a) < 100


def test_subset_rejects_bad_input():
    with pytest.raises(ValueError, match="rho=-0.1"): reasoning_subset(["a"], -0.1)
    with pytest.raises(ValueError, match="rho=nan"): n_reasoning(3, float("nan"))
    with pytest.raises(ValueError, match="'b'"): reasoning_subset(["a", "b", "b"], 0.5)


@pytest.mark.parametrize("order", ["sequential", "mixed"])
@pytest.mark.parametrize("rho", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_each_prompt_once_with_the_right_answer(order, rho):
    ps = pairs(97)
    mix = build_mixture(ps, rho, order, seed=2)
    assert len(mix) == 97 and sorted(mix["id"]) == sorted(p["id"] for p in ps)
    chosen = set(reasoning_subset([p["id"] for p in ps], rho, 2))
    by_id = {p["id"]: p for p in ps}
    for r in mix:
        fmt = "reasoning" if r["id"] in chosen else "ift"
        assert r["format"] == fmt
        assert r["response"] == by_id[r["id"]][fmt]
        assert r["prompt"] == by_id[r["id"]]["prompt"]
        assert r["response_tokens"] == by_id[r["id"]][f"{fmt}_tokens"]
    assert "reasoning" not in mix.column_names and "ift" not in mix.column_names


def test_sequential_order_blocks_are_shuffled():
    mix = build_mixture(pairs(400), 0.5, "sequential", seed=0)
    f = mix["format"]
    k = f.index("reasoning")
    assert f[:k] == ["ift"] * k and f[k:] == ["reasoning"] * (400 - k) and k == 200
    ids = mix["id"]
    assert ids[:k] != sorted(ids[:k]) and ids[k:] != sorted(ids[k:])   # each block shuffled


def test_mixed_order_is_one_uniform_shuffle():
    mix = build_mixture(pairs(1000), 0.5, "mixed", seed=0)
    r = np.array(mix["format"]) == "reasoning"
    # reasoning examples spread over the whole run: every decile holds some
    assert all(20 < r[i:i + 100].sum() < 80 for i in range(0, 1000, 100))
    # mixture_order is deterministic per seed
    a = mixture_order(r, "mixed", 1); b = mixture_order(r, "mixed", 1)
    assert (a == b).all() and sorted(a) == list(range(1000))


def test_mixture_accepts_datasets_and_pandas_and_int_ids():
    import datasets, pandas as pd
    ps = pairs(20, with_tokens=False)
    for i, p in enumerate(ps): p["id"] = i
    for src in (datasets.Dataset.from_list(ps), pd.DataFrame(ps), ps):
        mix = build_mixture(src, 0.5, "mixed", 0)
        assert sorted(mix["id"]) == sorted(str(i) for i in range(20))
        assert "response_tokens" not in mix.column_names
    with pytest.raises(TypeError, match="pairs must be"): build_mixture("nope", 0.5)
    with pytest.raises(ValueError, match="empty"): build_mixture(datasets.Dataset.from_list(ps).select([]), 0.5)


def test_mixture_stats():
    mix = build_mixture(pairs(10), 0.5, "sequential", 0)
    st = mixture_stats(mix)
    assert st["n"] == 10 and st["n_ift"] == 5 and st["n_reasoning"] == 5
    assert st["tokens_ift"] == 15 and 0.5 < st["reasoning_token_share"] < 1
    with pytest.raises(ValueError, match="3 entries"): mixture_stats(mix, lengths=[1, 2, 3])


def test_phases_and_schedules():
    ss = biphasic_schedules("qwen2-syn-s", mono=False)
    assert [s.lineage for s in ss] == ["general-ift>math-ift", "general-ift>math-reasoning",
                                       "general-reasoning>math-ift", "general-reasoning>math-reasoning"]
    assert len({s.run_name(0) for s in ss}) == 2 and len({s.run_name() for s in ss}) == 4
    s = Schedule("qwen2-syn-s", [Phase("general", 0.25, "sequential"), Phase("math", 1.0, "")])
    assert s.lineage == "general-seq25>math-reasoning"
    assert s.run_name(1) == "qwen2-syn-s__general-seq25__math-reasoning"
    assert Schedule.from_dict(s.to_dict()) == s
    with pytest.raises(ConfigError, match="Schedule.phases"): Schedule("x", [])
    with pytest.raises(ConfigError, match=r"phases\[0\].ratio|Phase.ratio"): Schedule.from_dict({"student": "x", "phases": [{"ratio": 2.0}]})
