"""rvi.figures: the 18 figures and the claims table, on results tables sampled from a small seeded generative model."""
import numpy as np
import pandas as pd
import pytest

from rvi.figures import (CATEGORIES, CLAIMS, FIGURES, compute_claims, draw_all, figure_ids, load_results, summarize,
                         write_claims, fig02_mono_phasic, fig06_training_pareto, fig10_longer_generation)
from rvi.pareto import pareto_front

BENCH = {'general-mc': 'syn-winogrande', 'general-oe': 'syn-squad', 'math-mc': 'syn-mmlu-math', 'math-oe': 'syn-math-500'}


def make_results(seed=0, sizes=(1e6, 4e6, 16e6, 64e6), n=150, base_acc=None, slope=0.1, gain=None, gain_slope=0.02,
                 ift_len=None, r_factor=None, wrong_len=1.4, switch=0.5, ratios=(0.25, 0.5, 0.75), mixed=True,
                 caps=True, long=True, teacher=True):
    """Sample a results table: per (model, benchmark) accuracy p = base + slope*i + skill*(gain + gain_slope*i) for
    the i-th size, correctness ~ Bernoulli(p), answer length ~ lognormal around the category's IFT length times the
    reasoning factor for reasoning-style answers (mixed models answer in reasoning style only above `switch`),
    incorrect answers `wrong_len` times longer; FLOPs 2*N*tokens (inference) and 6*N*tokens (training)."""
    rng = np.random.default_rng(seed)
    base_acc = base_acc or {'general-mc': 0.4, 'general-oe': 0.25, 'math-mc': 0.25, 'math-oe': 0.1}
    gain = gain or {'general-mc': 0.02, 'general-oe': 0.08, 'math-mc': 0.08, 'math-oe': 0.12}
    ift_len = ift_len or {'general-mc': 20, 'general-oe': 30, 'math-mc': 40, 'math-oe': 60}
    r_factor = r_factor or {'general-mc': 12.0, 'general-oe': 7.0, 'math-mc': 9.0, 'math-oe': 7.0}
    frames = []

    def add(model, i, P, fmt, rho, order, lineage, skill, style, variants=('default',), only=None, train=True):
        for cat, bench in BENCH.items():
            if only and bench not in only: continue
            p = float(np.clip(base_acc[cat] + slope * i + skill * (gain[cat] + gain_slope * i), 0.01, 0.99))
            ok = rng.random(n) < p
            rs = rng.random(n) < style
            toks = np.ceil(np.exp(rng.normal(np.log(ift_len[cat] * np.where(rs, r_factor[cat], 1.0)), 0.3)) * np.where(ok, 1.0, wrong_len))
            ptok = rng.integers(1, 5, n)
            for v in variants:
                cap = {'default': np.inf, 'long': np.inf}.get(v, None)
                if cap is None: cap = np.percentile(toks, int(v.split('-p')[1]))
                cut = toks > cap
                t = np.minimum(toks, cap)
                c = ok & ~cut
                if v == 'long' and fmt == 'reasoning':  # a longer limit lets some cut-short answers finish correctly
                    c = ok | (rng.random(n) < 0.15)
                frames.append(pd.DataFrame(dict(
                    model=model, student=f"s{i}", params=P, domain='general' if fmt not in ('teacher',) else '', format=fmt,
                    ratio=rho, order=order, lineage=lineage, eval_variant=v, benchmark=bench, category=cat,
                    sample_id=[f"{bench}-{k}" for k in range(n)], prompt_tokens=ptok, answer_tokens=t,
                    finish_reason=np.where(cut, 'length', 'stop'), correct=c, verdict_missing=False,
                    train_flops=6.0 * P * 1e4 * (40 * (1 - rho) + 300 * rho) if train else np.nan,
                    inference_flops=2.0 * P * (ptok + t))))

    cap_vs = ('default',) + (('len-cap-p00', 'len-cap-p25', 'len-cap-p50', 'len-cap-p75', 'len-cap-p100') if caps else ())
    for i, P in enumerate(sizes):
        for fmt, rho in (('ift', 0.0), ('reasoning', 1.0)):
            add(f"general-{fmt}-{i}", i, P, fmt, rho, '', f"general-{fmt}", rho, rho, cap_vs)
            if long: add(f"general-{fmt}-{i}", i, P, fmt, rho, '', f"general-{fmt}", rho, rho, ('long',), only={'syn-mmlu-math', 'syn-math-500'})
        for rho in ratios:
            add(f"seq{rho}-{i}", i, P, 'reasoning', rho, 'sequential', f"general-seq{int(100 * rho)}", rho, 1.0)
            if mixed: add(f"mix{rho}-{i}", i, P, 'reasoning', rho, 'mixed', f"general-mix{int(100 * rho)}", rho, float(rho > switch))
    if teacher:
        for fmt, r in (('ift', 0.0), ('reasoning', 1.0)):
            add(f"teacher-{fmt}", len(sizes) + 2, np.nan, 'teacher', r, '', '', r, r, train=False)
    return pd.concat(frames, ignore_index=True)


