#!/usr/bin/env bash
# Runs the addon end to end on this machine: the PSB sandbox, Odoo with the addon installed and
# configured against the sandbox, and the official example documents delivered as signed webhooks.
#
#   tools/demo.sh              start everything, deliver the examples, keep running (Ctrl-C stops)
#   DEMO_DB=mydb tools/demo.sh use another database name (default psb_demo; created when missing)
#   ODOO_PORT / SANDBOX_PORT   the ports (default 8069 / 8765); a busy port stops the demo at once
#   DEMO_EXIT=1                set up and deliver, print the summary, then stop (no waiting)
#   DEMO_LANG=en_US            the salesman's language (default nl_NL: Dutch is loaded and he reads Dutch)
#
# The demo company works in EUR, knows the examples' products (by GTIN, our item number or name) and
# customers (by Peppol id), so most quotations come in clean. Re-running it delivers only what this
# database has not received yet, and its summary counts only this run. The company's settings, the
# users' languages and home pages are set on the first run only: a re-run keeps what you changed (it
# only points the connection at this run's sandbox).
source "$(dirname "$0")/lib.sh"

DB=${DEMO_DB:-psb_demo}
ODOO_PORT=${ODOO_PORT:-8069}
SANDBOX_PORT=${SANDBOX_PORT:-8765}
PARTY=${DEMO_PARTY:-0106:12345678}
PEPPOL=${PEPPOL_SHARED_DIR:-$ROOT/../shared/peppol}
DEMO_LANG=${DEMO_LANG:-nl_NL}

setup_venv

port_busy() {
    "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)     # busy
sys.exit(1)
EOF
}
for spec in "ODOO_PORT:$ODOO_PORT" "SANDBOX_PORT:$SANDBOX_PORT"; do
    if port_busy "${spec#*:}"; then
        banner "PORT ${spec#*:} IS ALREADY IN USE: THE DEMO DID NOT START" \
               "Something else listens on 127.0.0.1:${spec#*:} (an earlier demo, another Odoo?)." \
               "Stop it, or choose another port: ${spec%%:*}=<free port> tools/demo.sh"
        exit 1
    fi
done

find_odoo
if [ "$ODOO_FOUND" != yes ]; then
    banner "NO ODOO 19 FOUND" "Make Odoo 19 importable by python3, or run ODOO_PATH=/path/to/odoo tools/demo.sh" \
           "(or ODOO_INSTALL=1 tools/demo.sh to clone it from Odoo's official repository)."
    exit 1
fi
setup_postgres
mapfile -t DBARGS < <(odoo_db_args)
# One database, selected with --database and no --db-filter: the deployment README.rst recommends.
OPTS=("${DBARGS[@]}" --database "$DB" --addons-path="$ADDONS_PATH")
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
started_at=$(date -u '+%Y-%m-%d %H:%M:%S')

if ! psql -d "$DB" -Atc "select 1 from ir_module_module where name='$MODULE' and state='installed'" 2>/dev/null | grep -q 1; then
    say "Creating database $DB with $MODULE and the Dutch chart of accounts (l10n_nl; about two minutes)"
    "$PY" -m odoo server "${OPTS[@]}" -i "$MODULE,l10n_nl" --stop-after-init --log-level warn
elif ! psql -d "$DB" -Atc "select 1 from ir_module_module where name='l10n_nl' and state='installed'" | grep -q 1; then
    say "Installing the Dutch chart of accounts (l10n_nl) in $DB"
    "$PY" -m odoo server "${OPTS[@]}" -i l10n_nl --stop-after-init --log-level warn
fi

say "Starting the PSB sandbox on 127.0.0.1:$SANDBOX_PORT (log: $BUILD/sandbox.log)"
(cd "$ROOT" && exec "$PY" -m psb_sandbox --host 127.0.0.1 --port "$SANDBOX_PORT" --auto-response-hooks \
    --client-id demo-client --client-secret demo-secret --party "$PARTY") > "$BUILD/sandbox.log" 2>&1 &
