"""rvi.results: the results table built from a hand-made run folder, row by row and column by column; the
standard-error helpers against their closed forms (property-based)."""
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from rvi.core import RunPaths, write_json, write_jsonl
from rvi.results import RESULT_COLUMNS, build_results, binomial_se, mean_se, se_diff

SHAPE = dict(vocab_size=100, d_model=8, d_ff=32, n_heads=2, n_layers=1)
# Eq. 6 for SHAPE by hand (Eq. 1 terms, V=100, d=8, d_ff=32, h=2, one layer): a token through the layers costs
# 2Vd + 8d² + 4d·d_ff = 3136, a query-key pair 2d + 3h + 2d = 38, a vocabulary logit 2dV = 1600. Prefill of l_p
# tokens: 3136 l_p + 38 l_p² + 1600; each generated token i = 1..l_g: 3136 + 1600 + 38 (l_p + i).
def eq6(lp, lg): return 3136 * lp + 38 * lp ** 2 + 1600 + 4736 * lg + 38 * (lg * lp + lg * (lg + 1) / 2)

BI = dict(model='xs-general-reasoning-to-math-reasoning', student='xs', domain='math', format='reasoning', ratio=1.0,
          order='', lineage='general-reasoning>math-reasoning', kind='trained')
IFT = dict(model='xs-general-ift', student='xs', domain='general', format='ift', ratio=0.0, order='', lineage='general-ift', kind='trained')
TEACHER = dict(model='teacher-reasoning', student='teacher', domain='', format='teacher', ratio=1.0, order='', lineage='', kind='teacher')


def judged(sample_id, bench, cat, p, a, finish, correct, missing=False, score=True):
    "A record as rvi.judging writes it, with the fields the table drops (response, extracted, judge)."
    r = dict(benchmark=bench, category=cat, model='x', sample_id=sample_id, prompt=None, response='…', answer_tokens=a,
             prompt_tokens=p, finish_reason=finish, extracted=None, correct=correct, verdict_missing=missing, judge='rule')
    if score: r['score'] = float(correct)
    return r


def make_run(root):
    rp = RunPaths('t', runs_root=root)
    # training records: the bi-phasic model's first phase (general reasoning) and second phase, the IFT model
    for run, f in (('xs-general-reasoning', 3e12), (BI['model'], 1e12), (IFT['model'], 2e12)):
        write_json(rp.models / run / 'record.json', {'train_flops': f})
    for m in (BI, IFT): write_json(rp.generations / m['model'] / 'meta.json', {'params': 1e6, 'shape': SHAPE})
    write_json(rp.generations / TEACHER['model'] / 'meta.json', {'params': None})
    j = rp.judged
    write_jsonl(j / BI['model'] / 'default' / 'syn-math-500.jsonl',
                [judged('a', 'syn-math-500', 'math-oe', 10, 3, 'stop', True), judged('b', 'syn-math-500', 'math-oe', 4, 20, 'length', False)])
    write_jsonl(j / BI['model'] / 'len-cap-p50' / 'syn-math-500.jsonl',          # the capped evaluation
                [judged('a', 'syn-math-500', 'math-oe', 10, 3, 'stop', True), judged('b', 'syn-math-500', 'math-oe', 4, 5, 'length', False)])
    write_jsonl(j / BI['model'] / 'long' / 'syn-math-500.jsonl',                 # the longer generation limit
                [judged('b', 'syn-math-500', 'math-oe', 4, 30, 'stop', True, score=False)])
    write_jsonl(j / IFT['model'] / 'default' / 'syn-winogrande.jsonl',
                [judged('w1', 'syn-winogrande', 'general-mc', 7, 1, 'stop', False, missing=True)])
    write_jsonl(j / TEACHER['model'] / 'default' / 'syn-winogrande.jsonl',
                [judged('w1', 'syn-winogrande', 'general-mc', 7, 2, 'stop', True)])
    return rp


