"""rvi.claims: the paper's findings as rules, on results tables sampled from the seeded generative model of rvi.results."""
import numpy as np
import pytest

from rvi.tasks import CATEGORIES
from rvi.results import simulate_results
from rvi.figures import fig02_mono_phasic
from rvi.claims import CLAIMS, compute_claims, write_claims


def verdicts(res, ids):
    return compute_claims(res, ids).set_index('id')['verdict'].to_dict()


def test_claims_hold_and_fail_on_constructed_tables():
    ids = ['C01', 'C07', 'C21', 'C22', 'C23', 'C24', 'C25']
    good = verdicts(simulate_results(seed=1), ids)
    assert all(v == 'supported' for v in good.values()), good
    # reasoning worse than IFT on Math-OE at every size
    assert verdicts(simulate_results(seed=1, gain={'general-mc': 0.0, 'general-oe': 0.1, 'math-mc': 0.1, 'math-oe': -0.2}, gain_slope=0.0), ['C01'])['C01'] == 'not supported'
    # mixed models switch style already at 25%
    assert verdicts(simulate_results(seed=1, switch=0.2), ['C07'])['C07'] == 'not supported'
    # a huge reasoning gain lets small reasoning students dominate larger IFT ones in training FLOPs
    assert verdicts(simulate_results(seed=1, slope=0.01, gain={c: 0.5 for c in CATEGORIES}, gain_slope=0.0), ['C16'])['C16'] == 'not supported'
    # reasoning only 3x longer everywhere: neither the 7x nor the 10-15x claim, nor MC > OE
    v = verdicts(simulate_results(seed=1, r_factor={c: 3.0 for c in CATEGORIES}), ['C21', 'C22', 'C23'])
    assert v == {'C21': 'not supported', 'C22': 'not supported', 'C23': 'not supported'}
    # incorrect answers shorter
    assert verdicts(simulate_results(seed=1, wrong_len=0.7), ['C24'])['C24'] == 'not supported'


def panel_texts(fig):
    return [' '.join(t.get_text() for t in ax.texts) for ax in fig.axes if ax.get_visible()]


@pytest.mark.parametrize('n, want', [(150, 'supported'), (4, 'within noise')])
def test_gain_claims_need_two_standard_errors(n, want):
    # the same true gains (Math-OE +12 pp and more) decide the gain claims with 150 samples per benchmark, not with 4;
    # C11's rise with the ratio likewise (with 4 samples its Spearman signs are noise)
    v = verdicts(simulate_results(seed=1, n=n), ['C01', 'C02', 'C11'])
    assert v == {'C01': want, 'C02': want, 'C11': want}, v
    # reasoning clearly worse: a refutation that the noise cannot explain stays "not supported"
    worse = simulate_results(seed=1, n=150, gain={c: -0.2 for c in CATEGORIES}, gain_slope=0.0)
    assert verdicts(worse, ['C01', 'C02', 'C11']) == {'C01': 'not supported', 'C02': 'not supported', 'C11': 'not supported'}


def test_claim_quantities_match_direct_computation():
    res = simulate_results(seed=2)
    t = compute_claims(res, ['C01', 'C22']).set_index('id')['measured']
    d = res[(res.eval_variant == 'default') & (res.category == 'math-oe') & res.format.isin(['ift', 'reasoning']) & (res.order == '')]
    acc = d.groupby(['params', 'format'])['correct'].mean().unstack()
    first = f"{100 * (acc['reasoning'] - acc['ift']).iloc[0]:+.1f} pp"
    assert t['C01'].startswith(f"1M: {first}")
    g = res[(res.eval_variant == 'default') & (res.category == 'general-mc') & (res.order == '') & res.format.isin(['ift', 'reasoning'])]
    fl = g.groupby(['params', 'format'])['inference_flops'].mean().unstack()
    assert t['C22'] == f"{np.exp(np.log(fl['reasoning'] / fl['ift']).mean()):.1f}×"


def test_write_claims_markdown(tmp_path):
    res = simulate_results(sizes=(1e6, 4e6), n=20, caps=False, long=False)
    t = write_claims(res, tmp_path / 'sub' / 'claims.md')
    md = (tmp_path / 'sub' / 'claims.md').read_text()
    lines = [l for l in md.splitlines() if l.startswith('| C')]
    assert len(lines) == len(t) == len(CLAIMS)
    for line, (_, r) in zip(lines, t.iterrows()):
        assert line.rstrip(' |').endswith(r['verdict']) and line.count(' | ') == 6
    counts = t.verdict.value_counts()
    head = md.splitlines()[2]
    assert head.startswith('Computed by `rvi.claims.compute_claims` from ') and head.count('Computed') == 1, head
    assert head.endswith(', '.join(f"{counts.get(v, 0)} {v}" for v in ('supported', 'not supported', 'within noise', 'not measured')) + '.')


def test_frontier_claims_at_two_standard_errors():
    # on the frontier at 2·SE: no cheaper point beats it by > 2·SE, nor could beat it by > 3 pp within 2·SE
    v = verdicts(simulate_results(seed=1, n=600, caps=False, long=False, mixed=False), ['C16', 'C18', 'C19'])
    assert v == {'C16': 'supported', 'C18': 'supported', 'C19': 'supported'}, v
    # 20 questions per benchmark: which point of a near-tie is "on" the frontier is noise
    v = verdicts(simulate_results(seed=1, n=20, caps=False, long=False, mixed=False), ['C16', 'C17', 'C18', 'C19'])
    assert set(v.values()) == {'within noise'}, v


def test_match_claims_are_non_inferiority_tests():
    # C04 "IFT stays competitive with reasoning on General-MC at the smallest size": IFT − R ≥ −3 pp at 2·SE
    def c04(n, g): return verdicts(simulate_results(seed=1, n=n, gain={'general-mc': g, 'general-oe': 0.1, 'math-mc': 0.1, 'math-oe': 0.1},
                                                gain_slope=0.0, ratios=(), caps=False, long=False), ['C04'])['C04']
    assert c04(150, -0.3) == 'supported'          # IFT far ahead: the whole interval clears −3 pp
    assert c04(150, 0.4) == 'not supported'       # reasoning far ahead: the whole interval lies below −3 pp
    assert c04(4, 0.0) == 'within noise'          # 4 questions: "no difference found" is not "they match"


def test_students_that_learnt_nothing_decide_no_gain_claim():
    # the smoke preset's students answer nothing right: ties must not read as "General-MC gains are the smallest",
    # nor as evidence against a gain
    res = simulate_results(sizes=(1e6, 4e6), n=10, caps=False, long=False).assign(correct=False)
    ids = ['C01', 'C02', 'C03', 'C04', 'C05', 'C08', 'C10', 'C11', 'C12', 'C30']     # gains, and matches / no-gain (non-inferiority)
    v = verdicts(res, ids)
    assert v == {i: 'within noise' for i in ids}, v
    fig = fig02_mono_phasic(res)
    assert not any('no data' in t for t in panel_texts(fig))

