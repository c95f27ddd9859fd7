"""rvi.claims: the paper's findings as rules, on results tables sampled from the seeded generative model of rvi.results."""
import numpy as np
import pandas as pd
import pytest

from rvi.tasks import CATEGORIES
from rvi.results import simulate_results
from rvi.figures import fig02_mono_phasic
from rvi.claims import CLAIMS, claims_markdown, compute_claims, write_claims


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



# Targeted checks of the claims the tests above do not decide: each is shown to hold on a table edited to show the
# paper's effect, and to fail on one edited to show the opposite. Edits act on sampled rows, so they are exact.
KEYS = ['student', 'eval_variant', 'benchmark', 'sample_id']


@pytest.fixture(scope='module')
def table():
    return simulate_results(seed=1, sizes=(1e6, 4e6, 16e6), n=150, ratios=(0.25, 0.5, 0.75), math=True, biphasic=True,
                            teacher=False, long=True)


def lift(t, mask, p=1.0, seed=0):
    "A copy of `t` whose rows under `mask` are made correct with probability `p` (already-correct ones stay correct)."
    t = t.copy()
    up = mask & (np.random.default_rng(seed).random(len(t)) < p)
    t.loc[up, 'correct'] = True
    t['score'] = t['correct'].astype(float)
    return t


def copy_correct(t, src, dst):
    "A copy of `t` whose models named `dst(i)` answer exactly as `src(i)` did, sample by sample."
    t = t.copy()
    for i in range(t['student'].str[1:].astype(int).max() + 1):
        a, b = t['model'] == src(i), t['model'] == dst(i)
        if not a.any() or not b.any(): continue
        m = t.loc[b, KEYS].merge(t.loc[a, KEYS + ['correct']], on=KEYS, how='left')
        t.loc[b, 'correct'] = m['correct'].to_numpy()
    t['score'] = t['correct'].astype(float)
    return t


def stretch(t, style_ratio, power):
    "Answers of the models with `ratio == style_ratio` scaled by (size / 1M) ** power, inference FLOPs recomputed."
    t = t.copy()
    k = t['ratio'] == style_ratio
    t.loc[k, 'answer_tokens'] = np.ceil(t.loc[k, 'answer_tokens'] * (t.loc[k, 'params'] / 1e6) ** power)
    t['inference_flops'] = 2.0 * t['params'] * (t['prompt_tokens'] + t['answer_tokens'])
    return t


def one(t, cid): return compute_claims(t, [cid])['verdict'].item()


def math_cat(t): return t['category'].str.startswith('math')


def test_c06_math_gain_first_on_math_tasks(table):
    math_r = table['model'].str.startswith('math-reasoning')
    assert one(lift(table, math_r & math_cat(table), 0.3).assign(correct=lambda t: t['correct'] & ~(math_r & ~math_cat(t))), 'C06') == 'supported'
    assert one(lift(table, math_r & ~math_cat(table), 0.3).assign(correct=lambda t: t['correct'] & ~(math_r & math_cat(t))), 'C06') == 'not supported'


def test_c09_roughness_of_mixed_against_sequential(table):
    assert one(table.assign(correct=table['correct'] & ~table['model'].str.startswith('mix0.5-')), 'C09') == 'supported'
    assert one(table.assign(correct=table['correct'] & ~table['model'].str.startswith('seq0.5-')), 'C09') == 'not supported'


def test_c13_ift_adaptation():
    t = simulate_results(seed=1, sizes=(1e6, 4e6), n=1500, ratios=(), mixed=False, caps=False, long=False, teacher=False,
                         biphasic=True)
    same = copy_correct(t, lambda i: f'ift>ift-{i}', lambda i: f'reasoning>ift-{i}')
    assert one(same, 'C13') == 'supported'
    assert one(lift(same, t['model'].str.startswith('reasoning>ift'), 0.5), 'C13') == 'not supported'


def test_c14_r_to_r_best_above_the_smallest(table):
    assert one(lift(table, table['model'].str.startswith('reasoning>reasoning') & math_cat(table), 0.5), 'C14') == 'supported'
    assert one(lift(table, table['model'].str.startswith('ift>ift') & math_cat(table), 0.5), 'C14') == 'not supported'


def test_c15_smallest_forgets(table):
    assert one(table, 'C15') == 'supported'
    assert one(lift(table, table['model'] == 'reasoning>reasoning-0', 0.5), 'C15') == 'not supported'


def test_c26_capped_points_do_not_beat_the_frontier(table):
    assert one(table, 'C26') == 'supported'
    assert one(lift(table, table['eval_variant'].str.startswith('len-cap')), 'C26') == 'not supported'