pids+=($!)
SANDBOX="http://127.0.0.1:$SANDBOX_PORT"
for _ in $(seq 50); do curl -sf "$SANDBOX/.well-known/openid-configuration" >/dev/null && break; sleep 0.2; done
if ! kill -0 "${pids[0]}" 2>/dev/null || ! curl -sf "$SANDBOX/.well-known/openid-configuration" >/dev/null; then
    tail -n 20 "$BUILD/sandbox.log"
    banner "THE PSB SANDBOX DID NOT START: see $BUILD/sandbox.log"
    exit 1
fi

say "Setting up the demo company (EUR, products, customers, a salesman) against the sandbox"
DEMO_SANDBOX=$SANDBOX DEMO_PARTY=$PARTY DEMO_ODOO_PORT=$ODOO_PORT DEMO_EXAMPLES=$PEPPOL/examples DEMO_LANG=$DEMO_LANG \
    DEMO_ROOT=$ROOT \
    "$PY" -m odoo shell "${OPTS[@]}" --log-level warn > "$BUILD/demo-setup.log" 2>&1 <<'EOF'
import os
env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
company = env.ref("base.main_company")
env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1:%s" % os.environ["DEMO_ODOO_PORT"])
eur = env.ref("base.EUR")
eur.active = True
if company.currency_id != eur:
    company.currency_id = eur
# The connection always points at this run's sandbox; everything a user may change is set once.
company.write({
    "psb_environment": "custom", "psb_api_url": os.environ["DEMO_SANDBOX"],
    "psb_identity_url": os.environ["DEMO_SANDBOX"], "psb_client_id": "demo-client",
    "psb_client_secret": "demo-secret", "psb_party_id": os.environ["DEMO_PARTY"],
})
Params = env["ir.config_parameter"]
first_setup = not Params.get_param("sale_econnect_psb.demo_setup_done")

lang = os.environ["DEMO_LANG"]
if lang != "en_US" and not env["res.lang"]._lang_get(lang):
    print("loading", lang)
    language = env["res.lang"].with_context(active_test=False).search([("code", "=", lang)], limit=1)
    env["base.language.install"].create({"lang_ids": [(6, 0, language.ids)], "overwrite": False}).lang_install()

Users = env["res.users"].with_context(no_reset_password=True)
salesman = Users.search([("login", "=", "salesman")], limit=1) or Users.create({
    "name": "Sam Salesman", "login": "salesman", "password": "salesman", "email": "salesman@example.com",
    "company_id": company.id, "company_ids": [(6, 0, company.ids)], "lang": lang,
    "group_ids": [(6, 0, [env.ref("base.group_user").id, env.ref("sales_team.group_sale_salesman").id])],
})
if first_setup and company.chart_template != "nl":
    # A Dutch company: l10n_nl's chart of accounts and taxes (21 %, 9 %, 0 %), loaded before anything is booked.
    company.partner_id.country_id = env.ref("base.nl")
    env["account.chart.template"].try_loading("nl", company, install_demo=False)
    print("chart of accounts:", company.chart_template)
if first_setup:
    # The salesman sells in the company's sales team; both users start on the order desk, not in Discuss.
    team = env.ref("sales_team.team_sales_department", raise_if_not_found=False)
    if team:
        team.member_ids = [(4, salesman.id)]
    desk = env.ref("sale_econnect_psb.action_psb_order_desk")
    (salesman | env.ref("base.user_admin")).write({"action_id": desk.id})
print("first setup:", first_setup)

# The Dutch taxes, the examples' products, customers and places; on the first setup, automatic confirmation
# for the trusted customer (tools/demo_data.py, which tests/test_demo.py runs too).
import importlib.util
spec = importlib.util.spec_from_file_location("psb_demo_data", os.path.join(os.environ["DEMO_ROOT"], "tools", "demo_data.py"))
demo_data = importlib.util.module_from_spec(spec)
spec.loader.exec_module(demo_data)
demo_data.setup(env, company, salesman, os.environ["DEMO_EXAMPLES"], first_setup)
if first_setup:
    Params.set_param("sale_econnect_psb.demo_setup_done", "1")