def verdicts(res, ids):
    return compute_claims(res, ids).set_index('id')['verdict'].to_dict()


def panel_texts(fig):
    return [' '.join(t.get_text() for t in ax.texts) for ax in fig.axes if ax.get_visible()]


def check_draw_all(tmp_path, only):
    res = make_results(sizes=(1e6, 4e6, 16e6), n=25)
    path = tmp_path / 'results.parquet'
    res.to_parquet(path)
    out = tmp_path / 'figs'
    paths = draw_all(path, out, only=only, dpi=50)
    names = sorted(p.name for p in paths)
    keys = figure_ids(only)
    assert len(names) == 2 * len(keys) + 1
    for k in keys:
        name = FIGURES[k][0]
        assert f"{k}_{name}.png" in names and f"{k}_{name}.pdf" in names
        assert (out / f"{k}_{name}.png").read_bytes()[:4] == b'\x89PNG'
        assert (out / f"{k}_{name}.pdf").read_bytes()[:4] == b'%PDF'
    md = (out / 'claims.md').read_text()
    assert str(path) in md and md.count('\n| C') == len(CLAIMS)
    assert not list(out.glob('.*tmp'))  # atomic writes leave no temporaries


def test_draw_all_from_parquet_writes_figures_and_claims(tmp_path):
    check_draw_all(tmp_path, ['fig02', 'fig07', 'fig09', 'fig17'])


@pytest.mark.slow
def test_draw_all_writes_every_figure(tmp_path):
    check_draw_all(tmp_path, None)


def test_only_selects_figures(tmp_path):
    res = make_results(sizes=(1e6, 4e6), n=20, caps=False, long=False)
    paths = draw_all(res, tmp_path, only=['fig6', 16], formats=('png',), claims=False, dpi=40)
    assert [p.name for p in paths] == ['fig06_training_pareto.png', 'fig16_training_pareto_tasks.png']
    assert figure_ids('fig06_training_pareto') == ['fig06'] and figure_ids(None) == list(FIGURES)
    with pytest.raises(ValueError, match='unknown figure'): figure_ids('fig21')


