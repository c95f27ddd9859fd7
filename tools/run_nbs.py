#!/usr/bin/env python
"""Run the notebooks as `nbdev_test` does, and keep the executed copies for the documentation site.

Every notebook in `nbs/` (and `nbs/explanations/`) runs in its own process with execnb, skipping the cells
flagged with one of settings.ini's `tst_flags` (`#| slow`, `#| gpu`, `#| vllm`) unless `--flags` asks for them,
exactly as `nbdev_test` decides. With `--out DIR` each executed notebook is written to DIR, so `tools/docs.py`
renders the outputs this run produced instead of executing everything a second time.

    .venv/bin/python tools/run_nbs.py [--n_workers 2] [--out _docs/executed] [--flags slow] [--timing] [paths ...]
"""
import argparse, configparser, os, re, sys, time, traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+:?)(.*)$')


def directives(source: str) -> dict:
    "The `#| name args` lines at the top of a cell, as nbdev reads them."
    out = {}
    for line in source.splitlines():
        m = DIRECTIVE.match(line)
        if not m:
            if line.strip(): break
            continue
        out[m.group(1)] = m.group(2).split()
    return out


def skipped(cell, flags: set) -> bool:
    "Whether `nbdev_test` would leave this cell out (markdown, `eval: false`, a test flag, an nbdev_export call)."
    if cell.cell_type != 'code': return True
    if 'nbdev_export' + '(' in cell.source: return True
    d = directives(cell.source)
    if d.get('eval:', [''])[0].lower() == 'false': return True
    return bool(flags & d.keys())


def run_one(fn: str, flags: set, out_dir: str | None):
    "Execute notebook `fn` in this process; returns (path, ok, seconds, traceback text)."
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    os.environ['IN_TEST'] = '1'
    fn = Path(fn)
    sys.path.insert(0, str(ROOT))
    nb = read_nb(fn)
    t0, ok, err = time.time(), True, ''
    shell = CaptureShell(fn)
    cwd = os.getcwd()
    try:
        os.chdir(fn.parent)
        shell.run_all(nb, exc_stop=True, preproc=lambda c: skipped(c, flags))
    except Exception:
        ok, err = False, shell.prettytb(fname=fn) if hasattr(shell, 'prettytb') else traceback.format_exc()
    finally:
        os.chdir(cwd)
    if ok and out_dir:
        dst = Path(out_dir) / fn.relative_to(ROOT / 'nbs')
        dst.parent.mkdir(parents=True, exist_ok=True)
        write_nb(nb, dst)
        dst.touch()   # write_nb leaves an unchanged file alone: its time says when it was last executed
    return str(fn), ok, time.time() - t0, err


def notebooks(paths) -> list[Path]:
    "The notebooks to run: `paths`, or every notebook of `nbs/` and `nbs/explanations/` (not `nbs/experiments/`)."
    if paths: return [Path(p).resolve() for p in paths]
    found = sorted((ROOT / 'nbs').glob('*.ipynb')) + sorted((ROOT / 'nbs' / 'explanations').glob('*.ipynb'))
    return [p for p in found if not p.name.startswith(('_', '.'))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('paths', nargs='*', help='notebooks to run (default: all)')
    ap.add_argument('--n_workers', type=int, default=2, help='notebooks run in parallel')
    ap.add_argument('--flags', default='', help='space-separated test flags to run that are normally skipped')
    ap.add_argument('--out', default=None, help='folder for the executed copies (mirrors nbs/)')
    ap.add_argument('--timing', action='store_true', help='print how long each notebook took')
    a = ap.parse_args(argv)
    cfg = configparser.ConfigParser(); cfg.read(ROOT / 'settings.ini')
    flags = set(cfg['DEFAULT'].get('tst_flags', '').split()) - set(a.flags.split())
    files = notebooks(a.paths)
    # one fresh process per notebook: a notebook's IPython shell replaces the worker's __main__, as under nbdev_test
    with ProcessPoolExecutor(max(1, a.n_workers), max_tasks_per_child=1) as ex:
        results = list(ex.map(run_one, map(str, files), [flags] * len(files), [a.out] * len(files)))
    failed = [(f, err) for f, ok, _, err in results if not ok]
    for f, err in failed: sys.stderr.write(f"{err}\n")
    if a.timing:
        for f, _, t, _ in sorted(results, key=lambda r: -r[2]): print(f"{Path(f).name}: {int(t)} secs")
    if failed:
        sys.stderr.write("Notebooks failed:\n\t" + "\n\t".join(Path(f).name for f, _ in failed) + "\n")
        return 1
    print(f"Success: {len(results)} notebooks.")
    return 0


if __name__ == '__main__':
    sys.exit(main())
