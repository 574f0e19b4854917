#!/usr/bin/env bash
# Runs the whole test suite: the plain-Python tests always, the Odoo tests whenever an Odoo 19
# is available (an importable odoo, ODOO_PATH=<source checkout>, or ODOO_INSTALL=1 to clone it).
#
#   tools/test.sh                 everything (plain tests, OCA checks of tools/lint.sh, Odoo tests)
#   tools/test.sh --plain         only the plain-Python tests
#   REQUIRE_ODOO=1 tools/test.sh  fail when no Odoo 19 is found instead of only saying so
#   ODOO_TEST_TAGS=/sale_econnect_psb:TestWebhook tools/test.sh   a subset of the Odoo tests
#   LXML_VERSION=4.9.3 tools/test.sh --plain   the plain tests against another lxml, in a throwaway
#                                  virtualenv under .build/ (supported: 4.9.3, 5.2.1, the newest 6.x)
source "$(dirname "$0")/lib.sh"

if [ -n "${LXML_VERSION:-}" ] && [ "${1:-}" != "--plain" ]; then
    echo "LXML_VERSION runs only the plain-Python tests: use LXML_VERSION=$LXML_VERSION tools/test.sh --plain"
    exit 2
fi

setup_venv
cd "$ROOT"

say "Plain-Python tests (pytest)"
set +e
"$PY" -m pytest -q -p no:cacheprovider
pytest_rc=$?
set -e
# pytest exits 5 when it collected nothing: that is a failure of this suite too.
[ "$pytest_rc" = 5 ] && echo "pytest collected no test" && pytest_rc=1

if [ "${1:-}" = "--plain" ]; then
    exit "$pytest_rc"
fi

say "OCA checks (tools/lint.sh: ruff, pylint-odoo)"
set +e
bash "$ROOT/tools/lint.sh"
lint_rc=$?
set -e

find_odoo
if [ "$ODOO_FOUND" != yes ]; then
    banner "NO ODOO 19 FOUND: THE ODOO TESTS DID NOT RUN" \
           "Only the plain-Python tests ran. Make Odoo 19 importable by python3, or run" \
           "ODOO_PATH=/path/to/odoo-19-checkout tools/test.sh (or ODOO_INSTALL=1 to clone it)."
    [ "${REQUIRE_ODOO:-0}" = 1 ] && exit 1
    [ "$lint_rc" = 0 ] && exit "$pytest_rc"
    exit 1
fi

setup_chromium
setup_postgres
DB=${PSB_TEST_DB:-psb_test_$$}
LOG="$BUILD/odoo-test-$DB.log"
PORT=$(free_port)
mapfile -t DBARGS < <(odoo_db_args)
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT

say "Odoo tests: a fresh database $DB with $MODULE installed (log: $LOG)"
set +e
"$PY" -m odoo "${DBARGS[@]}" -d "$DB" --addons-path="$ADDONS_PATH" \
    -i "$MODULE" --test-enable --test-tags "${ODOO_TEST_TAGS:-/$MODULE}" \
    --http-port "$PORT" --http-interface 127.0.0.1 --max-cron-threads 0 --limit-memory-hard 0 \
    --stop-after-init --log-level info 2>&1 | tee "$LOG" | grep -E --line-buffered \
    ' (ERROR|CRITICAL|WARNING) |odoo\.tests\.(stats|result)|: (FAIL|ERROR):|Ran [0-9]+ tests|tests when loading|post-tests in'
odoo_rc=${PIPESTATUS[0]}
set -e

summary=$(grep -Eo '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$LOG" | tail -1 || true)
errors=$(grep -cE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$LOG" || true)
if [ -z "$summary" ]; then
    echo "The Odoo test run printed no test summary (exit code $odoo_rc): see $LOG"
    odoo_failed=1; odoo_run=0
else
    failed=$(sed -E 's/^([0-9]+) failed.*/\1/' <<<"$summary")
    errs=$(sed -E 's/.* ([0-9]+) error.*/\1/' <<<"$summary")
    odoo_run=$(sed -E 's/.* of ([0-9]+) tests/\1/' <<<"$summary")
    odoo_failed=$((failed + errs))
fi
if [ "$odoo_rc" != 0 ] || [ "$errors" != 0 ]; then
    [ "$odoo_failed" = 0 ] && odoo_failed=1
    echo "Odoo exited with $odoo_rc and logged $errors error(s): see $LOG"
fi
banner "Odoo tests: $odoo_run run, $odoo_failed failed or in error; plain tests: pytest exit $pytest_rc;" \
       "OCA checks: $([ "$lint_rc" = 0 ] && echo clean || echo "FINDINGS (tools/lint.sh)")"
echo "odoo: $((odoo_run - odoo_failed)) passed, $odoo_failed failed"
[ "$pytest_rc" = 0 ] && [ "$odoo_failed" = 0 ] && [ "$lint_rc" = 0 ]
