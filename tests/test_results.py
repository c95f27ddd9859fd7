"""rvi.results: the results table built from a hand-made run folder, row by row and column by column; the
standard-error helpers against their closed forms (property-based)."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from rvi.core import RunPaths, write_json, write_jsonl
from rvi.results import (RESULT_COLUMNS, SIM_BENCHMARKS, ResultsSummary, bench_key, binomial_se, build_results, cap_variants,
                         chance_accuracy, fmt_params, gap_table, load_results, mean_se, model_role, model_table,
                         saturating_fit, se_diff, simulate_results, summarize)
from rvi.tasks import CATEGORIES

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


def test_build_results_train_flops_follow_the_lineage(tmp_path):
    # a ratio model's name is not its lineage tag, a three-phase model pays for every earlier phase; an empty judged
    # file (sorted first) is skipped, a judge's partial credit is kept, a missing score is the verdict as a number
    rp = RunPaths('t', runs_root=tmp_path)
    ratio = dict(model='xs-general-r50-sequential', student='xs', domain='general', format='reasoning', ratio=0.5,
                 order='sequential', lineage='general-seq50', kind='trained')
    three = dict(model='xs-three', student='xs', domain='math', format='reasoning', ratio=1.0, order='',
                 lineage='general-ift>math-ift>math-reasoning', kind='trained')
    for run, f in ((ratio['model'], 5.0), ('xs-general-ift', 1.0), ('xs-general-ift-to-math-ift', 2.0), (three['model'], 4.0)):
        write_json(rp.models / run / 'record.json', {'train_flops': f})
    for m in (ratio, three): write_json(rp.generations / m['model'] / 'meta.json', {'params': 1e6})
    write_jsonl(rp.judged / ratio['model'] / 'default' / 'syn-squad.jsonl',
                [dict(judged('q1', 'syn-squad', 'general-oe', 3, 4, 'stop', False, score=False), score=0.5),
                 judged('q2', 'syn-squad', 'general-oe', 3, 4, 'stop', True)])
    write_jsonl(rp.judged / three['model'] / 'a-empty' / 'syn-math-500.jsonl', [])
    write_jsonl(rp.judged / three['model'] / 'default' / 'syn-math-500.jsonl',
                [judged('a', 'syn-math-500', 'math-oe', 10, 3, 'stop', True, score=False)])
    t = build_results(rp, [ratio, three])
    assert t['train_flops'].tolist() == [5.0, 5.0, 7.0]                            # exactly: 1 + 2 + 4, no offset
    assert t['score'].tolist() == [0.5, 1.0, 1.0] and t['score'].dtype == float
    assert t['correct'].dtype == bool and t['verdict_missing'].dtype == bool
    assert t['eval_variant'].tolist() == ['default'] * 3 and t.index.tolist() == [0, 1, 2]
    assert t['inference_flops'].isna().all()                                     # no shape in meta.json: no Eq. 6
    (rp.judged / three['model'] / 'default' / 'syn-math-500.jsonl').unlink()
    (rp.judged / three['model'] / 'a-empty' / 'syn-math-500.jsonl').unlink()
    try: build_results(rp, [three]); raise AssertionError('no error')
    except FileNotFoundError as e: assert str(e) == f"no judged records under {rp.judged / three['model']}"


# A study with stated, exact accuracies (4 questions per benchmark): two sizes of General-IFT and General-R, a
# sequential and a mixed 50% model, a bi-phasic General-R → Math-IFT model and two teacher modes; General-IFT-1M
# also answers a second General-MC benchmark, General-R-1M also has a capped (p50) and a longer evaluation.
def stated_table():
    gm, mo = 'general-mc', 'math-oe'
    models = [dict(model='i1', format='ift', params=1e6, acc={gm: 0.5, mo: 0.25}, tokens=10, wrong_tokens=30, train_flops=1e12),
              dict(model='r1', format='reasoning', params=1e6, acc={gm: 0.75, mo: 0.5}, tokens=100, wrong_tokens=200, train_flops=2e12),
              dict(model='i2', format='ift', params=4e6, acc={gm: 0.5, mo: 0.5}, tokens=10, train_flops=4e12),
              dict(model='r2', format='reasoning', params=4e6, acc={gm: 1.0, mo: 0.75}, tokens=40, train_flops=8e12),
              dict(model='s1', format='reasoning', params=1e6, ratio=0.5, order='sequential', lineage='general-seq50', acc={gm: 0.25, mo: 0.75}, tokens=50),
              dict(model='x1', format='reasoning', params=1e6, ratio=0.5, order='mixed', lineage='general-mix50', acc={gm: 1.0, mo: 1.0}, tokens=60),
              dict(model='b1', format='ift', params=1e6, domain='math', lineage='general-reasoning>math-ift', acc={gm: 0.25, mo: 0.75}, tokens=20),
              dict(model='t-r', format='teacher', ratio=1.0, acc={gm: 1.0, mo: 0.75}, tokens=300, inf_flops=5.0),
              dict(model='t-i', format='teacher', ratio=0.0, acc={gm: 0.75, mo: 1.0}, tokens=30, inf_flops=5.0)]
    extra = [dict(model='i1', format='ift', params=1e6, acc={gm: 1.0}, tokens=10, train_flops=1e12),
             dict(model='r1', format='reasoning', params=1e6, acc={mo: 0.25}, tokens=50, train_flops=2e12, eval_variant='len-cap-p50'),
             dict(model='r1', format='reasoning', params=1e6, acc={mo: 1.0}, tokens=300, train_flops=2e12, eval_variant='long')]
    x = simulate_results(models=extra, n=4, exact=True)
    x.loc[x['eval_variant'] == 'default', 'benchmark'] = 'syn-openbookqa'
    return pd.concat([simulate_results(models=models, n=4, exact=True), x], ignore_index=True)


def test_bench_key():
    assert [bench_key(b) for b in ('syn-gsm8k', 'MMLU_Pro_Math', 'aime', 'synth', 'Syn-Math_500')] == \
        ['gsm8k', 'mmlu-pro-math', 'aime', 'synth', 'math-500']


def test_load_results_checks_and_normalises(tmp_path):
    t = stated_table()
    with pytest.raises(TypeError, match=r"^results must be a DataFrame, a path to results.parquet or a ResultsSummary, got int$"):
        load_results(3)
    with pytest.raises(FileNotFoundError, match=r"^results table not found: /nonexistent/r\.parquet$"):
        load_results('/nonexistent/r.parquet')
    with pytest.raises(ValueError) as e: load_results(t.drop(columns=['ratio', 'score']))
    assert str(e.value) == f"results table lacks column(s) ['ratio', 'score']; a results table has {list(RESULT_COLUMNS)}"
    raw = t.copy()
    raw.loc[0, ['order', 'lineage', 'domain', 'format', 'eval_variant']] = [None, None, None, None, None]
    raw.loc[1, 'eval_variant'] = ''
    raw['prompt_tokens'] = raw['prompt_tokens'].astype(int).astype(str)
    raw['correct'] = raw['correct'].astype(int)
    before = raw.copy()
    d = load_results(raw)
    pd.testing.assert_frame_equal(raw, before)                                  # the input is not changed
    assert d.loc[0, ['order', 'lineage', 'domain', 'format', 'eval_variant']].tolist() == ['', '', '', '', 'default']
    assert d.loc[1, 'eval_variant'] == 'default' and d.loc[2, 'eval_variant'] == 'default'
    assert all(d[c].dtype == float for c in ('params', 'ratio', 'prompt_tokens', 'answer_tokens', 'score', 'train_flops', 'inference_flops'))
    assert d['correct'].dtype == bool and d['correct'].tolist() == t['correct'].tolist()
    bad = t.copy(); bad['answer_tokens'] = bad['answer_tokens'].astype(object); bad.loc[5, 'answer_tokens'] = 'many'
    with pytest.raises(ValueError, match=r"^results table: column 'answer_tokens' must be numeric \("): load_results(bad)
    bad = t.copy(); bad['correct'] = bad['correct'].astype(object); bad.loc[[9, 40], 'correct'] = None
    with pytest.raises(ValueError) as e: load_results(bad)
    assert str(e.value) == f"results table: column 'correct' has 2 missing value(s), e.g. model 'r1' on 'syn-winogrande'"
    path = tmp_path / 'results.parquet'
    bad = t.copy(); bad.loc[3, 'category'] = 'misc'; bad.loc[4, 'category'] = 'art'; bad.to_parquet(path)
    with pytest.raises(ValueError) as e: load_results(path)
    assert str(e.value) == f"{path}: column 'category' has unknown value(s) ['art', 'misc']; expected one of {list(CATEGORIES)}"
    t.to_parquet(path)
    pd.testing.assert_frame_equal(load_results(str(path)), load_results(t))
    s = summarize(path)
    assert isinstance(s, ResultsSummary) and s.source == str(path) and summarize(s) is s and load_results(s) is s.raw
    assert summarize(t).source == 'results table'


def test_model_role():
    assert model_role('reasoning', 1.0, 'general-reasoning') == ('mono', 'reasoning', None)
    assert model_role('ift', 0.0, 'math-ift') == ('mono', 'ift', None)
    assert model_role('reasoning', 0.25, 'general-seq25') == ('ratio', None, None)
    assert model_role('ift', 0.0, 'general-reasoning>math-ift') == ('biphasic', None, 'General-R → Math-IFT')
    assert model_role('reasoning', 1.0, 'math-ift>general-reasoning') == ('biphasic', None, 'Math-IFT → General-R')
    assert model_role('ift', 0.0, 'general-mix50>math-ift') == ('biphasic', None, None)    # a mixture phase has no style
    assert model_role('reasoning', 1.0, 'general-ift>math-seq25') == ('biphasic', None, None)
    assert model_role('Teacher', float('nan'), '') == ('teacher', None, None)
    assert model_role('BASE', float('nan'), 'general-ift') == ('base', None, None)
    # no ratio: the format decides, else the single phase's style
    assert model_role('ift', float('nan'), '') == ('mono', 'ift', None)
    assert model_role('other', float('nan'), 'general-reasoning') == ('mono', 'reasoning', None)
    assert model_role('other', float('nan'), '') == ('mono', None, None)
    assert model_role('reasoning', 1.5, 'general-reasoning') == ('mono', 'reasoning', None)
    assert model_role('other', 0.0, '') == ('mono', 'ift', None) and model_role('other', 1.0, '') == ('mono', 'reasoning', None)
    assert model_role('reasoning', float('nan'), '') == ('mono', 'reasoning', None)
    # a chain of three phases: adapted from the first to the last
    assert model_role('reasoning', 1.0, 'general-ift>math-ift>math-reasoning') == ('biphasic', None, 'General-IFT → Math-R')


def test_model_table():
    m = model_table(stated_table())
    assert list(m.columns) == ['model', 'params', 'domain', 'format', 'ratio', 'order', 'lineage', 'train_flops', 'student',
                               'kind', 'style', 'adapt', 'label', 'sweep_ratio']
    m = m.set_index('model')
    assert m.index.tolist() == ['i1', 'r1', 'i2', 'r2', 's1', 'x1', 'b1', 't-r', 't-i']
    assert m['kind'].tolist() == ['mono'] * 4 + ['ratio', 'ratio', 'biphasic', 'teacher', 'teacher']
    assert m['style'].fillna('-').tolist() == ['ift', 'reasoning', 'ift', 'reasoning', '-', '-', '-', '-', '-']
    assert m['adapt'].fillna('-').tolist() == ['-'] * 6 + ['General-R → Math-IFT', '-', '-']
    assert m['label'].tolist() == ['General-IFT', 'General-R', 'General-IFT', 'General-R', 's1', 'x1', 'General-R → Math-IFT', 't-r', 't-i']
    assert m['domain'].tolist() == ['general'] * 6 + ['math', '', '']
    np.testing.assert_array_equal(m['sweep_ratio'], [0.0, 1.0, 0.0, 1.0, 0.5, 0.5, np.nan, np.nan, np.nan])
    # no domain column value: the last phase of the lineage names it; upper case is read as lower case
    t = simulate_results(models=[dict(model='a', format='ift', domain='', lineage='general-reasoning>math-ift', acc=0.5),
                                 dict(model='b', format='ift', domain='MATH', lineage='math-ift', acc=0.5)], n=2, exact=True)
    assert model_table(t)['domain'].tolist() == ['math', 'math']
    # one row per model even where its rows disagree (a variant without training FLOPs); a stated domain without lineage
    t = simulate_results(models=[dict(model='a', format='ift', acc=0.5, train_flops=1.0), dict(model='a', format='ift', acc=0.5, eval_variant='long'),
                                 dict(model='c', format='base', domain='Math', acc=0.5)], n=2, exact=True)
    mt = model_table(t)
    assert mt[['model', 'domain', 'train_flops']].values.tolist()[0] == ['a', 'general', 1.0]      # the first row's values
    assert mt['model'].tolist() == ['a', 'c'] and mt['domain'].tolist() == ['general', 'math']
    assert model_table(t.iloc[:0]).empty


def test_stats_per_benchmark_and_category():
    s = summarize(stated_table())
    assert s.variants == ['default', 'len-cap-p50', 'long']
    assert s.benchmarks() == {'general-mc': ['syn-winogrande', 'syn-openbookqa'], 'math-oe': ['syn-math-500']}
    with pytest.raises(ValueError, match=r"^level must be 'category' or 'benchmark', got 'model'$"): s.stats('model')
    b = s.stats('benchmark').set_index(['model', 'benchmark'])
    assert b.loc[('i1', 'syn-winogrande'), ['group', 'category', 'n', 'k', 'acc', 'tokens', 'inf_flops']].tolist() == \
        ['syn-winogrande', 'general-mc', 4, 2, 0.5, 20.0, 2e6 * 20]
    assert b.loc[('i1', 'syn-openbookqa'), ['n', 'k', 'acc', 'tokens']].tolist() == [4, 4, 1.0, 10.0]
    assert math.isclose(b.loc[('i1', 'syn-winogrande'), 'se'], 0.25)                # p = 3/6: sqrt(1/4 / 4)
    assert b.loc[('t-r', 'syn-math-500'), ['kind', 'inf_flops', 'label']].tolist() == ['teacher', 5.0, 't-r']
    c = s.stats().set_index(['model', 'category'])
    i1 = c.loc[('i1', 'general-mc')]
    assert [i1['group'], i1['n'], i1['acc'], i1['tokens'], i1['inf_flops'], i1['kind'], i1['style']] == \
        ['general-mc', 8, 0.75, 15.0, 3e7, 'mono', 'ift']
    assert math.isclose(i1['se'], math.sqrt(0.25 ** 2 + 5 / 36 / 4) / 2)               # mean_se of the two benchmarks
    assert c.loc[('r1', 'math-oe'), ['acc', 'tokens']].tolist() == [0.5, 150.0]
    capped = s.stats(variant='len-cap-p50').set_index(['model', 'category'])
    assert capped.index.tolist() == [('r1', 'math-oe')] and capped['acc'].tolist() == [0.25]
    assert s.stats() is s.stats() and s.stats('benchmark') is not s.stats()       # cached per level and variant
    L = s.lengths_by_correct().set_index(['model', 'group', 'correct'])['tokens']
    assert L[('r1', 'math-oe', True)] == 100.0 and L[('r1', 'math-oe', False)] == 200.0
    assert L[('i1', 'general-mc', True)] == 10.0 and L[('i1', 'general-mc', False)] == 30.0   # openbookqa: no wrong answers
    assert ('r1', 'math-oe', True) in L.index and len(L.loc['r1']) == 4
    Lb = s.lengths_by_correct('benchmark').set_index(['model', 'group', 'correct'])['tokens']
    assert Lb[('i1', 'syn-openbookqa', True)] == 10.0 and ('i1', 'syn-openbookqa', False) not in Lb.index
    assert s.lengths_by_correct() is s.lengths_by_correct()


def test_mono_paired_sweep_and_biphasic():
    s = summarize(stated_table())
    m = s.mono()
    assert list(m.columns) == ['group', 'category', 'params', 'style', 'acc', 'tokens', 'inf_flops', 'train_flops', 'se', 'n']
    key = lambda r: (r.group, r.params, r.style)
    got = {key(r): (r.acc, r.tokens, r.inf_flops, r.train_flops, r.n) for r in m.itertuples()}
    assert got == {('general-mc', 1e6, 'ift'): (0.75, 15.0, 3e7, 1e12, 8), ('general-mc', 1e6, 'reasoning'): (0.75, 125.0, 2.5e8, 2e12, 4),
                   ('general-mc', 4e6, 'ift'): (0.5, 10.0, 8e7, 4e12, 4), ('general-mc', 4e6, 'reasoning'): (1.0, 40.0, 3.2e8, 8e12, 4),
                   ('math-oe', 1e6, 'ift'): (0.25, 25.0, 5e7, 1e12, 4), ('math-oe', 1e6, 'reasoning'): (0.5, 150.0, 3e8, 2e12, 4),
                   ('math-oe', 4e6, 'ift'): (0.5, 10.0, 8e7, 4e12, 4), ('math-oe', 4e6, 'reasoning'): (0.75, 40.0, 3.2e8, 8e12, 4)}
    assert s.mono(domain='math').empty
    assert s.mono(variant='long')[['group', 'params', 'style', 'acc', 'tokens']].values.tolist() == [['math-oe', 1e6, 'reasoning', 1.0, 300.0]]
    p = s.paired()
    assert list(p.columns) == ['group', 'category', 'params'] + [c + sfx for sfx in ('_ift', '_r') for c in ('acc', 'se', 'n', 'tokens', 'inf_flops', 'train_flops')]
    assert p[['group', 'params', 'acc_ift', 'acc_r']].values.tolist() == [
        ['general-mc', 1e6, 0.75, 0.75], ['general-mc', 4e6, 0.5, 1.0], ['math-oe', 1e6, 0.25, 0.5], ['math-oe', 4e6, 0.5, 0.75]]
    empty = s.paired(domain='math')
    assert empty.empty and list(empty.columns) == ['group', 'category', 'params'] + [c + sfx for c in ('acc', 'se', 'n', 'tokens', 'inf_flops', 'train_flops') for sfx in ('_ift', '_r')]
    # the R/IFT cost multiple: geometric mean over sizes of reasoning / IFT inference FLOPs
    cm = s.cost_multiples()
    assert cm.index.tolist() == ['general-mc', 'math-oe']
    np.testing.assert_allclose(cm.to_numpy(), [math.sqrt(2.5e8 / 3e7 * 4), math.sqrt(6 * 4)])
    # the ratio sweeps: the mono-phasic ends at 0 and 1 and the ratio models of one order
    sw = s.sweep()
    assert list(sw.columns) == ['group', 'category', 'params', 'ratio', 'acc', 'tokens', 'inf_flops', 'train_flops', 'se', 'n']
    assert sorted(zip(sw['group'], sw['params'], sw['ratio'], sw['acc'])) == [
        ('general-mc', 1e6, 0.0, 0.75), ('general-mc', 1e6, 0.5, 0.25), ('general-mc', 1e6, 1.0, 0.75), ('general-mc', 4e6, 0.0, 0.5),
        ('general-mc', 4e6, 1.0, 1.0), ('math-oe', 1e6, 0.0, 0.25), ('math-oe', 1e6, 0.5, 0.75), ('math-oe', 1e6, 1.0, 0.5),
        ('math-oe', 4e6, 0.0, 0.5), ('math-oe', 4e6, 1.0, 0.75)]
    mixed = s.sweep(order='mixed')
    assert mixed.loc[mixed['ratio'] == 0.5, 'acc'].tolist() == [1.0, 1.0]
    assert s.sweep(order='other').empty
    g = gap_table(sw).set_index(['group', 'params', 'ratio'])
    assert g['gap'].to_dict() == {('general-mc', 1e6, 0.0): 0.0, ('general-mc', 1e6, 0.5): -50.0, ('general-mc', 1e6, 1.0): 0.0,
                                  ('general-mc', 4e6, 0.0): 0.0, ('general-mc', 4e6, 1.0): 50.0, ('math-oe', 1e6, 0.0): 0.0,
                                  ('math-oe', 1e6, 0.5): 50.0, ('math-oe', 1e6, 1.0): 25.0, ('math-oe', 4e6, 0.0): 0.0, ('math-oe', 4e6, 1.0): 25.0}
    r = g.loc[('math-oe', 1e6, 0.5)]
    assert math.isclose(r['gap_se'], 100 * math.hypot(r['se'], r['se0'])) and r['acc0'] == 0.25
    assert gap_table(sw[sw['params'] == 4e6].assign(params=[2e6, 3e6, 3e6, 2e6])).index.size == 2   # a size without 0%: dropped
    b = s.biphasic()
    assert b[['group', 'params', 'adapt', 'acc']].values.tolist() == [['general-mc', 1e6, 'General-R → Math-IFT', 0.25],
                                                                      ['math-oe', 1e6, 'General-R → Math-IFT', 0.75]]
    assert summarize(stated_table().query("model != 'b1'")).biphasic().empty
    assert s.teacher_acc().to_dict() == {'general-mc': 1.0, 'math-oe': 1.0}
    assert s.teacher_acc('benchmark').to_dict() == {'syn-math-500': 1.0, 'syn-winogrande': 1.0}


def test_cap_variants_and_chance():
    t = simulate_results(models=[dict(model='a', format='ift', acc=0.5, eval_variant=v) for v in
                                 ('len-cap-p100', 'default', 'len-cap-p05', 'len-cap-pxx', 'len-cap-px5', 'long')], n=2)
    assert cap_variants(summarize(t)) == {5: 'len-cap-p05', 100: 'len-cap-p100'}
    assert list(cap_variants(summarize(t))) == [5, 100]
    assert [chance_accuracy(b) for b in ('syn-winogrande', 'MMLU_Pro_Math', 'aqua_rat', 'gsm8k', 'unknown')] == [0.5, 0.1, 0.2, 0.0, 0.0]
    s = summarize(stated_table())
    assert s.chance('benchmark').to_dict() == {'syn-winogrande': 0.5, 'syn-openbookqa': 0.25, 'syn-math-500': 0.0}
    assert s.chance().to_dict() == {'general-mc': 0.375, 'math-oe': 0.0}


def test_fmt_params():
    assert [fmt_params(p) for p in (494e6, 1.5e9, 120e3, 2e12, 12e9, 10e6, 9.5e3, 1e3, 999, 0.0)] == \
        ['494M', '1.5B', '120K', '2T', '12B', '10M', '9.5K', '1K', '999', '0']
    assert [fmt_params(p) for p in (None, float('nan'), float('inf'))] == ['?', '?', '?']
    assert [fmt_params(p) for p in (1e12, 1e9, 1e6, 999e3)] == ['1T', '1B', '1M', '999K']   # a unit from exactly 1 of it


def test_saturating_fit_uses_the_teacher_ceiling():
    # General-IFT and General-R at four sizes (R more accurate), inference FLOPs P/4e6 (0.25 ... 16, none at or below 0
    # dropped by a threshold); a fifth reasoning size evaluated at zero FLOPs is left out of the fit
    sizes = (1e6, 4e6, 16e6, 64e6)
    models = [dict(model=f"{f}{i}", format=f, params=P, acc=a - d, tokens=10, inf_flops=P / 4e6) for i, (P, a) in enumerate(zip(sizes, (0.1, 0.3, 0.6, 0.9)))
              for f, d in (('ift', 0.05), ('reasoning', 0.0))] + [dict(model='r-zero', format='reasoning', params=2e6, acc=0.2, inf_flops=0.0)]
    s = summarize(simulate_results(models=models + [dict(model='t', format='teacher', acc=0.5, inf_flops=1.0)], n=20, exact=True))
    f = saturating_fit(s, 'category', 'math-oe', 'reasoning')
    assert not isinstance(f, str) and f.n_points == 4 and f.ceiling == 0.5
    assert f.alpha + f.beta <= 0.5 + 1e-9 and f.alpha + f.beta > 0.4                               # bound by the teacher
    assert saturating_fit(s, 'category', 'math-oe', 'reasoning') is f                               # cached
    fi = saturating_fit(s, 'category', 'math-oe', 'ift')
    assert fi.n_points == 4 and fi(1.0) < f(1.0)                                                   # each style its own fit
    free = saturating_fit(summarize(simulate_results(models=models, n=20, exact=True)), 'category', 'math-oe', 'reasoning')
    assert free.ceiling == 1.0 and free.alpha + free.beta > 0.8                                     # no teacher: ceiling 1
    few = summarize(simulate_results(models=models[:6], n=20, exact=True))
    assert saturating_fit(few, 'category', 'math-oe', 'ift') == 'needs >= 4 sizes, has 3'
    assert saturating_fit(summarize(simulate_results(models=[dict(model='t', format='teacher', acc=0.5)], n=2)), 'category', 'math-oe', 'ift') == 'needs >= 4 sizes, has 0'
    # a teacher that got nothing right leaves no valid ceiling: the reason, cut to its first 60 characters
    zero = summarize(simulate_results(models=models + [dict(model='t', format='teacher', acc=0.0)], n=20, exact=True))
    assert saturating_fit(zero, 'category', 'math-oe', 'reasoning') == "ceiling must be a finite number > 0 (the teacher's accuracy)"


def test_mono_keeps_models_without_a_parameter_count():
    t = simulate_results(models=[dict(model='i', format='ift', acc=0.5), dict(model='r', format='reasoning', acc=0.75)], n=4, exact=True)
    m = summarize(t).mono()
    assert len(m) == 8 and m['params'].isna().all() and sorted(m.loc[m['group'] == 'math-oe', 'acc']) == [0.5, 0.75]


def test_simulate_results_grid():
    # the seeded generative model: which models, variants and benchmarks it writes, and their schema values
    t = simulate_results(seed=3, sizes=(1e6, 4e6), n=40, ratios=(0.25, 0.75), math=True, biphasic=True, base=True)
    assert list(t.columns) == list(RESULT_COLUMNS) and t.index.tolist() == list(range(len(t)))
    meta = t.drop_duplicates('model').set_index('model')[['student', 'params', 'domain', 'format', 'ratio', 'order', 'lineage', 'train_flops']]
    mono = {f"general-{f}-{i}": (f"s{i}", P, 'general', f, r, '', f"general-{f}") for i, P in enumerate((1e6, 4e6)) for f, r in (('ift', 0.0), ('reasoning', 1.0))}
    ratio = {f"{o[:3]}{r}-{i}": (f"s{i}", P, 'general', 'reasoning', r, o, f"general-{o[:3]}{round(100 * r)}") for i, P in enumerate((1e6, 4e6))
             for r in (0.25, 0.75) for o in ('sequential', 'mixed')}
    math_ = {f"math-{f}-{i}": (f"s{i}", P, 'math', f, r, '', f"math-{f}") for i, P in enumerate((1e6, 4e6)) for f, r in (('ift', 0.0), ('reasoning', 1.0))}
    bi = {f"{a}>{f}-{i}": (f"s{i}", P, 'math', f, r, '', f"general-{a}>math-{f}") for i, P in enumerate((1e6, 4e6))
          for f, r in (('ift', 0.0), ('reasoning', 1.0)) for a in ('ift', 'reasoning')}
    base = {f"base-{i}": (f"s{i}", P, '', 'base', np.nan, '', '') for i, P in enumerate((1e6, 4e6))}
    teacher = {f"teacher-{f}": ('teacher', np.nan, '', 'teacher', r, '', '') for f, r in (('ift', 0.0), ('reasoning', 1.0))}
    want = {**mono, **ratio, **math_, **bi, **base, **teacher}
    cols = ['student', 'params', 'domain', 'format', 'ratio', 'order', 'lineage']
    w = pd.DataFrame.from_dict(want, orient='index', columns=cols)
    pd.testing.assert_frame_equal(meta[cols].sort_index(), w.sort_index(), check_names=False)
    # training FLOPs: 6·P·1e4 tokens·(40 (1 − ρ) + 300 ρ) per phase; none for the teacher and the base students
    tf = 6.0 * w['params'] * 1e4 * (40 * (1 - w['ratio']) + 300 * w['ratio']) * (1 + w['lineage'].str.count('>'))
    np.testing.assert_allclose(meta['train_flops'].sort_index(), tf.sort_index(), rtol=1e-12)
    assert meta.loc[[m for m in want if m.startswith(('teacher', 'base'))], 'train_flops'].isna().all()
    assert (t.groupby('model')[['student', 'domain', 'format', 'order', 'lineage']].nunique() == 1).all().all()   # in every variant
    variants = t.groupby('model')['eval_variant'].unique().map(sorted).to_dict()
    caps = ['len-cap-p00', 'len-cap-p100', 'len-cap-p25', 'len-cap-p50', 'len-cap-p75']
    assert all(variants[m] == ['default'] + caps + ['long'] for m in mono)
    assert all(variants[m] == ['default'] for m in {**ratio, **math_, **bi, **base, **teacher})
    assert sorted(t.loc[t['eval_variant'] == 'long', 'benchmark'].unique()) == ['syn-math-500', 'syn-mmlu-math']
    assert t.groupby(['model', 'eval_variant', 'benchmark']).size().unique().tolist() == [40]
    assert (t.groupby('benchmark')['category'].unique().map(list).to_dict() == {b: [c] for c, b in SIM_BENCHMARKS.items()})
    d = t[t['eval_variant'] == 'default']
    assert d['sample_id'].head(3).tolist() == ['syn-winogrande-0', 'syn-winogrande-1', 'syn-winogrande-2']
    assert set(d['prompt_tokens']) == {1, 2, 3, 4} and (d['finish_reason'] == 'stop').all()
    assert (t['score'] == t['correct'].astype(float)).all() and t['score'].dtype == float
    assert t['verdict_missing'].dtype == bool and not t['verdict_missing'].any()
    assert (d.groupby(['model', 'benchmark'])['prompt_tokens'].nunique() > 1).all()       # drawn per sample
    np.testing.assert_allclose(t['inference_flops'], 2.0 * t['params'] * (t['prompt_tokens'] + t['answer_tokens']))
    assert t.equals(simulate_results(seed=3, sizes=(1e6, 4e6), n=40, ratios=(0.25, 0.75), math=True, biphasic=True, base=True))
    # a length cap at the NN-th percentile of the default answer lengths cuts the longer answers, which are then wrong
    k = ['model', 'benchmark', 'sample_id']
    g = t[t['model'] == 'general-reasoning-1'].set_index(k)
    dflt = g[g['eval_variant'] == 'default']
    for pct in (0, 25, 50, 75, 100):
        c = g[g['eval_variant'] == f"len-cap-p{pct:02d}"].reindex(dflt.index)
        cap = dflt.groupby('benchmark')['answer_tokens'].quantile(pct / 100).reindex(dflt.index.get_level_values('benchmark')).to_numpy()
        cut = dflt['answer_tokens'].to_numpy() > cap
        assert (c['answer_tokens'].to_numpy() == np.minimum(dflt['answer_tokens'].to_numpy(), cap)).all()
        assert ((c['finish_reason'] == 'length').to_numpy() == cut).all()
        assert (c['correct'].to_numpy() == (dflt['correct'].to_numpy() & ~cut)).all()
        assert cut.any() == (pct < 100)
    with pytest.raises(TypeError, match=r"^simulate_results: unknown argument\(s\) \['gains', 'len'\]$"):
        simulate_results(gains={}, len=3)
    plain = simulate_results(sizes=(1e6,), n=5, ratios=(0.5,), mixed=False, caps=False, long=False, teacher=False)
    assert sorted(plain['model'].unique()) == ['general-ift-0', 'general-reasoning-0', 'seq0.5-0']
    # a mixed model answers in the reasoning style only when its ratio is above `switch` (a sequential one always does)
    half = simulate_results(sizes=(1e6,), n=200, ratios=(0.5,), caps=False, long=False, teacher=False)
    med = half[half['correct']].groupby(['model', 'category'])['answer_tokens'].median()
    assert (med['mix0.5-0'] < 2 * med['general-ift-0']).all() and (med['seq0.5-0'] > 4 * med['general-ift-0']).all()
    dflt = simulate_results(sizes=(1e6,), ratios=(), mixed=False, caps=False, long=False, teacher=False)
    assert dflt.groupby(['model', 'benchmark']).size().unique().tolist() == [150]             # n = 150 by default
    assert dflt.equals(simulate_results(seed=0, sizes=(1e6,), ratios=(), mixed=False, caps=False, long=False, teacher=False))
    assert plain['eval_variant'].unique().tolist() == ['default']


def test_simulate_results_rates_and_lengths():
    # with 3000 samples each accuracy and median answer length is the generative model's to within a few standard errors:
    # p = clip(base_acc + slope·i + skill·(gain + gain_slope·i) + bonus, 0.01, 0.99) for size index i, and lengths
    # ift_len·(r_factor if the model answers in the reasoning style), incorrect answers wrong_len times longer
    n, k = 3000, dict(base_acc={'general-mc': 0.4, 'general-oe': 0.25, 'math-mc': 0.25, 'math-oe': 0.1},
                      gain={'general-mc': 0.02, 'general-oe': 0.08, 'math-mc': 0.08, 'math-oe': 0.12},
                      ift_len={'general-mc': 20, 'general-oe': 30, 'math-mc': 40, 'math-oe': 60},
                      r_factor={'general-mc': 12.0, 'general-oe': 7.0, 'math-mc': 9.0, 'math-oe': 7.0})
    t = simulate_results(seed=5, sizes=(1e6, 4e6), n=n, ratios=(0.25, 0.75), caps=False, math=True, biphasic=True, base=True,
                         base_acc={**k['base_acc'], 'general-mc': 0.45})
    k['base_acc']['general-mc'] = 0.45                                        # a per-category override
    on_math = lambda x, y: (lambda c: x if c.startswith('math') else y)
    # model: (size index, skill, style, bonus)
    spec = {'teacher-ift': (4, 0.0, 0.0, 0.0), 'teacher-reasoning': (4, 1.0, 1.0, 0.0)}
    for i in (0, 1):
        spec |= {f"general-ift-{i}": (i, 0.0, 0.0, 0.0), f"general-reasoning-{i}": (i, 1.0, 1.0, 0.0),
                 f"seq0.25-{i}": (i, 0.25, 1.0, 0.0), f"mix0.25-{i}": (i, 0.25, 0.0, 0.0), f"mix0.75-{i}": (i, 0.75, 1.0, 0.0),
                 f"math-ift-{i}": (i, 0.0, 0.0, on_math(0.1, -0.1)), f"math-reasoning-{i}": (i, 1.0, 1.0, on_math(0.1, -0.1)),
                 f"ift>ift-{i}": (i, 0.0, 0.0, on_math(0.1, -0.05)), f"ift>reasoning-{i}": (i, 1.0, 1.0, on_math(0.1, -0.05)),
                 f"reasoning>ift-{i}": (i, 0.0, 0.0, on_math(0.1, -0.05)), f"base-{i}": (i, 0.0, 0.0, -0.1),
                 f"reasoning>reasoning-{i}": (i, 1.3, 1.0, on_math(0.1 - 0.25 * (i == 0), -0.05 - 0.25 * (i == 0)))}
    d = t[t['eval_variant'] == 'default']
    acc = d.groupby(['model', 'category'])['correct'].mean()
    style_of = d['model'].map({m: v[2] for m, v in spec.items()})
    length = d.assign(style=style_of, log=np.log(d['answer_tokens'])).groupby(['style', 'category', 'correct'])
    med, sd = length['answer_tokens'].median(), length['log'].std()
    for m, (i, skill, style, bonus) in spec.items():
        for c in CATEGORIES:
            p = float(np.clip(k['base_acc'][c] + 0.1 * i + skill * (k['gain'][c] + 0.02 * i) + (bonus(c) if callable(bonus) else bonus), 0.01, 0.99))
            assert abs(acc[(m, c)] - p) < 4 * math.sqrt(p * (1 - p) / n) + 1e-9, (m, c, acc[(m, c)], p)
    for style in (0.0, 1.0):                                                   # pooled over the models of one style
        for c in CATEGORIES:
            L = k['ift_len'][c] * (k['r_factor'][c] if style else 1.0)
            # the median of ceil(Y) is ceil(median Y): L or L + 1 (the lengths are whole tokens)
            assert abs(med[(style, c, True)] / (L + 0.5) - 1) < 0.03 and abs(med[(style, c, False)] / (1.4 * L + 0.5) - 1) < 0.03, (style, c, med[(style, c)], L)
            assert abs(sd[(style, c, True)] - 0.3) < 0.03, (style, c, sd[(style, c, True)])   # log-normal, σ = 0.3
    # the longer limit lets 15% of the reasoning answers cut by default finish; IFT answers are as by default
    lg = t[t['eval_variant'] == 'long'].groupby(['model', 'category'])['correct'].mean()
    for m, style in (('general-ift-1', 0.0), ('general-reasoning-1', 1.0)):
        for c in ('math-mc', 'math-oe'):
            p = float(np.clip(k['base_acc'][c] + 0.1 + style * (k['gain'][c] + 0.02), 0.01, 0.99))
            p = p + style * 0.15 * (1 - p)
            assert abs(lg[(m, c)] - p) < 4 * math.sqrt(p * (1 - p) / n), (m, c, lg[(m, c)], p)
    assert np.array_equal(d['answer_tokens'], np.ceil(d['answer_tokens'])) and d['answer_tokens'].min() >= 1
    # an accuracy past 1 is clipped to 0.99 (and below 0 to 0.01): never all right, never all wrong
    hi = simulate_results(seed=1, sizes=(1e6,), n=n, ratios=(), mixed=False, caps=False, long=False, teacher=False,
                          base_acc={c: 2.0 for c in CATEGORIES})['correct'].mean()
    lo = simulate_results(seed=1, sizes=(1e6,), n=n, ratios=(), mixed=False, caps=False, long=False, teacher=False,
                          base_acc={c: -2.0 for c in CATEGORIES}, gain={c: 0.0 for c in CATEGORIES}, slope=0.0)['correct'].mean()
    assert 0.98 < hi < 1.0 and 0.0 < lo < 0.02
    # a stated study: exact accuracies, stated lengths, FLOPs and metadata defaults
    st = simulate_results(models=[dict(model='a', format='ift', params=1e6, acc=0.25, tokens=10, wrong_tokens=30, prompt_tokens=2),
                                  dict(model='b', format='reasoning', params=1e6, acc={'math-oe': 0.5}, train_flops=3e12),
                                  dict(model='c', format='base', acc={'math-mc': 0.5}, tokens={'math-mc': 7}, inf_flops={'math-mc': 9.0})],
                          n=8, exact=True)
    assert st.groupby(['model', 'category'])['correct'].mean().to_dict() == \
        {('a', c): 0.25 for c in CATEGORIES} | {('b', 'math-oe'): 0.5, ('c', 'math-mc'): 0.5}
    a = st[(st['model'] == 'a') & (st['category'] == 'math-oe')]
    assert a['answer_tokens'].tolist() == [10.0] * 2 + [30.0] * 6 and a['correct'].tolist() == [True] * 2 + [False] * 6
    assert a['inference_flops'].tolist() == [2e6 * 12] * 2 + [2e6 * 32] * 6 and a['prompt_tokens'].tolist() == [2.0] * 8
    assert a['sample_id'].tolist() == [f"syn-math-500-{j}" for j in range(8)] and (a['finish_reason'] == 'stop').all()
    meta = st.drop_duplicates('model').set_index('model')
    assert meta.loc['b', ['student', 'domain', 'ratio', 'order', 'lineage', 'train_flops', 'eval_variant']].tolist() == \
        ['b', 'general', 1.0, '', 'general-reasoning', 3e12, 'default']
    assert meta.loc['a', ['domain', 'ratio', 'lineage']].tolist() == ['general', 0.0, 'general-ift'] and np.isnan(meta.loc['a', 'train_flops'])
    assert meta.loc['c', ['domain', 'lineage']].tolist() == ['', ''] and np.isnan(meta.loc['c', 'ratio']) and np.isnan(meta.loc['c', 'params'])
    assert st.loc[st['model'] == 'c', ['answer_tokens', 'inference_flops']].drop_duplicates().values.tolist() == [[7.0, 9.0]]   # wrong answers: as long as right ones
    assert st.loc[st['model'] == 'b', 'answer_tokens'].unique().tolist() == [100.0]
    assert st.index.tolist() == list(range(len(st)))
    two = [dict(model='a', format='ift', acc=0.5, student='s0'), dict(model='b', format='ift', acc=0.5)]
    assert simulate_results(models=two, n=50, seed=4).equals(simulate_results(models=two, n=50, seed=4))       # seeded
    assert not simulate_results(models=two, n=50, seed=4)['correct'].equals(simulate_results(models=two, n=50, seed=5)['correct'])
    assert simulate_results(models=two, n=1).drop_duplicates('model')['student'].tolist() == ['s0', 'b']
    drawn = simulate_results(models=[dict(model='a', format='ift', acc=0.3)], n=4000, seed=3)['correct'].mean()
    assert abs(drawn - 0.3) < 0.03 and drawn != 0.3                              # sampled, not exact
    for bad, msg in ((dict(model='a', format='ift'), r"^simulate_results: model 'a': missing or unknown key\(s\) \['acc'\]; keys: "),
                     (dict(format='ift', acc=0.5), r"^simulate_results: model \{'format': 'ift', 'acc': 0.5\}: missing or unknown key\(s\) \['model'\]"),
                     (dict(model='a', format='ift', acc=0.5, size=3), r"unknown key\(s\) \['size'\]"),
                     (dict(model='a', format='ift', acc=1.5), r"^model 'a': accuracy 1.5 on general-mc is not in \[0, 1\]$"),
                     (dict(model='a', format='ift', acc=-0.1), r"accuracy -0.1 on general-mc"),
                     (dict(model='a', format='ift', acc={'art': 0.5}), r"^model 'a': unknown categories \['art'\]$"),
                     (dict(model='a', format='ift', acc={'math-oe': 0.5, 'math-mc': 0.5}, tokens={'math-mc': 3}),
                      r"^model 'a': 'tokens' lacks categories \['math-oe'\]$")):
        with pytest.raises((TypeError, ValueError), match=msg): simulate_results(models=[bad])
    with pytest.raises(ValueError, match=r"^simulate_results: `models` is empty$"): simulate_results(models=[])
    assert simulate_results(models=[dict(model='a', format='ift', acc=1.0), dict(model='z', format='ift', acc=0.0)], n=3)['correct'].tolist() == [True] * 12 + [False] * 12
