#!/usr/bin/env bash
# The benchmarks of sale_econnect_psb, in one command (see bench/README.md):
#
#   bench/run.sh
#
# Against a real Odoo 19 + PostgreSQL + the PSB sandbox on this machine: a fresh database
# psb_bench with the addon, the PSB sandbox and Odoo in multi-worker mode on free loopback ports.
# Prints a table and writes bench/results/latest.json (and the raw parts under .build/bench/).
#
#   BENCH_DB=psb_bench_x          another database name (must start with psb_bench)
#   BENCH_WORKERS="2 4"           Odoo HTTP worker counts for the webhook figure
#   BENCH_BACKLOG=1000            orders in the backlog of the throughput figures (2a, 2b, 2c)
#   BENCH_ONLY=auto               only the throughput with automatic confirmation (2c), for trying it out;
#   BENCH_ONLY=changes            only 2d (2c's backlog, then one Order Change per order applied automatically);
#   BENCH_ONLY=auto,changes       2c and 2d;  BENCH_ONLY=throughput  2a and 2c side by side
#   BENCH_WAIT=300                seconds each backlog may take to be processed (longer on a loaded machine)
#   BENCH_SIZES=1,10,100,1000,5000  BENCH_REPS=1:7,10:7,100:5,1000:3,5000:3/2
#                                 order sizes, and runs per size (/ runs of Odoo's own import)
#   BENCH_WEBHOOK_DBFILTER=8:400  deliveries of the reference webhook run with --db-filter (empty: none)
#   BENCH_QUICK=1                 a smaller, faster run (for trying the scripts out)
#   BENCH_KEEP_DB=1               keep the database afterwards
#   BENCH_FLOW_INSTRUCTIONS=1     also count 2c's instructions per order under valgrind (about 3 minutes)
#   PEPPOL_SHARED_DIR=...         the official Peppol examples and rules (default ../shared/peppol)
source "$(dirname "$0")/../tools/lib.sh"

BENCH="$ROOT/bench"
WORK="$BUILD/bench"
RESULTS="$BENCH/results"
DB=${BENCH_DB:-psb_bench}
PEPPOL=${PEPPOL_SHARED_DIR:-$ROOT/../shared/peppol}
WORKERS=${BENCH_WORKERS:-"2 4"}
BACKLOG=${BENCH_BACKLOG:-1000}
WAIT=${BENCH_WAIT:-300}
SIZES=${BENCH_SIZES:-1,10,100,1000,5000}
REPS=${BENCH_REPS:-1:7,10:7,100:5,1000:3,5000:3/2}
WEBHOOK_REQUESTS=${BENCH_WEBHOOK_REQUESTS:-1:150,8:400,32:640}
WEBHOOK_DBFILTER=${BENCH_WEBHOOK_DBFILTER-8:400}   # empty: no reference run with --db-filter
ROUNDS=3
ONLY=${BENCH_ONLY:-}
only() {  # only PART: whether this run includes PART (every part when BENCH_ONLY is empty)
    [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]
}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    WORKERS=${BENCH_WORKERS:-2}; BACKLOG=${BENCH_BACKLOG:-100}; SIZES=${BENCH_SIZES:-1,10,100,1000}
    REPS=${BENCH_REPS:-1:3,10:3,100:3,1000:2}; WEBHOOK_REQUESTS=1:40,8:80,32:128; ROUNDS=2
    WEBHOOK_DBFILTER=${BENCH_WEBHOOK_DBFILTER-8:80}
fi
case "$DB" in psb_bench*) ;; *) echo "BENCH_DB must start with psb_bench"; exit 2 ;; esac
SECRET="bench-webhook-secret"
CLIENT_ID="bench-client"
CLIENT_SECRET="bench-client-secret"
PARTY="0106:12345678"
STARTED=$(date +%s)

setup_venv
find_odoo
if [ "$ODOO_FOUND" != yes ]; then
    banner "NO ODOO 19 FOUND" "Make Odoo 19 importable by python3, or run ODOO_PATH=/path/to/odoo bench/run.sh"
    exit 1
