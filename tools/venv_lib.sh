# Shared by tools/bootstrap.sh and tools/install_vllm_cpu.sh (sourced, not run).
# install_stamp [EXTRA...]: hash of what changes an install (requirements, setup.py, settings.ini's
# package lines) plus any extra words, e.g. a pinned extra package.
install_stamp() {
  (cat requirements.txt setup.py
   grep -E '^(lib_name|version|min_python|requirements|console_scripts) *=' settings.ini
   if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi) | sha256sum | cut -d' ' -f1
}
# run_logged LOG WHO CMD...: run CMD with its output appended to LOG; on failure say so and show LOG's tail.
run_logged() {
  local log=$1 who=$2; shift 2
  "$@" >>"$log" 2>&1 || { echo "$who: '$*' failed; last lines of $log:" >&2; tail -n 30 "$log" >&2; exit 1; }
}
