#!/usr/bin/env bash
# Figure 4 in instructions (callgrind): each official example imported RUNS times by ours and
# by Odoo's import (sale_edi_ubl), alternating as `odoo_bench.py imports --official` does, only
# the measured imports instrumented (load-independent, unlike figure 4's times).
#   bench/official_instructions.sh DIR RUNS [--alone] -- --db_user odoo -d psb_prof --addons-path=...
# The buyers and products are the database's: run it before and after the examples' buyers
# and products are in it (`odoo_bench.py imports --official` seeds them) for figure 4's
# 'unknown' and 'known' variants. Prints one JSON line per example.
set -euo pipefail
DIR=${1:?directory of the official examples}; RUNS=${2:?runs}; shift 2
OPTIONS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do OPTIONS+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-$(python3 -c 'import sys; print(sys.executable)')}  # the interpreter itself, not a shim
OUT=$(mktemp -d "${TMPDIR:-/tmp}/callgrind.XXXXXX")
PYTHONHASHSEED=0 valgrind --tool=callgrind --instr-atstart=no --cache-sim=no \
    --callgrind-out-file="$OUT/cg.out" "$PY" "$HERE/odoo_bench.py" official-instructions \
    --dir "$DIR" --runs "$RUNS" "${OPTIONS[@]}" -- "$@" --log-level=error \
    2>/dev/null >"$OUT/parts.jsonl"
python3 - "$OUT" <<'PY'
import json, pathlib, re, sys
out = pathlib.Path(sys.argv[1])
parts = [json.loads(line) for line in (out / "parts.jsonl").read_text().splitlines()]
per_file = {}
for part in parts:
    dump = next(out.glob(f"cg.out*.{part['part']}")).read_text()
    total = int(re.search(r"^totals: (\d+)", dump, re.M).group(1))
    entry = per_file.setdefault(part["file"], {"file": part["file"]})
    entry[f"{part['who']}_m"] = round(total / part["runs"] / 1e6)
    entry[f"{part['who']}_queries"] = part["queries"]
    entry[f"{part['who']}_lines"] = part["lines"]
    if part["error"]:
        entry[f"{part['who']}_error"] = part["error"][:80]
for entry in per_file.values():
    entry["ratio"] = round(entry["ours_m"] / entry["theirs_m"], 3)
    print(json.dumps(entry))
PY
rm -rf "$OUT"  # (kept when the summary fails, by set -e)