fi
setup_postgres
mapfile -t DBARGS < <(odoo_db_args)
rm -rf "$WORK"
mkdir -p "$WORK" "$RESULTS"
ODOO_ARGS=("${DBARGS[@]}" -d "$DB" --addons-path="$ADDONS_PATH" --data-dir "$WORK/data"
           --http-interface 127.0.0.1 --log-level warn)
DSN="dbname=$DB user=$PGUSER${PGHOST:+ host=$PGHOST}${PGPORT:+ port=$PGPORT}"

pick_port() {
    local port
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        port=$(free_port)
        case "$port" in 8069|8765|"${SANDBOX_PORT:-}"|"${ODOO_PORT:-}") continue ;; esac
        echo "$port"; return 0
    done
    return 1
}
SANDBOX_PORT=$(pick_port)
ODOO_PORT=$(pick_port)
GEVENT_PORT=$(pick_port)
SANDBOX="http://127.0.0.1:$SANDBOX_PORT"
ODOO_URL="http://127.0.0.1:$ODOO_PORT"

pids=()
ODOO_PID=""
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [ "${BENCH_KEEP_DB:-0}" != 1 ]; then
        dropdb --if-exists "$DB" >/dev/null 2>&1 || true
        rm -rf "$WORK/data/filestore/$DB"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

elapsed() { echo $(( $(date +%s) - STARTED ))s; }

start_odoo() {  # start_odoo WORKERS CRON_THREADS LOG [more Odoo options]
    local workers=$1 crons=$2 log=$3
    shift 3
    # -d DB without --db-filter: Odoo serves that one database and, unlike with --db-filter, does not
    # list PostgreSQL's databases (a new connection) on every request without a session: every
    # webhook delivery is such a request. The reference run below shows the difference.
    # No memory limits, as the README says to run with the Peppol rule checks (saxonche reserves more
    # address space than Odoo's default limits allow): the backlog figures include those checks.
    "$PY" "$BENCH/odoo_server.py" server "${ODOO_ARGS[@]}" \
        --http-port "$ODOO_PORT" --gevent-port "$GEVENT_PORT" --workers "$workers" --max-cron-threads "$crons" \
        --limit-time-real 600 --limit-memory-hard 0 --limit-memory-soft 0 "$@" > "$log" 2>&1 &
    ODOO_PID=$!
    pids+=("$ODOO_PID")
    for _ in $(seq 120); do
        curl -sf "$ODOO_URL/web/health" >/dev/null 2>&1 && return 0
        kill -0 "$ODOO_PID" 2>/dev/null || break
        sleep 0.5
    done
    echo "Odoo did not start: see $log"; tail -20 "$log"; return 1
}

stop_odoo() {
    [ -n "$ODOO_PID" ] || return 0
    kill "$ODOO_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$ODOO_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$ODOO_PID" 2>/dev/null || true
    wait "$ODOO_PID" 2>/dev/null || true
    # the prefork workers leave with their master; wait until the port is free
    for _ in $(seq 50); do curl -s -o /dev/null "$ODOO_URL/web/health" 2>/dev/null || break; sleep 0.2; done
    ODOO_PID=""
}

say "Database $DB: a fresh one with $MODULE installed ($(elapsed))"
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
rm -rf "$WORK/data/filestore/$DB"
timeout 600 "$PY" -m odoo "${ODOO_ARGS[@]}" -i "$MODULE" --stop-after-init --http-port "$ODOO_PORT" \
    > "$WORK/install.log" 2>&1 || { echo "Install failed: see $WORK/install.log"; tail -20 "$WORK/install.log"; exit 1; }

say "PSB sandbox on $SANDBOX ($(elapsed))"
(cd "$ROOT" && exec "$PY" -m psb_sandbox --host 127.0.0.1 --port "$SANDBOX_PORT" --client-id "$CLIENT_ID" \
    --client-secret "$CLIENT_SECRET" --party "$PARTY" --quiet) > "$WORK/sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -sf "$SANDBOX/.well-known/openid-configuration" >/dev/null && break; sleep 0.2; done

