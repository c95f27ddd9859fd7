#!/usr/bin/env bash
# Make .venv/ match the pinned requirements. Rebuilt only when the stamp (a hash of the
# requirement files and setup inputs) changes, so a warm run costs a second.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
want=$(cat requirements.txt setup.py settings.ini | sha256sum | cut -d' ' -f1)
have=$(cat "$venv/.rvi-stamp" 2>/dev/null || true)
if [ "$want" = "$have" ] && [ -x "$venv/bin/python" ]; then exit 0; fi
echo "bootstrap: building $venv from requirements.txt (stamp ${want:0:12})" >&2
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -r requirements.txt
"$venv/bin/python" -m pip install -q --no-deps -e .
"$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
echo "$want" > "$venv/.rvi-stamp"
