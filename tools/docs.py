#!/usr/bin/env python
"""Build the documentation site: the notebooks, executed, rendered by MkDocs (mkdocs-jupyter) into _docs/site/.

1. Executed copies come from `_docs/executed/` (written by `tools/run_nbs.py --out`, which `make test` runs);
   a notebook whose copy is missing or older than the notebook is executed now (`--no-exec`: fail instead).
2. Each page is the executed notebook without its `#| hide` and `#| default_exp` cells and nbdev directives.
3. `mkdocs build --strict`: a warning (a broken link or anchor, a page missing from the navigation) fails.
With `--check` it also checks that README.md is what nbs/index.ipynb generates and that the front page links
every notebook.
"""
import argparse, json, os, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS, DOCS = ROOT / 'nbs', ROOT / '_docs'
EXECUTED, SRC, SITE = DOCS / 'executed', DOCS / 'src', DOCS / 'site'
DROP = re.compile(r'^\s*#\|\s*(hide|default_exp)\b')
DIRECTIVE = re.compile(r'^\s*#\|.*$\n?', re.M)
NB_LINK = re.compile(r'\]\(((?:\.\./|[\w-]+/)*[\w-]+)\.ipynb(#[\w-]*)?\)')
HREF = re.compile(r'(?:href|src)="([^"]+)"')


def sources() -> list[Path]:
    "The notebooks of the site: nbs/*.ipynb (index.ipynb is the front page) and nbs/explanations/*.ipynb."
    return sorted(NBS.glob('*.ipynb')) + sorted((NBS / 'explanations').glob('*.ipynb'))


def stale(nbs: list[Path]) -> list[Path]:
    "Notebooks whose executed copy is missing or older than the notebook."
    out = []
    for p in nbs:
        e = EXECUTED / p.relative_to(NBS)
        if not e.exists() or e.stat().st_mtime < p.stat().st_mtime: out.append(p)
    return out


def page(executed: Path) -> dict:
    "A site page: the executed notebook without hidden cells, `default_exp` and nbdev directives."
    nb = json.loads(executed.read_text())
    cells = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'code' and DROP.match(src): continue
        if c['cell_type'] == 'code': c['source'] = DIRECTIVE.sub('', src)
        else:   # links to a notebook lead to its page; headings lose code spans, so the contents' anchors match the ids
            src = NB_LINK.sub(r'](\1.html\2)', src)
            c['source'] = re.sub(r'^(#+ .*)$', lambda m: m.group(1).replace('`', ''), src, flags=re.M)
        cells.append(c)
    nb['cells'] = cells
    return nb


def broken_links(site: Path = SITE) -> list[str]:
    "Internal links and anchors of the built site that lead nowhere (`page.html: target`)."
    pages, bad = {p: p.read_text(errors='ignore') for p in site.rglob('*.html')}, []
    for p, html in pages.items():
        if p.name == '404.html': continue          # its links are absolute: it is served at any depth
        for href in set(HREF.findall(html)):
            if re.match(r'^([a-z][\w+.-]*:|//|data:|mailto:)', href): continue      # external, data: or mail links
            path, _, anchor = href.partition('#')
            target = (p.parent / path).resolve() if path else p
            if target.is_dir(): target = target / 'index.html'
            if not target.exists(): bad.append(f"{p.relative_to(site)}: {href}"); continue
            if anchor and target.suffix == '.html' and f'id="{anchor}"' not in pages.get(target, target.read_text(errors='ignore')):
                bad.append(f"{p.relative_to(site)}: {href} (no such anchor)")
    return sorted(bad)


def front_page_links(nbs: list[Path]) -> list[str]:
    "Notebooks the front page does not link."
    text = ' '.join(''.join(c['source']) for c in json.loads((NBS / 'index.ipynb').read_text())['cells'])
    return [str(p.relative_to(NBS)) for p in nbs if p.name != 'index.ipynb' and f"]({p.relative_to(NBS)}" not in text]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--no-exec', action='store_true', help='fail instead of executing notebooks without a fresh copy')
    ap.add_argument('--check', action='store_true', help='also check README.md and the front page\'s links')
    ap.add_argument('--n_workers', type=int, default=2)
    a = ap.parse_args(argv)
    nbs = sources()
    if a.check:
        missing = front_page_links(nbs)
        if missing: print(f"docs: nbs/index.ipynb does not link {missing}", file=sys.stderr); return 1
        if subprocess.run([sys.executable, str(ROOT / 'tools' / 'readme.py'), '--check']).returncode: return 1
    todo = stale(nbs)
    if todo and a.no_exec:
        print(f"docs: no fresh executed copy of {[str(p.relative_to(NBS)) for p in todo]}", file=sys.stderr); return 1
    if todo:
        r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'run_nbs.py'), '--n_workers', str(a.n_workers),
                            '--out', str(EXECUTED), *map(str, todo)])
        if r.returncode: return r.returncode
    shutil.rmtree(SRC, ignore_errors=True)
    for p in nbs:
        dst = SRC / p.relative_to(NBS)
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(json.dumps(page(EXECUTED / p.relative_to(NBS)), indent=1))
    r = subprocess.run([str(Path(sys.executable).parent / 'mkdocs'), 'build', '--strict', '--quiet',
                        '--config-file', str(ROOT / 'mkdocs.yml')], cwd=DOCS, env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    if r.returncode: print('docs: mkdocs build failed (warnings are errors)', file=sys.stderr); return r.returncode
    bad = broken_links()
    if bad: print('docs: broken internal links:\n  ' + '\n  '.join(bad), file=sys.stderr); return 1
    print(f"docs: {len(nbs)} pages in {SITE.relative_to(ROOT)}/ (open {SITE.relative_to(ROOT)}/index.html)")
    return 0


if __name__ == '__main__':
    sys.exit(main())