def test_build_results_every_column(tmp_path):
    t = build_results(make_run(tmp_path), [BI, IFT, TEACHER])
    bi = dict(model=BI['model'], student='xs', params=1e6, domain='math', format='reasoning', ratio=1.0, order='',
              lineage='general-reasoning>math-reasoning', benchmark='syn-math-500', category='math-oe', verdict_missing=False,
              train_flops=4e12)                                                      # 3e12 + 1e12: both phases
    rows = [dict(bi, eval_variant='default', sample_id='a', prompt_tokens=10, answer_tokens=3, finish_reason='stop', correct=True, score=1.0, inference_flops=52336.0),
            dict(bi, eval_variant='default', sample_id='b', prompt_tokens=4, answer_tokens=20, finish_reason='length', correct=False, score=0.0, inference_flops=120492.0),
            dict(bi, eval_variant='len-cap-p50', sample_id='a', prompt_tokens=10, answer_tokens=3, finish_reason='stop', correct=True, score=1.0, inference_flops=52336.0),
            dict(bi, eval_variant='len-cap-p50', sample_id='b', prompt_tokens=4, answer_tokens=5, finish_reason='length', correct=False, score=0.0, inference_flops=39762.0),
            dict(bi, eval_variant='long', sample_id='b', prompt_tokens=4, answer_tokens=30, finish_reason='stop', correct=True, score=1.0, inference_flops=179062.0),
            dict(model=IFT['model'], student='xs', params=1e6, domain='general', format='ift', ratio=0.0, order='', lineage='general-ift',
                 eval_variant='default', benchmark='syn-winogrande', category='general-mc', sample_id='w1', prompt_tokens=7, answer_tokens=1,
                 finish_reason='stop', correct=False, verdict_missing=True, score=0.0, train_flops=2e12, inference_flops=30454.0),
            dict(model=TEACHER['model'], student='teacher', params=np.nan, domain='', format='teacher', ratio=1.0, order='', lineage='',
                 eval_variant='default', benchmark='syn-winogrande', category='general-mc', sample_id='w1', prompt_tokens=7, answer_tokens=2,
                 finish_reason='stop', correct=True, verdict_missing=False, score=1.0, train_flops=np.nan, inference_flops=np.nan)]
    want = pd.DataFrame(rows)[list(RESULT_COLUMNS)]
    assert [eq6(*r) for r in ((10, 3), (4, 20), (4, 5), (4, 30), (7, 1))] == [52336, 120492, 39762, 179062, 30454]
    assert list(t.columns) == list(RESULT_COLUMNS)
    pd.testing.assert_frame_equal(t.reset_index(drop=True), want, check_dtype=False)


def test_build_results_names_what_is_missing(tmp_path):
    rp = make_run(tmp_path)
    (rp.models / 'xs-general-reasoning' / 'record.json').unlink()
    try: build_results(rp, [BI]); raise AssertionError('no error')
    except FileNotFoundError as e: assert 'xs-general-reasoning/record.json' in str(e)
    try: build_results(rp, [dict(IFT, model='nothing')]); raise AssertionError('no error')
    except FileNotFoundError as e: assert 'nothing/meta.json' in str(e)


se = st.floats(0.0, 1.0, allow_nan=False)
# no per-example deadline: a loaded two-core machine can stall any example
settings.register_profile('rvi', deadline=None, max_examples=200)
settings.load_profile('rvi')


@given(st.lists(se, min_size=1, max_size=30))
def test_mean_se_closed_form(xs):
    # Var(mean of k independent estimates) = Σ σ² / k²
    assert math.isclose(mean_se(xs), math.sqrt(sum(x * x for x in xs)) / len(xs), rel_tol=1e-9, abs_tol=1e-15)


@given(se, st.integers(1, 50))
def test_mean_se_of_equal_errors(s, k):
    # k equal errors: σ/√k, not σ
    assert math.isclose(mean_se([s] * k), s / math.sqrt(k), rel_tol=1e-9, abs_tol=1e-15)


@given(se, se)
def test_se_diff_closed_form(a, b):
    assert math.isclose(se_diff(a, b), math.hypot(a, b), rel_tol=1e-9, abs_tol=1e-15)
    assert math.isclose(se_diff(a, b), se_diff(b, a)) and math.isclose(se_diff(a, 0.0), a, abs_tol=1e-15)


@given(st.integers(1, 10_000), st.data())
def test_binomial_se_closed_form(n, data):
    k = data.draw(st.integers(0, n))
    p = (k + 1) / (n + 2)
    assert math.isclose(binomial_se(k, n), math.sqrt(p * (1 - p) / n), rel_tol=1e-12)
    assert 0 < binomial_se(k, n) <= 0.5 / math.sqrt(n) + 1e-12     # never zero, at most the p = 1/2 error
    assert math.isclose(binomial_se(k, n), binomial_se(n - k, n), rel_tol=1e-12)
