"""rvi.results and rvi.figures: the results table and the 18 figures, on tables sampled from the seeded generative model of rvi.results."""
import numpy as np
import pandas as pd
import pytest

from rvi.tasks import CATEGORIES
from rvi.results import load_results, simulate_results, summarize
from rvi.figures import FIGURES, draw_all, figure_ids, fig02_mono_phasic, fig06_training_pareto, fig10_longer_generation
from rvi.claims import CLAIMS, compute_claims, write_claims
from rvi.pareto import pareto_front

def panel_texts(fig):
    return [' '.join(t.get_text() for t in ax.texts) for ax in fig.axes if ax.get_visible()]


def check_draw_all(tmp_path, only):
    res = simulate_results(sizes=(1e6, 4e6, 16e6), n=25)
    path = tmp_path / 'results.parquet'
    res.to_parquet(path)
    out = tmp_path / 'figs'
    paths = draw_all(path, out, only=only, dpi=50)
    write_claims(path, out / 'claims.md')
    names = sorted(p.name for p in paths)
    keys = figure_ids(only)
    assert len(names) == 2 * len(keys)
    for k in keys:
        name = FIGURES[k][0]
        assert f"{k}_{name}.png" in names and f"{k}_{name}.pdf" in names
        assert (out / f"{k}_{name}.png").read_bytes()[:4] == b'\x89PNG'
        assert (out / f"{k}_{name}.pdf").read_bytes()[:4] == b'%PDF'
    md = (out / 'claims.md').read_text()
    assert str(path) in md and md.count('\n| C') == len(CLAIMS)
    assert not list(out.glob('.*tmp'))  # atomic writes leave no temporaries


def test_draw_all_from_parquet_writes_figures(tmp_path):
    check_draw_all(tmp_path, ['fig02', 'fig07', 'fig09', 'fig17'])


@pytest.mark.slow
def test_draw_all_writes_every_figure(tmp_path):
    check_draw_all(tmp_path, None)


def test_only_selects_figures(tmp_path):
    res = simulate_results(sizes=(1e6, 4e6), n=20, caps=False, long=False)
    paths = draw_all(res, tmp_path, only=['fig6', 16], formats=('png',), dpi=40)
    assert [p.name for p in paths] == ['fig06_training_pareto.png', 'fig16_training_pareto_tasks.png']
    assert figure_ids('fig06_training_pareto') == ['fig06'] and figure_ids(None) == list(FIGURES)
    with pytest.raises(ValueError, match='is not a figure id'): figure_ids('fig21')


def test_missing_cells_are_not_measured_and_panels_say_no_data():
    res = simulate_results(sizes=(1e6, 4e6, 16e6), n=20, mixed=False, caps=False, long=False, teacher=False)
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
    res = simulate_results(seed=3, caps=False, long=False)
    fig = fig06_training_pareto(res)
    sw = summarize(res).sweep(order='sequential')
    for cat, ax in zip(CATEGORIES, fig.axes):
        d = sw[sw.group == cat]
        line = [l for l in ax.lines if l.get_label() == 'Pareto frontier'][0]
        assert sorted(line.get_xdata()[:-1]) == sorted(d.loc[pareto_front(d.train_flops, d.acc), 'train_flops'])


def test_bad_tables_raise_clear_errors(tmp_path):
    res = simulate_results(sizes=(1e6,), n=5, caps=False, long=False)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['inference_flops'\]"): load_results(res.drop(columns='inference_flops'))
    bad = res.copy(); bad.loc[0, 'category'] = 'trivia'
    with pytest.raises(ValueError, match='trivia'): summarize(bad)
    bad = res.copy(); bad['answer_tokens'] = 'many'
    with pytest.raises(ValueError, match="'answer_tokens' must be numeric"): load_results(bad)
    with pytest.raises(FileNotFoundError, match='results table not found'): draw_all(tmp_path / 'none.parquet', tmp_path)
