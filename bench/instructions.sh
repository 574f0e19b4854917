#!/usr/bin/env bash
# Instructions (callgrind) of one import of a generated LINES-line order, averaged over RUNS imports:
# only the imports are instrumented, so the figure does not depend on the machine's load and old and
# new code compare to a fraction of a percent (wall-clock times vary by 10-20 % on a shared VM).
#   bench/instructions.sh 10 4 -- --db_user odoo -d psb_prof --addons-path=...
# Needs valgrind (Debian's package); run it against a database set up by `odoo_bench.py setup`.
set -euo pipefail
LINES=${1:?lines}; RUNS=${2:?runs}; shift 2
[ "${1:-}" = "--" ] && shift
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-$(python3 -c 'import sys; print(sys.executable)')}  # the interpreter itself, not a shim
OUT=$(mktemp "${TMPDIR:-/tmp}/callgrind.XXXXXX")
PYTHONHASHSEED=0 valgrind --tool=callgrind --instr-atstart=no --cache-sim=no --callgrind-out-file="$OUT" \
    "$PY" "$HERE/odoo_bench.py" instructions --lines "$LINES" --runs "$RUNS" -- "$@" --log-level=error 2>/dev/null
TOTAL=$(grep '^totals:' "$OUT" | cut -d' ' -f2)
rm -f "$OUT"
echo "{\"lines\": $LINES, \"million_instructions_per_import\": $(( TOTAL / RUNS / 1000000 ))}"
