#!/usr/bin/env python
"""Write README.md from the front-page notebook nbs/index.ipynb (`--check`: fail if README.md differs).

settings.ini names index.ipynb as the README's source (`readme_nb`), as nbdev does; `nbdev_readme` renders it
through Quarto, which cannot be installed here, so this script does the same job: the markdown cells verbatim,
the code cells (not the `#| hide` ones) as Python blocks, and links to notebooks made relative to the repository
root (`00_core.ipynb` -> `nbs/00_core.ipynb`), since the site renders them next to the front page.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = '<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, then run `make readme` -->\n\n'


def render(nb_path=ROOT / 'nbs' / 'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']).strip()
        if not src: continue
        if c['cell_type'] == 'markdown': parts.append(src)
        elif c['cell_type'] == 'code' and not re.match(r'\s*#\|\s*hide', src):
            code = '\n'.join(l for l in src.splitlines() if not re.match(r'\s*#\|', l))
            parts.append(f"```python\n{code}\n```")
    text = '\n\n'.join(parts) + '\n'
    return HEADER + re.sub(r'\]\(((?:explanations/)?[\w-]+\.ipynb(?:#[\w-]*)?)\)', r'](nbs/\1)', text)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    want, readme = render(), ROOT / 'README.md'
    if '--check' in argv:
        if not readme.exists() or readme.read_text() != want:
            print("README.md differs from nbs/index.ipynb: edit the notebook, then run 'make readme'", file=sys.stderr)
            return 1
        print('readme: README.md matches nbs/index.ipynb')
        return 0
    readme.write_text(want)
    return 0


if __name__ == '__main__':
    sys.exit(main())
