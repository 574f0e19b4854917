#!/usr/bin/env bash
# The replayed stream of tests/test_replayed_stream.py at full size (issue 27): a seeded random stream of
# documents through the webhook over HTTP into two import workers and the answers' worker, with real
# commits, then the invariant check. Prints one line per seed (its counts and figures).
#
#   bench/stream.sh                                   500 documents, seeds 1, 2 and 3
#   PSB_STREAM_DOCS=200 PSB_STREAM_SEEDS=7 bench/stream.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export PSB_STREAM_DOCS=${PSB_STREAM_DOCS:-500} PSB_STREAM_SEEDS=${PSB_STREAM_SEEDS:-1,2,3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
ODOO_TEST_TAGS=/sale_econnect_psb:TestReplayedStream bash "$HERE/../tools/test.sh" > "$out" 2>&1
rc=$?
set -e
tail -3 "$out"
log=$(grep -o '/[^ ]*odoo-test-[^ )]*\.log' "$out" | head -1)
[ -n "$log" ] && grep -o 'PSB-STREAM.*' "$log"
exit "$rc"
