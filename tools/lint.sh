#!/usr/bin/env bash
# OCA's checks on the whole tree, as tools/test.sh runs them (exit non-zero on any finding):
# ruff (lint and format, .ruff.toml) and pylint-odoo (.pylintrc); then prints the size and complexity of
# the functions (tools/metrics.py), failing on a missed target (issue 31: at most 3 % over 50 lines,
# none over 80, none above complexity 15).
#
#   tools/lint.sh          check
#   tools/lint.sh --fix    let ruff fix and format what it can, then check
source "$(dirname "$0")/lib.sh"

setup_venv
cd "$ROOT"
if [ "${1:-}" = "--fix" ]; then
    "$PY" -m ruff check --fix -q . || true
    "$PY" -m ruff format -q .
fi
rc=0
say "ruff check"
"$PY" -m ruff check --no-fix -q . || rc=1
say "ruff format --check"
"$PY" -m ruff format --check -q . || rc=1
say "pylint-odoo"
"$PY" -m pylint --rcfile=.pylintrc -j 0 . || rc=1
say "Function size and complexity (tools/metrics.py)"
"$PY" "$ROOT/tools/metrics.py" --check || rc=1
[ "$rc" = 0 ] && echo "OCA checks: clean"
exit "$rc"