company._psb_register_webhook()
env.cr.commit()
print("webhook:", company.psb_hook_state, company.psb_hook_url)
EOF
if ! grep -q "^webhook: " "$BUILD/demo-setup.log"; then
    tail -n 30 "$BUILD/demo-setup.log"
    banner "THE DEMO SET-UP FAILED: see $BUILD/demo-setup.log"
    exit 1
fi
grep "^webhook: \|^first setup: " "$BUILD/demo-setup.log"

say "Starting Odoo on http://127.0.0.1:$ODOO_PORT (log: $BUILD/odoo-demo.log)"
# No memory limits: the Peppol rule checks' saxonche reserves ~34 GB of address space (README.rst).
"$PY" -m odoo server "${OPTS[@]}" --http-port "$ODOO_PORT" --http-interface 127.0.0.1 --max-cron-threads 1 \
    --limit-memory-hard 0 --limit-memory-soft 0 > "$BUILD/odoo-demo.log" 2>&1 &
odoo_pid=$!
pids+=("$odoo_pid")
for _ in $(seq 120); do
    kill -0 "$odoo_pid" 2>/dev/null || break
    curl -sf "http://127.0.0.1:$ODOO_PORT/web/login" >/dev/null && break
    sleep 0.5
done
if ! kill -0 "$odoo_pid" 2>/dev/null || ! curl -sf "http://127.0.0.1:$ODOO_PORT/web/login" >/dev/null; then
    tail -n 20 "$BUILD/odoo-demo.log"
    banner "ODOO DID NOT START ON PORT $ODOO_PORT: see $BUILD/odoo-demo.log"
    exit 1
fi

if [ -d "$PEPPOL/examples/order/official" ]; then
    say "The sandbox delivers the official examples as signed webhooks (orders, a change, a cancellation, one failing)"
    PGDATABASE=$DB PYTHONPATH="$ROOT:$ROOT/tools" "$PY" - "$SANDBOX" "$PARTY" "$PEPPOL/examples" "$started_at" <<'EOF' || { banner "DELIVERING THE EXAMPLES FAILED"; exit 1; }
import hashlib, json, subprocess, sys, time, urllib.request
from pathlib import Path
import demo_data                      # tools/demo_data.py
from psb.ubl import reader
sandbox, party, examples, started_at = sys.argv[1:]
examples = Path(examples)

def sql(query, *args):
    quoted = [("'" + str(a).replace("'", "''") + "'") for a in args]
    out = subprocess.run(["psql", "-Atc", query % tuple(quoted)], check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]

def received(xml):
    """Whether this database has the document already: by its kind and order id (its dates move every day),
    else (not a document we read) by its checksum."""
    try:
        document = reader.read_document(xml)
    except ValueError:   # not a document we read (psb.ubl's errors are ValueErrors)
        return bool(sql("select 1 from ir_attachment where checksum = %s and res_model = 'econnect.psb.document'",
                        hashlib.sha1(xml).hexdigest()))
    return bool(sql("select 1 from econnect_psb_document where document_type = %s and buyer_order_ref = %s "
                    "and state != 'error'", document.kind, document.order_reference_id or document.id))

