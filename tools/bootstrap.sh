#!/usr/bin/env bash
# Make .venv/ match the pinned requirements. Rebuilt only when the stamp (a hash of the
# requirement files and setup inputs) changes, so a warm run costs a second.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
# only what changes the install: requirements, setup.py, and settings.ini's package lines
want=$( (cat requirements.txt setup.py; grep -E '^(lib_name|version|min_python|requirements|console_scripts) *=' settings.ini) | sha256sum | cut -d' ' -f1)
have=$(cat "$venv/.rvi-stamp" 2>/dev/null || true)
if [ "$want" = "$have" ] && [ -x "$venv/bin/python" ]; then exit 0; fi
echo "bootstrap: building $venv from requirements.txt (stamp ${want:0:12}); log in $venv/bootstrap.log" >&2
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
log=$venv/bootstrap.log
run() { "$@" >>"$log" 2>&1 || { echo "bootstrap: '$*' failed; last lines of $log:" >&2; tail -n 30 "$log" >&2; exit 1; }; }
: > "$log"
run "$venv/bin/python" -m pip install --upgrade pip
run "$venv/bin/python" -m pip install -r requirements.txt
run "$venv/bin/python" -m pip install --no-deps -e .
run "$venv/bin/python" -m ipykernel install --sys-prefix --name python3
echo "$want" > "$venv/.rvi-stamp"
echo "bootstrap: done" >&2
