#!/usr/bin/env bash
# Make .venv/ match the pinned requirements. Rebuilt only when the stamp (a hash of the
# requirement files and setup inputs) changes, so a warm run costs a second.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
source tools/venv_lib.sh
want=$(install_stamp)
have=$(cat "$venv/.rvi-stamp" 2>/dev/null || true)
if [ "$want" = "$have" ] && [ -x "$venv/bin/python" ]; then exit 0; fi
echo "bootstrap: building $venv from requirements.txt (stamp ${want:0:12}); log in $venv/bootstrap.log" >&2
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
log=$venv/bootstrap.log
run() { run_logged "$log" bootstrap "$@"; }
: > "$log"
run "$venv/bin/python" -m pip install --upgrade pip
run "$venv/bin/python" -m pip install -r requirements.txt
run "$venv/bin/python" -m pip install --no-deps -e .
run "$venv/bin/python" -m ipykernel install --sys-prefix --name python3
echo "$want" > "$venv/.rvi-stamp"
echo "bootstrap: done" >&2
