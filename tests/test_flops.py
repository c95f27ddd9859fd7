"""Tests for rvi.flops: Appendix C (Eq. 1-6) term by term, vectorization, and the measured check with FlopCounterMode."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import re

import numpy as np
import pytest

from rvi.flops import (MODES, QWEN25_SHAPES, TERMS, ModelShape, cached_step_flops, flop_terms, formula_flops,
                       flop_counter_table, forward_flops, inference_flops, measured_flops, prefill_flops, qwen2_config,
                       training_flops)

S = ModelShape(vocab_size=1000, d_model=64, d_ff=256, n_heads=4, n_layers=2, n_kv_heads=2, name='t')


def eq1(V, d, f, h, L, l):
    "Eq. 1 written out independently."
    return 2*l*V*d + (6*l*d**2 + 2*l**2*d + 3*l**2*h + 2*l**2*d + 2*l*d**2)*L + 4*l*d*f*L + 2*l*d*V


def eq4(V, d, f, h, L, lp):
    return 2*lp*d*V + (6*lp*d**2 + 2*lp**2*d + 3*lp**2*h + 2*lp**2*d + 2*lp*d**2)*L + 4*lp*d*f*L + 2*d*V


def eq5(V, d, f, h, L, lp):
    return 2*d*V + (6*d**2 + 2*lp*d + 3*lp*h + 2*lp*d + 2*d**2)*L + 4*d*f*L + 2*d*V


@pytest.mark.parametrize("name", list(QWEN25_SHAPES))
@pytest.mark.parametrize("l", [1, 37, 1000, 16384])
def test_forward_is_eq1(name, l):
    s = QWEN25_SHAPES[name]
    want = eq1(s.vocab_size, s.d_model, s.d_ff, s.n_heads, s.n_layers, l)
    assert forward_flops(s, l) == pytest.approx(want, rel=1e-12)
    assert training_flops(s, l) == pytest.approx(3*want, rel=1e-12)       # Eq. 2


def test_terms_sum_and_names():
    t = flop_terms(S, 10, 100, 10)
    assert tuple(t) == TERMS
    assert sum(float(v) for v in t.values()) == pytest.approx(forward_flops(S, 10))
    assert float(t['attn_softmax']) == 3*100*4*2


def test_training_sum_eq3_and_types():
    rng = np.random.default_rng(0)
    lens = rng.integers(1, 20000, 5000)
    per = training_flops(S, lens, per_sample=True)
    assert isinstance(per, np.ndarray) and per.shape == (5000,) and per.dtype == np.float64
    total = training_flops(S, lens)
    assert isinstance(total, float)
    assert total == pytest.approx(per.sum(), rel=1e-9)
    assert total == pytest.approx(sum(3*eq1(1000, 64, 256, 4, 2, int(l)) for l in lens), rel=1e-9)
    assert isinstance(forward_flops(S, 5), float)
    assert isinstance(forward_flops(S, np.int64(5)), float)
    assert training_flops(S, []) == 0.0
    # a 2-D batch of lengths is summed as well
    assert training_flops(S, lens.reshape(50, 100)) == pytest.approx(total)


def test_training_large_no_overflow():
    s = QWEN25_SHAPES['Qwen2.5-14B']
    lens = np.full(1_600_000, 16384, dtype=np.int64)
    got = training_flops(s, lens)
    assert got == pytest.approx(1_600_000*3*eq1(152064, 5120, 13824, 40, 48, 16384), rel=1e-9)
    assert got > 9.3e18   # beyond int64: must be computed in floating point


def test_inference_eq4_eq5_eq6():
    V, d, f, h, L = 1000, 64, 256, 4, 2
    assert prefill_flops(S, 33) == pytest.approx(eq4(V, d, f, h, L, 33))
    assert cached_step_flops(S, 33) == pytest.approx(eq5(V, d, f, h, L, 33))
    rng = np.random.default_rng(1)
    lp, lg = rng.integers(0, 300, 40), rng.integers(0, 300, 40)
    got = inference_flops(S, lp, lg)
    assert got.shape == (40,)
    want = [eq4(V, d, f, h, L, p) + sum(eq5(V, d, f, h, L, p + i) for i in range(1, g + 1)) for p, g in zip(lp, lg)]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert inference_flops(S, 10, 0) == pytest.approx(eq4(V, d, f, h, L, 10))
    assert isinstance(inference_flops(S, 10, 5), float)
    # broadcasting one prompt length against many generation lengths
    assert inference_flops(S, 10, np.array([1, 2, 3])).shape == (3,)


def test_exact_terms():
    s = ModelShape(100, 8, 32, 2, 3, n_kv_heads=1)      # h*d_head = 8, n_kv*d_head = 4
    e = flop_terms(s, 10, 100, 10, exact=True)
    p = flop_terms(s, 10, 100, 10)
    assert float(e['embeddings']) == 0 and float(e['attn_softmax']) == 0
    assert float(e['attn_qkv']) == 2*10*8*(8 + 2*4)*3
    assert float(e['feed_forward']) == 1.5*float(p['feed_forward'])          # SwiGLU: 3 matrices, not 2
    assert float(e['attn_scores']) == float(p['attn_scores'])                 # h*d_head == d_model
    q3 = ModelShape(100, 8, 32, 2, 1, n_kv_heads=2, head_dim=16)            # Qwen3-style wider heads
    assert float(flop_terms(q3, 1, 5, 1, exact=True)['attn_scores']) == 2*5*32


def test_paper_minus_exact_is_the_explained_gap():
    l, s = 128, S
    d, V, f, h, L, hd, kvd = 64, 1000, 256, 4, 2, 64, 32
    gap = forward_flops(s, l) - forward_flops(s, l, exact=True)
    explained = (2*l*V*d                                   # embedding lookup charged as a matmul
                 + (6*l*d*d - 2*l*d*(hd + 2*kvd))*L         # GQA: K and V are narrower
                 + 3*l*l*h*L                                # softmax is not a matmul
                 - 2*l*d*f*L)                               # SwiGLU's third matrix
    assert gap == pytest.approx(explained)


def test_bad_inputs():
    for bad, field in [((0, 64, 256, 4, 2), 'vocab_size'), ((10, 64, -1, 4, 2), 'd_ff'),
                       ((10, 64, 256, 4, 2.0), 'n_layers'), ((10, 64, 256, True, 2), 'n_heads')]:
        with pytest.raises(ValueError, match=field):
            ModelShape(*bad)
    with pytest.raises(ValueError, match='not divisible'):
        ModelShape(10, 65, 256, 4, 2)
    with pytest.raises(ValueError, match='seq_len'):
        forward_flops(S, -1)
    with pytest.raises(ValueError, match='NaN'):
        training_flops(S, [1, np.nan])
    with pytest.raises(ValueError, match='prompt_len'):
        inference_flops(S, -1, 2)
    with pytest.raises(ValueError, match='ModelShape'):
        forward_flops(object(), 3)
    with pytest.raises(ValueError, match='mode'):
        formula_flops(S, 3, 'backward')


def test_from_config_families():
    from transformers import LlamaConfig, Qwen2Config, Qwen3Config
    q2 = Qwen2Config(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_attention_heads=14,
                     num_key_value_heads=2, num_hidden_layers=24)
    assert ModelShape.from_config(q2, name='Qwen2.5-0.5B') == QWEN25_SHAPES['Qwen2.5-0.5B']
    q3 = ModelShape.from_config(Qwen3Config(vocab_size=151936, hidden_size=2560, intermediate_size=9728,
                                            num_attention_heads=32, num_key_value_heads=8, num_hidden_layers=36,
                                            head_dim=128))
    assert (q3.dim_head, q3.kv_heads) == (128, 8)
    ll = ModelShape.from_config(LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                                            num_attention_heads=32, num_key_value_heads=8, num_hidden_layers=32))
    assert (ll.d_ff, ll.kv_heads, ll.head_dim) == (14336, 8, None)
    with pytest.raises(ValueError, match='hidden_size'):
        ModelShape.from_config({'vocab_size': 3})


def test_qwen25_config_values():
    "Shape numbers as in the Qwen2.5 config.json files."
    want = {'Qwen2.5-0.5B': (151936, 896, 4864, 14, 24, 2), 'Qwen2.5-1.5B': (151936, 1536, 8960, 12, 28, 2),
            'Qwen2.5-3B': (151936, 2048, 11008, 16, 36, 2), 'Qwen2.5-7B': (152064, 3584, 18944, 28, 28, 4),
            'Qwen2.5-14B': (152064, 5120, 13824, 40, 48, 8)}
    for n, v in want.items():
        s = QWEN25_SHAPES[n]
        assert (s.vocab_size, s.d_model, s.d_ff, s.n_heads, s.n_layers, s.n_kv_heads) == v


@pytest.mark.parametrize("shape", [S, ModelShape(3000, 96, 320, 6, 2, n_kv_heads=6, name='mha'),
                                   ModelShape(2000, 96, 512, 4, 1, n_kv_heads=1, head_dim=32, name='mqa')])
def test_exact_matches_flop_counter(shape):
    import torch
    from transformers import Qwen2ForCausalLM
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(qwen2_config(shape))
    for mode in MODES:
        for l in (9, 64):
            m = measured_flops(model, l, mode)
            assert formula_flops(shape, l, mode, exact=True) == pytest.approx(m, rel=0.02), (mode, l)
            assert formula_flops(shape, l, mode) != pytest.approx(m, rel=0.02)   # the paper's formula differs
    terms = measured_flops(model, 32, 'forward', by_term=True)
    assert terms['embeddings'] == 0 and terms['other'] == 0
    assert terms['feed_forward'] == pytest.approx(float(flop_terms(shape, 32, 32*32, 32, exact=True)['feed_forward']))
    with pytest.raises(ValueError, match='mode'):
        measured_flops(model, 4, 'sideways')
    with pytest.raises(ValueError, match='seq_len'):
        measured_flops(model, 1, 'step')


TINY = ModelShape(64, 16, 24, 2, 1, n_kv_heads=1, name='tiny')     # d_head 8: h*d_head = 16, n_kv*d_head = 8


def test_shape_fields_checked_and_named():
    s = ModelShape(np.int64(10), 8, 16, 2, 1, n_kv_heads=np.int32(1), head_dim=6)
    assert type(s.vocab_size) is int and type(s.n_kv_heads) is int and (s.dim_head, s.kv_heads) == (6, 1)
    for kw, field, v in [(dict(n_kv_heads=0), 'n_kv_heads', 0), (dict(head_dim=0), 'head_dim', 0),
                         (dict(head_dim=-4), 'head_dim', -4), (dict(n_kv_heads=1.0), 'n_kv_heads', 1.0)]:
        with pytest.raises(ValueError, match=rf"^ModelShape.{field} must be a positive integer, got {v!r}$"):
            ModelShape(10, 8, 16, 2, 1, **kw)
    with pytest.raises(ValueError, match=r"^ModelShape: d_model=9 is not divisible by n_heads=2; give head_dim explicitly$"):
        ModelShape(10, 9, 16, 2, 1)
    assert ModelShape(10, 9, 16, 2, 1, head_dim=4).dim_head == 4
    with pytest.raises(ValueError, match=r"^ModelShape.n_kv_heads=3 must divide n_heads=4$"):
        ModelShape(10, 8, 16, 4, 1, n_kv_heads=3)


def test_lengths_checked_and_named():
    for f, args, what in [(forward_flops, ([-1],), 'seq_len'), (training_flops, ([3, -2],), 'seq_lens'),
                          (prefill_flops, (-1,), 'prompt_len'), (cached_step_flops, (-3,), 'context_len'),
                          (inference_flops, (-1, 2), 'prompt_len'), (inference_flops, (2, [1, -1]), 'gen_len')]:
        with pytest.raises(ValueError, match=rf"^{what} must be >= 0, got -\d$"): f(S, *args)
    with pytest.raises(ValueError, match=r"^seq_len must be numbers, got dtype <U1$"): forward_flops(S, ['a'])
    with pytest.raises(ValueError, match=r"^seq_lens must be numbers, got dtype bool$"): training_flops(S, [True])
    with pytest.raises(ValueError, match=r"^seq_lens contains NaN or infinite values$"): training_flops(S, [np.inf])
    with pytest.raises(ValueError, match=r"^shape must be a ModelShape \(see ModelShape.from_config\), got dict$"):
        flop_terms({}, 1, 1, 1)
    l32 = np.array([3, 40], dtype=np.float32)                  # any integer or float dtype is a length
    assert training_flops(S, l32) == training_flops(S, [3, 40])


@pytest.mark.parametrize("exact", [False, True])
def test_scalar_in_float_out_array_in_array_out(exact):
    lens = np.array([0, 1, 7, 300])
    for f in (forward_flops, prefill_flops, cached_step_flops,
              lambda s, l, exact: training_flops(s, l, exact, per_sample=True)):
        arr = f(S, lens, exact=exact)
        assert isinstance(arr, np.ndarray) and arr.dtype == np.float64 and arr.shape == (4,)
        for l, a in zip(lens, arr):
            got = f(S, int(l), exact=exact)
            assert type(got) is float and got == a
    t = flop_terms(S, lens, lens**2, lens, exact=exact)
    assert tuple(t) == TERMS and all(v.shape == (4,) and v.dtype == np.float64 for v in t.values())
    got = inference_flops(S, lens, 5, exact=exact)
    assert got.shape == (4,) and list(got) == [inference_flops(S, int(p), 5, exact=exact) for p in lens]
    assert inference_flops(S, lens[:, None], lens, exact=exact).shape == (4, 4)


def test_exact_flag_reaches_every_formula():
    p, g = 7, 4
    assert training_flops(S, [p, g], exact=True, per_sample=True).tolist() == \
        [3*forward_flops(S, p, exact=True), 3*forward_flops(S, g, exact=True)]
    want = prefill_flops(S, p, exact=True) + sum(cached_step_flops(S, p + i, exact=True) for i in range(1, g + 1))
    assert inference_flops(S, p, g, exact=True) == pytest.approx(want, rel=1e-12)
    assert inference_flops(S, p, g, exact=True) != pytest.approx(inference_flops(S, p, g), rel=1e-3)
    for mode, f in [('forward', forward_flops), ('prefill', prefill_flops), ('step', cached_step_flops),
                    ('train', training_flops)]:
        for exact in (False, True): assert formula_flops(S, 9, mode, exact) == f(S, 9, exact)
    assert formula_flops(S, 9) == forward_flops(S, 9)
    with pytest.raises(ValueError, match=r"^mode must be one of \('forward', 'prefill', 'step', 'train'\), got 'back'$"):
        formula_flops(S, 9, 'back')


def test_qwen2_config_fields():
    cfg = qwen2_config(ModelShape(50, 12, 20, 3, 2, n_kv_heads=1, head_dim=8))
    assert (cfg.vocab_size, cfg.hidden_size, cfg.intermediate_size, cfg.num_attention_heads, cfg.num_key_value_heads,
            cfg.num_hidden_layers, cfg.head_dim, cfg.max_position_embeddings) == (50, 12, 20, 3, 1, 2, 8, 4096)
    assert cfg.tie_word_embeddings is False and cfg._attn_implementation == 'eager'
    assert qwen2_config(TINY, max_position_embeddings=64, rope_theta=10.0).max_position_embeddings == 64


def test_module_terms_grouping():
    from rvi.flops import _module_terms
    counts = {'Global': {'mm': 1000},
              'm.embed_tokens': {'x': 3}, 'm.vision.embed_tokens': {'x': 4},
              'm.layers.0.self_attn': {'mm': 100, 'bmm': 40}, 'm.layers.0.self_attn.q_proj': {'mm': 30},
              'm.layers.0.self_attn.k_proj': {'mm': 10}, 'm.layers.0.self_attn.v_proj': {'mm': 10},
              'm.layers.0.self_attn.o_proj': {'mm': 30}, 'm.layers.1.self_attn': {'bmm': 7},
              'm.layers.0.mlp': {'mm': 200}, 'm.layers.0.mlp.up_proj': {'mm': 70},
              'lm_head': {'mm': 300}, 'aux.lm_head': {'mm': 5}}
    assert _module_terms(counts) == dict(embeddings=7, attn_qkv=50, attn_core=(140 - 80) + 7, attn_out=30, feed_forward=200,
                                         logits=305, other=1000 - (7 + 50 + 67 + 30 + 200 + 305))
    assert _module_terms({}) == dict.fromkeys(('embeddings', 'attn_qkv', 'attn_core', 'attn_out', 'feed_forward',
                                               'logits', 'other'), 0)


def test_measured_equals_exact_on_a_tiny_model():
    import torch
    from transformers import Qwen2ForCausalLM
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(qwen2_config(TINY))
    for mode, lens in [('forward', (1, 5)), ('prefill', (1, 5)), ('step', (2, 5)), ('train', (1, 3))]:
        for l in lens: assert measured_flops(model, l, mode) == formula_flops(TINY, l, mode, exact=True), (mode, l)
    assert measured_flops(model, 6) == measured_flops(model, 6, 'forward', seed=3)
    assert all(p.grad is None for p in model.parameters())          # a train measurement leaves no gradients
    for bad, mode in [(2.5, 'forward'), (True, 'forward'), (0, 'forward'), (1, 'step'), (np.float64(3), 'train')]:
        with pytest.raises(ValueError, match=rf"^seq_len must be a positive integer \(>= 2 for mode='step'\), got {re.escape(repr(bad))}$"):
            measured_flops(model, bad, mode)
    with pytest.raises(ValueError, match=r"^mode must be one of \('forward', 'prefill', 'step', 'train'\), got 'up'$"):
        measured_flops(model, 3, 'up')


def test_flop_counter_table_rows():
    t = flop_counter_table([TINY, ModelShape(32, 8, 16, 1, 1, name='one-head')])
    assert list(t.columns) == ['shape', 'seq_len', 'mode', 'measured', 'paper', 'exact', 'paper_over_measured',
                               'exact_err_pct']
    assert list(zip(t['shape'], t['seq_len'], t['mode'])) == [(n, l, m) for n in ('tiny', 'one-head')
                                                              for l in (16, 128) for m in MODES]
    for r in t.itertuples():
        s = TINY if r.shape == 'tiny' else ModelShape(32, 8, 16, 1, 1)
        assert r.exact == formula_flops(s, r.seq_len, r.mode, exact=True) == r.measured
        assert r.paper == formula_flops(s, r.seq_len, r.mode) and r.paper_over_measured == r.paper / r.measured
        assert r.exact_err_pct == 0.0
    t = flop_counter_table([TINY], seq_lens=(3,), modes=('step', 'train'), seed=2)
    assert list(t['mode']) == ['step', 'train'] and list(t['seq_len']) == [3, 3]
    assert list(t['exact_err_pct']) == [0.0, 0.0]


def test_flop_counter_table_arithmetic(monkeypatch):
    import rvi.flops
    calls = []
    def fake(model, l, mode, seed=0):
        calls.append((l, mode, seed)); return 1000.0
    monkeypatch.setattr(rvi.flops, 'measured_flops', fake)
    t = flop_counter_table([TINY], seq_lens=(4,), modes=('forward',))
    t2 = flop_counter_table([TINY], seq_lens=(4,), modes=('step',), seed=5)
    assert calls == [(4, 'forward', 0), (4, 'step', 5)]
    exact = forward_flops(TINY, 4, exact=True)
    assert t.loc[0, 'exact_err_pct'] == pytest.approx(100*(exact - 1000.0)/1000.0, rel=1e-12)
    assert t.loc[0, 'paper_over_measured'] == pytest.approx(forward_flops(TINY, 4)/1000.0, rel=1e-12)
    assert t2.loc[0, 'exact_err_pct'] == pytest.approx(100*(cached_step_flops(TINY, 4, exact=True) - 1000.0)/1000.0)