official = examples / "order" / "official"
plan = [(p.name, demo_data.variant(p), "OrderReceived") for p in sorted(official.glob("*.xml"))]
sc1 = "advanced_ordering_sc1"
plan += [
    ("Order_sc1.xml", (official / sc1 / "Order_sc1.xml").read_bytes(), "OrderReceived"),
    ("OrderChange_sc1.xml", (examples / "order_change" / "official" / sc1 / "OrderChange_sc1.xml").read_bytes(),
     "OrderChangeReceived"),
    ("OrderCancellation_sc4.xml", (examples / "order_cancellation" / "official" / "advanced_ordering_sc4"
                                   / "OrderCancellation_sc4.xml").read_bytes(), "OrderCancellationReceived"),
    # not an order at all: it ends in Error, with a message a person can act on
    ("UC1_Order_response.xml", (examples / "order_response" / "official" / "UC1_Order_response.xml").read_bytes(),
     "OrderReceived"),
]
delivered = []
for name, xml, topic in plan:
    xml = demo_data.dutch_example(xml)   # a Dutch buyer's document of today: dates ahead, Dutch VAT
    if received(xml):
        print(f"  {name:<28} already received by this database in an earlier run: not delivered again")
        continue
    body = json.dumps({"partyId": party, "xml": xml.decode("utf-8"), "topic": topic, "deliver": True}).encode()
    request = urllib.request.Request(sandbox + "/_sandbox/documents", body, {"Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(request, timeout=30))
    document_id = answer["documentId"]
    delivered.append(document_id)
    state = "?"
    for _ in range(120):   # each document is processed before the next one comes (a change needs its order)
        rows = sql("select state, coalesce(error_message, '') from econnect_psb_document where psb_document_id = %s",
                   document_id)
        if rows and rows[0][0] not in ("received", "downloaded"):
            state = rows[0][0] + (f" ({rows[0][1][:90]})" if rows[0][1] else "")
            break
        time.sleep(0.5)
    print(f"  {name:<28} {topic:<26} webhook {[d.get('status') for d in answer.get('deliveries', [])]}  -> {state}")
time.sleep(3)   # the answers go out and the sandbox reports them delivered
if delivered:
    ids = ",".join("'%s'" % d for d in delivered)
    states = sql(f"select state, count(*) from econnect_psb_document where psb_document_id in ({ids}) group by state order by state")
    quotations = sql(f"select count(*), count(*) filter (where not coalesce(psb_needs_attention, false)) from sale_order "
                     f"where psb_document_id in (select id from econnect_psb_document where psb_document_id in ({ids}))")
    answers = sql(f"select state, count(*) from econnect_psb_response where create_date >= %s group by state order by state",
                  started_at)
    print(f"\nThis run: {len(delivered)} documents delivered; by state: " + ", ".join(f"{s} {n}" for s, n in states))
    print(f"          {quotations[0][0]} quotations created, {quotations[0][1]} of them with nothing to check")
    print("          answers to the buyers: " + (", ".join(f"{s} {n}" for s, n in answers) or "none"))
    decided = sql(f"select psb_order_ref, coalesce(psb_auto_state, ''), coalesce(psb_auto_reasons_data::text, '') "
                  f"from sale_order where psb_document_id in (select id from econnect_psb_document "
                  f"where psb_document_id in ({ids})) order by id")
    print("\nAutomatic confirmation (on for the trusted customer Region West):")
    for ref, auto, reasons in decided:
        reasons = demo_data.plain_text(json.loads(reasons)) if reasons else ""
        outcome = {"confirmed": "confirmed by itself, answered AP"}.get(auto) or f"waits for a person: {reasons[:150]}"
        print(f"  {ref[:34]:<34} {outcome}")
else:
    print("\nThis run delivered nothing new: the database has every example already.")
EOF
else
    echo "No official examples at $PEPPOL: upload your own order in Sales > Peppol > Import a document."
fi

# Links by action and menu id, so that they open in the Sales app (an action's xml id alone lets Odoo
# pick any menu showing it, such as Discuss for the documents).
ids() { psql -d "$DB" -Atc "select res_id from ir_model_data where module = '$1' and name = '$2'"; }
SALES_MENU=$(ids sale sale_menu_root)
link() { echo "http://127.0.0.1:$ODOO_PORT/odoo/action-$(ids "$1" "$2")?menu_id=$SALES_MENU"; }
banner "Order desk:          $(link sale_econnect_psb action_psb_order_desk)" \
       "Quotations:          $(link sale action_quotations)   (log in as the salesman: they are his)" \
       "Incoming documents:  $(link sale_econnect_psb action_econnect_psb_document)" \
       "Login: the salesman salesman / salesman (language $DEMO_LANG), or the administrator admin / admin" \
       "PSB sandbox: $SANDBOX (control API under /_sandbox/)      Ctrl-C stops both."
[ "${DEMO_EXIT:-0}" = 1 ] && exit 0
wait
