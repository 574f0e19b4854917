#!/usr/bin/env bash
# Exports the translation template from a fresh database with the module installed and merges it
# into every i18n/*.po (new texts come in untranslated: translate them, tests/test_i18n.py checks).
#
#   tools/i18n.sh
source "$(dirname "$0")/lib.sh"

setup_venv
find_odoo
[ "$ODOO_FOUND" = yes ] || { echo "tools/i18n.sh needs an Odoo 19 (see README.rst)"; exit 1; }
setup_postgres
DB=psb_i18n_$$
mapfile -t DBARGS < <(odoo_db_args)
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
say "Installing $MODULE into a fresh database $DB"
"$PY" -m odoo "${DBARGS[@]}" -d "$DB" --addons-path="$ADDONS_PATH" -i "$MODULE" --stop-after-init \
    --log-level warn --http-port "$(free_port)" --http-interface 127.0.0.1
# The i18n command reads its connection from a configuration file.
CONF="$BUILD/i18n-$$.conf"
{ echo "[options]"; echo "addons_path = $ADDONS_PATH"; echo "db_user = $PGUSER"
  [ -n "${PGHOST:-}" ] && echo "db_host = $PGHOST"; [ -n "${PGPORT:-}" ] && echo "db_port = $PGPORT"; } > "$CONF"
"$PY" -m odoo i18n export -c "$CONF" -d "$DB" -o "$BUILD/$MODULE.pot" "$MODULE"
rm -f "$CONF"
# Keep the template free of the export's dates so that it only changes with its texts.
sed -E '/^"(POT-Creation|PO-Revision)-Date: /d' "$BUILD/$MODULE.pot" > "$ROOT/i18n/$MODULE.pot"
"$PY" - "$ROOT/i18n" "$MODULE" <<'PYEOF'
import glob, os, sys
import polib
folder, module = sys.argv[1:3]
pot = polib.pofile(os.path.join(folder, module + ".pot"))
for path in sorted(glob.glob(os.path.join(folder, "*.po"))):
    po = polib.pofile(path)
    po.merge(pot)
    for entry in po.obsolete_entries():
        po.remove(entry)
    po.save(path)
    todo = [e for e in po if e.msgid and not e.msgstr]
    print(f"{os.path.basename(path)}: {len(todo)} text(s) to translate")
PYEOF
