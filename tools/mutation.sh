#!/usr/bin/env bash
# make mutation [MODULES="flops mixing"] [JOBS=2]: the mutation score of each module that decides results, with
# mutmut 3 against its fast pytest files (not the notebooks). Each module runs in its own copy of the tree under
# $TMPDIR, so the working tree is never mutated. Prints "mutation <module>: killed/tested = score%" per module.
# RERUN=<copy> MODULES=<module> reruns the mutants that copy left alive (survived or untested) with the module's
# test files as they are now, and prints the copy's updated score.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
MODULES=${MODULES:-flops pareto mixing judging claims results}
JOBS=${JOBS:-2}
# rvi.results is scored against its own tests only: the claims tests also call it, but take ~45 s a run, and every
# surviving mutant would run all of them.
declare -A TESTS=(
  [flops]="tests/test_flops.py"
  [pareto]="tests/test_pareto.py"
  [mixing]="tests/test_mixing.py"
  [judging]="tests/test_judging.py"
  [claims]="tests/test_claims.py tests/test_claims_study.py"
  [results]="tests/test_results.py")
.venv/bin/python -c "import mutmut" 2>/dev/null || .venv/bin/python -m pip install -q "mutmut==3.8.1"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false MPLBACKEND=Agg RVI_NO_PROGRESS=1
for m in $MODULES; do
  [ -n "${TESTS[$m]:-}" ] || { echo "mutation: unknown module '$m' (one of ${!TESTS[*]})" >&2; exit 2; }
  names= log=mutmut.log
  if [ -n "${RERUN:-}" ]; then
    work=$RERUN log=rerun.log
    [ -d "$work/mutants" ] || { echo "mutation: RERUN=$work is not a copy made by make mutation" >&2; exit 2; }
    for t in ${TESTS[$m]}; do cp "$t" "$work/$t"; cp "$t" "$work/mutants/$t"; done
    rm -f "$work/mutants/mutmut-stats.json"              # map the current tests to the functions they call
    names=$(cd "$work" && "$root/.venv/bin/mutmut" results 2>/dev/null | sed -n 's/^ *\([^ ]*\): \(survived\|no tests\)$/\1/p')
  else
    work=$(mktemp -d "${TMPDIR:-/tmp}/rvi-mutation-$m.XXXX")
    git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work"
    tests=$(printf '"%s", ' ${TESTS[$m]})
    dirs=$(cd "$work" && printf '"%s", ' */ | sed 's#/"#"#g')
    cat >> "$work/pyproject.toml" <<TOML

[tool.mutmut]
source_paths = ["rvi/"]
only_mutate = ["rvi/$m.py"]
also_copy = [${dirs%, }]
pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider", "-q"]
pytest_add_cli_args_test_selection = [${tests%, }]
TOML
  fi
  start=$SECONDS
  (cd "$work" && "$root/.venv/bin/mutmut" run --max-children "$JOBS" $names > $log 2>&1 && "$root/.venv/bin/mutmut" export-cicd-stats >> $log 2>&1) \
    || { echo "mutation $m: mutmut failed, see $work/$log" >&2; tail -20 "$work/$log" >&2; exit 1; }
  "$root/.venv/bin/python" - "$work/mutants/mutmut-cicd-stats.json" "$m" $((SECONDS - start)) <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); tested = s['total'] - s.get('skipped', 0)
killed = s['killed'] + s.get('timeout', 0)
print(f"mutation {sys.argv[2]}: {killed}/{tested} mutants killed = {100 * killed / max(tested, 1):.1f}% "
      f"(survived {s['survived']}, no tests {s.get('no_tests', 0)}, {sys.argv[3]} s) {json.dumps(s)}")
PY
  (cd "$work" && "$root/.venv/bin/mutmut" results > survivors.txt 2>&1 || true)
  echo "  survivors: $work/survivors.txt"
done