def test_claims_hold_and_fail_on_constructed_tables():
    ids = ['C01', 'C07', 'C21', 'C22', 'C23', 'C24', 'C25']
    good = verdicts(make_results(seed=1), ids)
    assert all(v == 'supported' for v in good.values()), good
    # reasoning worse than IFT on Math-OE at every size
    assert verdicts(make_results(seed=1, gain={'general-mc': 0.0, 'general-oe': 0.1, 'math-mc': 0.1, 'math-oe': -0.2}, gain_slope=0.0), ['C01'])['C01'] == 'not supported'
    # mixed models switch style already at 25%
    assert verdicts(make_results(seed=1, switch=0.2), ['C07'])['C07'] == 'not supported'
    # a huge reasoning gain lets small reasoning students dominate larger IFT ones in training FLOPs
    assert verdicts(make_results(seed=1, slope=0.01, gain={c: 0.5 for c in CATEGORIES}, gain_slope=0.0), ['C16'])['C16'] == 'not supported'
    # reasoning only 3x longer everywhere: neither the 7x nor the 10-15x claim, nor MC > OE
    v = verdicts(make_results(seed=1, r_factor={c: 3.0 for c in CATEGORIES}), ['C21', 'C22', 'C23'])
    assert v == {'C21': 'not supported', 'C22': 'not supported', 'C23': 'not supported'}
    # incorrect answers shorter
    assert verdicts(make_results(seed=1, wrong_len=0.7), ['C24'])['C24'] == 'not supported'


@pytest.mark.parametrize('n, want', [(150, 'supported'), (4, 'within noise')])
def test_gain_claims_need_two_standard_errors(n, want):
    # the same true gains (Math-OE +12 pp and more) decide the gain claims with 150 samples per benchmark, not with 4;
    # C11's rise with the ratio likewise (with 4 samples its Spearman signs are noise)
    v = verdicts(make_results(seed=1, n=n), ['C01', 'C02', 'C11'])
    assert v == {'C01': want, 'C02': want, 'C11': want}, v
    # reasoning clearly worse: a refutation that the noise cannot explain stays "not supported"
    worse = make_results(seed=1, n=150, gain={c: -0.2 for c in CATEGORIES}, gain_slope=0.0)
    assert verdicts(worse, ['C01', 'C02', 'C11']) == {'C01': 'not supported', 'C02': 'not supported', 'C11': 'not supported'}


def test_claim_quantities_match_direct_computation():
    res = make_results(seed=2)
    t = compute_claims(res, ['C01', 'C22']).set_index('id')['measured']
    d = res[(res.eval_variant == 'default') & (res.category == 'math-oe') & res.format.isin(['ift', 'reasoning']) & (res.order == '')]
    acc = d.groupby(['params', 'format'])['correct'].mean().unstack()
    first = f"{100 * (acc['reasoning'] - acc['ift']).iloc[0]:+.1f} pp"
    assert t['C01'].startswith(f"1M: {first}")
    g = res[(res.eval_variant == 'default') & (res.category == 'general-mc') & (res.order == '') & res.format.isin(['ift', 'reasoning'])]
    fl = g.groupby(['params', 'format'])['inference_flops'].mean().unstack()
    assert t['C22'] == f"{np.exp(np.log(fl['reasoning'] / fl['ift']).mean()):.1f}×"


def test_missing_cells_are_not_measured_and_panels_say_no_data():
    res = make_results(sizes=(1e6, 4e6, 16e6), n=20, mixed=False, caps=False, long=False, teacher=False)
    res = res[res.category != 'math-oe']
    c = compute_claims(res).set_index('id')
    assert c.loc['C07', 'verdict'] == 'not measured' and 'mixed-order ratio models' in c.loc['C07', 'measured']
    assert c.loc['C01', 'verdict'] == 'not measured'           # no Math-OE
    assert c.loc['C13', 'verdict'] == 'not measured'           # no bi-phasic models
    assert c.loc['C25', 'verdict'] == 'not measured'           # no length caps
    assert c.loc['C20', 'verdict'] == 'not measured'           # three sizes: no Appendix E fit
    fig = fig02_mono_phasic(res)
    assert [('no data' in t) for t in panel_texts(fig)] == [False, False, False, True]
    assert all('no data' in t for t in panel_texts(fig10_longer_generation(res)))


def test_training_frontier_goes_through_non_dominated_points():
    res = make_results(seed=3, caps=False, long=False)
    fig = fig06_training_pareto(res)
    sw = summarize(res).sweep(order='sequential')
    for cat, ax in zip(CATEGORIES, fig.axes):
        d = sw[sw.group == cat]
        line = [l for l in ax.lines if l.get_label() == 'Pareto frontier'][0]
        assert sorted(line.get_xdata()[:-1]) == sorted(d.loc[pareto_front(d.train_flops, d.acc), 'train_flops'])