say "Company, catalogue (5,000 products), buyers; webhook registered at the sandbox ($(elapsed))"
"$PY" "$BENCH/odoo_bench.py" setup --register --out "$WORK/setup.json" --odoo-url "$ODOO_URL" \
    --sandbox-url "$SANDBOX" --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET" --secret "$SECRET" \
    -- "${ODOO_ARGS[@]}" 2> "$WORK/setup.log" || { tail -20 "$WORK/setup.log"; exit 1; }
# The planner's statistics of the catalogue just loaded, as autovacuum gathers them on a real
# server (this machine's PostgreSQL runs with autovacuum off: without this, every figure was
# measured on a never-analysed database, with a sequential scan for each product lookup).
psql -d "$DB" -qc "SET client_min_messages = error; ANALYZE"  # (the shared catalogs: superuser only)

if [ -z "$ONLY" ]; then
say "Generated orders against the official XSD and Schematron ($(elapsed))"
"$PY" "$BENCH/check_orders.py" --peppol "$PEPPOL" --sizes "$SIZES" --out "$WORK/check_orders.json"

# 1. Webhook acknowledgement latency -------------------------------------------------------
for workers in $WORKERS; do
    say "1. Webhook latency, Odoo --workers $workers --max-cron-threads 0 ($(elapsed))"
    start_odoo "$workers" 0 "$WORK/odoo-webhook-$workers.log"
    "$PY" "$BENCH/webhook_load.py" --url "$ODOO_URL/econnect_psb/webhook" --secret "$SECRET" --dsn "$DSN" \
        --requests "$WEBHOOK_REQUESTS" --rounds "$ROUNDS" --workers "$workers" --budget 150 \
        --floor-url "$ODOO_URL/web/health" --out "$WORK/webhook-$workers.json"
    stop_odoo
done
if [ -n "$WEBHOOK_DBFILTER" ]; then
    say "1. Reference: the same with --db-filter, Odoo --workers 2, 8 concurrent ($(elapsed))"
    start_odoo 2 0 "$WORK/odoo-webhook-2-dbfilter.log" --db-filter "^$DB\$"
    "$PY" "$BENCH/webhook_load.py" --url "$ODOO_URL/econnect_psb/webhook" --secret "$SECRET" --dsn "$DSN" \
        --levels 8 --requests "$WEBHOOK_DBFILTER" --rounds "$ROUNDS" --workers 2 --dbfilter --budget 60 \
        --out "$WORK/webhook-2-dbfilter.json"
    stop_odoo
fi
fi  # BENCH_ONLY

