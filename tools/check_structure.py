"""The package's shape, checked: no export cell over 60 lines, modules import only modules of earlier notebooks
(nothing but the CLI imports `rvi.cli`), the claims module draws nothing, and no text points outside the repository.

Usage: python tools/check_structure.py [ROOT]   (exit 1 with one line per problem)"""
import ast, json, re, subprocess, sys
from pathlib import Path

MAX_EXPORT_LINES = 60
_EXPORT = re.compile(r"^\s*#\|\s*export[s]?\b", re.M)
_SOURCE = re.compile(r"File to edit: \.\./nbs/(\d+)_\w+\.ipynb")
PLOTTING = ("matplotlib", "seaborn", "plotly")
_OUTSIDE = re.compile(r"DESIGN\.md|DEVELOPERS\.md|COMMON\.md|\bthis session\b|\bissue\s+#?\d+|the project brief", re.I)

def long_export_cells(nbs: Path, limit: int = MAX_EXPORT_LINES) -> list[str]:
    "`notebook: cell N has K lines` for each export cell of the numbered notebooks longer than `limit` lines."
    out = []
    for nb in sorted(nbs.glob("[0-9]*.ipynb")):
        for i, c in enumerate(json.loads(nb.read_text())["cells"]):
            src = "".join(c["source"])
            if c["cell_type"] == "code" and _EXPORT.match(src) and (n := len(src.splitlines())) > limit:
                out.append(f"{nb.name}: export cell {i} has {n} lines (at most {limit})")
    return out

def _rvi_imports(tree: ast.AST) -> set[str]:
    "The rvi modules a module imports anywhere in it (inside functions too)."
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom):
            mod = n.module or ""
            if n.level == 1: out.add(mod.split(".")[0] if mod else "")
            elif mod.startswith("rvi."): out.add(mod.split(".")[1])
            if mod in ("", "rvi") and (n.level == 1 or mod == "rvi"): out.update(a.name for a in n.names)
        elif isinstance(n, ast.Import):
            out.update(a.name.split(".")[1] for a in n.names if a.name.startswith("rvi."))
    return out - {""}

def import_problems(pkg: Path) -> list[str]:
    "Imports against notebook order, of `rvi.cli` outside the CLI, and of a plotting library in `rvi.claims`."
    order = {}
    for f in pkg.glob("*.py"):
        if m := _SOURCE.search(f.read_text()): order[f.stem] = int(m.group(1))
    out = []
    for f in sorted(pkg.glob("*.py")):
        if f.stem not in order: continue
        tree = ast.parse(f.read_text())
        for dep in sorted(_rvi_imports(tree)):
            if dep == "cli" and f.stem != "cli": out.append(f"rvi/{f.name} imports rvi.cli (commands register with rvi.core.command)")
            elif dep in order and order[dep] > order[f.stem]:
                out.append(f"rvi/{f.name} (notebook {order[f.stem]:02d}) imports rvi.{dep} (notebook {order[dep]:02d}), a later stage")
        if f.stem == "claims":
            mods = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            mods |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            if bad := sorted(m for m in mods if m.split(".")[0] in PLOTTING): out.append(f"rvi/claims.py imports {bad}")
    return out

def outside_references(root: Path) -> list[str]:
    "`path:line: text` where a tracked file points at a document or discussion the repository does not contain."
    files = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    out = []
    for name in files:
        p = root / name
        if name == "tools/check_structure.py" or not p.is_file(): continue
        try: text = p.read_text()
        except (UnicodeDecodeError, OSError): continue
        for k, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line): out.append(f"{name}:{k}: {line.strip()[:100]}")
    return out

def main(root=".") -> int:
    root = Path(root)
    probs = long_export_cells(root / "nbs") + import_problems(root / "rvi") + outside_references(root)
    for p in probs: print(p)
    print(f"check_structure: {len(probs)} problem(s)" if probs else
          "check_structure: export cells <= 60 lines, imports follow notebook order, no references outside the repository")
    return 1 if probs else 0

if __name__ == "__main__": sys.exit(main(*sys.argv[1:]))
