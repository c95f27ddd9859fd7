#!/usr/bin/env bash
# The whole test suite, in order: export/clean checks, nbdev_test on every notebook (in
# parallel), then pytest. `--slow` runs only the cells/tests marked slow. Last line: pytest's summary.
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
echo "nbdev_test: running every notebook in nbs/"
"$bin/nbdev_test" --n_workers 2 --timing || { echo "nbdev_test failed"; exit 1; }
exec "$bin/pytest" -n 2 tests/
