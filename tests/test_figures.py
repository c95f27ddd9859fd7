"""rvi.results and rvi.figures: the results table and the 18 figures, on tables sampled from the seeded generative model of rvi.results."""
import re, zlib

import numpy as np
from matplotlib.collections import LineCollection
import pandas as pd
import pytest

from rvi.tasks import CATEGORIES
from rvi.results import load_results, simulate_results, summarize
from rvi.figures import (FIGURES, WIDTH, MIN_FONT, draw_all, figure_ids, print_problems, fig02_mono_phasic, fig04_reasoning_ratio,
                         fig06_training_pareto, fig07_inference_pareto, fig10_longer_generation)
from rvi.claims import CLAIMS, compute_claims, write_claims
from rvi.pareto import pareto_front

def panel_texts(fig):
    return [' '.join(t.get_text() for t in ax.texts) for ax in fig.axes if ax.get_visible() and ax.get_label() != 'footer']


def pdf_widths_and_font_sizes(path):
    "Page widths (pt) and the size of every font set (`Tf`) in the content streams of a PDF."
    data = path.read_bytes()
    widths = [float(b) - float(a) for a, b in re.findall(rb'/MediaBox \[\s*([\d.]+) [\d.]+ ([\d.]+) [\d.]+', data)]
    sizes = []
    for st in re.findall(rb'stream\r?\n(.*?)\r?\nendstream', data, re.S):
        try: st = zlib.decompress(st)
        except zlib.error: continue
        sizes += [float(x) for x in re.findall(rb'/F\d+ ([\d.]+) Tf', st)]
    return widths, sizes


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


def test_every_figure_prints_at_text_width(tmp_path):
    "Every registered figure, drawn from a table with every kind of model, as PDF: at most 5.5 in wide, no text under 6 pt."
    res = simulate_results(sizes=(1e6, 4e6, 16e6), n=20, math=True, biphasic=True, base=True)
    paths = draw_all(res, tmp_path, formats=('pdf',), dpi=50)
    assert len(paths) == len(FIGURES) == 18
    for p in paths:
        widths, sizes = pdf_widths_and_font_sizes(p)
        assert widths and max(widths) <= 72 * WIDTH + 1e-6, (p.name, widths)
        assert sizes and min(sizes) >= MIN_FONT, (p.name, sorted(set(sizes)))
    for fn in (fig04_reasoning_ratio, fig07_inference_pareto):      # the figures' own check, without a title
        assert print_problems(fn(res, title=False)) == [], fn.__name__


def test_partial_data_is_stated_not_interpolated():
    "Ratio models at one size of three: that size alone is a line (error bars, chance, notes), the others markers."
    full = simulate_results(seed=2, sizes=(1e6, 4e6, 16e6), n=40)
    tiny = full[(full['order'] == '') | (full['params'] == 4e6)]
    fig = fig04_reasoning_ratio(tiny)
    ax = fig.axes[0]
    assert [len(l.get_xdata()) for l in ax.lines if l.get_label().startswith('_') and len(l.get_xdata()) > 2] == [5]
    notes = ' '.join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, 'get_text')))
    assert '1M, 16M: ratios 0, 100% only (markers, no line)' in notes
    segs = [s for c in ax.collections if isinstance(c, LineCollection) for s in c.get_segments()]
    assert len(segs) == 5 + 2 + 2                                      # a ±2·SE bar per point (none at the 0% baseline)
    assert sum(np.ptp(s[:, 1]) > 0 for s in segs) == 4 + 1 + 1
    fig7 = fig07_inference_pareto(tiny)
    labels = [l.get_label() for a in fig7.axes for l in a.lines]
    assert labels.count('chance') == 2                                  # General-MC (2 options), Math-MC (4)
    assert 'no Appendix E fit (needs >= 4 sizes, has 3): every panel' in ' '.join(t.get_text() for t in fig7.findobj(lambda a: hasattr(a, 'get_text')))


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