def test_bad_tables_raise_clear_errors(tmp_path):
    res = make_results(sizes=(1e6,), n=5, caps=False, long=False)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['inference_flops'\]"): load_results(res.drop(columns='inference_flops'))
    bad = res.copy(); bad.loc[0, 'category'] = 'trivia'
    with pytest.raises(ValueError, match='trivia'): summarize(bad)
    bad = res.copy(); bad['answer_tokens'] = 'many'
    with pytest.raises(ValueError, match="'answer_tokens' must be numeric"): load_results(bad)
    with pytest.raises(FileNotFoundError, match='results table not found'): draw_all(tmp_path / 'none.parquet', tmp_path)


def test_write_claims_markdown(tmp_path):
    res = make_results(sizes=(1e6, 4e6), n=20, caps=False, long=False)
    t = write_claims(res, tmp_path / 'sub' / 'claims.md')
    md = (tmp_path / 'sub' / 'claims.md').read_text()
    lines = [l for l in md.splitlines() if l.startswith('| C')]
    assert len(lines) == len(t) == len(CLAIMS)
    for line, (_, r) in zip(lines, t.iterrows()):
        assert line.rstrip(' |').endswith(r['verdict']) and line.count(' | ') == 6
    counts = t.verdict.value_counts()
    head = md.splitlines()[2]
    assert head.startswith('Computed by `rvi.figures.compute_claims` from ') and head.count('Computed') == 1, head
    assert head.endswith(', '.join(f"{counts.get(v, 0)} {v}" for v in ('supported', 'not supported', 'within noise', 'not measured')) + '.')


def test_frontier_claims_at_two_standard_errors():
    # on the frontier at 2·SE: no cheaper point beats it by > 2·SE, nor could beat it by > 3 pp within 2·SE
    v = verdicts(make_results(seed=1, n=600, caps=False, long=False, mixed=False), ['C16', 'C18', 'C19'])
    assert v == {'C16': 'supported', 'C18': 'supported', 'C19': 'supported'}, v
    # 20 questions per benchmark: which point of a near-tie is "on" the frontier is noise
    v = verdicts(make_results(seed=1, n=20, caps=False, long=False, mixed=False), ['C16', 'C17', 'C18', 'C19'])
    assert set(v.values()) == {'within noise'}, v


def test_match_claims_are_non_inferiority_tests():
    # C04 "IFT stays competitive with reasoning on General-MC at the smallest size": IFT − R ≥ −3 pp at 2·SE
    def c04(n, g): return verdicts(make_results(seed=1, n=n, gain={'general-mc': g, 'general-oe': 0.1, 'math-mc': 0.1, 'math-oe': 0.1},
                                                gain_slope=0.0, ratios=(), caps=False, long=False), ['C04'])['C04']
    assert c04(150, -0.3) == 'supported'          # IFT far ahead: the whole interval clears −3 pp
    assert c04(150, 0.4) == 'not supported'       # reasoning far ahead: the whole interval lies below −3 pp
    assert c04(4, 0.0) == 'within noise'          # 4 questions: "no difference found" is not "they match"


def test_students_that_learnt_nothing_decide_no_gain_claim():
    # the smoke preset's students answer nothing right: ties must not read as "General-MC gains are the smallest",
    # nor as evidence against a gain
    res = make_results(sizes=(1e6, 4e6), n=10, caps=False, long=False).assign(correct=False)
    ids = ['C01', 'C02', 'C03', 'C04', 'C05', 'C08', 'C10', 'C11', 'C12', 'C30']     # gains, and matches / no-gain (non-inferiority)
    v = verdicts(res, ids)
    assert v == {i: 'within noise' for i in ids}, v
    fig = fig02_mono_phasic(res)
    assert not any('no data' in t for t in panel_texts(fig))