# 2. Throughput: a backlog delivered at once, then imported ----------------------------------
deliver_backlog() {  # deliver_backlog PREFIX [--straight-through]
    "$PY" "$BENCH/backlog.py" deliver --sandbox "$SANDBOX" --count "$BACKLOG" --lines 10 --prefix "$1" \
        --out "$WORK/deliver-$1.json" "${@:2}"
}
wait_backlog() {  # wait_backlog PREFIX OUT.json [backlog.py wait options]: in the background, $waiter its pid
    "$PY" "$BENCH/backlog.py" wait --dsn "$DSN" --prefix "$1" --count "$BACKLOG" --timeout "$WAIT" "${@:3}" \
        --sandbox "$SANDBOX" --documents "$WORK/deliver-$1.json" --out "$WORK/$2" &
    waiter=$!
    pids+=("$waiter")
}
CRON_ID=$(psql -d "$DB" -Atc "SELECT res_id FROM ir_model_data WHERE module = '$MODULE'
                               AND name = 'ir_cron_psb_process_documents'")
wake_cron() {  # the scheduled action woken up as a webhook wakes it: active again, due now, a NOTIFY to the cron workers
    psql -d "$DB" -qc "UPDATE ir_cron SET active = true, nextcall = now() AT TIME ZONE 'UTC' WHERE id = $CRON_ID"
    psql -d postgres -qAtc "SELECT pg_notify('cron_trigger', '$DB')" >/dev/null
}

if only throughput; then  # BENCH_ONLY=throughput: 2a and 2c
say "2a. Throughput: $BACKLOG ten-line orders delivered, then Odoo --workers 2 --max-cron-threads 2 ($(elapsed))"
# The scheduled action is paused while the backlog arrives (the webhook then adds no trigger), and
# woken up the way a webhook wakes it: active again, due now, and a NOTIFY to the cron workers.
psql -d "$DB" -qc "UPDATE ir_cron SET active = false WHERE id = $CRON_ID"
start_odoo 2 2 "$WORK/odoo-cron.log" --log-handler odoo.addons.base.models.ir_cron:INFO
deliver_backlog BLA
wait_backlog BLA throughput-cron.json
wake_cron
wait "$waiter" || true
stop_odoo
fi  # BENCH_ONLY

if [ -z "$ONLY" ]; then
say "2b. Throughput: $BACKLOG more, then two processes running the scheduled action's method ($(elapsed))"
start_odoo 2 0 "$WORK/odoo-deliver-BLB.log"
deliver_backlog BLB
stop_odoo
wait_backlog BLB throughput-processes.json
workers_pids=()
for n in 1 2; do
    "$PY" "$BENCH/odoo_bench.py" process --out "$WORK/process-$n.json" --ready-dir "$WORK/ready" --workers 2 \
        --timeout 300 -- "${ODOO_ARGS[@]}" > "$WORK/process-$n.log" 2>&1 &
    workers_pids+=($!)
    pids+=($!)
done
wait "$waiter" || true
for pid in "${workers_pids[@]}"; do wait "$pid" || true; done
fi  # BENCH_ONLY

if only throughput || only auto; then
say "2c. Throughput with automatic confirmation on: $BACKLOG ten-line orders meeting every condition, as 2a ($(elapsed))"
psql -d "$DB" -qc "UPDATE ir_cron SET active = false WHERE id = $CRON_ID"
psql -d "$DB" -qc "UPDATE res_company SET psb_auto_confirm = true WHERE psb_party_id = '$PARTY'"
start_odoo 2 2 "$WORK/odoo-cron-auto.log" --log-handler odoo.addons.base.models.ir_cron:INFO
deliver_backlog BLC --straight-through
wait_backlog BLC throughput-auto.json --confirmed
wake_cron
wait "$waiter" || true
stop_odoo
say "2c per order in one process: the two scheduled actions with their real commits (flow_bench.py, a copy of the database) ($(elapsed))"
flow_bench() {  # flow_bench ORDERS OUT.json [valgrind ...]: on a fresh copy of the database, dropped after
    local orders=$1 out=$2
    shift 2
    dropdb --if-exists "${DB}_flow" >/dev/null 2>&1 || true
    createdb -T "$DB" "${DB}_flow"
    "$@" "$PY" "$BENCH/flow_bench.py" --orders "$orders" --out "$out" ${1:+--instructions} \
        -- "${DBARGS[@]}" -d "${DB}_flow" --addons-path="$ADDONS_PATH" --data-dir "$WORK/data" \
        >> "$WORK/flow.log" 2>&1 || tail -20 "$WORK/flow.log"
    dropdb --if-exists "${DB}_flow" >/dev/null 2>&1 || true
    rm -rf "$WORK/data/filestore/${DB}_flow"
}
flow_bench 20 "$WORK/flow.json"
if [ "${BENCH_FLOW_INSTRUCTIONS:-0}" = 1 ] && command -v valgrind >/dev/null; then
    flow_bench 10 "$WORK/flow-instructions.json" env PYTHONHASHSEED=0 valgrind --tool=callgrind \
        --instr-atstart=no --cache-sim=no --callgrind-out-file="$WORK/flow.callgrind"
    total=$(grep '^totals:' "$WORK/flow.callgrind" | cut -d' ' -f2)
    "$PY" - "$WORK/flow-instructions.json" "$total" <<'PY'
import json, sys
path, total = sys.argv[1], int(sys.argv[2])
data = json.load(open(path))
data["million_instructions_per_order"] = round(total / data["orders"] / 1e6)
json.dump(data, open(path, "w"), indent=2)
PY
fi
psql -d "$DB" -qc "UPDATE res_company SET psb_auto_confirm = false WHERE psb_party_id = '$PARTY'"
fi  # BENCH_ONLY

if only changes; then
say "2d. $BACKLOG Advanced Ordering orders confirmed automatically as in 2c, then one Order Change each ($(elapsed))"
psql -d "$DB" -qc "UPDATE ir_cron SET active = false WHERE id = $CRON_ID"
psql -d "$DB" -qc "UPDATE res_company SET psb_auto_confirm = true WHERE psb_party_id = '$PARTY'"
start_odoo 2 2 "$WORK/odoo-cron-changes.log" --log-handler odoo.addons.base.models.ir_cron:INFO
deliver_backlog BLD --straight-through --advanced
wait_backlog BLD throughput-changes.json --confirmed
wake_cron
wait "$waiter" || true
# The changes arrive as the orders did: all at once, the import paused, then woken.
psql -d "$DB" -qc "UPDATE ir_cron SET active = false WHERE id = $CRON_ID"
"$PY" "$BENCH/backlog.py" deliver --sandbox "$SANDBOX" --count "$BACKLOG" --lines 10 --prefix BLD --changes \
    --out "$WORK/deliver-BLD-CH.json"
"$PY" "$BENCH/backlog.py" wait --changes --dsn "$DSN" --prefix BLD --count "$BACKLOG" --timeout "$WAIT" \
    --out "$WORK/changes.json" &
waiter=$!
pids+=("$waiter")
wake_cron
wait "$waiter" || true
stop_odoo
say "2d. Queries of an order confirmed automatically and of its change applied automatically, in one process ($(elapsed))"
"$PY" "$BENCH/odoo_bench.py" changes --out "$WORK/change-queries.json" -- "${ODOO_ARGS[@]}" \
    2> "$WORK/change-queries.log" || tail -20 "$WORK/change-queries.log"
grep -E '^\{' "$WORK/change-queries.log" | cut -c1-220 || true
psql -d "$DB" -qc "UPDATE res_company SET psb_auto_confirm = false WHERE psb_party_id = '$PARTY'"
fi  # BENCH_ONLY

if [ -z "$ONLY" ]; then
# 3 and 4. Scaling with order size, side by side with Odoo's sale_edi_ubl ----------------------
say "3-4. Import time, memory and SQL queries by order size; Odoo's own import of the same files ($(elapsed))"
"$PY" "$BENCH/odoo_bench.py" imports --out "$WORK/imports.json" --sizes "$SIZES" --reps "$REPS" \
    --official "$PEPPOL/examples/order/official" --official-reps 5 --trace --trace-max 5000 --budget 330 \
    -- "${ODOO_ARGS[@]}" 2> "$WORK/imports.log" || { tail -30 "$WORK/imports.log"; exit 1; }
grep -E "^(official|[0-9]+ lines run)" "$WORK/imports.log" | cut -c1-160 || true

# 5. Order Responses ------------------------------------------------------------------------
say "5. Order Responses: 100-line CA, built and validated ($(elapsed))"
"$PY" "$BENCH/responses.py" --peppol "$PEPPOL" --out "$WORK/responses.json" --rounds 5 --seconds 0.6
fi  # BENCH_ONLY

# 6. Inbound Peppol rule checks ---------------------------------------------------------------
say "6. Inbound Peppol rules: a 1,000-line order checked against XSD + Schematron ($(elapsed))"
"$PY" "$BENCH/rules.py" --peppol "$PEPPOL" --out "$WORK/rules.json" --lines 1000 --rounds 5

say "Results ($(elapsed))"
"$PY" "$BENCH/report.py" --work "$WORK" --out "$([ -n "$ONLY" ] && echo "$WORK/latest-$ONLY.json" || echo "$RESULTS/latest.json")" \
    --seconds "$(( $(date +%s) - STARTED ))"