def test_c27_longer_limit(table):
    long_r = (table['eval_variant'] == 'long') & (table['format'] == 'reasoning')
    assert one(lift(table, long_r, 0.3), 'C27') == 'supported'
    assert one(table.assign(correct=table['correct'] & ~long_r), 'C27') == 'not supported'


def test_c28_c29_c34_length_and_flops_exponents(table):
    shorter = stretch(table, 1.0, -0.3)    # reasoning answers shorten with size: β_R < β_IFT
    assert [one(shorter, c) for c in ('C28', 'C29', 'C34')] == ['not supported', 'supported', 'supported']
    longer = stretch(table, 1.0, 0.3)
    assert [one(longer, c) for c in ('C28', 'C29', 'C34')] == ['supported', 'not supported', 'not supported']


def test_c31_larger_reasoning_students_near_the_frontier(table):
    big_r = (table['params'] >= 4e6) & (table['format'] == 'reasoning')
    assert one(lift(table, big_r, 0.3), 'C31') == 'supported'
    assert one(table.assign(correct=table['correct'] & ~big_r), 'C31') == 'not supported'


def test_c32_math_r_against_general_r(table):
    assert one(table, 'C32') == 'supported'
    assert one(table.assign(correct=table['correct'] & ~((table['model'] == 'math-reasoning-2') & math_cat(table))), 'C32') == 'not supported'


def test_c33_r_to_r_keeps_both():
    t = simulate_results(seed=1, sizes=(1e6, 4e6), n=1500, ratios=(), mixed=False, caps=False, long=False, teacher=False,
                         math=True, biphasic=True)
    gen = ~t['category'].str.startswith('math')
    t = copy_correct(t, lambda i: f'math-reasoning-{i}', lambda i: f'reasoning>reasoning-{i}')
    g = copy_correct(t, lambda i: f'general-reasoning-{i}', lambda i: f'reasoning>reasoning-{i}')
    t.loc[gen & (t['model'] == 'reasoning>reasoning-1'), 'correct'] = g.loc[gen & (g['model'] == 'reasoning>reasoning-1'), 'correct']
    assert one(t, 'C33') == 'supported'
    t.loc[gen & (t['model'] == 'reasoning>reasoning-1'), 'correct'] = False
    assert one(t, 'C33') == 'not supported'


def test_claims_markdown_exact():
    # the whole file, written out: header, verdict count (every verdict, zeros included), the reading rule, and rows
    # whose '|' is escaped and whose line breaks become spaces
    t = pd.DataFrame([dict(id='C01', figure='Fig. 2', source='§4.1', claim='a|b', measured='+1.0 pp\nx', rule='r', verdict='supported'),
                      dict(id='C02', figure='Fig. 3', source='§4.2', claim='c', measured='m', rule='r2', verdict='within noise')])
    rule = ("Accuracy differences are read at two binomial standard errors (2·SE); a claim that two accuracies match "
            "allows 3 pp. *within noise*: the 2·SE interval of the deciding difference straddles the rule's threshold, "
            "so more evaluation questions, not this run, would decide it.")
    body = ("| id | figure | paper (§) | claim | measured in this run | rule | verdict |\n|---|---|---|---|---|---|---|\n"
            "| C01 | Fig. 2 | §4.1 | a\\|b | +1.0 pp x | r | supported |\n| C02 | Fig. 3 | §4.2 | c | m | r2 | within noise |\n")
    counts = "1 supported, 0 not supported, 1 within noise, 0 not measured."
    assert claims_markdown(t, 'SRC') == f"# Paper claims vs this run\n\nComputed by `rvi.claims.compute_claims` from SRC. {counts}\n\n{rule}\n\n{body}"
    assert claims_markdown(t) == (f"# Paper claims vs this run\n\nComputed by `rvi.claims.compute_claims` from the results "
                                  f"table. {counts}\n\n{rule}\n\n{body}")


def test_write_claims_names_its_source(tmp_path):
    # the header names the run: the given source, else the table's own, with its row and model counts (thousands
    # separated); the written file is exactly claims_markdown of the returned table
    res = simulate_results(sizes=(1e6, 4e6), n=20, caps=False, long=False)
    rows, models = len(res), res['model'].nunique()
    assert (rows, models) == (1440, 18)
    t = write_claims(res, tmp_path / 'a.md', source='runs/x')
    assert (tmp_path / 'a.md').read_text() == claims_markdown(t, "`runs/x` (1,440 rows, 18 models)")
    res.to_parquet(tmp_path / 'results.parquet', index=False)
    t2 = write_claims(tmp_path / 'results.parquet', tmp_path / 'b.md')
    assert (tmp_path / 'b.md').read_text() == claims_markdown(t2, f"`{tmp_path / 'results.parquet'}` (1,440 rows, 18 models)")
    assert t2.equals(t)
