#!/usr/bin/env bash
# The library is what the notebooks say: nbdev_export must leave rvi/ unchanged and
# nbdev_clean must leave nbs/ unchanged. Checked on a scratch copy, so nothing here is modified.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/.venv/bin
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -r settings.ini nbs rvi "$tmp"/
find "$tmp" -name __pycache__ -prune -exec rm -rf {} + 2>/dev/null
status=0
(cd "$tmp" && "$bin/nbdev_export" >/dev/null 2>"$tmp/export.err") || { cat "$tmp/export.err"; echo "nbdev_export failed"; exit 1; }
changed=$(diff -rq --exclude=__pycache__ rvi "$tmp/rvi" | sed -E 's/^Files ([^ ]+) and .*/\1/; s/^Only in ([^:]+): (.*)/\1\/\2/')
if [ -n "$changed" ]; then
  echo "ERROR: the exported library rvi/ does not match the notebooks in nbs/." >&2
  for f in $changed; do
    src=$(grep -m1 -o 'File to edit: [^ ]*' "$f" 2>/dev/null | sed 's/File to edit: ..\///')
    echo "  $f differs from what nbdev_export writes${src:+ (its source is $src)}" >&2
  done
  echo "rvi/*.py is generated: edit the notebook, then run 'make export' (nbdev_export && nbdev_clean) and commit both." >&2
  status=1
fi
(cd "$tmp" && "$bin/nbdev_clean" >/dev/null 2>&1) || { echo "nbdev_clean failed"; exit 1; }
dirty=$(diff -rq --exclude=__pycache__ --exclude=.ipynb_checkpoints nbs "$tmp/nbs" | sed -E 's/^Files ([^ ]+) and .*/\1/')
if [ -n "$dirty" ]; then
  echo "ERROR: these notebooks are not clean (outputs or metadata that nbdev_clean removes):" >&2
  for f in $dirty; do echo "  $f" >&2; done
  echo "Run 'make export' (nbdev_export && nbdev_clean) and commit the cleaned notebooks." >&2
  status=1
fi
[ $status = 0 ] && echo "check_sync: rvi/ matches nbs/, notebooks clean"
exit $status
