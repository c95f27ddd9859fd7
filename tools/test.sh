#!/usr/bin/env bash
# The whole test suite, in order: export/clean checks, the package's shape (tools/check_structure.py), every notebook (the cells nbdev_test runs, in parallel,
# keeping the executed copies for the site), the documentation site (no warning, no broken link, README equal to
# nbs/index.ipynb), then pytest. `--slow` runs only the cells/tests marked slow. Last line: pytest's summary.
set -uo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false \
       RVI_NO_PROGRESS=1 MPLBACKEND=Agg PYTHONDONTWRITEBYTECODE=1
bin=.venv/bin
if [ "${1:-}" = "--slow" ]; then
  "$bin/nbdev_test" --n_workers 2 --flags slow --timing || exit 1
  exec "$bin/pytest" -m slow tests/
fi
tools/check_sync.sh || exit 1
"$bin/python" tools/check_structure.py || exit 1
echo "notebooks: running every notebook in nbs/ and nbs/explanations/"
"$bin/python" tools/run_nbs.py --n_workers 2 --timing --out _docs/executed || { echo "notebooks failed"; exit 1; }
"$bin/python" tools/docs.py --no-exec --check || { echo "documentation site failed"; exit 1; }
exec "$bin/pytest" -n 2 tests/
