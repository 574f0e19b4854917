#!/usr/bin/env bash
# Runs the addon end to end on this machine: the PSB sandbox, Odoo with the addon installed and
# configured against the sandbox, and the official example orders delivered as signed webhooks.
#
#   tools/demo.sh              start everything, deliver the examples, keep running (Ctrl-C stops)
#   DEMO_DB=mydb tools/demo.sh use another database name (default psb_demo; created when missing)
#   ODOO_PORT / SANDBOX_PORT   the ports (default 8069 / 8765)
source "$(dirname "$0")/lib.sh"

DB=${DEMO_DB:-psb_demo}
ODOO_PORT=${ODOO_PORT:-8069}
SANDBOX_PORT=${SANDBOX_PORT:-8765}
PARTY=${DEMO_PARTY:-0106:12345678}
PEPPOL=${PEPPOL_SHARED_DIR:-$ROOT/../shared/peppol}

setup_venv
find_odoo
if [ "$ODOO_FOUND" != yes ]; then
    banner "NO ODOO 19 FOUND" "Make Odoo 19 importable by python3, or run ODOO_PATH=/path/to/odoo tools/demo.sh" \
           "(or ODOO_INSTALL=1 tools/demo.sh to clone it from Odoo's official repository)."
    exit 1
fi
setup_postgres
mapfile -t DBARGS < <(odoo_db_args)
OPTS=("${DBARGS[@]}" -d "$DB" --addons-path="$ADDONS_PATH" --db-filter "^$DB\$")
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if ! psql -d "$DB" -Atc "select 1 from ir_module_module where name='$MODULE' and state='installed'" 2>/dev/null | grep -q 1; then
    say "Creating database $DB with $MODULE (about a minute)"
    "$PY" -m odoo server "${OPTS[@]}" -i "$MODULE" --stop-after-init --log-level warn
fi

say "Starting the PSB sandbox on 127.0.0.1:$SANDBOX_PORT"
(cd "$ROOT" && exec "$PY" -m psb_sandbox --host 127.0.0.1 --port "$SANDBOX_PORT" \
    --client-id demo-client --client-secret demo-secret --party "$PARTY") > "$BUILD/sandbox.log" 2>&1 &
pids+=($!)
SANDBOX="http://127.0.0.1:$SANDBOX_PORT"
for _ in $(seq 50); do curl -sf "$SANDBOX/.well-known/openid-configuration" >/dev/null && break; sleep 0.2; done

say "Configuring the company against the sandbox and registering the webhook"
"$PY" -m odoo shell "${OPTS[@]}" --log-level warn <<EOF
company = env.ref("base.main_company")
env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1:$ODOO_PORT")
company.write({
    "psb_environment": "custom", "psb_api_url": "$SANDBOX", "psb_identity_url": "$SANDBOX",
    "psb_client_id": "demo-client", "psb_client_secret": "demo-secret", "psb_party_id": "$PARTY",
})
company._psb_register_webhook()
env.cr.commit()
print("webhook:", company.psb_hook_state, company.psb_hook_url)
EOF

say "Starting Odoo on http://127.0.0.1:$ODOO_PORT (log: $BUILD/odoo-demo.log)"
"$PY" -m odoo server "${OPTS[@]}" --http-port "$ODOO_PORT" --http-interface 127.0.0.1 --max-cron-threads 1 \
    > "$BUILD/odoo-demo.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$ODOO_PORT/web/login" >/dev/null && break; sleep 0.5; done

if [ -d "$PEPPOL/examples/order/official" ]; then
    say "The sandbox delivers the official example orders as signed webhooks"
    find "$PEPPOL/examples/order/official" -name '*.xml' | sort | while read -r file; do
        "$PY" - "$SANDBOX" "$PARTY" "$file" <<'EOF'
import json, sys, urllib.request
sandbox, party, path = sys.argv[1:]
body = json.dumps({"partyId": party, "xml": open(path, encoding="utf-8").read(), "deliver": True}).encode()
req = urllib.request.Request(sandbox + "/_sandbox/documents", body, {"Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(req, timeout=30))
print(f"  {path.rsplit('/', 1)[-1]:<20} document {answer['documentId']}  webhook answered "
      f"{[d.get('status') for d in answer.get('deliveries', [])]}")
EOF
    done
    sleep 5
    count=$(psql -d "$DB" -Atc "select count(*) from sale_order where psb_order_ref is not null")
    say "$count quotations created from Peppol orders so far"
else
    echo "No official examples at $PEPPOL: upload your own order in Sales > Peppol > Import a document."
fi

banner "Odoo:  http://127.0.0.1:$ODOO_PORT/odoo/action-sale_econnect_psb.action_econnect_psb_document" \
       "Login: admin / admin      Quotations: Sales > Orders > Quotations (filter 'From Peppol')" \
       "PSB sandbox: $SANDBOX (control API under /_sandbox/)      Ctrl-C stops both."
wait
